package reports

// ATT&CK Navigator layers (layer format 4.5, checked against MITRE's
// LAYERFORMATv4_5 and ../shared/navigator/layer-example-attack17.json).
//
// A technique's score is its coverage × 100 on a red → yellow → green
// gradient over 0–100, so gaps stand out red. An unmitigable technique has
// no score (it is in no percentage) and an explicit grey colour, with a
// comment saying why. Every technique is written once per tactic it belongs
// to, so the annotation shows in each column where the Navigator draws it.

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
)

// Colours of the layers; the gradient runs from gapColour to coveredColour.
const (
	gapColour         = "#ff6666"
	partialColour     = "#ffe766"
	coveredColour     = "#8ec843"
	unmitigableColour = "#bfbfbf"

	navigatorVersion = "5.1.0" // the layer loads in Navigator ≥ 4.9.0; 5.1.0 is current
	layerVersion     = "4.5"
)

type layer struct {
	Name                          string           `json:"name"`
	Versions                      layerVersions    `json:"versions"`
	Domain                        string           `json:"domain"`
	Description                   string           `json:"description"`
	Sorting                       int              `json:"sorting"`
	Layout                        layerLayout      `json:"layout"`
	HideDisabled                  bool             `json:"hideDisabled"`
	Techniques                    []layerTechnique `json:"techniques"`
	Gradient                      layerGradient    `json:"gradient"`
	LegendItems                   []legendItem     `json:"legendItems"`
	Metadata                      []metadataItem   `json:"metadata"`
	Links                         []layerLink      `json:"links,omitempty"`
	ShowTacticRowBackground       bool             `json:"showTacticRowBackground"`
	TacticRowBackground           string           `json:"tacticRowBackground"`
	SelectTechniquesAcrossTactics bool             `json:"selectTechniquesAcrossTactics"`
	SelectSubtechniquesWithParent bool             `json:"selectSubtechniquesWithParent"`
	SelectVisibleTechniques       bool             `json:"selectVisibleTechniques"`
}

type layerVersions struct {
	Attack    string `json:"attack,omitempty"`
	Navigator string `json:"navigator"`
	Layer     string `json:"layer"`
}

type layerLayout struct {
	Layout                string `json:"layout"`
	AggregateFunction     string `json:"aggregateFunction"`
	ShowID                bool   `json:"showID"`
	ShowName              bool   `json:"showName"`
	ShowAggregateScores   bool   `json:"showAggregateScores"`
	CountUnscored         bool   `json:"countUnscored"`
	ExpandedSubtechniques string `json:"expandedSubtechniques"`
}

type layerTechnique struct {
	TechniqueID string         `json:"techniqueID"`
	Tactic      string         `json:"tactic,omitempty"` // omitted: the Navigator applies it under every tactic
	Score       *float64       `json:"score,omitempty"`
	Color       string         `json:"color,omitempty"`
	Comment     string         `json:"comment"`
	Enabled     bool           `json:"enabled"`
	Metadata    []metadataItem `json:"metadata"`
	Links       []layerLink    `json:"links,omitempty"`
}

type layerGradient struct {
	Colors   []string `json:"colors"`
	MinValue float64  `json:"minValue"`
	MaxValue float64  `json:"maxValue"`
}

type legendItem struct {
	Label string `json:"label"`
	Color string `json:"color"`
}

type metadataItem struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type layerLink struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

func newLayer(res *analyzer.Result, name, description string) *layer {
	domain := res.Attack.Domain
	if domain == "" {
		domain = attack.Enterprise
	}
	return &layer{
		Name: name,
		// The full catalog version ("18.1") says exactly which catalog
		// scored the layer; the Navigator compares only its leading major
		// number, as MITRE's own "17.0" shows. An unknown version (a vault
		// without --attack-version) is left out rather than guessed.
		Versions:    layerVersions{Attack: res.Attack.Version, Navigator: navigatorVersion, Layer: layerVersion},
		Domain:      domain,
		Description: description,
		Layout: layerLayout{
			Layout: "side", AggregateFunction: "average", ShowID: true, ShowName: true,
			// Open the parents of scored sub-techniques, so a gap in
			// T1567.002 is visible without clicking.
			ExpandedSubtechniques: "annotated",
		},
		Techniques: []layerTechnique{},
		Gradient:   layerGradient{Colors: []string{gapColour, partialColour, coveredColour}, MinValue: 0, MaxValue: 100},
		LegendItems: []legendItem{
			// Scored cells take their colour from the gradient, so the
			// legend names scores: a partial cell at 90 is nearly green.
			{Label: "score 100: covered", Color: coveredColour},
			{Label: "score 50: half covered (1-99 partial, shaded between)", Color: partialColour},
			{Label: "score 0: gap, no mitigation in place", Color: gapColour},
			{Label: "grey, no score: unmitigable (no deployable ATT&CK mitigation)", Color: unmitigableColour},
		},
		ShowTacticRowBackground:       true,
		TacticRowBackground:           "#205b8f",
		SelectTechniquesAcrossTactics: true,
		SelectSubtechniquesWithParent: false,
	}
}

