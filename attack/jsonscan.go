package attack

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a small JSON scanner made for STIX bundles. encoding/json
// builds every value it meets; a 50 MB ATT&CK bundle is mostly analytics,
// detection strategies and relationship descriptions that covgap never
// reads, so the scanner delimits each object cheaply (strings are skipped
// with bytes.IndexByte) and decodes only the fields the loader asks for.

// errShort means the input ended inside a value. The bundle reader uses it
// to fetch more data and retry; at the true end of input it becomes a
// syntax error.
var errShort = errors.New("unexpected end of JSON input")

// maxDepth bounds nesting so hostile input cannot exhaust the stack. STIX
// objects nest four or five levels deep.
const maxDepth = 128

// syntaxError is a JSON error at an offset relative to the scanned slice;
// the bundle reader turns it into an absolute offset in the file.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

func synErr(off int, format string, args ...any) error {
	return &syntaxError{off: off, msg: fmt.Sprintf(format, args...)}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipValue returns the offset just past the JSON value that starts at or
// after b[i]. It checks structure (brackets, commas, colons, string ends,
// literals) but not every character of strings it skips.
func skipValue(b []byte, i int) (int, error) { return skipValueDepth(b, i, 0) }

func skipValueDepth(b []byte, i, depth int) (int, error) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return i, errShort
	}
	switch c := b[i]; c {
	case '"':
		return skipString(b, i)
	case '{', '[':
		if depth >= maxDepth {
			return i, synErr(i, "JSON nested more than %d levels deep", maxDepth)
		}
		return skipContainer(b, i, depth)
	case 't':
		return skipLiteral(b, i, "true")
	case 'f':
		return skipLiteral(b, i, "false")
	case 'n':
		return skipLiteral(b, i, "null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return skipNumber(b, i)
		}
		return i, synErr(i, "invalid character %q looking for the beginning of a value", c)
	}
}

func skipContainer(b []byte, i, depth int) (int, error) {
	isObj := b[i] == '{'
	end := byte(']')
	if isObj {
		end = '}'
	}
	i = skipSpace(b, i+1)
	if i >= len(b) {
		return i, errShort
	}
	if b[i] == end {
		return i + 1, nil
	}
	for {
		var err error
		if isObj {
			if i >= len(b) {
				return i, errShort
			}
			if b[i] != '"' {
				return i, synErr(i, "invalid character %q looking for the beginning of an object key", b[i])
			}
			if i, err = skipString(b, i); err != nil {
				return i, err
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return i, errShort
			}
			if b[i] != ':' {
				return i, synErr(i, "invalid character %q after object key, expected ':'", b[i])
			}
			i++
		}
		if i, err = skipValueDepth(b, i, depth+1); err != nil {
			return i, err
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, errShort
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case end:
			return i + 1, nil
		default:
			return i, synErr(i, "invalid character %q after value, expected ',' or '%c'", b[i], end)
		}
	}
}

// skipString expects b[i] == '"' and returns the offset past the closing quote.
func skipString(b []byte, i int) (int, error) {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return len(b), errShort
		}
		e := j + k
		n := 0
		for p := e - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return e + 1, nil
		}
		j = e + 1
	}
}

func skipLiteral(b []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(b) {
			return i + k, errShort
		}
		if b[i+k] != lit[k] {
			return i + k, synErr(i+k, "invalid character %q in literal %s", b[i+k], lit)
		}
	}
	return i + len(lit), nil
}

func skipNumber(b []byte, i int) (int, error) {
	j := i
	for j < len(b) {
		c := b[j]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			j++
			continue
		}
		break
	}
	if j == len(b) {
		// The number may continue in data not read yet.
		return j, errShort
	}
	if _, err := strconv.ParseFloat(string(b[i:j]), 64); err != nil {
		return i, synErr(i, "invalid number %q", b[i:j])
	}
	return j, nil
}

// decodeString expects b[i] == '"' and returns the unescaped string and the
// offset past it. Strings without escapes (nearly all) cost one copy.
func decodeString(b []byte, i int) (string, int, error) {
	end, err := skipString(b, i)
	if err != nil {
		return "", end, err
	}
	raw := b[i+1 : end-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		for k, c := range raw {
			if c < 0x20 {
				return "", i + 1 + k, synErr(i+1+k, "invalid control character %#x in string", c)
			}
		}
		if !utf8.Valid(raw) {
			return string(bytes.ToValidUTF8(raw, []byte("\uFFFD"))), end, nil
		}
		return string(raw), end, nil
	}
	s, err := unescape(raw, i+1)
	return s, end, err
}

