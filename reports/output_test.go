package reports

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current output")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports/ -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./reports/ -run %s -update rewrites it after an intended change)\n%s",
			path, t.Name(), firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line, enough to see what changed.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + w + "\n  got: " + g
		}
	}
	return ""
}

// stable rounds the fixture's profile scores to 1e-9: the fixture sums them
// over a Go map, so their last bits vary from run to run, which a golden
// file cannot hold.
func stable(r *Report) *Report {
	res := *r.Result
	round := func(p *float64) *float64 {
		if p == nil {
			return nil
		}
		v := math.Round(*p*1e9) / 1e9
		return &v
	}
	res.Profile.Score, res.Profile.AssumedScore = round(res.Profile.Score), round(res.Profile.AssumedScore)
	r.Result = &res
	return r
}

// render runs a --format writer into a buffer.
func render(t *testing.T, format string, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := ForStdout(format, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(stable(r)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// oneGroup narrows the fixture to POLONIUM, the single-group profile whose
// table also lists the techniques.
func oneGroup(t *testing.T) *Report {
	r := testReport(t)
	res := *r.Result
	res.Groups = nil
	for _, g := range r.Result.Groups {
		if g.ID == "G1005" {
			res.Groups = append(res.Groups, g)
		}
	}
	if len(res.Groups) != 1 {
		t.Fatal("the fixture has no G1005")
	}
	res.Profile.Groups = 1
	res.Profile.Name = "POLONIUM"
	r.Result = &res
	return r
}

func TestForFileChoosesByExtension(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path    string
		opts    FileOptions
		want    string // the writer's type, or "" for an error
		errHave string
	}{
		{path: "report.json", want: "fileWriter"},
		{path: "REPORT.JSON", want: "fileWriter"},
		{path: "profile.layer.json", want: "fileWriter"},
		{path: "groups.csv", want: "csvFiles"},
		{path: "report.md", want: "fileWriter"},
		{path: "report.xlsx", want: "*reports.Workbook"},
		{path: "layers/", want: "*reports.dirWriter"},
		{path: "deep/er/layers/", want: "*reports.dirWriter"},
		{path: ".", want: "*reports.dirWriter"},
		{path: "pages/", opts: FileOptions{Format: "markdown"}, want: "*reports.dirWriter"},
		{path: "report.pdf", errHave: `unknown format ".pdf"; use .xlsx, .json`},
		{path: "report", errHave: "no extension"},
		{path: "missing/report.json", errHave: "does not exist"},
		{path: "a-file/report.json", errHave: "not a directory"},
		{path: "a-file/sub/", errHave: "is a file, not a directory"},
		{path: "", errHave: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p := tt.path
			if p != "" && !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
				if strings.HasSuffix(tt.path, "/") {
					p += "/"
				}
			}
			w, err := ForFile(p, tt.opts)
			if tt.errHave != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHave) {
					t.Fatalf("ForFile(%q) error %v, want one containing %q", tt.path, err, tt.errHave)
				}
				return
			}
			if err != nil {
				t.Fatalf("ForFile(%q): %v", tt.path, err)
			}
			if got := typeName(w); !strings.HasSuffix(got, tt.want) {
				t.Errorf("ForFile(%q) = %s, want %s", tt.path, got, tt.want)
			}
		})
	}
	// Validation must not create anything: the analysis has not run yet.
	if _, err := os.Stat(filepath.Join(dir, "deep")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ForFile created the output directory before writing: %v", err)
	}
}

func typeName(w Writer) string {
	switch w.(type) {
	case fileWriter:
		return "fileWriter"
	case csvFiles:
		return "csvFiles"
	case *dirWriter:
		return "*reports.dirWriter"
	case *Workbook:
		return "*reports.Workbook"
	}
	return "?"
}

func TestForFileDirectoryFormat(t *testing.T) {
	dir := t.TempDir()
	for format, want := range map[string]bool{"markdown": true, "MD": true, "table": false, "": false, "json": false} {
		w, err := ForFile(dir+"/", FileOptions{Format: format})
		if err != nil {
			t.Fatal(err)
		}
		if got := w.(*dirWriter).markdown; got != want {
			t.Errorf("format %q: markdown pages = %v, want %v", format, got, want)
		}
	}
}

