package attack

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Vault pages travel through note-taking apps, chat tools and Windows
// editors. Two kinds of damage are common and both are repaired here rather
// than reported, because the text is still unambiguous:
//
//   - the page was never UTF-8 at all but Windows-1252 (invalid UTF-8 bytes);
//   - the page was UTF-8, was read as Windows-1252 and saved again as UTF-8
//     ("mojibake": the seed page's Iranâ€™s for Iran’s).

// cp1252High maps the bytes 0x80–0x9F to the characters Windows-1252 gives
// them. The five bytes Windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90
// 0x9D) are absent: decoders pass them through as the C1 controls U+0081…,
// which cp1252Byte handles with the rest of the C1 range.
var cp1252High = map[byte]rune{
	0x80: '€', 0x82: '‚', 0x83: 'ƒ', 0x84: '„', 0x85: '…', 0x86: '†', 0x87: '‡',
	0x88: 'ˆ', 0x89: '‰', 0x8A: 'Š', 0x8B: '‹', 0x8C: 'Œ', 0x8E: 'Ž',
	0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—',
	0x98: '˜', 0x99: '™', 0x9A: 'š', 0x9B: '›', 0x9C: 'œ', 0x9E: 'ž', 0x9F: 'Ÿ',
}

// cp1252Rev is the inverse of cp1252High.
var cp1252Rev = func() map[rune]byte {
	m := make(map[rune]byte, len(cp1252High))
	for b, r := range cp1252High {
		m[r] = b
	}
	return m
}()

// cp1252Byte returns the byte that Windows-1252 (or Latin-1, which some
// tools use instead) decodes to r, for the non-ASCII half of the code page.
func cp1252Byte(r rune) (byte, bool) {
	if b, ok := cp1252Rev[r]; ok {
		return b, true
	}
	// U+0080–U+009F: Latin-1 decoding, and cp1252's undefined bytes.
	// U+00A0–U+00FF: identical in both code pages.
	if r >= 0x80 && r <= 0xFF {
		return byte(r), true
	}
	return 0, false
}

// decodeCP1252Byte is the character Windows-1252 gives byte b.
func decodeCP1252Byte(b byte) rune {
	if r, ok := cp1252High[b]; ok {
		return r
	}
	return rune(b) // ASCII, Latin-1 range, and the undefined bytes as C1 controls
}

// toUTF8 returns data as valid UTF-8: valid sequences are kept and every byte
// that is not part of one is read as Windows-1252. It reports whether any
// byte needed that.
func toUTF8(data []byte) (string, bool) {
	// Notepad's "Unicode" is UTF-16 with a byte-order mark.
	if u, ok := fromUTF16(data); ok {
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
			b.WriteRune(decodeCP1252Byte(data[0]))
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
		lead, ok := cp1252Byte(rs[i])
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
			c, ok := cp1252Byte(rs[i+k])
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

// fromUTF16 decodes data that starts with a UTF-16 byte-order mark.
func fromUTF16(data []byte) (string, bool) {
	if len(data) < 2 {
		return "", false
	}
	var le bool
	switch {
	case data[0] == 0xFF && data[1] == 0xFE:
		le = true
	case data[0] == 0xFE && data[1] == 0xFF:
	default:
		return "", false
	}
	data = data[2:]
	units := make([]uint16, 0, len(data)/2)
	for i := 0; i+1 < len(data); i += 2 {
		if le {
			units = append(units, uint16(data[i])|uint16(data[i+1])<<8)
		} else {
			units = append(units, uint16(data[i])<<8|uint16(data[i+1]))
		}
	}
	return string(utf16.Decode(units)), true
}
