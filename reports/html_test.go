package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHTMLReport(t *testing.T) {
	r := testReport(t)
	// A name a hostile Workbench bundle could carry: it must arrive as text.
	r.Result.Groups[0].Name = `<script>alert(1)</script>`
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<script>") {
		t.Error("a group name became markup")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the hostile group name is missing instead of escaped")
	}
	res := r.Result
	for _, want := range []string{
		fmtScore(res.Profile.Score),
		res.Attack.Version,
		"model " + string(res.Model),
		`href="https://attack.mitre.org/groups/G1005/"`,
		`href="https://attack.mitre.org/techniques/T1567/002/"`,
		"The MITRE Corporation",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, g := range res.Groups {
		if !strings.Contains(page, ">"+fmtScore(g.Score)+"<") {
			t.Errorf("page lacks %s's score %s", g.ID, fmtScore(g.Score))
		}
	}
	for _, rec := range res.Recommendations {
		if !strings.Contains(page, rec.Mitigation) || !strings.Contains(page, "+"+fmtScore(&rec.Gain)) {
			t.Errorf("page lacks recommendation %s +%s", rec.Mitigation, fmtScore(&rec.Gain))
		}
	}
	// Groups lowest score first, as the other reports order them.
	first, last := res.Groups[0], res.Groups[0]
	for _, g := range res.Groups {
		if g.Score != nil && (first.Score == nil || *g.Score < *first.Score) {
			first = g
		}
		if g.Score != nil && (last.Score == nil || *g.Score > *last.Score) {
			last = g
		}
	}
	if first.ID != last.ID && strings.Index(page, ">"+first.ID+"<") > strings.Index(page, ">"+last.ID+"<") {
		t.Errorf("%s (lowest) comes after %s (highest)", first.ID, last.ID)
	}
}

func TestHTMLFileOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	w, err := ForFile(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(testReport(t)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(data, []byte("<!DOCTYPE html>")) {
		t.Fatalf("report.html: %v, starts %.40q", err, data)
	}
}
