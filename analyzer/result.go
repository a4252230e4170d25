// Package analyzer scores an inventory against a catalog (SPEC §4): the
// coverage of every technique a threat profile's groups use, per-group and
// per-tactic scores, the weighted profile score, greedy recommendations and
// what-if scenarios. Comparing saved assessments is package assessment's.
//
// It is pure computation: no files, no network, no printing. Everything it
// needs arrives as arguments and everything it finds is in the returned
// values, so a result can be traced from inventory row to mitigation to
// technique to group.
package analyzer

import (
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// Model is how a technique's coverage is derived from the levels of the
// mitigations that mitigate it.
type Model string

// The models of SPEC §4.
const (
	ModelMax     Model = "max"      // the best single mitigation
	ModelMean    Model = "mean"     // depth of defence: the average level
	ModelNoisyOr Model = "noisy-or" // 1 − Π(1 − level)
)

// State of a technique under an inventory.
type State string

// States of SPEC §4.
const (
	Covered     State = "covered"     // c(t) = 1
	Partial     State = "partial"     // 0 < c(t) < 1
	Gap         State = "gap"         // c(t) = 0
	Unmitigable State = "unmitigable" // no deployable mitigation: left out of every percentage
)

// Member is one group of a threat profile with its weight.
type Member struct {
	Group  *attack.Group
	Weight float64 // > 0; 1 by default
}

// Profile is the set of groups an assessment is about. A custom group (from
// a Navigator layer) is an *attack.Group that the catalog does not hold;
// its Uses are taken as they are.
type Profile struct {
	Name    string
	Members []Member
	// Notes tell what selecting the groups involved that the user should
	// hear about, such as a revoked group followed to its replacement.
	Notes []string
}

// Options of one analysis.
type Options struct {
	Model  Model
	Uses   attack.UseOptions // campaigns and software
	Top    int               // recommendations to make; 0 means none
	Assume []string          // mitigation IDs treated as implemented (what-if)
	// Planned treats mitigations with a planned row as implemented (what-if).
	Planned bool
}

// CatalogInfo says which catalog produced a result.
type CatalogInfo struct {
	Domain  string `json:"domain"`
	Version string `json:"version"`
	Source  string `json:"source"`
}

// OptionsInfo records the options of a result for reports and assessments.
type OptionsInfo struct {
	Campaigns       bool     `json:"campaigns"`
	IncludeSoftware bool     `json:"include_software"`
	Top             int      `json:"top"`
	Assume          []string `json:"assume,omitempty"`
	Planned         bool     `json:"planned,omitempty"`
	Profile         string   `json:"profile,omitempty"` // the profile's name or source
}

// Counts of a group's (or tactic's) techniques by state. Techniques =
// Mitigable + Unmitigable; Mitigable = Covered + Partial + Gaps.
type Counts struct {
	Techniques  int `json:"techniques"`
	Mitigable   int `json:"mitigable"`
	Covered     int `json:"covered"`
	Partial     int `json:"partial"`
	Gaps        int `json:"gaps"`
	Unmitigable int `json:"unmitigable"`
}

// MitigationLevel is one mitigation of a technique with its level in the
// inventory as read and, in a what-if that changes it, the assumed level.
// Level always goes with the item's real Coverage and State, and
// AssumedLevel with its AssumedCoverage and AssumedState, so neither pair
// mixes the two scenarios.
type MitigationLevel struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Level        float64  `json:"level"`
	AssumedLevel *float64 `json:"assumed_level,omitempty"`
}

// Effective is the level in the scenario the recommendations were made
// for: the assumed level in a what-if that changes it, else the real one.
func (m MitigationLevel) Effective() float64 {
	if m.AssumedLevel != nil {
		return *m.AssumedLevel
	}
	return m.Level
}

// Item is one technique of a group (or of the profile) with its coverage.
type Item struct {
	Technique   string            `json:"technique"`
	Name        string            `json:"name"`
	Tactics     []string          `json:"tactics,omitempty"`
	State       State             `json:"state"`
	Coverage    float64           `json:"coverage"` // 0–1; 0 for unmitigable
	Mitigations []MitigationLevel `json:"mitigations"`
	// Sources say why the group is linked to the technique: "direct",
	// campaign IDs, software IDs.
	Sources []string `json:"sources,omitempty"`
	// Weight is n(t), the summed weight of the profile's groups that use
	// the technique; set on the profile's items only.
	Weight float64 `json:"weight,omitempty"`
	// Groups using the technique; set on the profile's items only.
	Groups []string `json:"groups,omitempty"`
	// AssumedCoverage and AssumedState are the what-if values, when a
	// what-if was asked for.
	AssumedCoverage *float64 `json:"assumed_coverage,omitempty"`
	AssumedState    State    `json:"assumed_state,omitempty"`
}

// TacticResult is a group's score restricted to one tactic.
type TacticResult struct {
	Tactic string   `json:"tactic"` // short name
	Name   string   `json:"name"`
	Score  *float64 `json:"score"`
	// AssumedScore is the tactic's score under the what-if, when one was
	// asked for.
	AssumedScore *float64 `json:"assumed_score,omitempty"`
	Counts
}

// GroupResult is one group's score.
type GroupResult struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Weight float64  `json:"weight"`
	Score  *float64 `json:"score"` // nil when the group has no mitigable technique
	// AssumedScore is the score under the what-if, when one was asked for.
	AssumedScore *float64 `json:"assumed_score,omitempty"`
	Counts
	Tactics []TacticResult `json:"tactics"`
	Items   []Item         `json:"items"`
}

// ProfileScore is the weighted score of the whole profile.
type ProfileScore struct {
	Name         string   `json:"name,omitempty"`
	Score        *float64 `json:"score"`
	AssumedScore *float64 `json:"assumed_score,omitempty"`
	Groups       int      `json:"groups"`
	Counts
}

// Recommendation is one step of the greedy plan.
type Recommendation struct {
	Rank       int      `json:"rank"`
	Mitigation string   `json:"mitigation"`
	Name       string   `json:"name"`
	Level      float64  `json:"level"`       // its level before the step
	Gain       float64  `json:"gain"`        // increase of the profile score, in points
	ScoreAfter float64  `json:"score_after"` // the profile score after this and every earlier step
	Techniques []string `json:"techniques"`  // techniques this step turns to covered
	Groups     []string `json:"groups"`      // groups those techniques belong to
}

// InventorySummary is the inventory part of a result.
type InventorySummary struct {
	File        string              `json:"file,omitempty"`
	Rows        int                 `json:"rows"`
	Problems    []inventory.Problem `json:"problems"`
	NotAssessed []string            `json:"not_assessed"`
	Levels      map[string]float64  `json:"levels"`
}

// Result is one analysis: everything SPEC §5's JSON names, and what the
// reports need to explain it. It is read-only once made: the items of one
// technique in different groups share their Tactics and Mitigations slices
// (an analysis of all groups would otherwise copy them thousands of times),
// so a report that wants to reorder them must copy first.
type Result struct {
	Attack  CatalogInfo   `json:"attack"`
	Model   Model         `json:"model"`
	Options OptionsInfo   `json:"options"`
	Profile ProfileScore  `json:"profile"`
	Groups  []GroupResult `json:"groups"`
	// Techniques are the profile's techniques (union over its groups) with
	// n(t) and the groups using them, sorted by ID.
	Techniques      []Item           `json:"techniques"`
	Recommendations []Recommendation `json:"recommendations"`
	Inventory       InventorySummary `json:"inventory"`
}
