package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// listKeys are the keys under which a JSON or YAML document may hold its
// list of rows, matched like headers.
var listKeys = map[string]bool{"mitigations": true, "inventory": true, "controls": true, "rows": true,
	"items": true, "data": true, "entries": true}

// readJSON reads an array of objects, {"mitigations": [...]}, or an object
// keyed by mitigation ({"M1032": "implemented"} or {"M1032": {...}}).
// valid reports whether the text was JSON at all, so that the caller can
// try other formats when it was not.
func (rd *reader) readJSON(text string) (t *table, valid bool, err error) {
	var doc any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + strings.Count(text[:min(int(se.Offset), len(text))], "\n")
			return nil, false, fmt.Errorf("inventory %s is not valid JSON: line %d: %v", rd.file, line, err)
		}
		return nil, false, fmt.Errorf("inventory %s is not valid JSON: %v", rd.file, err)
	}
	// JSON Lines (one object a line, as log-style exports write it): more
	// values after the first make a list.
	if dec.More() {
		list := []any{doc}
		for dec.More() {
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, false, fmt.Errorf("inventory %s is not valid JSON: value %d: %v", rd.file, len(list)+1, err)
			}
			list = append(list, v)
		}
		doc = list
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false, fmt.Errorf("inventory %s is not valid JSON: text follows the last value", rd.file)
	}
	rd.text = text
	t, err = rd.fromDocument(doc, "JSON")
	return t, true, err
}

// readYAML reads the same shapes as readJSON. yaml.v3 refuses documents
// that expand aliases excessively, which keeps "billion laughs" out.
func (rd *reader) readYAML(text string) (*table, error) {
	var doc any
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("inventory %s is not valid YAML: %v", rd.file, err)
	}
	rd.text = text
	return rd.fromDocument(doc, "YAML")
}

// fileOrder sorts keys of the top-level object in the order the file
// writes them, so that items keyed by mitigation are numbered as the user
// sees them. Decoding into a map loses that order; the YAML parser (which
// reads JSON too) keeps it in its node tree. Keys it cannot place keep the
// sorted order after the others.
func (rd *reader) fileOrder(keys []string) {
	var doc yaml.Node
	if yaml.Unmarshal([]byte(rd.text), &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return
	}
	pos := map[string]int{}
	m := doc.Content[0].Content
	for i := 0; i+1 < len(m); i += 2 {
		if _, seen := pos[m[i].Value]; !seen {
			pos[m[i].Value] = i / 2
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		pi, oki := pos[keys[i]]
		pj, okj := pos[keys[j]]
		switch {
		case oki && okj:
			return pi < pj
		default:
			return oki && !okj
		}
	})
}

func (rd *reader) fromDocument(doc any, kind string) (*table, error) {
	items, err := rd.items(doc, kind)
	if err != nil {
		return nil, err
	}
	if len(items) > rd.opt.MaxRows+1 {
		items = items[:rd.opt.MaxRows+1] // build reports the excess
	}
	// The header is every key any item uses, in order of first use, so a
	// key only some items carry is still a column.
	col := map[string]int{}
	var header []string
	t := &table{rowWord: "item"}
	for i, it := range items {
		rec := record{num: i + 1}
		obj, ok := it.(map[string]any)
		if !ok {
			// A bare string in the list is a mitigation named with no
			// status: treat it as a one-key object.
			obj = map[string]any{"mitigation": it}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys) // maps have no order; keep the header stable
		for _, k := range keys {
			// Keys of one kind share a column: "mitigation" in one item and
			// "Mitigation ID" in the next are the same field written twice.
			ck := k
			if kind := classify(k); kind != colNone && kind != colInfo {
				ck = "\x00" + kindNames[kind]
			}
			j, ok := col[ck]
			if !ok {
				j = len(header)
				col[ck] = j
				header = append(header, k)
			}
			if j < len(rec.cells) && rec.cells[j] != "" {
				continue // the item has the field twice; the first key wins
			}
			for len(rec.cells) <= j {
				rec.cells = append(rec.cells, "")
			}
			rec.cells[j] = scalarText(obj[k])
		}
		t.rows = append(t.rows, rec)
	}
	t.header = header
	if t.header == nil {
		t.header = []string{}
	}
	return t, nil
}

// items finds the list of rows in a decoded document.
func (rd *reader) items(doc any, kind string) ([]any, error) {
	switch d := normalize(doc).(type) {
	case []any:
		return d, nil
	case map[string]any:
		keys := make([]string, 0, len(d))
		for k := range d {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the same document always reads the same way
		for _, k := range keys {
			if l, ok := d[k].([]any); ok && listKeys[headerKey(k)] {
				return l, nil
			}
		}
		// {"M1032": "implemented", "M1017": {"status": "partial"}}: the key
		// is the mitigation, and the items are numbered in file order.
		rd.fileOrder(keys)
		out := make([]any, 0, len(keys))
		for _, k := range keys {
			switch v := d[k].(type) {
			case map[string]any:
				obj := map[string]any{"mitigation": k}
				for kk, vv := range v {
					if classify(kk) != colMitigation {
						obj[kk] = vv
					}
				}
				out = append(out, obj)
			default:
				out = append(out, map[string]any{"mitigation": k, "status": v})
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("inventory %s: the %s document is an empty object; expected a list of mitigations", rd.file, kind)
		}
		return out, nil
	case nil:
		return nil, fmt.Errorf("inventory %s: the %s document is empty", rd.file, kind)
	default:
		return nil, fmt.Errorf("inventory %s: the %s document is a single value; expected a list of mitigations or {\"mitigations\": [...]}", rd.file, kind)
	}
}

// normalize turns YAML's map[any]any into map[string]any, recursively.
func normalize(v any) any {
	switch x := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, vv := range x {
			m[fmt.Sprint(k)] = normalize(vv)
		}
		return m
	case map[string]any:
		for k, vv := range x {
			x[k] = normalize(vv)
		}
		return x
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
		return x
	}
	return v
}

// scalarText renders a value as a cell would hold it. A list becomes the
// "; "-separated text a multi-mitigation cell holds.
func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format(time.RFC3339)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, scalarText(e))
		}
		return strings.Join(parts, "; ")
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}
