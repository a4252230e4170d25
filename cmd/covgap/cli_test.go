package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// covgap runs the command line in-process and returns its exit code and
// output.
func covgap(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func repoPath(parts ...string) string {
	return filepath.Join(append([]string{"..", ".."}, parts...)...)
}

func sharedPath(t *testing.T, parts ...string) string {
	t.Helper()
	p := repoPath(append([]string{"..", "shared"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("../shared not found (%s); skipping real-data test", p)
	}
	return p
}

func TestExitCodes(t *testing.T) {
	example := repoPath("testdata", "inventory", "example.xlsx")
	messy := repoPath("testdata", "inventory", "messy.csv")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring expected on stdout
		stderr string // substring expected on stderr
	}{
		{"no args", nil, exitUsage, "", "Usage"},
		{"help", []string{"help"}, exitOK, "Commands:", ""},
		{"help command", []string{"help", "analyze"}, exitOK, "--fail-under", ""},
		{"help unknown", []string{"help", "nope"}, exitUsage, "", "unknown command"},
		{"unknown command", []string{"analyse"}, exitUsage, "", `unknown command "analyse"`},
		{"flag help", []string{"groups", "--help"}, exitOK, "--match", ""},
		{"bad flag", []string{"groups", "--nope"}, exitUsage, "", "unknown flag"},
		{"bad format", []string{"groups", "--format", "xml"}, exitUsage, "", `unknown value "xml" (want table, json, csv)`},
		{"bad domain", []string{"groups", "--domain", "cloud"}, exitUsage, "", "domain"},
		{"version", []string{"version"}, exitOK, "enterprise-attack 18.1", ""},
		{"groups", []string{"groups"}, exitOK, "G1005", ""},
		{"groups ics", []string{"groups", "--domain", "ics"}, exitOK, "14 groups", ""},
		{"show unknown", []string{"show", "APT-29"}, exitInput, "", "APT29 G0016"},
		{"show missing arg", []string{"show"}, exitUsage, "", "missing GROUP"},
		{"analyze missing inventory", []string{"analyze"}, exitUsage, "", "missing INVENTORY"},
		{"analyze no such file", []string{"analyze", "no-such.xlsx"}, exitInput, "", "no-such.xlsx"},
		{"analyze bad model", []string{"analyze", "--model", "avg", example}, exitUsage, "", `unknown value "avg" (want max, mean, noisy-or)`},
		{"analyze bad output", []string{"analyze", "-o", "report.docx", example}, exitUsage, "", "report.docx"},
		{"analyze bad fail-under", []string{"analyze", "--fail-under", "120", example}, exitUsage, "", "0 to 100"},
		{"analyze unknown group", []string{"analyze", "--groups", "APT-29", example}, exitInput, "", "APT29"},
		{"analyze fail-under", []string{"analyze", "--fail-under", "100", "--groups", "G1005", example}, exitFailUnder, "", "below --fail-under"},
		{"analyze", []string{"analyze", example}, exitOK, "Recommendations", ""},
		{"validate messy", []string{"validate", messy}, exitInput, "error", ""},
		{"validate example", []string{"validate", example}, exitOK, "rows", ""},
		{"analyze fail-under NaN", []string{"analyze", "--fail-under", "NaN", example}, exitUsage, "", "0 to 100"},
		{"analyze fail-under trailing", []string{"analyze", "--fail-under", "90x", example}, exitUsage, "", "0 to 100"},
		{"analyze fail-under comma", []string{"analyze", "--fail-under", "99,5", "--groups", "G1005", example}, exitFailUnder, "", "below --fail-under 99.5"},
		{"analyze empty groups", []string{"analyze", "--groups", "", example}, exitUsage, "", "--groups is empty"},
		{"analyze max-rows 0", []string{"analyze", "--max-rows", "0", example}, exitUsage, "", "must be positive"},
		{"analyze save no dir", []string{"analyze", "--save", "/nonexistent-dir/q3.json", example}, exitUsage, "", "/nonexistent-dir does not exist"},
		{"analyze overwrite inventory", []string{"analyze", "-o", example, example}, exitUsage, "", "would overwrite"},
		{"analyze overwrite via save", []string{"analyze", "--save", example, example}, exitUsage, "", "would overwrite"},
		{"analyze nothing assessed", []string{"analyze", repoPath("testdata", "inventory", "nothing-assessed.csv")}, exitInput, "", "assesses no mitigation"},
		{"template no dir", []string{"template", "-o", "/nonexistent-dir/t.xlsx"}, exitUsage, "", "/nonexistent-dir does not exist"},
		{"compare missing", []string{"compare", "a.json"}, exitUsage, "", "missing"},
		{"compare no file", []string{"compare", "a.json", "b.json"}, exitInput, "", "a.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := covgap(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errs)
			}
			if !strings.Contains(out, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, out)
			}
			if !strings.Contains(errs, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errs)
			}
			if strings.Contains(errs, "goroutine ") || strings.Contains(errs, "panic") || strings.Contains(errs, "internal error") {
				t.Errorf("stderr shows a crash:\n%s", errs)
			}
		})
	}
}

