package inventory

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/covgap/covgap/attack"
)

// statusWords maps folded status words (letters and digits only, lower
// case) to statuses. "In progress" and its kin are partial: something is
// deployed and working somewhere, which is what partial means; a team that
// has only scheduled the work writes planned. They are also counted as
// planned for the --planned what-if, since the work is committed.
var statusWords = func() map[string]Status {
	m := map[string]Status{}
	add := func(s Status, words ...string) {
		for _, w := range words {
			m[fold(w)] = s
		}
	}
	add(StatusImplemented, "implemented", "yes", "y", "true", "deployed", "in place", "enabled", "complete",
		"completed", "full", "fully implemented", "fully deployed", "done", "active", "on", "live", "in production",
		"operational", "1", "green", "effective", "compliant", "available", "enforced", "✓", "✔", "☑")
	add(StatusPartial, "partial", "partially", "partially implemented", "partially deployed", "partly", "limited",
		"some", "incomplete", "amber", "yellow", "in part", "partially compliant", "partially effective")
	add(StatusPartial, inProgressWords...)
	add(StatusPlanned, "planned", "roadmap", "on roadmap", "on the roadmap", "scheduled", "backlog", "to do", "todo",
		"proposed", "future", "budgeted", "approved", "not started yet")
	add(StatusNotImplemented, "not implemented", "no", "n", "false", "none", "missing", "absent", "not in place",
		"not deployed", "not started", "disabled", "off", "0", "red", "gap", "not done", "unimplemented",
		"not present", "not enabled", "non compliant", "noncompliant", "not compliant", "✗", "✘", "❌")
	add(StatusNotApplicable, "not applicable", "n/a", "na", "n.a.", "not relevant", "out of scope", "does not apply",
		"doesn't apply", "excluded", "exempt", "irrelevant")
	return m
}()

var inProgressWords = []string{"in progress", "inprogress", "ongoing", "on going", "pilot", "piloting", "in pilot",
	"rolling out", "roll out", "rollout", "being deployed", "being implemented", "in deployment", "deploying",
	"implementing", "wip", "work in progress", "underway", "under way", "in testing", "testing", "poc",
	"proof of concept", "started"}

var inProgress = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range inProgressWords {
		m[fold(w)] = true
	}
	return m
}()

// fold keeps letters and digits, lower-cased, so "N/A", "n.a." and "NA"
// meet; a cell of symbols only, such as ✓, is kept as it is.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return strings.TrimSpace(s)
	}
	return b.String()
}

// statusCandidates returns the ways a free-text status cell may be read,
// whole first: "Partial - servers only" and "Implemented (2024)" carry a
// status word followed by a remark.
func statusCandidates(s string) []string {
	out := []string{s}
	if b := strings.TrimSpace(bracketed.ReplaceAllString(s, " ")); b != s && b != "" {
		out = append(out, b)
	}
	for _, sep := range []string{" - ", " – ", " — ", ":", ",", ";", "(", "/"} {
		if before, _, ok := strings.Cut(s, sep); ok && strings.TrimSpace(before) != "" {
			out = append(out, before)
		}
	}
	return out
}

// parseStatus reads a status cell; ok is false for a word it does not know.
// An empty cell is StatusUnknown.
func parseStatus(s string) (Status, bool) {
	if strings.TrimSpace(s) == "" {
		return StatusUnknown, true
	}
	if st, ok := statusWords[fold(s)]; ok { // the usual case, without the splitting
		return st, true
	}
	for _, c := range statusCandidates(s) {
		if st, ok := statusWords[fold(c)]; ok {
			return st, true
		}
	}
	return StatusUnknown, false
}

// isInProgress reports whether a status cell says the work is under way.
func isInProgress(s string) bool {
	if k := fold(s); inProgress[k] || statusWords[k] != "" {
		return inProgress[k]
	}
	for _, c := range statusCandidates(s) {
		if inProgress[fold(c)] {
			return true
		}
	}
	return false
}

func suggestStatus(s string) []string {
	words := []string{"implemented", "partial", "planned", "not implemented", "not applicable", "in progress"}
	cands := make([]attack.Candidate, 0, len(words))
	for _, w := range words {
		cands = append(cands, attack.Candidate{Key: w, Label: w})
	}
	out := attack.Suggest(s, cands, 2)
	// "Not planned" is closest in spelling to "planned", which says the
	// opposite: a negated word is only ever offered a negative status.
	if w := statusTokens(s); len(w) > 0 && negations[w[0]] {
		neg := []string{}
		for _, o := range out {
			if strings.HasPrefix(o, "not ") {
				neg = append(neg, o)
			}
		}
		if len(neg) == 0 {
			neg = []string{"not implemented"}
		}
		out = neg
	}
	return out
}

