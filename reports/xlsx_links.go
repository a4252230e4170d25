package reports

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Hyperlinks are added to the finished file rather than through excelize's
// SetCellHyperLink: that call scans every earlier link and relationship of
// the sheet, so the Gaps sheet of all 172 groups (about 5,000 links) took
// over a second on its own. Here each link costs one relationship and one
// <hyperlink> element, written in a single pass over the package.

// cellLink is one external hyperlink of a sheet.
type cellLink struct {
	ref, url string
}

const (
	nsRelationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	relHyperlink    = nsRelationships + "/hyperlink"
)

// afterHyperlinks are the worksheet children that follow <hyperlinks> in
// the schema's fixed order (ECMA-376 Part 1, §18.3.1.99); the links go
// before the first of them present, or before </worksheet>.
var afterHyperlinks = []string{
	"<printOptions", "<pageMargins", "<pageSetup", "<headerFooter", "<rowBreaks", "<colBreaks",
	"<customProperties", "<cellWatches", "<ignoredErrors", "<smartTags", "<drawing", "<legacyDrawing",
	"<legacyDrawingHF", "<drawingHF", "<picture", "<oleObjects", "<controls", "<webPublishItems",
	"<tableParts", "<extLst", "</worksheet>",
}

var relIDNum = regexp.MustCompile(`Id="rId(\d+)"`)

// addLinks copies the package in pkg to out, adding links (by sheet name)
// to the sheets' XML and relationship parts.
func addLinks(out io.Writer, pkg []byte, links map[string][]cellLink) error {
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		return err
	}
	files := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		files[f.Name] = f
	}
	paths, err := sheetPaths(files)
	if err != nil {
		return err
	}
	// The new or changed parts, by name.
	parts := map[string][]byte{}
	for sheet, ls := range links {
		if len(ls) == 0 {
			continue
		}
		p, ok := paths[sheet]
		if !ok {
			return fmt.Errorf("adding links: no part for sheet %s", sheet)
		}
		relsName := path.Join(path.Dir(p), "_rels", path.Base(p)+".rels")
		rels := []byte(xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>`)
		if f := files[relsName]; f != nil {
			if rels, err = readPart(f); err != nil {
				return err
			}
		}
		sheetXML, err := readPart(files[p])
		if err != nil {
			return err
		}
		if bytes.Contains(sheetXML, []byte("<hyperlinks")) {
			// excelize wrote links of its own; merging two <hyperlinks>
			// elements is not worth it while no caller needs both.
			return fmt.Errorf("adding links: sheet %s already has hyperlinks", sheet)
		}
		next := 0
		for _, m := range relIDNum.FindAllSubmatch(rels, -1) {
			if n, _ := strconv.Atoi(string(m[1])); n > next {
				next = n
			}
		}
		var rb, hb bytes.Buffer
		hb.WriteString(`<hyperlinks xmlns:r="` + nsRelationships + `">`)
		for _, l := range ls {
			next++
			id := "rId" + strconv.Itoa(next)
			rb.WriteString(`<Relationship Id="` + id + `" Type="` + relHyperlink + `" Target="`)
			if err := xml.EscapeText(&rb, []byte(l.url)); err != nil {
				return err
			}
			rb.WriteString(`" TargetMode="External"/>`)
			hb.WriteString(`<hyperlink ref="` + l.ref + `" r:id="` + id + `"/>`)
		}
		hb.WriteString(`</hyperlinks>`)

		end := bytes.LastIndex(rels, []byte("</Relationships>"))
		if end < 0 {
			return fmt.Errorf("adding links: %s is not a relationships part", relsName)
		}
		parts[relsName] = concat(rels[:end], rb.Bytes(), rels[end:])

		at := bytes.LastIndex(sheetXML, []byte("</sheetData>"))
		if at < 0 {
			at = bytes.Index(sheetXML, []byte("<sheetData/>"))
		}
		if at < 0 {
			return fmt.Errorf("adding links: %s has no sheet data", p)
		}
		ins := -1
		tail := sheetXML[at:]
		for _, tag := range afterHyperlinks {
			if i := bytes.Index(tail, []byte(tag)); i >= 0 && (ins < 0 || i < ins) {
				ins = i
			}
		}
		if ins < 0 {
			return fmt.Errorf("adding links: %s does not end as a worksheet", p)
		}
		ins += at
		parts[p] = concat(sheetXML[:ins], hb.Bytes(), sheetXML[ins:])
	}

	zw := zip.NewWriter(out)
	// The rewritten parts are compressed a second time here; speed over
	// the last few percent of size keeps that second pass cheap.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	for _, f := range zr.File {
		if data, ok := parts[f.Name]; ok {
			if err := writePart(zw, f.Name, data); err != nil {
				return err
			}
			delete(parts, f.Name)
			continue
		}
		// Unchanged parts are copied still compressed.
		w, err := zw.CreateRaw(&f.FileHeader)
		if err != nil {
			return err
		}
		r, err := f.OpenRaw()
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, r); err != nil {
			return err
		}
	}
	// New relationship parts, for sheets that had none.
	for name, data := range parts {
		if err := writePart(zw, name, data); err != nil {
			return err
		}
	}
	return zw.Close()
}

func concat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func readPart(f *zip.File) ([]byte, error) {
	if f == nil {
		return nil, errors.New("adding links: missing package part")
	}
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func writePart(zw *zip.Writer, name string, data []byte) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// sheetPaths maps sheet names to their worksheet parts, as the workbook and
// its relationships say, rather than assuming excelize's numbering.
func sheetPaths(files map[string]*zip.File) (map[string]string, error) {
	wbData, err := readPart(files["xl/workbook.xml"])
	if err != nil {
		return nil, err
	}
	relData, err := readPart(files["xl/_rels/workbook.xml.rels"])
	if err != nil {
		return nil, err
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(wbData, &wb); err != nil {
		return nil, fmt.Errorf("adding links: workbook.xml: %w", err)
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(relData, &rels); err != nil {
		return nil, fmt.Errorf("adding links: workbook.xml.rels: %w", err)
	}
	target := map[string]string{}
	for _, r := range rels.Rel {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		target[r.ID] = t
	}
	out := map[string]string{}
	for _, s := range wb.Sheets {
		if t, ok := target[s.RID]; ok {
			out[s.Name] = t
		}
	}
	return out, nil
}
