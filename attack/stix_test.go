package attack

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// repoRoot is the directory holding go.mod, found by walking up from the
// package directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// sharedAttack returns ../shared/attack/name, skipping the test when the
// shared material is not checked out next to the repository.
func sharedAttack(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(repoRoot(t), "..", "shared", "attack", name)
	if _, err := os.Stat(p); err != nil {
		t.Skip("../shared not found; skipping real-data test")
	}
	return p
}

const fixtureName = "enterprise-attack-18.1-trimmed.json"

func fixturePath(t testing.TB) string {
	return filepath.Join(repoRoot(t), "testdata", "attack", fixtureName)
}

func loadFixture(t testing.TB) *Catalog {
	t.Helper()
	c, err := LoadSTIXFiles(fixturePath(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// polonium is G1005's map in ATT&CK 18.1 as ../shared/README.md lists it.
var polonium = map[string][]string{
	"T1567.002": {"M1021"},
	"T1102.002": {"M1021", "M1031"},
	"T1090":     {"M1020", "M1031", "M1037"},
	"T1588.002": {"M1056"},
	"T1199":     {"M1018", "M1030", "M1032"},
	"T1583.006": {"M1056"},
	"T1078":     {"M1013", "M1015", "M1017", "M1018", "M1026", "M1027", "M1032", "M1036"},
}

// groupMap is a group's technique -> mitigations map under o.
func groupMap(t *testing.T, c *Catalog, ref string, o UseOptions) map[string][]string {
	t.Helper()
	g := c.Group(ref)
	if g == nil {
		t.Fatalf("group %s not in catalog", ref)
	}
	m := map[string][]string{}
	for _, id := range c.TechniquesOf(g, o) {
		m[id] = c.Technique(id).Mitigations
	}
	return m
}

func TestLoadSTIXFixture(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		name      string
		got, want any
	}{
		{"domain", c.Domain, Enterprise},
		{"version", c.Version, "18.1"},
		{"source", c.Source, fixturePath(t)},
		{"groups", len(c.Groups), 5},
		{"techniques", len(c.Techniques), 175},
		{"mitigations", len(c.Mitigations), 39},
		{"campaigns", len(c.Campaigns), 1},
		{"software", len(c.Software), 5},
		{"tactics", len(c.Tactics), 14},
		{"first tactic", c.Tactics[0].ShortName, "reconnaissance"},
		{"last tactic", c.Tactics[13].ShortName, "impact"},
		{"TA0001", c.Tactic("initial-access").ID, "TA0001"},
		{"warnings", len(c.Warnings), 0},
		{"G1005 map", groupMap(t, c, "G1005", DefaultUseOptions()), polonium},
		{"T1078 tactics", c.Technique("T1078").Tactics, []string{"initial-access", "persistence", "privilege-escalation", "defense-evasion"}},
		{"T1078 platforms contain Windows", slices.Contains(c.Technique("T1078").Platforms, "Windows"), true},
		{"T1078.004 parent", c.Technique("T1078.004").Parent, "T1078"},
		{"T1078 has T1078.004", slices.Contains(c.Technique("T1078").Subtechniques, "T1078.004"), true},
		{"M1032 mitigates T1078", slices.Contains(c.Mitigation("M1032").Techniques, "T1078"), true},
		{"M1032 name", c.Mitigation("M1032").Name, "Multi-factor Authentication"},
		{"G1005 description", strings.HasPrefix(c.Group("G1005").Description, "[POLONIUM]"), true},
		{"APT29 aliases exclude its name", slices.Contains(c.Group("G0016").Aliases, "APT29"), false},
		{"APT29 alias Cozy Bear", slices.Contains(c.Group("G0016").Aliases, "Cozy Bear"), true},
		{"group without techniques", c.Group("G0017").Uses, []Use(nil)},
		{"revoked group out", c.Group("G0118") != nil && c.Group("G0118").ID == "G0118", false},
		{"deprecated group out", c.Group("G0014"), (*Group)(nil)},
		{"revoked technique out", c.Technique("T1172"), (*Technique)(nil)},
		{"deprecated technique out", c.Technique("T1153"), (*Technique)(nil)},
		{"old course-of-action out", c.Mitigation("T1174"), (*Mitigation)(nil)},
		{"revoked technique replaced", *c.RetiredObject(KindTechnique, "T1172"),
			Retired{Kind: KindTechnique, ID: "T1172", Name: "Domain Fronting", Revoked: true, ReplacedBy: "T1090.004"}},
		{"revoked group replaced", c.RetiredObject(KindGroup, "G0118").ReplacedBy, "G0016"},
		{"deprecated technique retired", c.RetiredObject(KindTechnique, "T1153").Deprecated, true},
		{"old course-of-action retired", *c.RetiredObject(KindMitigation, "Password Filter DLL Mitigation"),
			Retired{Kind: KindMitigation, ID: "T1174", Name: "Password Filter DLL Mitigation", Deprecated: true}},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// TestUseProvenance checks that campaign and software knowledge is kept
// apart from direct use, so the options can be applied at query time.
func TestUseProvenance(t *testing.T) {
	c := loadFixture(t)
	apt29 := c.Group("APT29")
	tests := []struct {
		opts UseOptions
		want int
	}{
		{UseOptions{}, 66},
		{UseOptions{Campaigns: true}, 115},
		{UseOptions{Campaigns: true, Software: true}, 127},
	}
	for _, tt := range tests {
		if got := len(c.TechniquesOf(apt29, tt.opts)); got != tt.want {
			t.Errorf("APT29 techniques with %+v: got %d, want %d", tt.opts, got, tt.want)
		}
	}
	if !reflect.DeepEqual(apt29.Campaigns, []string{"C0024"}) {
		t.Errorf("APT29 campaigns: %v", apt29.Campaigns)
	}
	if !reflect.DeepEqual(apt29.Software, []string{"S0096", "S0175", "S0677"}) {
		t.Errorf("APT29 software: %v", apt29.Software)
	}
	if cp := c.Campaign("C0024"); cp == nil || !reflect.DeepEqual(cp.Groups, []string{"G0016"}) || len(cp.Techniques) != 71 {
		t.Errorf("C0024: %+v", cp)
	}
	u, ok := apt29.UseOf("T1018")
	if !ok || u.Direct || !reflect.DeepEqual(u.Campaigns, []string{"C0024"}) {
		t.Errorf("APT29 T1018 should come from C0024 only: %+v", u)
	}
	u, ok = apt29.UseOf("T1048")
	if !ok || u.Direct || len(u.Campaigns) != 0 || len(u.Software) == 0 {
		t.Errorf("APT29 T1048 should come from software only: %+v", u)
	}
	for _, s := range u.Software {
		if sw := c.SoftwareByID(s); sw == nil || !slices.Contains(sw.Techniques, "T1048") {
			t.Errorf("APT29 T1048 credited to %s, which does not use it", s)
		}
	}
	p := c.Group("POLONIUM")
	if u, _ := p.UseOf("T1102.002"); !u.Direct || !reflect.DeepEqual(u.Software, []string{"S1023"}) {
		t.Errorf("POLONIUM T1102.002: %+v", u)
	}
}

// TestLoadSTIXGzipByContent: gzip is recognised by its magic bytes, whatever
// the name says, and gives the same catalog as the plain file.
func TestLoadSTIXGzipByContent(t *testing.T) {
	raw, err := os.ReadFile(fixturePath(t))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	plain, err := LoadSTIX(bytes.NewReader(raw), "x.json")
	if err != nil {
		t.Fatal(err)
	}
	gz, err := LoadSTIX(bytes.NewReader(z.Bytes()), "x.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := sameCatalog(plain, gz); err != nil {
		t.Fatal(err)
	}
}

// sameCatalog compares the content of two catalogs, ignoring Source and
// Warnings.
func sameCatalog(a, b *Catalog) error {
	fields := []struct {
		name string
		x, y any
	}{
		{"domain", a.Domain, b.Domain},
		{"version", a.Version, b.Version},
		{"tactics", a.Tactics, b.Tactics},
		{"techniques", a.Techniques, b.Techniques},
		{"mitigations", a.Mitigations, b.Mitigations},
		{"groups", a.Groups, b.Groups},
		{"campaigns", a.Campaigns, b.Campaigns},
		{"software", a.Software, b.Software},
		{"retired", a.Retired, b.Retired},
	}
	for _, f := range fields {
		if !reflect.DeepEqual(f.x, f.y) {
			return fmt.Errorf("catalogs differ in %s", f.name)
		}
	}
	return nil
}

// bundleOf wraps objects (JSON texts) in a bundle.
func bundleOf(objs ...string) string {
	return `{"type": "bundle", "id": "bundle--1", "objects": [` + strings.Join(objs, ",\n") + `]}`
}

const (
	tacticObj   = `{"type":"x-mitre-tactic","id":"x-mitre-tactic--1","name":"Initial Access","x_mitre_shortname":"initial-access","external_references":[{"source_name":"mitre-attack","external_id":"TA0001"}]}`
	techObj     = `{"type":"attack-pattern","id":"attack-pattern--1","modified":"2024-01-01T00:00:00.000Z","name":"Valid Accounts","kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"initial-access"}],"external_references":[{"source_name":"mitre-attack","external_id":"T1078"}],"x_mitre_domains":["enterprise-attack"]}`
	mitObj      = `{"type":"course-of-action","id":"course-of-action--1","name":"Multi-factor Authentication","external_references":[{"source_name":"mitre-attack","external_id":"M1032"}]}`
	groupObjFmt = `{"type":"intrusion-set","id":"intrusion-set--1","modified":%q,"name":%q,"aliases":[%q],"external_references":[{"source_name":"mitre-attack","external_id":"G9001"}],"x_mitre_domains":["enterprise-attack"]}`
	usesRel     = `{"type":"relationship","id":"relationship--1","relationship_type":"uses","source_ref":"intrusion-set--1","target_ref":"attack-pattern--1","description":"ignored \"quoted\" text"}`
	mitigRel    = `{"type":"relationship","id":"relationship--2","relationship_type":"mitigates","source_ref":"course-of-action--1","target_ref":"attack-pattern--1"}`
)

func groupObj(modified, name string) string { return fmt.Sprintf(groupObjFmt, modified, name, name) }

func TestLoadSTIXSmall(t *testing.T) {
	// Keys in any order, escapes, nulls and unknown fields.
	b := bundleOf(tacticObj, techObj, mitObj, groupObj("2024-01-01T00:00:00Z", "Custom \u00e9 \"Crew\""), usesRel, mitigRel,
		`{"id":"malware--1","name":"Tool\nX","x_mitre_aliases":null,"revoked":null,"type":"malware","external_references":[{"source_name":"other"},{"source_name":"mitre-attack","external_id":"S9001"}],"extra":{"a":[1,2.5e3,-0.1,true,false,null]}}`,
		`{"type":"x-mitre-analytic","id":"x-mitre-analytic--1","description":"skipped"}`)
	c, err := LoadSTIX(strings.NewReader(b), "small.json")
	if err != nil {
		t.Fatal(err)
	}
	g := c.Group("G9001")
	if g == nil || g.Name != `Custom é "Crew"` || c.Group(`custom é "crew"`) != g {
		t.Fatalf("group: %+v", g)
	}
	if got := groupMap(t, c, "G9001", DefaultUseOptions()); !reflect.DeepEqual(got, map[string][]string{"T1078": {"M1032"}}) {
		t.Errorf("map: %v", got)
	}
	if s := c.SoftwareByID("S9001"); s == nil || s.Name != "Tool\nX" || s.Type != "malware" {
		t.Errorf("software: %+v", s)
	}
	if c.Domain != Enterprise || c.Version != "" {
		t.Errorf("domain %q version %q", c.Domain, c.Version)
	}
}

func TestLoadSTIXUnknownReference(t *testing.T) {
	b := bundleOf(techObj, groupObj("2024-01-01T00:00:00Z", "Crew"), usesRel,
		`{"type":"relationship","id":"relationship--9","relationship_type":"uses","source_ref":"intrusion-set--1","target_ref":"attack-pattern--missing"}`)
	c, err := LoadSTIX(strings.NewReader(b), "w.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 1 {
		t.Fatalf("warnings: %v", c.Warnings)
	}
	w := c.Warnings[0]
	if w.File != "w.json" || w.Object != "relationship--9" || !strings.Contains(w.Message, "attack-pattern--missing") {
		t.Errorf("warning: %v", w)
	}
	if len(c.TechniquesOf(c.Group("G9001"), DefaultUseOptions())) != 1 {
		t.Error("the known relationship should still count")
	}
}

func TestLoadSTIXFilesMerge(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := write("base.json", bundleOf(tacticObj, techObj, mitObj, groupObj("2024-01-01T00:00:00.000Z", "Old Name"), usesRel))
	newer := write("newer.json", bundleOf(groupObj("2024-06-01T00:00:00Z", "New Name"), mitigRel))
	older := write("older.json", bundleOf(groupObj("2023-01-01T00:00:00.999Z", "Ancient Name")))
	ics := write("ics.json", bundleOf(`{"type":"x-mitre-matrix","id":"x-mitre-matrix--1","name":"ICS","tactic_refs":[],"external_references":[{"source_name":"mitre-attack","external_id":"ics-attack"}]}`))

	tests := []struct {
		name    string
		paths   []string
		group   string // expected name of G9001
		mits    int    // mitigations of T1078
		wantErr string
	}{
		{"newer wins", []string{base, newer}, "New Name", 1, ""},
		{"newer wins in any order", []string{newer, base}, "New Name", 1, ""},
		{"older loses", []string{base, older}, "Old Name", 0, ""},
		{"same id kept once", []string{base, base}, "Old Name", 0, ""},
		{"different domains", []string{base, ics}, "", 0, "different domains"},
		{"missing file", []string{base, filepath.Join(dir, "nope.json")}, "", 0, "nope.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadSTIXFiles(tt.paths...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g := c.Group("G9001"); g == nil || g.Name != tt.group || len(c.Groups) != 1 {
				t.Errorf("groups %v, want one named %q", c.Groups, tt.group)
			}
			if got := len(c.Technique("T1078").Mitigations); got != tt.mits {
				t.Errorf("T1078 mitigations: %d, want %d", got, tt.mits)
			}
			if c.Source != strings.Join(tt.paths, ", ") {
				t.Errorf("source %q", c.Source)
			}
		})
	}
}

func TestLoadSTIXErrors(t *testing.T) {
	gz := func(s string) string {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.String()
	}
	valid := bundleOf(techObj)
	tests := []struct {
		name   string
		input  string
		offset int64 // -1: no offset expected
		want   string
	}{
		{"empty", "", -1, "empty file"},
		{"array", `[1,2]`, 0, "not a STIX bundle"},
		{"not bundle type", `{"type": "report", "objects": []}`, -1, `"report"`},
		{"no type", `{"objects": []}`, -1, `no "type": "bundle"`},
		{"no objects", `{"type": "bundle"}`, -1, `no "objects" array`},
		{"objects not array", `{"type": "bundle", "objects": {}}`, 30, "not an array"},
		{"broken object", `{"type": "bundle", "objects": [{"type": "attack-pattern" "id": "x"}]}`, 57, "invalid JSON"},
		{"bad literal", `{"type": "bundle", "objects": [{"type": "attack-pattern", "revoked": tru}]}`, 72, "invalid JSON"},
		{"truncated", valid[:len(valid)-40], int64(len(valid) - 40), "unexpected end"},
		{"trailing garbage", valid + " x", int64(len(valid) + 1), "after the top-level value"},
		{"bad escape", `{"type": "bundle", "objects": [{"type": "attack-pattern", "id": "a\q"}]}`, 67, "invalid escape"},
		{"control character", "{\"type\": \"bundle\", \"objects\": [{\"type\": \"attack-pattern\", \"id\": \"a\nb\"}]}", 66, "control character"},
		{"deep nesting", `{"type": "bundle", "objects": [{"x": ` + strings.Repeat("[", 500), -1, "nested"},
		{"object without id", bundleOf(`{"type": "attack-pattern", "name": "x"}`), 50, `no "id"`},
		{"broken gzip", gz(valid)[:30], -1, "gzip"},
		{"broken JSON in gzip", gz(`{"type": "bundle", "objects": [}`), 31, "at byte offset 31 of the decompressed JSON: invalid JSON"},
		{"no ATT&CK content", bundleOf(`{"type": "identity", "id": "identity--1"}`), -1, "no ATT&CK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadSTIX(strings.NewReader(tt.input), "in.json")
			var be *BundleError
			if !errors.As(err, &be) {
				t.Fatalf("got %v, want a *BundleError", err)
			}
			if be.File != "in.json" && tt.want != "no ATT&CK" {
				t.Errorf("file %q", be.File)
			}
			if tt.offset != -1 && be.Offset != tt.offset || tt.offset == -1 && tt.name != "deep nesting" && be.Offset != -1 {
				t.Errorf("offset %d, want %d (%v)", be.Offset, tt.offset, err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "in.json: ") {
				t.Errorf("error %q, want it to start with the file and contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadSTIXSizeLimit(t *testing.T) {
	old := MaxBundleSize
	MaxBundleSize = 1 << 20
	defer func() { MaxBundleSize = old }()
	huge := bundleOf(techObj, `{"type": "x-mitre-analytic", "id": "x-mitre-analytic--1", "description": "`+strings.Repeat("a", 2<<20)+`"}`)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte(huge))
	zw.Close()
	for name, in := range map[string][]byte{"plain": []byte(huge), "gzip bomb": z.Bytes()} {
		_, err := LoadSTIX(bytes.NewReader(in), "big.json")
		if err == nil || !strings.Contains(err.Error(), "larger than the limit of 1 MiB") {
			t.Errorf("%s: got %v, want a size-limit error", name, err)
		}
	}
}

// TestLoadSTIXLargeObject: an object larger than the read window grows it
// rather than failing.
func TestLoadSTIXLargeObject(t *testing.T) {
	desc := strings.Repeat("long \\\" text ", 1<<20)
	b := bundleOf(techObj, `{"type": "intrusion-set", "id": "intrusion-set--1", "name": "Big", "description": "`+desc+`", "external_references": [{"source_name": "mitre-attack", "external_id": "G9001"}]}`, usesRel)
	c, err := LoadSTIX(strings.NewReader(b), "big.json")
	if err != nil {
		t.Fatal(err)
	}
	if g := c.Group("G9001"); g == nil || len(g.Description) != 12<<20 || len(g.Uses) != 1 {
		t.Fatalf("big group not read whole")
	}
}

// realFacts are ../shared/README.md's facts about the real bundles.
func TestLoadSTIXShared(t *testing.T) {
	tests := []struct {
		file                            string
		domain, version                 string
		groups, techniques, mitigations int
	}{
		{"enterprise-attack-18.1.json.gz", Enterprise, "18.1", 172, 691, 44},
		{"enterprise-attack-15.1.json.gz", Enterprise, "15.1", 148, 637, 43},
		{"ics-attack-18.1.json.gz", ICS, "18.1", 14, 83, 52},
		{"mobile-attack-18.1.json.gz", Mobile, "18.1", 17, 124, 13},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, err := LoadSTIXFiles(sharedAttack(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got := []any{c.Domain, c.Version, len(c.Groups), len(c.Techniques), len(c.Mitigations)}
			want := []any{tt.domain, tt.version, tt.groups, tt.techniques, tt.mitigations}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("domain, version, groups, techniques, mitigations: got %v, want %v", got, want)
			}
			if len(c.Warnings) != 0 {
				t.Errorf("warnings: %v", c.Warnings)
			}
			for _, tc := range c.Techniques {
				for _, tac := range tc.Tactics {
					if c.Tactic(tac) == nil {
						t.Errorf("%s: tactic %q not in the matrix", tc.ID, tac)
					}
				}
			}
		})
	}
}

func TestLoadSTIXEnterprise18Facts(t *testing.T) {
	c, err := LoadSTIXFiles(sharedAttack(t, "enterprise-attack-18.1.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	var subs, mitigates, fromMit, none, onlyPre, attributed int
	for _, tc := range c.Techniques {
		if tc.IsSub() {
			subs++
		}
		mitigates += len(tc.Mitigations)
		switch {
		case len(tc.Mitigations) == 0:
			none++
		case len(tc.Mitigations) == 1 && tc.Mitigations[0] == PreCompromise:
			onlyPre++
		}
	}
	for _, m := range c.Mitigations {
		fromMit += len(m.Techniques)
	}
	for _, cp := range c.Campaigns {
		attributed += len(cp.Groups)
	}
	var ids []string
	for _, m := range c.Mitigations {
		ids = append(ids, m.ID)
	}
	// ../shared/README.md says M1013–M1057 and M1060; M1014 and M1023 are
	// are not in the 18.1 bundle at all, which is how the range holds 44.
	var wantIDs []string
	for n := 1013; n <= 1057; n++ {
		if n != 1014 && n != 1023 {
			wantIDs = append(wantIDs, fmt.Sprintf("M%d", n))
		}
	}
	wantIDs = append(wantIDs, "M1060")
	var oldCoA int
	for _, r := range c.Retired {
		if r.Kind == KindMitigation && !isMitigationID(r.ID) && r.Deprecated {
			oldCoA++
		}
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"techniques", len(c.Techniques) - subs, 216},
		{"sub-techniques", subs, 475},
		{"mitigates (technique side)", mitigates, 1445},
		{"mitigates (mitigation side)", fromMit, 1445},
		{"campaign attributed-to group", attributed, 25},
		{"techniques with no mitigation", none, 109},
		{"techniques with only M1056", onlyPre, 83},
		{"mitigation IDs", ids, wantIDs},
		{"old course-of-action objects retired", oldCoA, 224},
		{"G1005", groupMap(t, c, "G1005", UseOptions{}), polonium},
		{"G1005 with campaigns", groupMap(t, c, "G1005", DefaultUseOptions()), polonium},
		{"T1172 replaced", c.RetiredObject(KindTechnique, "T1172").ReplacedBy, "T1090.004"},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestLoadSTIXEnterprise15Polonium(t *testing.T) {
	c, err := LoadSTIXFiles(sharedAttack(t, "enterprise-attack-15.1.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for k, v := range polonium {
		want[k] = v
	}
	want["T1078"] = slices.DeleteFunc(slices.Clone(polonium["T1078"]), func(m string) bool { return m == "M1032" })
	if got := groupMap(t, c, "G1005", DefaultUseOptions()); !reflect.DeepEqual(got, want) {
		t.Errorf("G1005 in 15.1: got %v, want %v", got, want)
	}
}

// TestEmbeddedMatchesBundles proves the committed snapshots are the
// bundles they were generated from.
func TestEmbeddedMatchesBundles(t *testing.T) {
	for _, d := range []string{Enterprise, ICS, Mobile} {
		t.Run(d, func(t *testing.T) {
			want, err := LoadSTIXFiles(sharedAttack(t, d+"-18.1.json.gz"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Embedded(d)
			if err != nil {
				t.Fatal(err)
			}
			if got.Source != EmbeddedSource {
				t.Errorf("source %q", got.Source)
			}
			if err := sameCatalog(got, want); err != nil {
				t.Fatalf("%v; regenerate with go generate ./attack/", err)
			}
		})
	}
}

func TestEmbedded(t *testing.T) {
	tests := []struct {
		domain, want string
		groups       int
	}{
		{"", Enterprise, 172},
		{"enterprise", Enterprise, 172},
		{"Enterprise-Attack", Enterprise, 172},
		{"ics", ICS, 14},
		{"ics-attack", ICS, 14},
		{" MOBILE ", Mobile, 17},
		{"mobile-attack", Mobile, 17},
		{"pre", "", 0},
	}
	for _, tt := range tests {
		c, err := Embedded(tt.domain)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%q: no error", tt.domain)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if c.Domain != tt.want || c.Version != "18.1" || len(c.Groups) != tt.groups {
			t.Errorf("%q: %s %s with %d groups", tt.domain, c.Domain, c.Version, len(c.Groups))
		}
	}
	// Callers get their own lists: adding a custom group to one catalog
	// leaves the next caller's alone.
	a, _ := Embedded(Enterprise)
	a.Groups = append(a.Groups, &Group{ID: "X1", Name: "Custom"})
	a.Index()
	b, _ := Embedded(Enterprise)
	if b.Group("X1") != nil || len(b.Groups) != 172 || a.Group("X1") == nil {
		t.Error("embedded catalogs share their lists")
	}
	if !strings.Contains(Notice, "© The MITRE Corporation") {
		t.Error("Notice lacks MITRE's copyright")
	}
}

func TestReadSnapshotCorrupt(t *testing.T) {
	c := loadFixture(t)
	var b bytes.Buffer
	if err := WriteSnapshot(&b, c); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSnapshot(b.Bytes(), "fixture")
	if err != nil {
		t.Fatal(err)
	}
	if err := sameCatalog(c, back); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	for _, bad := range [][]byte{nil, []byte("hello"), data[:len(data)/2], append([]byte(snapshotMagic), 1, 2, 3)} {
		if _, err := ReadSnapshot(bad, "bad"); err == nil {
			t.Errorf("corrupt snapshot of %d bytes accepted", len(bad))
		}
	}
}

func FuzzLoadSTIX(f *testing.F) {
	raw, err := os.ReadFile(fixturePath(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw[:4096])
	f.Add([]byte(bundleOf(tacticObj, techObj, mitObj, groupObj("2024-01-01T00:00:00Z", "Crew"), usesRel, mitigRel)))
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"relationship","id":"r","relationship_type":"revoked-by","source_ref":"attack-pattern--1","target_ref":"attack-pattern--1"}]}`))
	f.Add([]byte(`{"type":"bundle","objects":[{"id":"a\ud83d\ude00\u00e9","type":"campaign"}]}`))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0})
	old := MaxBundleSize
	MaxBundleSize = 1 << 20
	defer func() { MaxBundleSize = old }()
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<20 {
			return
		}
		c, err := LoadSTIX(bytes.NewReader(in), "fuzz.json")
		if err != nil {
			var be *BundleError
			if !errors.As(err, &be) || be.File == "" {
				t.Fatalf("error without file: %v", err)
			}
			return
		}
		// A loaded catalog must answer lookups and survive a snapshot.
		for _, g := range c.Groups {
			c.TechniquesOf(g, UseOptions{Campaigns: true, Software: true})
		}
		var b bytes.Buffer
		if err := WriteSnapshot(&b, c); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadSnapshot(b.Bytes(), "fuzz"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestLoadSTIXOddReaders: objects cut at every possible place by short
// reads load the same; a read error is reported with the file name.
func TestLoadSTIXOddReaders(t *testing.T) {
	raw, err := os.ReadFile(fixturePath(t))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	want := loadFixture(t)
	tests := []struct {
		name string
		r    io.Reader
	}{
		{"one byte", iotest.OneByteReader(bytes.NewReader(raw))},
		{"half", iotest.HalfReader(bytes.NewReader(raw))},
		{"data with EOF", iotest.DataErrReader(bytes.NewReader(raw))},
		{"gzip one byte", iotest.OneByteReader(bytes.NewReader(z.Bytes()))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadSTIX(tt.r, "odd.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := sameCatalog(got, want); err != nil {
				t.Fatal(err)
			}
		})
	}
	for name, r := range map[string]io.Reader{
		"plain": iotest.TimeoutReader(bytes.NewReader(raw)),
		"gzip":  iotest.TimeoutReader(bytes.NewReader(z.Bytes())),
	} {
		_, err := LoadSTIX(r, "slow.json")
		if err == nil || !strings.HasPrefix(err.Error(), "slow.json: ") || !strings.Contains(err.Error(), "timeout") {
			t.Errorf("%s: got %v, want the read error with the file name", name, err)
		}
	}
}

func TestLoadSTIXDuplicateAttackID(t *testing.T) {
	copyObj := strings.NewReplacer("intrusion-set--1", "intrusion-set--2", "2024-01-01", "2025-01-01", "Old Crew", "New Crew")
	b := bundleOf(techObj, groupObj("2024-01-01T00:00:00Z", "Old Crew"), copyObj.Replace(groupObj("2024-01-01T00:00:00Z", "Old Crew")), usesRel)
	c, err := LoadSTIX(strings.NewReader(b), "dup.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Groups) != 1 || c.Groups[0].Name != "New Crew" {
		t.Fatalf("groups %+v, want only the newer copy", c.Groups)
	}
	if len(c.Warnings) != 1 || c.Warnings[0].Object != "intrusion-set--1" || !strings.Contains(c.Warnings[0].Message, "keeping the newer") {
		t.Errorf("warnings %v", c.Warnings)
	}
}