func TestForStdout(t *testing.T) {
	for _, f := range []string{"", "table", "json", "csv", "markdown", "JSON"} {
		if _, err := ForStdout(f, io.Discard); err != nil {
			t.Errorf("ForStdout(%q): %v", f, err)
		}
	}
	_, err := ForStdout("yaml", io.Discard)
	if err == nil || !strings.Contains(err.Error(), SupportedFormats) {
		t.Errorf("ForStdout(yaml) error %v, want the supported formats listed", err)
	}
}

type failing struct{ n *int }

func (f failing) Write(*Report) error { *f.n++; return errors.New("disk full") }

type counting struct{ n *int }

func (c counting) Write(*Report) error { *c.n++; return nil }

func TestMultiWritesEveryOutputDespiteFailures(t *testing.T) {
	var fails, oks int
	m := Multi(failing{&fails}, nil, Multi(counting{&oks}, failing{&fails}), counting{&oks})
	err := m.Write(testReport(t))
	if fails != 2 || oks != 2 {
		t.Fatalf("wrote %d failing and %d good outputs, want 2 and 2", fails, oks)
	}
	if err == nil || strings.Count(err.Error(), "disk full") != 2 {
		t.Errorf("error %v, want both failures named", err)
	}
	if err := Multi().Write(testReport(t)); err != nil {
		t.Errorf("empty Multi: %v", err)
	}
}

func TestWriteIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, []byte("last quarter\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	w := fileWriter{path, func(w io.Writer, _ *Report) error {
		io.WriteString(w, "half a rep")
		return boom
	}}
	if err := w.Write(testReport(t)); !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "last quarter\n" {
		t.Errorf("a failed write replaced the old report with %q", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("temporary files left behind: %v", ents)
	}
	before, _ := os.Stat(path)
	ok, _ := ForFile(path, FileOptions{})
	if err := ok.Write(testReport(t)); err != nil {
		t.Fatal(err)
	}
	// A replaced report keeps the mode of the one it replaces.
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != before.Mode().Perm() {
		t.Errorf("report mode %v, %v; want %v", fi.Mode(), err, before.Mode().Perm())
	}
	if err := ok.Write(&Report{}); err == nil {
		t.Error("writing a report without a result succeeded")
	}
}

func TestGroupsByScoreLowestFirstUnscoredLast(t *testing.T) {
	r := testReport(t)
	gs := groupsByScore(r.Result)
	var ids []string
	for _, g := range gs {
		ids = append(ids, g.ID)
	}
	// APT29 scores lower than POLONIUM in the fixture; G9001 has no score.
	if got := strings.Join(ids, " "); got != "G0016 G1005 G9001" {
		t.Errorf("order %s", got)
	}
	for i := 1; i < len(gs); i++ {
		a, b := gs[i-1].Score, gs[i].Score
		if a == nil || (b != nil && *a > *b) {
			t.Errorf("%s (%s) before %s (%s)", gs[i-1].ID, fmtScore(a), gs[i].ID, fmtScore(b))
		}
	}
}

func TestSafeFileName(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"G1005", "POLONIUM"}:              "G1005-POLONIUM",
		{"G0007", "APT28"}:                 "G0007-APT28",
		{"G0032", "Lazarus Group"}:         "G0032-Lazarus-Group",
		{"G9001", `=cmd|' /C notepad'!A1`}: "G9001-cmd-C-notepad-A1",
		{"x", "../../etc/passwd"}:          "x-..-..-etc-passwd",
		{"", ""}:                           "group",
	} {
		if got := safeFileName(in[0], in[1]); got != want {
			t.Errorf("safeFileName(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
		if strings.ContainsAny(safeFileName(in[0], in[1]), `/\`) {
			t.Errorf("separator in file name for %q", in)
		}
	}
	taken := map[string]bool{}
	if a, b := uniqueName(taken, "G1-X"), uniqueName(taken, "g1-x"); a != "G1-X" || b != "g1-x-2" {
		t.Errorf("uniqueName gave %q, %q", a, b)
	}
}