func catalogLine(res *analyzer.Result) string {
	s := strings.TrimSpace(res.Attack.Domain + " " + res.Attack.Version)
	if res.Attack.Source != "" {
		s += " (" + res.Attack.Source + ")"
	}
	return s
}

func countsMetadata(score *float64, c analyzer.Counts) []metadataItem {
	return []metadataItem{
		{Name: "score", Value: fmtScore(score)},
		{Name: "techniques", Value: fmt.Sprint(c.Techniques)},
		{Name: "mitigable", Value: fmt.Sprint(c.Mitigable)},
		{Name: "covered", Value: fmt.Sprint(c.Covered)},
		{Name: "partial", Value: fmt.Sprint(c.Partial)},
		{Name: "gaps", Value: fmt.Sprint(c.Gaps)},
		{Name: "unmitigable", Value: fmt.Sprint(c.Unmitigable)},
	}
}

func runMetadata(r *Report) []metadataItem {
	res := r.Result
	md := []metadataItem{
		{Name: "catalog", Value: catalogLine(res)},
		{Name: "model", Value: string(res.Model)},
	}
	if whatIf(res) {
		md = append(md, metadataItem{Name: "what-if", Value: whatIfLine(res)})
	}
	if !r.Generated.IsZero() {
		md = append(md, metadataItem{Name: "generated", Value: r.Generated.UTC().Format("2006-01-02 15:04 UTC")})
	}
	if r.Tool != "" {
		md = append(md, metadataItem{Name: "tool", Value: r.Tool})
	}
	return md
}

// whatIfLine says what a what-if assumed: "assume M1032, M1037; planned".
func whatIfLine(res *analyzer.Result) string {
	var parts []string
	if len(res.Options.Assume) > 0 {
		parts = append(parts, "assume "+strings.Join(res.Options.Assume, ", "))
	}
	if res.Options.Planned {
		parts = append(parts, "planned treated as implemented")
	}
	return strings.Join(parts, "; ")
}

// layerTechniques annotates one item, once per tactic.
func layerTechniques(r *Report, it *analyzer.Item, extra string) []layerTechnique {
	t := layerTechnique{TechniqueID: it.Technique, Enabled: true}
	var comment []string
	if it.State == analyzer.Unmitigable {
		t.Color = unmitigableColour
		comment = append(comment, "unmitigable: ATT&CK names no deployable mitigation for this technique; left out of every score")
	} else {
		score := it.Coverage * 100
		t.Score = &score
		comment = append(comment, fmt.Sprintf("%s, coverage %s", it.State, fmtPercent(it.Coverage)))
		if it.AssumedState != "" && it.AssumedCoverage != nil {
			comment = append(comment, fmt.Sprintf("what-if: %s, coverage %s", it.AssumedState, fmtPercent(*it.AssumedCoverage)))
		}
		inWord, missWord := levelWords(it)
		if p := inPlace(it, true); len(p) > 0 {
			comment = append(comment, inWord+": "+strings.Join(p, ", "))
		}
		if m := missing(it, true); len(m) > 0 {
			comment = append(comment, missWord+": "+strings.Join(m, ", "))
		}
	}
	if extra != "" {
		comment = append(comment, extra)
	}
	t.Comment = strings.Join(comment, "\n")
	t.Metadata = []metadataItem{
		{Name: "state", Value: string(it.State)},
		{Name: "coverage", Value: fmtPercent(it.Coverage)},
	}
	if it.Weight > 0 {
		// n(t): how much this technique weighs in the profile score.
		t.Metadata = append(t.Metadata, metadataItem{Name: "weight", Value: fmtNumber(it.Weight)})
	}
	if it.AssumedState != "" {
		t.Metadata = append(t.Metadata, metadataItem{Name: "assumed state", Value: string(it.AssumedState)})
		if it.AssumedCoverage != nil {
			t.Metadata = append(t.Metadata, metadataItem{Name: "assumed coverage", Value: fmtPercent(*it.AssumedCoverage)})
		}
	}
	if u := attack.URL(it.Technique); u != "" {
		t.Links = []layerLink{{Label: it.Technique + " on attack.mitre.org", URL: u}}
	}
	tactics := tacticsOf(r, it)
	if len(tactics) == 0 {
		return []layerTechnique{t}
	}
	out := make([]layerTechnique, 0, len(tactics))
	for _, tac := range tactics {
		e := t
		e.Tactic = tac
		out = append(out, e)
	}
	return out
}

