package assessment

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/covgap/covgap/analyzer"
)

func sample(t testing.TB) *Assessment {
	return assess(t, moved, map[string]float64{"M1": 1, "M2": 0.5, "M3": 0.25}, analyzer.ModelNoisyOr, "2026-Q1", day)
}

func TestSaveLoadRoundTrip(t *testing.T) {
	a := sample(t)
	path := filepath.Join(t.TempDir(), "q1.json")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		t.Errorf("round trip differs:\n%s\n%s", ja, jb)
	}
	if b.Catalog.MapFingerprint != b.MapFingerprint() {
		t.Error("the saved map fingerprint is not the map's")
	}
	if !strings.HasPrefix(b.Catalog.Fingerprint, "sha256:") || len(b.Catalog.Groups) != 3 {
		t.Errorf("catalog not attached: %+v", b.Catalog)
	}
}

func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "q.json")
	if err := os.WriteFile(path, []byte("last quarter"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := sample(t)
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("the replaced file does not load: %v", err)
	}
	// A save that cannot complete (the target is a directory) leaves the
	// target as it was and no temporary file behind.
	blocked := filepath.Join(dir, "blocked")
	if err := os.Mkdir(blocked, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(blocked); err == nil || !strings.Contains(err.Error(), blocked) {
		t.Errorf("saving over a directory: %v", err)
	}
	if err := a.Save(filepath.Join(dir, "missing", "q.json")); err == nil {
		t.Error("saving into a missing directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !reflect.DeepEqual(names, []string{"blocked", "q.json"}) {
		t.Errorf("directory holds %q; temporary files left behind?", names)
	}
	// The mode of any new file here (0666 less the umask): an assessment
	// is no more and no less private than the user's other files.
	ref := filepath.Join(t.TempDir(), "ref")
	if f, err := os.Create(ref); err == nil {
		f.Close()
	}
	rst, _ := os.Stat(ref)
	if fi, _ := os.Stat(path); fi.Mode().Perm() != rst.Mode().Perm() {
		t.Errorf("mode %v, want %v", fi.Mode().Perm(), rst.Mode().Perm())
	}
}

// edit returns the sample's JSON with f applied to its generic form.
func edit(t *testing.T, f func(m map[string]any)) []byte {
	t.Helper()
	data, err := json.Marshal(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReadRefuses(t *testing.T) {
	sub := func(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }
	first := func(m map[string]any, key string) map[string]any { return m[key].([]any)[0].(map[string]any) }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"newer schema", edit(t, func(m map[string]any) { m["schema"] = 2 }), "schema 2, but this covgap reads schema 1 at most"},
		{"no schema", edit(t, func(m map[string]any) { delete(m, "schema") }), `no "schema" field`},
		{"schema zero", edit(t, func(m map[string]any) { m["schema"] = 0 }), "schema 0 is not valid"},
		{"no date", edit(t, func(m map[string]any) { delete(m, "created") }), `no "created" date`},
		{"no domain", edit(t, func(m map[string]any) { sub(m, "catalog")["domain"] = "" }), `no "catalog.domain"`},
		{"no model", edit(t, func(m map[string]any) { delete(m, "model") }), `no "model"`},
		{"unknown model", edit(t, func(m map[string]any) { m["model"] = "median" }), `unknown model "median"`},
		{"no groups", edit(t, func(m map[string]any) { delete(m, "groups") }), `no "groups"`},
		{"no techniques", edit(t, func(m map[string]any) { delete(m, "techniques") }), `no "techniques"`},
		{"no levels", edit(t, func(m map[string]any) { delete(sub(m, "inventory"), "levels") }), `no "inventory.levels"`},
		{"level above 1", edit(t, func(m map[string]any) { sub(sub(m, "inventory"), "levels")["M1"] = 75 }), "level of M1 is 75; expected 0 to 1"},
		{"score above 100", edit(t, func(m map[string]any) { first(m, "groups")["score"] = 101 }), "group G1 score is 101"},
		{"zero weight", edit(t, func(m map[string]any) { first(m, "groups")["weight"] = 0 }), "group G1: weight 0"},
		{"huge weight", edit(t, func(m map[string]any) { first(m, "groups")["weight"] = 1e300 }), "group G1: weight 1e+300"},
		{"no technique list", edit(t, func(m map[string]any) { delete(first(m, "groups"), "technique_ids") }), `group G1 has no "technique_ids"`},
		{"unknown technique", edit(t, func(m map[string]any) { first(m, "groups")["technique_ids"] = []string{"T9"} }), "uses technique T9"},
		{"repeated technique", edit(t, func(m map[string]any) {
			g := first(m, "groups")
			ids := g["technique_ids"].([]any)
			g["technique_ids"] = append(ids, ids[0])
		}), "lists technique"},
		{"repeated mitigation", edit(t, func(m map[string]any) {
			tq := first(m, "techniques")
			ms, _ := tq["mitigations"].([]any)
			if len(ms) == 0 {
				ms = []any{"M1"}
			}
			tq["mitigations"] = append(ms, ms[0])
		}), "lists mitigation"},
		{"duplicate group", edit(t, func(m map[string]any) { m["groups"] = append(m["groups"].([]any), first(m, "groups")) }), "group G1 is listed twice"},
		{"wrong type", edit(t, func(m map[string]any) { m["groups"] = "G1" }), "cannot unmarshal"},
		{"trailing data", append(edit(t, func(map[string]any) {}), []byte(" {}")...), "data after the assessment"},
		{"not JSON", []byte("Group,Score\nG1,50\n"), "not a JSON assessment file"},
		{"empty", nil, "not a JSON assessment file"},
		{"too large", bytes.Repeat([]byte(" "), MaxFileSize+1), "larger than 64 MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tc.data), "q9.json")
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "assessment q9.json: ") {
				t.Errorf("error %q, want it to name the file and say %q", err, tc.want)
			}
		})
	}
	_, err := Read(bytes.NewReader(edit(t, func(m map[string]any) { m["schema"] = 7 })), "q9.json")
	if !errors.Is(err, ErrNewerSchema) {
		t.Errorf("a newer schema gives %v, want ErrNewerSchema", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.json")
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v should name %s", err, path)
	}
}

// FuzzLoad feeds Read arbitrary bytes: it must never panic, every error
// names the file, and whatever it accepts compares with itself without a
// movement and without a warning it did not earn.
func FuzzLoad(f *testing.F) {
	data, _ := json.Marshal(sample(f))
	f.Add(data)
	f.Add([]byte(`{"schema":1}`))
	f.Add([]byte(`{"schema":1,"created":"2026-01-01T00:00:00Z","catalog":{"domain":"x"},"model":"max","groups":[],"techniques":[],"inventory":{"levels":{}}}`))
	f.Add([]byte(`{"schema":1,"created":"2026-01-01T00:00:00Z","catalog":{"domain":"x"},"model":"mean","groups":[{"id":"G1","weight":1,"technique_ids":["T1"]}],"techniques":[{"id":"T1","mitigations":["M1","M1"]}],"inventory":{"levels":{"M1":0.5}}}`))
	f.Add([]byte(`{"schema":99}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Read(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.json") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		c := Compare(a, a)
		for _, g := range append(c.Groups, GroupDelta{Movement: c.Profile.Movement}) {
			for _, d := range []*float64{g.Delta, g.DeltaInventory, g.DeltaAttack} {
				if d != nil && *d != 0 {
					t.Errorf("%s moved against itself: %+v", g.ID, g.Movement)
				}
			}
		}
		NewTrend([]*Assessment{a, a})
		if _, err := json.Marshal(c); err != nil {
			t.Errorf("comparison does not encode: %v", err)
		}
	})
}