// percentScale says how a column's bare numbers (no % sign) are meant.
type percentScale int

const (
	scaleFraction percentScale = iota // 0–1: 0.75 is 75 %
	scalePercent                      // 0–100: 75 is 75 %
	scaleEach                         // each value on its own: up to 1 a fraction, above 1 a percentage
)

// columnScale decides a coverage, scope or status column's scale from its
// values: one bare number above 1 shows the column is written in percent,
// so that a 1 there is 1 %, not 100 %; a column of 0.5, 0.75 and 1 is in
// fractions. rows are the inventory rows proper (see scaleRows): a totals
// line's "3.15" or a row that names no mitigation says nothing about how
// the team writes a coverage.
func columnScale(rows []record, idx int) percentScale {
	for _, r := range rows {
		if idx >= len(r.cells) {
			continue
		}
		n, hasPct, err := parseNumber(r.cells[idx])
		if err == nil && !hasPct && n > 1 {
			return scalePercent
		}
	}
	return scaleFraction
}

// placeholders are what teams write in a coverage or scope cell they have
// not filled in: they mean "no figure", not a mistake to report.
var placeholders = map[string]bool{"na": true, "n/a": true, "tbd": true, "tbc": true, "?": true, "??": true,
	"-": true, "--": true, "–": true, "—": true, "unknown": true, "null": true, "nil": true,
	"…": true, "...": true, ".": true, "notknown": true}

// isPlaceholder reports whether a coverage or scope cell holds a
// placeholder for "no figure".
func isPlaceholder(s string) bool {
	s = strings.TrimSpace(s)
	return placeholders[fold(s)] || placeholders[strings.ToLower(s)]
}

var errNotNumber = errors.New("not a number")

// parseNumber reads "75", "75%", "75 %", "0.75", "0,75" (a decimal comma,
// as European spreadsheets write it) and "75 percent".
func parseNumber(s string) (n float64, hasPct bool, err error) {
	s = strings.TrimSpace(s)
	// Most cells asked "is this a number?" are words (status columns are
	// tried as numbers on every row); answering without ParseFloat saves
	// an error allocation per cell.
	if s == "" || !(s[0] >= '0' && s[0] <= '9' || s[0] == '.' || s[0] == ',' || s[0] == '-' || s[0] == '+') {
		return 0, false, errNotNumber
	}
	lower := strings.ToLower(s)
	for _, suf := range []string{"%", "percent", "pct"} {
		if t, ok := strings.CutSuffix(lower, suf); ok {
			s, hasPct = strings.TrimSpace(t), true
			break
		}
	}
	if s == "" {
		return 0, hasPct, errNotNumber
	}
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	n, err = strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, hasPct, errNotNumber
	}
	return n, hasPct, nil
}

// parsePercent reads a coverage or scope cell as a fraction 0–1. warn is
// set when the reading is plausible but worth a second look.
func parsePercent(s string, scale percentScale) (v float64, warn string, err error) {
	n, hasPct, err := parseNumber(s)
	if err != nil {
		return 0, "", fmt.Errorf("%q is not a number", s)
	}
	switch {
	case hasPct:
		v = n / 100
	case scale == scaleFraction || scale == scaleEach && n <= 1:
		v = n
	default:
		v = n / 100
		switch {
		case n > 0 && n < 1:
			warn = fmt.Sprintf("%s is read as %s%% because the column is written in percent; write %s if %s%% was meant",
				s, strconv.FormatFloat(n, 'f', -1, 64), strconv.FormatFloat(n*100, 'f', -1, 64), strconv.FormatFloat(n*100, 'f', -1, 64))
		case n == 1:
			// In a column of 80s and 50s a lone 1 is more likely "fully"
			// than 1 %, but the column's rule must hold for every cell.
			warn = fmt.Sprintf("%s is read as 1%% because the column is written in percent; write 100 if you mean fully", s)
		}
	}
	if v < 0 || v > 1+1e-9 {
		return 0, "", fmt.Errorf("%q is outside 0–100 %%", s)
	}
	return min(v, 1), warn, nil
}

// level is a row's implementation level per SPEC §3: coverage when given,
// else the status's level; times scope when given. Not applicable is 0.
func level(s Status, coverage, scope *float64) float64 {
	if s == StatusNotApplicable {
		return 0
	}
	l := 0.0
	switch {
	case coverage != nil:
		l = *coverage
	case s == StatusImplemented:
		l = 1
	case s == StatusPartial:
		l = 0.5
	}
	if scope != nil {
		l *= *scope
	}
	return l
}

// pct formats a 0–1 level as a percentage with at most one decimal.
func pct(v float64) string {
	return strconv.FormatFloat(math.Round(v*1000)/10, 'f', -1, 64) + "%"
}
