// Package textenc decodes the text encodings that files from Windows tools
// arrive in: Windows-1252 (old Excel CSV exports, Notepad's "ANSI") and
// UTF-16 with a byte-order mark (Excel's "Unicode Text", Notepad's
// "Unicode"). Inventories and vault pages both need them, so the code
// page table lives here once.
package textenc

import "unicode/utf16"

// cp1252 maps the bytes 0x80–0x9F of Windows-1252 to their characters. The
// five bytes Windows-1252 leaves undefined keep their Latin-1 (C1) value,
// as decoders pass them through.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// cp1252Rev is the inverse of cp1252's defined characters.
var cp1252Rev = func() map[rune]byte {
	m := make(map[rune]byte, len(cp1252))
	for i, r := range cp1252 {
		if r > 0xFF {
			m[r] = byte(0x80 + i)
		}
	}
	return m
}()

// CP1252Rune is the character Windows-1252 gives byte b.
func CP1252Rune(b byte) rune {
	if b >= 0x80 && b <= 0x9F {
		return cp1252[b-0x80]
	}
	return rune(b) // ASCII and the Latin-1 range
}

// CP1252 decodes data as Windows-1252.
func CP1252(data []byte) string {
	r := make([]rune, len(data))
	for i, b := range data {
		r[i] = CP1252Rune(b)
	}
	return string(r)
}

// CP1252Byte returns the byte that Windows-1252 (or Latin-1, which some
// tools use instead) decodes to r, for the non-ASCII half of the code
// page: what undoing mojibake needs.
func CP1252Byte(r rune) (byte, bool) {
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

// UTF16BOM decodes data that starts with a UTF-16 byte-order mark (little
// or big endian); ok is false when it does not. A trailing odd byte, half
// a code unit, is dropped.
func UTF16BOM(data []byte) (s string, ok bool) {
	if len(data) < 2 {
		return "", false
	}
	var big bool
	switch {
	case data[0] == 0xFF && data[1] == 0xFE:
	case data[0] == 0xFE && data[1] == 0xFF:
		big = true
	default:
		return "", false
	}
	data = data[2:]
	u := make([]uint16, len(data)/2)
	for i := range u {
		if big {
			u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	return string(utf16.Decode(u)), true
}
