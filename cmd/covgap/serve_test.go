package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/covgap/covgap/attack"
)

func testServer(t testing.TB, maxUpload int64) http.Handler {
	t.Helper()
	cat, err := attack.Embedded("enterprise")
	if err != nil {
		t.Fatal(err)
	}
	return newServer(cat, maxUpload, 2).routes()
}

// post sends a multipart form with the inventory file and fields.
func post(t testing.TB, h http.Handler, url, filename string, file []byte, fields map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("inventory", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, url, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestServeAnalyzeAPI(t *testing.T) {
	h := testServer(t, 20<<20)
	polonium, err := os.ReadFile(repoPath("testdata", "inventory", "polonium.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rec := post(t, h, "/api/analyze", "polonium.csv", polonium, map[string]string{"groups": "POLONIUM"})
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var res struct {
		Profile struct{ Score *float64 }
		Groups  []struct {
			ID    string
			Score *float64
		}
		Recommendations []struct{ Mitigation string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Groups) != 1 || res.Groups[0].ID != "G1005" || res.Groups[0].Score == nil || *res.Groups[0].Score != 80 ||
		len(res.Recommendations) != 1 || res.Recommendations[0].Mitigation != "M1020" {
		t.Errorf("POLONIUM over the API = %s", rec.Body)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP = %q", csp)
	}

	// The workbook answer is a real workbook.
	rec = post(t, h, "/api/analyze", "polonium.csv", polonium, map[string]string{"groups": "G1005", "format": "xlsx"})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("xlsx: status %d, %v", rec.Code, rec.Header())
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if idx, _ := f.GetSheetIndex("Summary"); idx < 0 {
		t.Errorf("workbook sheets %v lack Summary", f.GetSheetList())
	}
}

func TestServeErrors(t *testing.T) {
	h := testServer(t, 1<<10)
	polonium, _ := os.ReadFile(repoPath("testdata", "inventory", "polonium.csv"))
	tests := []struct {
		name   string
		file   string
		data   []byte
		fields map[string]string
		status int
		msg    string
	}{
		{"no file", "", nil, nil, http.StatusBadRequest, "inventory"},
		{"too large", "big.csv", bytes.Repeat([]byte("M1032,implemented\n"), 10000), nil, http.StatusRequestEntityTooLarge, "larger"},
		{"bad model", "p.csv", polonium, map[string]string{"model": "avg"}, http.StatusBadRequest, "model"},
		{"bad top", "p.csv", polonium, map[string]string{"top": "-1"}, http.StatusBadRequest, "top"},
		{"bad format", "p.csv", polonium, map[string]string{"format": "docx"}, http.StatusBadRequest, "format"},
		{"unknown group", "p.csv", polonium, map[string]string{"groups": "APT-29"}, http.StatusBadRequest, "APT29 G0016"},
		{"unknown assume", "p.csv", polonium, map[string]string{"groups": "G1005", "assume": "M9999"}, http.StatusBadRequest, "M9999"},
		{"bad flag", "p.csv", polonium, map[string]string{"groups": "G1005", "planned": "maybe"}, http.StatusBadRequest, "planned"},
		{"not an inventory", "x.png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), nil, http.StatusUnprocessableEntity, "x.png"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := post(t, h, "/api/analyze", tc.file, tc.data, tc.fields)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			var e struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || !strings.Contains(e.Error, tc.msg) {
				t.Errorf("error %q lacks %q (%v)", e.Error, tc.msg, err)
			}
		})
	}
}

func TestServePages(t *testing.T) {
	h := testServer(t, 20<<20)
	get := func(url string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		return rec
	}
	if rec := get("/"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `enctype="multipart/form-data"`) {
		t.Errorf("form page: %d", rec.Code)
	}
	if rec := get("/nope"); rec.Code != http.StatusNotFound {
		t.Errorf("/nope: %d", rec.Code)
	}
	rec := get("/api/groups?match=Israel")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"G1005"`) {
		t.Errorf("groups?match=Israel: %d %s", rec.Code, rec.Body)
	}
	rec = get("/api/mitigations")
	var ms []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &ms); err != nil || len(ms) != 44 {
		t.Errorf("mitigations: %v, %d", err, len(ms))
	}
	rec = get("/api/template")
	if _, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes())); rec.Code != 200 || err != nil {
		t.Errorf("template: %d %v", rec.Code, err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/analyze", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /api/analyze: %d", rec.Code)
	}

	// The form answers with the HTML report, with the uploaded name escaped.
	polonium, _ := os.ReadFile(repoPath("testdata", "inventory", "polonium.csv"))
	rec = post(t, h, "/analyze", `<b>x</b>.csv`, polonium, map[string]string{"groups": "G1005"})
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "80.0") || strings.Contains(body, "<b>x</b>") {
		t.Errorf("form analyze: %d\n%.400s", rec.Code, body)
	}
	// A form error comes back on the form, escaped.
	rec = post(t, h, "/analyze", "p.csv", polonium, map[string]string{"groups": "<script>"})
	if rec.Code != http.StatusBadRequest || strings.Contains(rec.Body.String(), "<script>") ||
		!strings.Contains(rec.Body.String(), "&lt;script&gt;") {
		t.Errorf("form error: %d\n%.600s", rec.Code, rec.Body)
	}
}

func TestServeValidate(t *testing.T) {
	h := testServer(t, 20<<20)
	messy, _ := os.ReadFile(repoPath("testdata", "inventory", "messy.csv"))
	rec := post(t, h, "/api/validate", "messy.csv", messy, nil)
	var v struct {
		Valid    bool
		Errors   int
		Problems []struct{ Row int }
		Levels   map[string]float64
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || rec.Code != 200 || v.Valid || v.Errors == 0 || len(v.Problems) == 0 {
		t.Errorf("validate messy: %d %v %+v", rec.Code, err, v)
	}
}

// FuzzServeUpload sends arbitrary bytes under arbitrary names: the server
// answers every one with a status below 500 and never panics.
func FuzzServeUpload(f *testing.F) {
	for _, name := range []string{"polonium.csv", "example.yaml", "example.xlsx", "example-eu.csv", "messy.csv"} {
		if data, err := os.ReadFile(repoPath("testdata", "inventory", name)); err == nil {
			f.Add(name, data)
		}
	}
	f.Add("x.json", []byte(`[{"mitigation":"M1032","status":"yes"}]`))
	f.Add("", []byte{})
	h := testServer(f, 1<<20)
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if name == "" {
			name = "upload"
		}
		rec := post(t, h, "/api/analyze", name, data, map[string]string{"groups": "G1005"})
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, name, rec.Body)
		}
		io.Copy(io.Discard, rec.Body)
	})
}

// TestServeXLSXBomb: a small workbook whose sheet unzips to tens of
// megabytes is refused by limits taken from the upload's own size, inside
// the request's slot, rather than parsed (or spilled to disk).
func TestServeXLSXBomb(t *testing.T) {
	src, err := zip.OpenReader(repoPath("testdata", "inventory", "example.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range src.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			i := bytes.Index(data, []byte("<sheetData>"))
			if i < 0 {
				t.Fatalf("%s has no sheetData", f.Name)
			}
			pad := bytes.Repeat([]byte(" "), 60<<20)
			data = append(append(append([]byte{}, data[:i+11]...), pad...), data[i+11:]...)
		}
		w, _ := zw.Create(f.Name)
		w.Write(data)
	}
	zw.Close()
	if buf.Len() > 1<<20 {
		t.Fatalf("bomb is %d bytes; meant to be small", buf.Len())
	}
	h := testServer(t, 20<<20)
	rec := post(t, h, "/api/validate", "bomb.xlsx", buf.Bytes(), nil)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "bomb.xlsx") {
		t.Errorf("bomb: status %d: %.300s", rec.Code, rec.Body)
	}
}

func TestServeBusy(t *testing.T) {
	cat, err := attack.Embedded("enterprise")
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(cat, 1<<20, 1)
	s.wait = 10 * time.Millisecond
	inv := []byte("Mitigation,Status\nM1032,yes\n")
	// Another upload holds the only analysis slot: a received upload waits
	// a little, then is told to retry.
	s.slots <- struct{}{}
	rec := post(t, s.routes(), "/api/validate", "p.csv", inv, nil)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("no analysis slot: %d", rec.Code)
	}
	<-s.slots
	// Every upload place is taken (slow clients): told at once to retry.
	for range cap(s.uploads) {
		s.uploads <- struct{}{}
	}
	rec = post(t, s.routes(), "/api/validate", "p.csv", inv, nil)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("no upload place: %d %v", rec.Code, rec.Header())
	}
	for range cap(s.uploads) {
		<-s.uploads
	}
	// Free again: the same upload goes through, and leaves the slots free.
	if rec = post(t, s.routes(), "/api/validate", "p.csv", inv, nil); rec.Code != http.StatusOK {
		t.Errorf("after the rush: %d %s", rec.Code, rec.Body)
	}
	// A refused field after the body is in releases the slot too.
	if rec = post(t, s.routes(), "/api/analyze", "p.csv", inv, map[string]string{"model": "avg"}); rec.Code != http.StatusBadRequest {
		t.Errorf("bad model: %d", rec.Code)
	}
	if len(s.slots) != 0 || len(s.uploads) != 0 {
		t.Errorf("slots not released: %d analysis, %d upload", len(s.slots), len(s.uploads))
	}
}
