package assessment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/internal/atomicfile"
	"github.com/covgap/covgap/inventory"
)

// MaxFileSize bounds what Read accepts. A profile of every Enterprise group
// saves to about 1 MiB; the limit leaves room for custom catalogs while
// keeping a wrong or hostile file from exhausting memory.
const MaxFileSize = 64 << 20

// Save writes the assessment as indented JSON to path. It writes a
// temporary file in the same directory and renames it over path, so a
// crash or a full disk never leaves a half-written assessment where last
// quarter's complete one was.
func (a *Assessment) Save(path string) (err error) {
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return fmt.Errorf("save assessment %s: %w", path, err)
	}
	data = append(data, '\n')
	if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return fmt.Errorf("save assessment %s: %w", path, err)
	}
	return nil
}

// Load reads the assessment file at path.
func Load(path string) (*Assessment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("assessment %s: %w", path, err)
	}
	defer f.Close()
	return Read(f, path)
}

// ErrNewerSchema is wrapped by the error Read returns for a file written
// by a newer covgap.
var ErrNewerSchema = errors.New("assessment written by a newer covgap")

// Read reads an assessment from r; name (usually the file's path) is used
// in errors. It checks what a comparison relies on, so a damaged or
// hand-edited file is refused here with a message naming the field, rather
// than producing a wrong delta later.
func Read(r io.Reader, name string) (*Assessment, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("assessment %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("assessment %s: larger than %d MiB; not an assessment file", name, MaxFileSize>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("assessment %s: not a JSON assessment file: %v", name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("assessment %s: data after the assessment object", name)
	}
	// The schema is read first and alone, so a newer file is refused for
	// that reason rather than for whatever field it changed.
	var head struct {
		Schema *int `json:"schema"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("assessment %s: not a JSON assessment file: %v", name, err)
	}
	if head.Schema == nil {
		return nil, fmt.Errorf("assessment %s: no \"schema\" field; not an assessment file saved by covgap", name)
	}
	if *head.Schema > SchemaVersion {
		return nil, fmt.Errorf("assessment %s: schema %d, but this covgap reads schema %d at most; upgrade covgap to read it: %w",
			name, *head.Schema, SchemaVersion, ErrNewerSchema)
	}
	if *head.Schema < 1 {
		return nil, fmt.Errorf("assessment %s: schema %d is not valid; expected 1 to %d", name, *head.Schema, SchemaVersion)
	}
	var a Assessment
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("assessment %s: %v", name, err)
	}
	if err := a.check(); err != nil {
		return nil, fmt.Errorf("assessment %s: %w", name, err)
	}
	return &a, nil
}

// check refuses an assessment that a comparison could not trust, and puts
// the lists in the order the lookups rely on.
func (a *Assessment) check() error {
	if a.Created.IsZero() {
		return errors.New(`no "created" date`)
	}
	if a.Catalog.Domain == "" {
		return errors.New(`no "catalog.domain"`)
	}
	if a.Model == "" {
		return errors.New(`no "model"`)
	}
	if _, err := analyzer.ParseModel(string(a.Model)); err != nil {
		return err
	}
	if a.Groups == nil {
		return errors.New(`no "groups"`)
	}
	if a.Techniques == nil {
		return errors.New(`no "techniques"`)
	}
	if a.Inventory.Levels == nil {
		return errors.New(`no "inventory.levels"`)
	}
	if err := checkScore("profile score", a.Profile.Score); err != nil {
		return err
	}
	sort.Slice(a.Techniques, func(i, j int) bool { return a.Techniques[i].ID < a.Techniques[j].ID })
	for i, t := range a.Techniques {
		if t.ID == "" {
			return fmt.Errorf("technique %d has no id", i+1)
		}
		if i > 0 && a.Techniques[i-1].ID == t.ID {
			return fmt.Errorf("technique %s is listed twice", t.ID)
		}
		if bad(t.Coverage) {
			return fmt.Errorf("technique %s: coverage %v; expected 0 to 1", t.ID, t.Coverage)
		}
		sort.Strings(a.Techniques[i].Mitigations)
		if d := repeated(a.Techniques[i].Mitigations); d != "" {
			return fmt.Errorf("technique %s lists mitigation %s twice", t.ID, d)
		}
	}
	sort.Slice(a.Groups, func(i, j int) bool { return a.Groups[i].ID < a.Groups[j].ID })
	for i, g := range a.Groups {
		if g.ID == "" {
			return fmt.Errorf("group %d has no id", i+1)
		}
		if i > 0 && a.Groups[i-1].ID == g.ID {
			return fmt.Errorf("group %s is listed twice", g.ID)
		}
		if !(g.Weight > 0) || g.Weight > maxWeight {
			return fmt.Errorf("group %s: weight %v; expected a number above 0 and at most %g", g.ID, g.Weight, maxWeight)
		}
		if err := checkScore("group "+g.ID+" score", g.Score); err != nil {
			return err
		}
		if g.TechniqueIDs == nil {
			return fmt.Errorf(`group %s has no "technique_ids"`, g.ID)
		}
		sort.Strings(a.Groups[i].TechniqueIDs)
		// A repeated entry would count twice in a rescoring, where the
		// analyzer counted it once.
		if d := repeated(a.Groups[i].TechniqueIDs); d != "" {
			return fmt.Errorf("group %s lists technique %s twice", g.ID, d)
		}
		for _, ts := range g.Sources {
			sort.Strings(ts)
		}
		for _, t := range g.TechniqueIDs {
			if a.technique(t) == nil {
				return fmt.Errorf("group %s uses technique %s, which the assessment's techniques do not list", g.ID, t)
			}
		}
	}
	for id, l := range a.Inventory.Levels {
		if bad(l) {
			return fmt.Errorf("inventory level of %s is %v; expected 0 to 1", id, l)
		}
	}
	sort.Slice(a.Mitigations, func(i, j int) bool { return a.Mitigations[i].ID < a.Mitigations[j].ID })
	return nil
}

func checkScore(what string, s *float64) error {
	if s != nil && (math.IsNaN(*s) || *s < 0 || *s > 100) {
		return fmt.Errorf("%s is %v; expected 0 to 100 or null", what, *s)
	}
	return nil
}

// maxWeight is the largest weight a threat profile may give a group, so a
// saved assessment accepts exactly what analyze could have saved.
const maxWeight = inventory.MaxWeight

// repeated returns an element that a sorted list holds twice, or "".
func repeated(sorted []string) string {
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return sorted[i]
		}
	}
	return ""
}

// bad reports whether a level or coverage is outside 0–1.
func bad(x float64) bool { return math.IsNaN(x) || x < 0 || x > 1 }
