package inventory

import (
	"strings"
)

// Delimiters a text inventory may use, in order of preference on a tie.
var delimiters = []byte{',', ';', '\t', '|'}

// readDelimited reads CSV, semicolon-separated (what Excel writes in
// locales with a decimal comma) and tab-separated text. It returns the
// delimiter it settled on.
func (rd *reader) readDelimited(text string, ext string) (*table, byte) {
	// Excel honours a first line "sep=;" and does not show it as a row.
	var delim byte
	if first, rest, ok := strings.Cut(text, "\n"); ok || len(text) < 8 {
		f := strings.TrimSpace(first)
		if len(f) == 5 && strings.EqualFold(f[:4], "sep=") {
			delim, text = f[4], rest
		}
	}
	if delim == 0 {
		delim = sniffDelimiter(text, ext)
	}
	limit := rd.opt.MaxRows + headerSearchRows + 1
	return &table{rows: splitDelimited(text, delim, limit)}, delim
}

// sniffDelimiter picks the delimiter that splits the most of the first
// records into the same number (more than one) of fields. Quotes are
// respected, so "0,75" in a semicolon file or "SSL/TLS, web" in a quoted
// cell do not mislead it; title lines above the header simply do not vote.
func sniffDelimiter(text string, ext string) byte {
	const sample = 30
	best, bestScore := byte(0), 0
	for _, d := range delimiters {
		counts := map[int]int{}
		for _, r := range splitDelimited(text, d, sample) {
			if !isBlank(r.cells) && len(r.cells) > 1 {
				counts[len(r.cells)]++
			}
		}
		score := 0
		for _, c := range counts {
			score = max(score, c)
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	if best != 0 {
		return best
	}
	if ext == ".tsv" || ext == ".tab" {
		return '\t'
	}
	return ','
}

// splitDelimited splits text into at most limit records, numbered as a
// spreadsheet would show them: one per line, a quoted field's line breaks
// staying inside its record, blank lines kept as empty records. It never
// fails: a stray quote inside an unquoted field is an ordinary character
// and an unterminated quoted field runs to the end of the text, which is
// what spreadsheet programs do too.
func splitDelimited(text string, delim byte, limit int) []record {
	var (
		out    []record
		fields []string
		field  strings.Builder
		num    = 1
		cut    int
	)
	// addField keeps at most maxColumns fields a record: a line of a
	// million commas must not become a million strings.
	addField := func() {
		if len(fields) < maxColumns {
			fields = append(fields, field.String())
		} else {
			cut++
		}
		field.Reset()
	}
	endRecord := func() {
		addField()
		out = append(out, record{num: num, cells: fields, cut: cut})
		fields, cut = nil, 0
		num++
	}
	i := 0
	for i < len(text) && len(out) < limit {
		// Start of a field.
		if text[i] == '"' {
			i++
			for i < len(text) {
				c := text[i]
				if c == '"' {
					if i+1 < len(text) && text[i+1] == '"' {
						field.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				field.WriteByte(c)
				i++
			}
		}
		// Rest of the field, unquoted (or after a closing quote).
		for i < len(text) {
			c := text[i]
			if c == delim || c == '\n' || c == '\r' {
				break
			}
			field.WriteByte(c)
			i++
		}
		if i >= len(text) {
			break
		}
		switch text[i] {
		case delim:
			addField()
			i++
		case '\r':
			i++
			if i < len(text) && text[i] == '\n' {
				i++
			}
			endRecord()
		case '\n':
			i++
			endRecord()
		}
	}
	if (field.Len() > 0 || len(fields) > 0) && len(out) < limit {
		endRecord()
	}
	return out
}
