package textenc

import "testing"

func TestCP1252(t *testing.T) {
	if got := CP1252([]byte("M1032 \x96 MFA \x93ok\x94 caf\xe9 \x81")); got != "M1032 – MFA “ok” café \u0081" {
		t.Errorf("CP1252 = %q", got)
	}
	for _, r := range []rune{'€', '’', '–', 'é', 0x81} {
		b, ok := CP1252Byte(r)
		if !ok || CP1252Rune(b) != r {
			t.Errorf("CP1252Byte(%q) = %#x, %v; does not round-trip", r, b, ok)
		}
	}
	if _, ok := CP1252Byte('→'); ok {
		t.Error("→ has no Windows-1252 byte")
	}
}

func TestUTF16BOM(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want string
		ok   bool
	}{
		{[]byte{0xFF, 0xFE, 'M', 0, 0x13, 0x20}, "M–", true},
		{[]byte{0xFE, 0xFF, 0, 'M', 0x20, 0x13, 0x00}, "M–", true},
		{[]byte("M1032"), "", false},
		{[]byte{0xFF}, "", false},
	} {
		got, ok := UTF16BOM(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("UTF16BOM(%x) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
