package attack

import (
	"sort"
	"strings"
	"unicode"
)

// Candidate is one string a query may have meant, and the label to show
// for it (several keys, such as an ID, a name and aliases, share a label).
type Candidate struct {
	Key, Label string
}

// Suggest returns up to n labels whose keys are closest to q, best first.
// Keys are compared with case, spaces and punctuation folded away, so
// "APT-29" finds "APT29" at distance 0; a key within an edit distance of
// about a third of its length, or one that contains the query (or is
// contained in it) as a word-ish substring, counts as near.
func Suggest(q string, cands []Candidate, n int) []string {
	nq := squash(q)
	if nq == "" || n <= 0 {
		return nil
	}
	type scored struct {
		label string
		d     int
	}
	best := map[string]int{}
	for _, c := range cands {
		nk := squash(c.Key)
		if nk == "" {
			continue
		}
		d := distance(nq, nk, maxDist(nq, nk))
		if d < 0 {
			// Containment catches "MFA token" vs a long name poorly, but it
			// does catch a truncated or extended name.
			if len(nq) >= 4 && (strings.Contains(nk, nq) || strings.Contains(nq, nk) && len(nk) >= 4) {
				d = maxDist(nq, nk) + 1
			} else {
				continue
			}
		}
		if old, ok := best[c.Label]; !ok || d < old {
			best[c.Label] = d
		}
	}
	out := make([]scored, 0, len(best))
	for l, d := range best {
		out = append(out, scored{l, d})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].d != out[j].d {
			return out[i].d < out[j].d
		}
		return out[i].label < out[j].label
	})
	if len(out) > n {
		out = out[:n]
	}
	labels := make([]string, len(out))
	for i, s := range out {
		labels[i] = s.label
	}
	return labels
}

// squash folds case and drops everything but letters and digits.
func squash(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func maxDist(a, b string) int {
	l := len([]rune(a))
	if lb := len([]rune(b)); lb > l {
		l = lb
	}
	d := l / 3
	if d < 1 {
		d = 1
	}
	return d
}

// distance is the Levenshtein distance of a and b, or -1 when it exceeds
// limit (checked per row, so long unrelated strings cost little).
func distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return -1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return -1
		}
		prev, cur = cur, prev
	}
	if prev[len(rb)] > limit {
		return -1
	}
	return prev[len(rb)]
}