func groupLayer(r *Report, g *analyzer.GroupResult) *layer {
	res := r.Result
	desc := fmt.Sprintf("Mitigation coverage of %s %s: score %s (%d covered, %d partial, %d gaps, %d unmitigable of %d techniques). Catalog %s, model %s.",
		g.ID, g.Name, fmtScore(g.Score), g.Covered, g.Partial, g.Gaps, g.Unmitigable, g.Techniques, catalogLine(res), res.Model)
	l := newLayer(res, strings.TrimSpace(g.ID+" "+g.Name)+" coverage", desc)
	for i := range g.Items {
		l.Techniques = append(l.Techniques, layerTechniques(r, &g.Items[i], "")...)
	}
	l.Metadata = append(countsMetadata(g.Score, g.Counts), runMetadata(r)...)
	if g.AssumedScore != nil {
		l.Metadata = append(l.Metadata, metadataItem{Name: "assumed score", Value: fmtScore(g.AssumedScore)})
	}
	if u := attack.URL(g.ID); u != "" {
		l.Links = []layerLink{{Label: g.ID + " on attack.mitre.org", URL: u}}
	}
	return l
}

// profileLayer scores the profile's techniques (coverage is a technique's
// own, whichever group uses it; the profile score weighs them by n(t)) and
// names in each comment the groups that use the technique.
func profileLayer(r *Report) *layer {
	res := r.Result
	name := res.Profile.Name
	if name == "" {
		name = "threat profile"
	}
	desc := fmt.Sprintf("Mitigation coverage of %s (%s): profile score %s, weighted by how many of the groups use each technique. Catalog %s, model %s.",
		name, plural(res.Profile.Groups, "group"), fmtScore(res.Profile.Score), catalogLine(res), res.Model)
	l := newLayer(res, name+" coverage", desc)
	for i := range res.Techniques {
		it := &res.Techniques[i]
		extra := ""
		if len(it.Groups) > 0 {
			extra = "used by " + strings.Join(it.Groups, ", ")
		}
		l.Techniques = append(l.Techniques, layerTechniques(r, it, extra)...)
	}
	l.Metadata = append(countsMetadata(res.Profile.Score, res.Profile.Counts), metadataItem{Name: "groups", Value: fmt.Sprint(res.Profile.Groups)})
	if res.Profile.AssumedScore != nil {
		l.Metadata = append(l.Metadata, metadataItem{Name: "assumed score", Value: fmtScore(res.Profile.AssumedScore)})
	}
	l.Metadata = append(l.Metadata, runMetadata(r)...)
	return l
}

func encodeLayer(w io.Writer, l *layer) error { return WriteJSON(w, l) }

func writeProfileLayer(w io.Writer, r *Report) error { return encodeLayer(w, profileLayer(r)) }

// writeLayers writes profile.json and one layer per group into dir.
func writeLayers(dir string, r *Report) error {
	taken := map[string]bool{"profile": true}
	if err := writeFileAtomic(filepath.Join(dir, "profile.json"), func(w io.Writer) error {
		return writeProfileLayer(w, r)
	}); err != nil {
		return err
	}
	for i := range r.Result.Groups {
		g := &r.Result.Groups[i]
		name := uniqueName(taken, safeFileName(g.ID, g.Name)) + ".json"
		if err := writeFileAtomic(filepath.Join(dir, name), func(w io.Writer) error {
			return encodeLayer(w, groupLayer(r, g))
		}); err != nil {
			return err
		}
	}
	return nil
}
