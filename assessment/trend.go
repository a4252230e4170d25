package assessment

import (
	"sort"
	"time"

	"github.com/covgap/covgap/analyzer"
)

// Trend is the scores of several assessments in date order.
type Trend struct {
	Points []Point `json:"assessments"`
	// Groups are every group of any assessment, sorted by ID; their
	// Scores and Deltas run parallel to Points.
	Groups []GroupTrend `json:"groups"`
}

// Point is one assessment of a trend with its profile score.
type Point struct {
	Label   string         `json:"label"` // the label, or the creation time when there is none (see Names)
	Created time.Time      `json:"created"`
	Version string         `json:"attack_version"`
	Model   analyzer.Model `json:"model"`
	Groups  int            `json:"groups"`
	Score   *float64       `json:"score"`
	// Delta is the change against the previous assessment; nil for the
	// first one or when either score is missing.
	Delta *float64 `json:"delta"`
}

// GroupTrend is one group's score across the assessments; nil where the
// group was not in the assessment or had no score.
type GroupTrend struct {
	ID     string     `json:"id"`
	Name   string     `json:"name"` // as the latest assessment holding it names it
	Scores []*float64 `json:"scores"`
	Deltas []*float64 `json:"deltas"`
}

// Trend orders the assessments by creation date, then label (two
// assessments of one day are told apart by their labels), and lists the
// saved scores with their changes. The input slice is not reordered.
func NewTrend(as []*Assessment) *Trend {
	sorted := append([]*Assessment(nil), as...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if !sorted[i].Created.Equal(sorted[j].Created) {
			return sorted[i].Created.Before(sorted[j].Created)
		}
		return sorted[i].Label < sorted[j].Label
	})
	t := &Trend{Points: []Point{}, Groups: []GroupTrend{}}
	byID := map[string]*GroupTrend{}
	var ids []string
	names := Names(sorted)
	for i, a := range sorted {
		p := Point{Label: names[i], Created: a.Created, Version: a.Catalog.Version, Model: a.Model,
			Groups: len(a.Groups), Score: copyPtr(a.Profile.Score)}
		if i > 0 {
			p.Delta = diff(t.Points[i-1].Score, p.Score)
		}
		t.Points = append(t.Points, p)
		for _, g := range a.Groups {
			gt := byID[g.ID]
			if gt == nil {
				gt = &GroupTrend{ID: g.ID, Scores: make([]*float64, len(sorted)), Deltas: make([]*float64, len(sorted))}
				byID[g.ID] = gt
				ids = append(ids, g.ID)
			}
			gt.Name = g.Name
			gt.Scores[i] = copyPtr(g.Score)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		gt := byID[id]
		for i := 1; i < len(gt.Scores); i++ {
			gt.Deltas[i] = diff(gt.Scores[i-1], gt.Scores[i])
		}
		t.Groups = append(t.Groups, *gt)
	}
	return t
}

func diff(a, b *float64) *float64 {
	if a == nil || b == nil {
		return nil
	}
	d := *b - *a
	return &d
}

// Latest is the group's last score that exists, or nil.
func (g GroupTrend) Latest() *float64 {
	for i := len(g.Scores) - 1; i >= 0; i-- {
		if g.Scores[i] != nil {
			return g.Scores[i]
		}
	}
	return nil
}

// Lowest returns the n groups with the lowest latest score, lowest first
// (ties by ID), leaving out groups that never had a score: these are the
// groups a chart of the trend should show next to the profile.
func (t *Trend) Lowest(n int) []GroupTrend {
	var gs []GroupTrend
	for _, g := range t.Groups {
		if g.Latest() != nil {
			gs = append(gs, g)
		}
	}
	sort.SliceStable(gs, func(i, j int) bool {
		a, b := *gs[i].Latest(), *gs[j].Latest()
		if a != b {
			return a < b
		}
		return gs[i].ID < gs[j].ID
	})
	if len(gs) > n {
		gs = gs[:n]
	}
	return gs
}
