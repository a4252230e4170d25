package analyzer

import "github.com/covgap/covgap/attack"

// Deployable returns M(t) of SPEC §4: the mitigations of t that name a
// control an organisation can deploy: all of them but M1056 Pre-compromise
// and ICS's M0816 (see attack.Deployable). A technique for which it is
// empty is unmitigable.
func Deployable(t *attack.Technique) []string {
	if t == nil {
		return nil
	}
	out := make([]string, 0, len(t.Mitigations))
	for _, m := range t.Mitigations {
		if attack.Deployable(m) {
			out = append(out, m)
		}
	}
	return out
}
