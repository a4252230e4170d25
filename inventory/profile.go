package inventory

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/covgap/covgap/attack"
	"go.yaml.in/yaml/v3"
)

// Limits on a threat-profile file. A real profile is a few lines and a
// Navigator layer of the whole matrix is a few hundred kilobytes; anything
// far beyond that is a wrong file, not a profile.
const (
	maxProfileBytes = 16 << 20
	maxWeight       = MaxWeight
)

// Profile file formats, as ThreatProfile.Format names them.
const (
	ProfileYAML      = "yaml"
	ProfileCSV       = "csv"
	ProfileNavigator = "navigator"
)

// ProfileEntry is one group of a threat profile as read: the reference as
// written, the group it resolved to (nil when it resolved to none), its
// weight and the row (YAML or CSV line) it came from; 0 for a layer.
type ProfileEntry struct {
	Ref    string
	Group  *attack.Group
	Weight float64
	Row    int
}

// ThreatProfile is a threat-profile file as read and resolved against a
// catalog. Entries hold only the rows that resolved; every other row is a
// Problem. A group listed twice is two entries (with a warning); the
// analyzer keeps its higher weight.
type ThreatProfile struct {
	Name     string
	Format   string // yaml, csv or navigator
	Entries  []ProfileEntry
	Problems []Problem
}

// MaxWeight is the largest weight a threat profile may give one group;
// real profiles weigh groups from 1 to 10, and the bound keeps weighted
// sums far from overflow.
const MaxWeight = 1e6

// ReadProfile reads a threat profile, telling the format by content:
//
//   - YAML: an optional `name:` and a `groups:` list whose items are group
//     references ("APT29") or `{group: APT29, weight: 2}`; a bare list works too;
//   - CSV: columns group and weight (weight optional, header optional);
//   - an ATT&CK Navigator layer (JSON): its enabled techniques that carry a
//     score or a colour become the uses of one custom group named after the
//     layer, so a team can score its own picture of a threat.
//
// Groups are found by ID, name or alias; a revoked one is followed to its
// replacement. name is the file name used in problems and the profile's
// name when the file gives none. A problem in one row never stops the
// others; the error is for a file that cannot be a profile at all.
func ReadProfile(r io.Reader, name string, cat *attack.Catalog) (*ThreatProfile, error) {
	if cat == nil {
		return nil, fmt.Errorf("%s: no ATT&CK catalog to resolve the threat profile against", name)
	}
	data, err := io.ReadAll(io.LimitReader(r, maxProfileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the threat profile: %w", name, err)
	}
	if len(data) > maxProfileBytes {
		return nil, fmt.Errorf("%s: the threat profile is larger than %d MiB; expected a short list of groups or a Navigator layer", name, maxProfileBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: the threat profile is not UTF-8 text; expected YAML, CSV or a Navigator layer (JSON)", name)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: the threat profile is empty; expected a list of groups", name)
	}
	pr := &profileReader{file: name, cat: cat, tp: &ThreatProfile{Name: name}, rows: map[string]int{}}
	switch {
	case isProfileLayer(data):
		pr.tp.Format = ProfileNavigator
		err = pr.layer(data)
	case profileLooksYAML(data):
		pr.tp.Format = ProfileYAML
		err = pr.yaml(data)
	default:
		pr.tp.Format = ProfileCSV
		err = pr.csv(data)
	}
	if err != nil {
		return nil, err
	}
	if pr.refs == 0 {
		return nil, fmt.Errorf("%s: the threat profile names no groups; expected at least one group reference", name)
	}
	return pr.tp, nil
}

type profileReader struct {
	file string
	cat  *attack.Catalog
	tp   *ThreatProfile
	refs int            // group references seen, resolved or not
	rows map[string]int // group ID → first row naming it
}

func (pr *profileReader) problem(sev Severity, row int, col, msg string, sugg []string) {
	pr.tp.Problems = append(pr.tp.Problems, Problem{Severity: sev, File: pr.file, Row: row, Column: col, Message: msg, Suggestions: sugg})
}

// add resolves one group reference with its weight text ("" for 1).
func (pr *profileReader) add(ref, weight string, row int, col string) {
	ref = strings.TrimSpace(ref)
	w := 1.0
	if ws := strings.TrimSpace(weight); ws != "" {
		v, err := strconv.ParseFloat(ws, 64)
		if err != nil || math.IsNaN(v) || v <= 0 || v > maxWeight {
			pr.problem(SeverityError, row, "weight", fmt.Sprintf("weight %q of group %q is not a number above 0 and at most %g", ws, ref, maxWeight), nil)
			return
		}
		w = v
	}
	res, err := pr.cat.FindGroup(ref)
	if err != nil {
		var le *attack.LookupError
		var sugg []string
		if errors.As(err, &le) {
			sugg = le.Suggestions
		}
		pr.problem(SeverityError, row, col, err.Error(), sugg)
		return
	}
	g := res.Value
	if res.Via != nil {
		pr.problem(SeverityWarning, row, col, fmt.Sprintf("group %s %q is revoked; using its replacement %s %q", res.Via.ID, res.Via.Name, g.ID, g.Name), nil)
	}
	if first, ok := pr.rows[g.ID]; ok {
		pr.problem(SeverityWarning, row, col, fmt.Sprintf("group %s %q is already listed in row %d; the higher weight counts", g.ID, g.Name, first), nil)
	} else {
		pr.rows[g.ID] = row
	}
	pr.tp.Entries = append(pr.tp.Entries, ProfileEntry{Ref: ref, Group: g, Weight: w, Row: row})
}

// profileLooksYAML decides between YAML and CSV on the first line that says
// anything: a YAML profile starts with a document marker, a list item, a
// flow collection or one of its keys, and none of those is a plausible
// first cell of a CSV list of groups.
func profileLooksYAML(data []byte) bool {
	for line := range strings.SplitSeq(string(data), "\n") {
		l := strings.TrimSpace(line)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if l == "-" || strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "---") ||
			strings.HasPrefix(l, "{") || strings.HasPrefix(l, "[") {
			return true
		}
		if k, _, ok := strings.Cut(l, ":"); ok {
			switch strings.ToLower(strings.Trim(strings.TrimSpace(k), `"'`)) {
			case "groups", "name", "description":
				return true
			}
		}
		return false
	}
	return false
}

