package reports

import "strings"

// Text from an input (an inventory cell, a bundle's group name, a file name)
// can be crafted so that a spreadsheet program runs it: a cell beginning
// with = + - or @ is read as a formula (and =cmd|…, +cmd|… as a DDE call),
// and a leading tab or carriage return hides such a prefix from a naive check
// while Excel still strips it. Reports are opened by other people than the
// ones who wrote the inventory, so every writer neutralises such text.

// formulaStarts are the first characters that make Excel or LibreOffice
// treat typed or imported text as a formula. The full-width forms are
// included because some spreadsheet imports fold them to ASCII.
const formulaStarts = "=+-@\t\r\uFF1D\uFF0B\uFF0D\uFF20"

// FormulaLike reports whether s, typed into a cell or imported from CSV,
// would be taken by a spreadsheet program as a formula or command.
func FormulaLike(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		return strings.ContainsRune(formulaStarts, r)
	}
	return false
}

// SafeText returns s ready for a text output that a spreadsheet program may
// import (CSV, TSV): formula-like text gets a leading apostrophe, the
// convention Excel and LibreOffice both show as "this is text". Other text
// is returned unchanged, so ordinary values stay byte-for-byte what the
// input said.
func SafeText(s string) string {
	if FormulaLike(s) {
		return "'" + s
	}
	return s
}
