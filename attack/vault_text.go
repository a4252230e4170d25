package attack

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/covgap/covgap/internal/textenc"
)

// Vault pages travel through note-taking apps, chat tools and Windows
// editors. Two kinds of damage are common and both are repaired here rather
// than reported, because the text is still unambiguous:
//
//   - the page was never UTF-8 at all but Windows-1252 (invalid UTF-8 bytes);
//   - the page was UTF-8, was read as Windows-1252 and saved again as UTF-8
//     ("mojibake": the seed page's Iranâ€™s for Iran’s).

// toUTF8 returns data as valid UTF-8: valid sequences are kept and every byte
// that is not part of one is read as Windows-1252. It reports whether any
// byte needed that.
func toUTF8(data []byte) (string, bool) {
	// Notepad's "Unicode" is UTF-16 with a byte-order mark.
	if u, ok := textenc.UTF16BOM(data); ok {
		return u, false
	}
	if utf8.Valid(data) {
		return string(data), false
	}
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 {
			b.WriteRune(textenc.CP1252Rune(data[0]))
			data = data[1:]
			continue
		}
		b.WriteRune(r)
		data = data[n:]
	}
	return b.String(), true
}

// repairMojibake reverses UTF-8 text that was decoded as Windows-1252 and
// re-encoded. It looks for runs of characters whose Windows-1252 bytes form
// exactly one well-formed multi-byte UTF-8 sequence (a lead byte 0xC2–0xF4
// followed by the right number of continuation bytes 0x80–0xBF) and
// replaces each run by the character it encodes. Everything else is left
// alone, so genuine Latin-1 text such as "café" or "Ä" survives: a lone
// accented letter is never a complete sequence. Text damaged twice is
// repaired by running the pass again (at most three times).
func repairMojibake(s string) (string, bool) {
	changed := false
	for range 3 {
		out, ok := repairMojibakeOnce(s)
		if !ok {
			break
		}
		s, changed = out, true
	}
	return s, changed
}

func repairMojibakeOnce(s string) (string, bool) {
	// Fast path: every mojibake sequence starts with a character in
	// U+00C2–U+00F4.
	hasLead := false
	for _, r := range s {
		if r >= 0xC2 && r <= 0xF4 {
			hasLead = true
			break
		}
	}
	if !hasLead {
		return s, false
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	changed := false
	var seq [4]byte
	for i := 0; i < len(rs); i++ {
		lead, ok := textenc.CP1252Byte(rs[i])
		n := 0
		switch {
		case !ok:
		case lead >= 0xC2 && lead <= 0xDF:
			n = 2
		case lead >= 0xE0 && lead <= 0xEF:
			n = 3
		case lead >= 0xF0 && lead <= 0xF4:
			n = 4
		}
		if n == 0 || i+n > len(rs) {
			b.WriteRune(rs[i])
			continue
		}
		seq[0] = lead
		good := true
		for k := 1; k < n; k++ {
			c, ok := textenc.CP1252Byte(rs[i+k])
			if !ok || c < 0x80 || c > 0xBF {
				good = false
				break
			}
			seq[k] = c
		}
		if good {
			// DecodeRune rejects overlong forms and surrogates, so only a
			// sequence a UTF-8 encoder could have written is accepted.
			if r, size := utf8.DecodeRune(seq[:n]); r != utf8.RuneError && size == n {
				b.WriteRune(r)
				i += n - 1
				changed = true
				continue
			}
		}
		b.WriteRune(rs[i])
	}
	if !changed {
		return s, false
	}
	return b.String(), true
}

// normalizeNewlines turns CRLF and lone CR into LF and drops a leading
// byte-order mark, so that the parser sees one kind of line.
func normalizeNewlines(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if bytes.IndexByte(data, '\r') < 0 {
		return data
	}
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
}