func (pr *profileReader) yaml(data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: not a valid YAML threat profile: %v", pr.file, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return fmt.Errorf("%s: the YAML threat profile is empty; expected a `groups:` list", pr.file)
	}
	root := doc.Content[0]
	switch root.Kind {
	case yaml.SequenceNode:
		pr.yamlGroups(root)
		return nil
	case yaml.MappingNode:
	default:
		return fmt.Errorf("%s, row %d: expected a `groups:` list or a list of groups", pr.file, root.Line)
	}
	found := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch strings.ToLower(k.Value) {
		case "name":
			if v.Kind == yaml.ScalarNode && strings.TrimSpace(v.Value) != "" {
				pr.tp.Name = strings.TrimSpace(v.Value)
			}
		case "description":
		case "groups":
			found = true
			if v.Kind != yaml.SequenceNode {
				return fmt.Errorf("%s, row %d: `groups` must be a list of groups", pr.file, v.Line)
			}
			pr.yamlGroups(v)
		default:
			pr.problem(SeverityWarning, k.Line, k.Value, fmt.Sprintf("unknown key %q ignored; expected name or groups", k.Value), nil)
		}
	}
	if !found {
		return fmt.Errorf("%s: the YAML threat profile has no `groups:` list", pr.file)
	}
	return nil
}

