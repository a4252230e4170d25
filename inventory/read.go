package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/internal/textenc"
)

// Limits applied when Options leaves them zero. An inventory is a list of a
// few hundred controls at most; these leave two orders of magnitude of room
// while keeping a hostile upload from exhausting memory.
const (
	DefaultMaxSize = 20 << 20 // bytes of input
	DefaultMaxRows = 100_000  // rows (or list items) read
	DefaultMaxCell = 32_767   // characters per cell, Excel's own limit
)

// Options controls how an inventory is read.
type Options struct {
	// Sheet names the worksheet to read (case-insensitive), hidden or not.
	// Empty: the visible sheet with the best header, the active sheet among
	// equals.
	Sheet string
	// MaxSize is the largest input accepted, in bytes (default 20 MB).
	MaxSize int64
	// MaxRows is the number of rows read before the rest is refused with an
	// error (default 100,000).
	MaxRows int
	// MaxCell is the longest cell accepted, in characters (default 32,767).
	MaxCell int
}

func (o Options) withDefaults() Options {
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxCell <= 0 {
		o.MaxCell = DefaultMaxCell
	}
	return o
}

// Formats of inventories, as Inventory.Format names them.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
	FormatTSV  = "tsv"
	FormatJSON = "json"
	FormatYAML = "yaml"
)

// ReadFile reads the inventory at path; see Read.
func ReadFile(path string, cat *attack.Catalog, o Options) (*Inventory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("inventory %s: %w", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("inventory %s is a directory, not a file", path)
	}
	return Read(f, path, cat, o)
}

// Read reads an inventory from r and resolves it against cat. name is the
// file name used in problems and, as a hint only, for its extension: the
// format is decided by the content (an xlsx saved as .csv, a CSV saved as
// .txt and Excel's UTF-16 "Unicode Text" all read).
//
// Read returns an error only when nothing can be read at all: the input is
// too large, is in no recognised format, or has no recognisable header.
// Everything else, down to a single bad cell, is a Problem in the returned
// Inventory, and the other rows are still read.
func Read(r io.Reader, name string, cat *attack.Catalog, o Options) (*Inventory, error) {
	if cat == nil {
		return nil, errors.New("inventory: no ATT&CK catalog to resolve mitigations against")
	}
	o = o.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, o.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("inventory %s: %w", name, err)
	}
	if int64(len(data)) > o.MaxSize {
		return nil, fmt.Errorf("inventory %s is larger than the limit of %s; raise it with --max-size if the file is genuine", name, humanSize(o.MaxSize))
	}
	rd := &reader{file: name, cat: cat, opt: o}
	t, format, err := rd.parse(data)
	if err != nil {
		return nil, err
	}
	return rd.build(t, format)
}

// parse decides the format from the content and splits the input into
// tables of cells.
func (rd *reader) parse(data []byte) (*table, string, error) {
	ext := strings.ToLower(filepath.Ext(rd.file))
	switch {
	case len(data) == 0 || len(bytes.TrimSpace(data)) == 0:
		return nil, "", fmt.Errorf("inventory %s is empty", rd.file)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if bytes.Contains(data[:min(len(data), 200)], []byte("opendocument")) {
			return nil, "", fmt.Errorf("inventory %s is an OpenDocument spreadsheet; save it as .xlsx or .csv", rd.file)
		}
		t, err := rd.readXLSX(data)
		return t, FormatXLSX, err
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return nil, "", fmt.Errorf("inventory %s is an old binary Excel (.xls) or a password-protected workbook; save it as .xlsx without a password", rd.file)
	}

	text, err := decodeText(data)
	if err != nil {
		return nil, "", fmt.Errorf("inventory %s: %w", rd.file, err)
	}
	trimmed := strings.TrimLeft(text, " \t\r\n")
	startsJSON := trimmed != "" && (trimmed[0] == '{' || trimmed[0] == '[')
	if startsJSON || ext == ".json" {
		t, valid, err := rd.readJSON(text)
		if valid || startsJSON && ext == ".json" {
			return t, FormatJSON, err
		}
		// Not JSON after all: a CSV whose first cell is "[Draft]", or a
		// CSV saved with a .json name.
	}
	if ext == ".yaml" || ext == ".yml" || looksLikeYAML(text) {
		t, err := rd.readYAML(text)
		if err == nil || ext == ".yaml" || ext == ".yml" {
			return t, FormatYAML, err
		}
	}
	t, delim := rd.readDelimited(text, ext)
	format := FormatCSV
	if delim == '\t' {
		format = FormatTSV
	}
	return t, format, nil
}

// decodeText turns the bytes of a text file into a string: UTF-8 with or
// without a BOM, or UTF-16 with a BOM, which is what Excel's "Unicode Text"
// export writes. Anything else that is not valid text is refused.
func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	}
	if s, ok := textenc.UTF16BOM(data); ok {
		return s, nil
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", errors.New("is not a spreadsheet, CSV, JSON or YAML file (it holds binary data)")
	}
	if !utf8.Valid(data) {
		// Windows-1252 from an old Excel "CSV" export is the likeliest
		// culprit. It is Latin-1 except for 0x80–0x9F, where Excel puts
		// the dashes, curly quotes and € that "M1032 – MFA" and “quoted”
		// notes are written with; read as Latin-1 they would be invisible
		// control characters.
		return textenc.CP1252(data), nil
	}
	return string(data), nil
}

// looksLikeYAML reports whether text starts like a YAML document: a
// "---" marker, a top-level "key:" line or a "- key: value" list item, after
// comments. A CSV line never ends its first cell with a colon and a space.
func looksLikeYAML(text string) bool {
	for line := range strings.Lines(text) {
		l := strings.TrimSpace(line)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if l == "---" {
			return true
		}
		l = strings.TrimPrefix(l, "- ")
		k, _, ok := strings.Cut(l, ":")
		if !ok || strings.ContainsAny(k, ",;\t\"") {
			return false
		}
		rest := strings.TrimPrefix(l, k+":")
		return rest == "" || rest[0] == ' '
	}
	return false
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