func TestGroupsJSON(t *testing.T) {
	code, out, errs := covgap(t, "groups", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var groups []struct {
		ID         string   `json:"id"`
		Name       string   `json:"name"`
		Aliases    []string `json:"aliases"`
		Techniques int      `json:"techniques"`
	}
	if err := json.Unmarshal([]byte(out), &groups); err != nil {
		t.Fatal(err)
	}
	if len(groups) != 172 {
		t.Errorf("%d groups, want the 172 active groups of ATT&CK 18.1", len(groups))
	}
	for _, g := range groups {
		if g.ID == "G1005" && (g.Name != "POLONIUM" || g.Techniques != 7) {
			t.Errorf("G1005 = %+v, want POLONIUM with 7 techniques", g)
		}
	}
	code, out, _ = covgap(t, "groups", "--match", "Israel", "--format", "json")
	if code != 0 || !strings.Contains(out, `"G1005"`) {
		t.Errorf("--match Israel lacks POLONIUM: %s", out)
	}
}

func TestMitigationsJSON(t *testing.T) {
	code, out, errs := covgap(t, "mitigations", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var ms []struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Techniques int    `json:"techniques"`
		Groups     int    `json:"groups"`
	}
	if err := json.Unmarshal([]byte(out), &ms); err != nil {
		t.Fatal(err)
	}
	if len(ms) != 44 {
		t.Errorf("%d mitigations, want 44", len(ms))
	}
	for _, m := range ms {
		if m.ID == "M1032" && (m.Name != "Multi-factor Authentication" || m.Techniques == 0 || m.Groups == 0) {
			t.Errorf("M1032 = %+v", m)
		}
	}
}

// TestAnalyzePolonium is the worked example of docs/methodology.md.
func TestAnalyzePolonium(t *testing.T) {
	inv := repoPath("testdata", "inventory", "polonium.csv")
	code, out, errs := covgap(t, "analyze", "--groups", "POLONIUM", "--format", "json", inv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Attack struct {
			Domain, Version, Source string
		}
		Model   string
		Profile struct {
			Score  *float64
			Groups int
		}
		Groups []struct {
			ID                                                         string
			Score                                                      *float64
			Techniques, Mitigable, Covered, Partial, Gaps, Unmitigable int
			Items                                                      []struct {
				Technique string
				State     string
			}
		}
		Recommendations []struct {
			Mitigation string
			Gain       float64
			ScoreAfter float64 `json:"score_after"`
			Techniques []string
			Groups     []string
		}
		Inventory struct {
			Rows        int
			NotAssessed []string `json:"not_assessed"`
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Attack.Version != "18.1" || res.Attack.Domain != "enterprise-attack" || res.Attack.Source != "embedded" || res.Model != "max" {
		t.Errorf("attack/model = %+v %s", res.Attack, res.Model)
	}
	if len(res.Groups) != 1 {
		t.Fatalf("%d groups, want 1", len(res.Groups))
	}
	g := res.Groups[0]
	if g.ID != "G1005" || g.Score == nil || *g.Score != 80 || g.Techniques != 7 || g.Mitigable != 5 ||
		g.Covered != 4 || g.Partial != 0 || g.Gaps != 1 || g.Unmitigable != 2 {
		t.Errorf("G1005 = %+v, want score 80 with 7/5/4/0/1/2", g)
	}
	if res.Profile.Score == nil || *res.Profile.Score != 80 || res.Profile.Groups != 1 {
		t.Errorf("profile = %+v", res.Profile)
	}
	if len(res.Recommendations) != 1 {
		t.Fatalf("recommendations = %+v, want just M1020", res.Recommendations)
	}
	r := res.Recommendations[0]
	if r.Mitigation != "M1020" || r.Gain != 20 || r.ScoreAfter != 100 ||
		strings.Join(r.Techniques, ",") != "T1090" || strings.Join(r.Groups, ",") != "G1005" {
		t.Errorf("recommendation = %+v", r)
	}
	if res.Inventory.Rows != 3 || len(res.Inventory.NotAssessed) != 44-3 {
		t.Errorf("inventory = %d rows, %d not assessed", res.Inventory.Rows, len(res.Inventory.NotAssessed))
	}

	// The mean model of the worked example.
	code, out, errs = covgap(t, "analyze", "--groups", "G1005", "--model", "mean", "--format", "json", inv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if s := res.Groups[0].Score; s == nil || *s != 43.75 {
		t.Errorf("mean score = %v, want 43.75", s)
	}
}

func TestAnalyzeOutputsAndSave(t *testing.T) {
	dir := t.TempDir()
	inv := repoPath("testdata", "inventory", "example.xlsx")
	xlsx := filepath.Join(dir, "report.xlsx")
	md := filepath.Join(dir, "report.md")
	js := filepath.Join(dir, "report.json")
	layers := filepath.Join(dir, "layers") + string(filepath.Separator)
	saved := filepath.Join(dir, "q3.json")
	code, _, errs := covgap(t, "analyze", "--match", "Israel", "-o", xlsx, "-o", md, "-o", js, "-o", layers,
		"--save", saved, "--label", "2026-Q3", inv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, p := range []string{xlsx, md, js, saved} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", p, err)
		}
	}
	if ents, err := os.ReadDir(layers); err != nil || len(ents) < 2 {
		t.Errorf("layers dir: %v, %d files", err, len(ents))
	}
	// Comparing an assessment with itself explains no change.
	code, out, errs := covgap(t, "compare", saved, saved, "--format", "json")
	if code != 0 {
		t.Fatalf("compare exit %d: %s", code, errs)
	}
	var cmp struct {
		Groups []struct {
			ID    string
			Delta *float64
		}
	}
	if err := json.Unmarshal([]byte(out), &cmp); err != nil {
		t.Fatal(err)
	}
	if len(cmp.Groups) == 0 {
		t.Fatal("compare lists no groups")
	}
	for _, g := range cmp.Groups {
		if g.Delta != nil && *g.Delta != 0 {
			t.Errorf("%s delta %v comparing an assessment with itself", g.ID, *g.Delta)
		}
	}
	code, _, errs = covgap(t, "trend", saved, saved)
	if code != 0 {
		t.Errorf("trend exit %d: %s", code, errs)
	}
}

func TestValidateJSON(t *testing.T) {
	code, out, _ := covgap(t, "validate", "--format", "json", repoPath("testdata", "inventory", "messy.csv"))
	if code != exitInput {
		t.Fatalf("exit %d, want 1 for an inventory with errors", code)
	}
	var v struct {
		Levels   map[string]float64
		Rows     []map[string]any
		Problems []struct {
			Severity, File, Message string
			Row                     int
		}
		NotAssessed []string `json:"not_assessed"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Levels) == 0 || len(v.Rows) == 0 || len(v.Problems) == 0 || len(v.NotAssessed) == 0 {
		t.Errorf("validate json lacks content: %d levels, %d rows, %d problems, %d not assessed",
			len(v.Levels), len(v.Rows), len(v.Problems), len(v.NotAssessed))
	}
	for _, p := range v.Problems {
		if p.Severity == "error" && (p.File == "" || p.Row == 0 || p.Message == "") {
			t.Errorf("error problem without a place: %+v", p)
		}
	}
}

func TestTemplateRoundTrip(t *testing.T) {
	out := filepath.Join(t.TempDir(), "inv.xlsx")
	if code, _, errs := covgap(t, "template", "-o", out); code != 0 {
		t.Fatalf("template exit %d: %s", code, errs)
	}
	if code, _, errs := covgap(t, "template", "-o", out); code != exitInput || !strings.Contains(errs, "exists") {
		t.Errorf("template over an existing file: exit %d, %s", code, errs)
	}
	// An empty template reads back: every mitigation listed, none assessed yet.
	code, out2, _ := covgap(t, "validate", "--format", "json", out)
	if code != 0 && code != exitInput {
		t.Fatalf("validate exit %d", code)
	}
	if !strings.Contains(out2, "M1032") {
		t.Errorf("template read back lacks M1032")
	}
}

func TestRealBundle(t *testing.T) {
	b15 := sharedPath(t, "attack", "enterprise-attack-15.1.json.gz")
	code, out, errs := covgap(t, "show", "--attack", b15, "--format", "json", "G1005")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, "M1032") && strings.Count(out, "M1032") != 1 {
		t.Errorf("15.1 POLONIUM: M1032 should mitigate only T1199, not T1078:\n%s", out)
	}
	vault := sharedPath(t, "vault-sample")
	code, out, errs = covgap(t, "groups", "--attack", vault, "--attack-version", "15.1")
	if code != 0 || !strings.Contains(out, "POLONIUM") {
		t.Errorf("vault groups exit %d: %s %s", code, out, errs)
	}
}

// TestMigrate reads last year's assessment (ATT&CK 15.1) with the embedded
// 18.1: POLONIUM's T1078 gained M1032 between them.
func TestMigrate(t *testing.T) {
	code, out, errs := covgap(t, "migrate", "--format", "json", repoPath("testdata", "assessments", "2025-Q4.json"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var ms []struct {
		Kind, ID, Status string
		Added            []string
	}
	if err := json.Unmarshal([]byte(out), &ms); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range ms {
		if m.ID == "T1078" && m.Status == "mitigations-changed" && strings.Join(m.Added, ",") == "M1032" {
			found = true
		}
	}
	if !found {
		t.Errorf("migrate does not name T1078 gaining M1032:\n%s", out)
	}
	if code, _, errs := covgap(t, "migrate", "no-such.json"); code != exitInput || !strings.Contains(errs, "no-such.json") {
		t.Errorf("missing file: exit %d, %s", code, errs)
	}
}

// TestProfileErrorsAreFatal: a profile naming a group covgap cannot find
// would silently change the weighted score, so it stops the run.
func TestProfileErrorsAreFatal(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "profile.yaml")
	if err := os.WriteFile(prof, []byte("groups:\n  - group: G1005\n  - group: APT-29\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := covgap(t, "analyze", "--profile", prof, repoPath("testdata", "inventory", "polonium.csv"))
	if code != exitInput || !strings.Contains(errs, "APT29 G0016") || !strings.Contains(errs, "error(s) in the threat profile") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
}

// TestLoaderWarnings: a few warnings by default, all with --verbose.
func TestLoaderWarnings(t *testing.T) {
	vault := repoPath("testdata", "vault")
	_, _, errs := covgap(t, "groups", "--attack", vault)
	if !strings.Contains(errs, "--verbose lists all") {
		t.Fatalf("stderr:\n%s", errs)
	}
	short := strings.Count(errs, "\n")
	_, _, errs = covgap(t, "groups", "--attack", vault, "--verbose")
	if long := strings.Count(errs, "\n"); long <= short || strings.Contains(errs, "--verbose lists all") {
		t.Errorf("--verbose shows %d lines, default %d:\n%s", long, short, errs)
	}
}

// failingWriter is a standard output whose reader went away (a pipe into
// head that closed).
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

// TestFilesBeforeStdout: a closed standard output must not cost the
// report files or the saved assessment.
func TestFilesBeforeStdout(t *testing.T) {
	dir := t.TempDir()
	xlsx, saved := filepath.Join(dir, "r.xlsx"), filepath.Join(dir, "q.json")
	var errb bytes.Buffer
	code := run([]string{"analyze", "--groups", "G1005", "-o", xlsx, "--save", saved,
		repoPath("testdata", "inventory", "polonium.csv")}, failingWriter{}, &errb)
	if code == 0 {
		t.Error("a failed standard output went unreported")
	}
	for _, p := range []string{xlsx, saved} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s not written before standard output: %v", p, err)
		}
	}
	// compare and trend take several -o and write them all first too.
	d1, d2 := filepath.Join(dir, "d.md"), filepath.Join(dir, "d.json")
	run([]string{"compare", saved, saved, "-o", d1, "-o", d2}, failingWriter{}, &errb)
	t1 := filepath.Join(dir, "t.xlsx")
	run([]string{"trend", saved, saved, "-o", t1}, failingWriter{}, &errb)
	for _, p := range []string{d1, d2, t1} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s not written: %v", p, err)
		}
	}
}

func TestTemplateIsShareable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "inv.csv")
	if code, _, errs := covgap(t, "template", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// The mode an ordinary create gives here (0666 less the umask), not
	// the private 0600 of a temporary file.
	ref := filepath.Join(filepath.Dir(out), "ref")
	rf, err := os.Create(ref)
	if err != nil {
		t.Fatal(err)
	}
	rf.Close()
	st, err := os.Stat(out)
	rst, _ := os.Stat(ref)
	if err != nil || st.Mode().Perm() != rst.Mode().Perm() {
		t.Errorf("template mode %v (%v), want %v like any new file", st.Mode().Perm(), err, rst.Mode().Perm())
	}
}

func TestTrendWarnsOnDifferentGroups(t *testing.T) {
	dir := t.TempDir()
	inv := repoPath("testdata", "inventory", "polonium.csv")
	one, two := filepath.Join(dir, "one.json"), filepath.Join(dir, "two.json")
	covgap(t, "analyze", "--groups", "G1005", "--save", one, inv)
	covgap(t, "analyze", "--groups", "G1005,G0016", "--save", two, inv)
	code, _, errs := covgap(t, "trend", one, two)
	if code != 0 || !strings.Contains(errs, "assess different groups (1 and 2)") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
	if _, _, errs := covgap(t, "trend", one, one); strings.Contains(errs, "different groups") {
		t.Errorf("same groups warned: %s", errs)
	}
}