func (pr *profileReader) yamlGroups(seq *yaml.Node) {
	for _, it := range seq.Content {
		pr.refs++
		switch it.Kind {
		case yaml.ScalarNode:
			if strings.TrimSpace(it.Value) == "" {
				pr.problem(SeverityWarning, it.Line, "group", "empty list item ignored", nil)
				continue
			}
			pr.add(it.Value, "", it.Line, "group")
		case yaml.MappingNode:
			pr.yamlEntry(it)
		default:
			pr.problem(SeverityError, it.Line, "group", "list item is neither a group nor {group: …, weight: …}", nil)
		}
	}
}

// yamlEntry reads one {group: APT29, weight: 2} item.
func (pr *profileReader) yamlEntry(it *yaml.Node) {
	var ref, weight string
	hasRef, hasWeight := false, false
	for i := 0; i+1 < len(it.Content); i += 2 {
		k, v := it.Content[i], it.Content[i+1]
		key := strings.ToLower(k.Value)
		switch key {
		case "group", "id", "weight":
		case "note", "notes", "comment", "reason":
			continue
		default:
			pr.problem(SeverityWarning, k.Line, k.Value, fmt.Sprintf("unknown key %q ignored; expected group and weight", k.Value), nil)
			continue
		}
		if v.Kind != yaml.ScalarNode {
			pr.problem(SeverityError, v.Line, k.Value, fmt.Sprintf("%q must be a single value", k.Value), nil)
			return
		}
		if key == "weight" {
			weight, hasWeight = v.Value, true
		} else {
			ref, hasRef = v.Value, true
		}
	}
	if !hasRef || strings.TrimSpace(ref) == "" {
		pr.problem(SeverityError, it.Line, "group", "list item has no group; expected {group: APT29, weight: 2}", nil)
		return
	}
	if hasWeight && strings.TrimSpace(weight) == "" {
		// An explicit empty weight is a mistake to point at, not the default.
		pr.problem(SeverityError, it.Line, "weight", fmt.Sprintf("group %q has an empty weight; expected a number above 0", ref), nil)
		return
	}
	pr.add(ref, weight, it.Line, "group")
}

// csv reads a group,weight list. A header is recognised by its words; it
// may put the columns in either order.
func (pr *profileReader) csv(data []byte) error {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = profileComma(data)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	groupCol, weightCol := 0, 1
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("%s, row %d: not a valid CSV threat profile: %v", pr.file, pe.Line, pe.Err)
			}
			return fmt.Errorf("%s: not a valid CSV threat profile: %v", pr.file, err)
		}
		row, _ := cr.FieldPos(0)
		if first {
			first = false
			if g, w, ok := profileCSVHeader(rec); ok {
				groupCol, weightCol = g, w
				continue
			}
		}
		cell := func(i int) string {
			if i >= 0 && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		ref, weight := cell(groupCol), cell(weightCol)
		if ref == "" {
			if weight != "" {
				pr.problem(SeverityWarning, row, "group", "row has a weight but no group; ignored", nil)
			}
			continue
		}
		pr.refs++
		pr.add(ref, weight, row, "group")
	}
}

// profileCSVHeader finds the group and weight columns of a header row.
func profileCSVHeader(rec []string) (group, weight int, ok bool) {
	group, weight = -1, -1
	for i, c := range rec {
		switch strings.ToLower(strings.Join(strings.Fields(c), " ")) {
		case "group", "groups", "group id", "group name", "id", "name", "threat group", "threat actor", "actor", "adversary":
			if group < 0 {
				group = i
			}
		case "weight", "weights", "priority weight":
			if weight < 0 {
				weight = i
			}
		}
	}
	if group < 0 {
		return 0, 1, false
	}
	return group, weight, true
}

// profileComma picks the separator of the first line: a tab or a semicolon
// (spreadsheets in many locales) when there is no comma.
func profileComma(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	switch {
	case bytes.ContainsRune(line, '\t'):
		return '\t'
	case bytes.ContainsRune(line, ';') && !bytes.ContainsRune(line, ','):
		return ';'
	}
	return ','
}

// profileLayer is the part of an ATT&CK Navigator layer that a profile
// needs.
type profileLayer struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Domain      string            `json:"domain"`
	Techniques  []json.RawMessage `json:"techniques"`
}