func unescape(raw []byte, base int) (string, error) {
	out := make([]byte, 0, len(raw))
	for k := 0; k < len(raw); k++ {
		c := raw[k]
		if c < 0x20 {
			return "", synErr(base+k, "invalid control character %#x in string", c)
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		k++
		if k >= len(raw) {
			return "", synErr(base+k, "unfinished escape in string")
		}
		switch raw[k] {
		case '"', '\\', '/':
			out = append(out, raw[k])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, ok := hex4(raw, k+1)
			if !ok {
				return "", synErr(base+k, "invalid \\u escape in string")
			}
			k += n
			if utf16.IsSurrogate(r) {
				if r2, n2, ok2 := hex4(raw, k+3); ok2 && k+2 < len(raw) && raw[k+1] == '\\' && raw[k+2] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						k += 2 + n2
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", synErr(base+k, "invalid escape %q in string", raw[k])
		}
	}
	return string(bytes.ToValidUTF8(out, []byte("\uFFFD"))), nil
}

// hex4 reads four hex digits at raw[k:]; n is how many bytes it consumed.
func hex4(raw []byte, k int) (rune, int, bool) {
	if k+4 > len(raw) {
		return 0, 0, false
	}
	var r rune
	for _, c := range raw[k : k+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, 0, false
		}
	}
	return r, 4, true
}

// objectFields calls fn for each key of the JSON object at b[i] with the
// offset of its value; fn returns the offset past the value (decoding it or
// calling skipValue) and false to stop early. It returns the offset past the
// object, or past the last value read when fn stopped.
func objectFields(b []byte, i int, fn func(key []byte, v int) (int, bool, error)) (int, error) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return i, errShort
	}
	if b[i] != '{' {
		return i, synErr(i, "expected a JSON object, found %q", b[i])
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) {
			return i, errShort
		}
		if b[i] != '"' {
			return i, synErr(i, "invalid character %q looking for the beginning of an object key", b[i])
		}
		ks := i
		ke, err := skipString(b, i)
		if err != nil {
			return ke, err
		}
		key := b[ks+1 : ke-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			s, err := unescape(key, ks+1)
			if err != nil {
				return ks, err
			}
			key = []byte(s)
		}
		i = skipSpace(b, ke)
		if i >= len(b) {
			return i, errShort
		}
		if b[i] != ':' {
			return i, synErr(i, "invalid character %q after object key, expected ':'", b[i])
		}
		i = skipSpace(b, i+1)
		var more bool
		if i, more, err = fn(key, i); err != nil {
			return i, err
		}
		if !more {
			return i, nil
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, errShort
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, synErr(i, "invalid character %q after object value, expected ',' or '}'", b[i])
		}
	}
}

// arrayElems calls fn for the offset of each element of the JSON array at
// b[i]; fn returns the offset past the element.
func arrayElems(b []byte, i int, fn func(v int) (int, error)) (int, error) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return i, errShort
	}
	if b[i] != '[' {
		return i, synErr(i, "expected a JSON array, found %q", b[i])
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = fn(skipSpace(b, i)); err != nil {
			return i, err
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, errShort
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, synErr(i, "invalid character %q after array element, expected ',' or ']'", b[i])
		}
	}
}

// decodeStringValue decodes a JSON string, or returns "" for null.
func decodeStringValue(b []byte, i int) (string, int, error) {
	if i < len(b) && b[i] == 'n' {
		j, err := skipLiteral(b, i, "null")
		return "", j, err
	}
	if i >= len(b) {
		return "", i, errShort
	}
	if b[i] != '"' {
		return "", i, synErr(i, "expected a string, found %q", b[i])
	}
	return decodeString(b, i)
}

// decodeBool decodes true, false or null (false).
func decodeBool(b []byte, i int) (bool, int, error) {
	if i >= len(b) {
		return false, i, errShort
	}
	switch b[i] {
	case 't':
		j, err := skipLiteral(b, i, "true")
		return true, j, err
	case 'f':
		j, err := skipLiteral(b, i, "false")
		return false, j, err
	case 'n':
		j, err := skipLiteral(b, i, "null")
		return false, j, err
	}
	return false, i, synErr(i, "expected true or false, found %q", b[i])
}

// decodeStrings decodes an array of strings (null gives nil).
func decodeStrings(b []byte, i int) ([]string, int, error) {
	if i < len(b) && b[i] == 'n' {
		j, err := skipLiteral(b, i, "null")
		return nil, j, err
	}
	var out []string
	j, err := arrayElems(b, i, func(v int) (int, error) {
		s, e, err := decodeStringValue(b, v)
		if err == nil && s != "" {
			out = append(out, s)
		}
		return e, err
	})
	return out, j, err
}
