package inventory

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// negations in a status remark say the status does not hold everywhere:
// "Implemented (not on servers)", "Yes (except OT)".
var negations = map[string]bool{"not": true, "except": true, "excluding": true, "excl": true, "without": true}

// remarkAmbiguous are status words too common in ordinary remarks to be
// read as a second status there ("Implemented (on laptops)", "Yes, some
// exceptions"); they count only as the leading word.
var remarkAmbiguous = map[string]bool{"y": true, "n": true, "1": true, "0": true, "on": true, "off": true,
	"some": true, "full": true, "live": true, "active": true, "available": true, "future": true, "testing": true,
	"started": true, "done": true, "none": true, "gap": true, "effective": true, "approved": true, "no": true, "red": true}

// remarkPercent finds a share written in a status remark: "Yes – 60%",
// "Y - 50% of servers".
var remarkPercent = regexp.MustCompile(`(?i)(\d+(?:[.,]\d+)?)\s*(?:%|percent\b)`)

// choiceSep separates the choices of "Yes/No" or "True or False".
var choiceSep = regexp.MustCompile(`(?i)\s*/\s*|\s+or\s+`)

// statusTokens splits a status cell into lower-case words of letters and
// digits.
func statusTokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// statusReading is a status cell as understood.
type statusReading struct {
	status   Status
	coverage *float64 // a percentage written in the remark, 0–1
	warn     string   // the reading is a judgement worth a look
	err      string   // the cell holds a status word but cannot be read as one answer
}

// readStatus reads a status cell with its remark. A leading status word
// followed by a remark ("Partial - servers only") is that status, as
// parseStatus says, except when the remark qualifies an implemented row:
// another status word ("In place (partial)", "Deployed (pilot)",
// "Green/Amber", "Yes – disabled on OT") or a negation ("Implemented (not
// on servers)") makes it partial, with a warning, since claiming more than
// the team wrote would inflate the score. "No – planned Q3" is planned. A share in the remark ("Yes – 60%") is returned as coverage.
// "Yes/No", both choices of a template left in the cell, is no answer.
// ok is false when the cell has no status word at all.
func readStatus(s string) (statusReading, bool) {
	st, ok := parseStatus(s)
	if !ok {
		return statusReading{}, false
	}
	r := statusReading{status: st}
	if _, whole := statusWords[fold(s)]; whole || st == StatusUnknown {
		return r, true
	}
	// "Yes/No", "Y/N", "True or False": opposite status words offered as
	// a list of choices, as a template leaves them.
	if parts := choiceSep.Split(s, -1); len(parts) >= 2 {
		hasYes, hasNo, all := false, false, true
		for _, p := range parts {
			f, ok := statusWords[fold(p)]
			all = all && ok
			hasYes = hasYes || f == StatusImplemented
			hasNo = hasNo || f == StatusNotImplemented
		}
		if all && hasYes && hasNo {
			r.err = fmt.Sprintf("status %q lists both choices, as an unfilled template does; expected one of them", s)
			return r, true
		}
	}
	toks := statusTokens(s)
	var found []Status
	negated := false
	for i := 0; i < len(toks); {
		matched := false
		for j := min(len(toks), i+4); j > i; j-- {
			key := strings.Join(toks[i:j], "")
			f, ok := statusWords[key]
			if !ok || j == i+1 && i > 0 && remarkAmbiguous[key] {
				continue
			}
			found = append(found, f)
			i, matched = j, true
			break
		}
		if !matched {
			negated = negated || negations[toks[i]]
			i++
		}
	}
	// A remark never raises a status, and lowers an implemented one only
	// to partial: "Implemented (not on servers)" and "Yes – MFA disabled
	// for service accounts" say it is in place, though not everywhere,
	// which is what partial means; reading them as not implemented would
	// understate as much as implemented overstates.
	low := st
	for _, f := range found {
		switch {
		case f == StatusNotApplicable || f == StatusUnknown:
		case st == StatusImplemented && f != StatusImplemented:
			low = StatusPartial
		case f == StatusPlanned && st == StatusNotImplemented:
			// "No – planned Q3": nothing deployed, but the work is committed.
			low = f
		}
	}
	if negated && st == StatusImplemented {
		low = StatusPartial
	}
	if low != st {
		r.status = low
		r.warn = fmt.Sprintf("status %q is qualified by its remark; read as %s, not %s", s, low, st)
	}
	if m := remarkPercent.FindStringSubmatch(s); m != nil {
		if n, _, err := parseNumber(m[1]); err == nil && n >= 0 && n <= 100 {
			v := n / 100
			r.coverage = &v
		}
	}
	return r, true
}