type profileLayerTechnique struct {
	TechniqueID string          `json:"techniqueID"`
	Enabled     *bool           `json:"enabled"`
	Score       json.RawMessage `json:"score"`
	Color       string          `json:"color"`
}

// isProfileLayer: a JSON object with a "techniques" member. A JSON object without
// one is left to the YAML reader, which reads JSON profiles too.
func isProfileLayer(data []byte) bool {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(t, &probe) != nil {
		return false
	}
	_, ok := probe["techniques"]
	return ok
}

func (pr *profileReader) layer(data []byte) error {
	var l profileLayer
	if err := json.Unmarshal(data, &l); err != nil {
		return fmt.Errorf("%s: not a valid ATT&CK Navigator layer: %v", pr.file, err)
	}
	pr.refs++
	if l.Domain != "" && pr.cat.Domain != "" && !strings.EqualFold(l.Domain, pr.cat.Domain) {
		pr.problem(SeverityWarning, 0, "domain", fmt.Sprintf("the layer is for %s but the catalog is %s", l.Domain, pr.cat.Domain), nil)
	}
	name := strings.TrimSpace(l.Name)
	if name == "" {
		name = pr.file
	}
	g := &attack.Group{ID: layerGroupID(l.Name), Name: name, Description: l.Description}
	seen := map[string]bool{}
	for i, raw := range l.Techniques {
		col := fmt.Sprintf("techniques[%d]", i)
		var lt profileLayerTechnique
		if err := json.Unmarshal(raw, &lt); err != nil {
			pr.problem(SeverityError, 0, col, fmt.Sprintf("not a technique entry: %v", err), nil)
			continue
		}
		if lt.Enabled != nil && !*lt.Enabled {
			continue
		}
		if !layerHasScore(lt.Score) && strings.TrimSpace(lt.Color) == "" {
			continue
		}
		id := strings.TrimSpace(lt.TechniqueID)
		if id == "" {
			pr.problem(SeverityError, 0, col, "technique entry has no techniqueID", nil)
			continue
		}
		res, err := pr.cat.FindTechnique(id)
		if err != nil {
			var le *attack.LookupError
			var sugg []string
			if errors.As(err, &le) {
				sugg = le.Suggestions
			}
			pr.problem(SeverityError, 0, col, err.Error(), sugg)
			continue
		}
		t := res.Value
		if res.Via != nil {
			pr.problem(SeverityWarning, 0, col, fmt.Sprintf("technique %s %q is revoked; using its replacement %s %q", res.Via.ID, res.Via.Name, t.ID, t.Name), nil)
		}
		if seen[t.ID] {
			continue // the layer lists a technique once per tactic
		}
		seen[t.ID] = true
		g.Uses = append(g.Uses, attack.Use{Technique: t.ID, Direct: true})
	}
	sort.Slice(g.Uses, func(i, j int) bool { return g.Uses[i].Technique < g.Uses[j].Technique })
	if len(g.Uses) == 0 {
		pr.problem(SeverityError, 0, "techniques", "the layer has no enabled technique with a score or a colour, so it names no activity to score", nil)
		return nil
	}
	if l.Name != "" {
		pr.tp.Name = name
	}
	pr.tp.Entries = append(pr.tp.Entries, ProfileEntry{Ref: name, Group: g, Weight: 1})
	return nil
}

func layerHasScore(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "null" && s != `""`
}

// layerGroupID makes the custom group's ID from the layer's name:
// "LAYER-" and the name's letters and digits, upper-cased, so that it can
// never clash with an ATT&CK G-ID and stays usable in file names.
func layerGroupID(name string) string {
	var b strings.Builder
	b.WriteString("LAYER")
	dash := true
	n := 0
	for _, r := range name {
		if n >= 40 {
			break
		}
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash {
				b.WriteByte('-')
				dash = false
			}
			b.WriteRune(unicode.ToUpper(r))
			n++
		} else {
			dash = true
		}
	}
	return b.String()
}
