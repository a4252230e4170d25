package inventory

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/covgap/covgap/attack"
)

// ref is one mitigation reference found in a cell: an active M-ID, or an
// error saying why the text names none.
type ref struct {
	id          string
	note        string // a warning, such as a revoked mitigation followed to its replacement
	err         error
	suggestions []string
}

// Longest run of comma-, slash- or "and"-separated pieces tried as one name.
// ATT&CK names hold at most one such separator ("SSL/TLS Inspection",
// "Registry Run Keys / Startup Folder Mitigation"); the bound keeps a cell
// of a thousand commas from costing a thousand squared look-ups.
const maxNameSpan = 4

// Most references one cell may hold; more is not a control but a paste.
const maxRefsPerCell = 100

var (
	idFirst = regexp.MustCompile(`^(?i)(M\d{4}|T\d{4}(?:\.\d{3})?)(?:$|[^\w.]\s*(.*)$)`)
	idLast  = regexp.MustCompile(`^(.*?)\s*[(\[]\s*(?i)(M\d{4}|T\d{4}(?:\.\d{3})?)\s*[)\]](?:\s*[-–—:]\s*.*)?$`)
	// dashRemark is "Network Segmentation – VLANs": a name, a spaced dash
	// and a remark.
	dashRemark     = regexp.MustCompile(`^(.+?)\s+[-–—]\s+(.+)$`)
	idList         = regexp.MustCompile(`^(?i)M\d{4}(?:\s+M\d{4})+$`)
	idAnyCase      = regexp.MustCompile(`(?i)M\d{4}`)
	trailingRemark = regexp.MustCompile(`^(.+?)\s*[(\[]([^()\[\]]*)[)\]]$`)
	idPrefix       = regexp.MustCompile(`^(?i)(?:(?:mitre|att&ck|attack|mitigation|id)\b[\s:#]*)+(M\d{4}\b.*)$`)
	mitigationURL  = regexp.MustCompile(`(?i)https?://attack\.mitre\.org/mitigations/(M\d{4})/?`)
	strongSep      = regexp.MustCompile(`[;\n\r]+`)
	weakSep        = regexp.MustCompile(`(?i)\s*(?:[,/|+&]|\band\b)\s*`)
)

// names indexes the catalog's mitigations, active and retired, by a key
// that ignores case, spaces and punctuation ("Multi factor authentication"
// finds "Multi-factor Authentication"), to the reference FindMitigation
// then resolves.
type names struct {
	byKey map[string]string
}

func newNames(cat *attack.Catalog) *names {
	n := &names{byKey: map[string]string{}}
	for _, r := range cat.Retired {
		if r.Kind != attack.KindMitigation {
			continue
		}
		canon := r.ID
		if canon == "" {
			canon = r.Name
		}
		n.byKey[squashKey(r.Name)] = canon
		n.byKey[squashKey(r.ID)] = canon
	}
	// Active names go in last so that they win over a retired namesake.
	for _, m := range cat.Mitigations {
		n.byKey[squashKey(m.Name)] = m.ID
		n.byKey[squashKey(m.ID)] = m.ID
	}
	delete(n.byKey, "")
	return n
}

func squashKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// resolve reads every mitigation a cell names. The whole cell is tried
// first, then its ";"- and line-separated parts, then runs of its ",", "/"
// and "and"-separated pieces, longest first, so that names containing a
// separator survive whole.
func (rd *reader) resolve(text string) []ref {
	if rd.names == nil {
		rd.names = newNames(rd.cat)
	}
	text = normalizeRef(text)
	if r, ok := rd.one(text); ok {
		return r
	}
	var out []ref
	for _, part := range strongSep.Split(text, -1) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		if r, ok := rd.one(part); ok {
			out = append(out, r...)
		} else {
			out = append(out, rd.pieces(part)...)
		}
		// Checked after each part, since one part may bring many.
		if len(out) > maxRefsPerCell {
			return tooMany(out)
		}
	}
	return out
}

// tooMany cuts a cell's references to the limit and says so.
func tooMany(out []ref) []ref {
	return append(out[:maxRefsPerCell], ref{err: fmt.Errorf("the cell names more than %d mitigations; split it into rows", maxRefsPerCell)})
}

// pieces splits one part at weak separators and matches runs of pieces.
// Unmatched neighbours are reported together, as they were written.
func (rd *reader) pieces(part string) []ref {
	seps := weakSep.FindAllStringIndex(part, -1)
	var toks []string // pieces and, between them, the separators as written
	last := 0
	for _, s := range seps {
		toks = append(toks, part[last:s[0]], part[s[0]:s[1]])
		last = s[1]
	}
	toks = append(toks, part[last:])
	n := (len(toks) + 1) / 2
	join := func(i, j int) string { return strings.Join(toks[2*i:2*j-1], "") }

	var out []ref
	unmatched := -1 // first piece of the current run of unmatched pieces
	flush := func(end int) {
		if unmatched >= 0 {
			s := strings.TrimSpace(join(unmatched, end))
			if strings.Trim(s, " ,/|+&") != "" {
				out = append(out, rd.unknown(s))
			}
			unmatched = -1
		}
	}
	for i := 0; i < n; {
		// No ATT&CK name holds a comma, so unmatched pieces either side of
		// one are separate mistakes ("MFA, SSO"), each with its suggestions.
		if i > 0 && strings.Contains(toks[2*i-1], ",") {
			flush(i)
		}
		matched := false
		for j := min(n, i+maxNameSpan); j > i; j-- {
			if r, ok := rd.one(join(i, j)); ok {
				flush(i)
				out = append(out, r...)
				i, matched = j, true
				break
			}
		}
		if !matched {
			if unmatched < 0 {
				unmatched = i
			}
			i++
		}
		if len(out) > maxRefsPerCell {
			return tooMany(out)
		}
	}
	flush(n)
	if len(out) > maxRefsPerCell {
		return tooMany(out)
	}
	return out
}

// one reads s as exactly one reference (or a space-separated list of
// M-IDs). ok is false when s names nothing the catalog knows, active or
// retired; an empty s is ok with no reference.
func (rd *reader) one(s string) ([]ref, bool) {
	s = strings.Trim(strings.TrimSpace(s), "•*·-–—\"'“”‘’ \t")
	if s == "" {
		return nil, true
	}
	// "ATT&CK M1032", "Mitigation M1030", "MITRE ID: M1032": a word that
	// only says what the ID is.
	if m := idPrefix.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	if idList.MatchString(s) {
		var out []ref
		for _, id := range idAnyCase.FindAllString(s, -1) {
			out = append(out, rd.lookup(id, ""))
		}
		return out, true
	}
	if canon, ok := rd.names.byKey[squashKey(s)]; ok {
		return []ref{rd.lookup(canon, "")}, true
	}
	// "Network Segmentation (VLANs)": an exact name with a remark, as an ID
	// may have one.
	if m := trailingRemark.FindStringSubmatch(s); m != nil && !idAnyCase.MatchString(m[2]) {
		if canon, ok := rd.names.byKey[squashKey(m[1])]; ok {
			return []ref{rd.lookup(canon, "")}, true
		}
	}
	// "Network Segmentation – VLANs": an exact name, a dash, a remark.
	if m := dashRemark.FindStringSubmatch(s); m != nil && !idAnyCase.MatchString(m[1]) && !idAnyCase.MatchString(m[2]) {
		if canon, ok := rd.names.byKey[squashKey(m[1])]; ok {
			return []ref{rd.lookup(canon, "")}, true
		}
	}
	// "M1018 - User Account Management", "M1018: UAM", "User Account
	// Management (M1018)", "User Account Management (M1018) – AD": the ID
	// decides, the words before it are a label, a remark after it is a
	// remark.
	var id, label string
	if m := idFirst.FindStringSubmatch(s); m != nil {
		// "M1020, M1049" and "M1032 and Audit" are lists, not an ID with a
		// label: leave them to be split.
		rest := strings.TrimSpace(s[len(m[1]):])
		if rest != "" && strings.ContainsRune(",;/|+&", rune(rest[0])) || idAnyCase.MatchString(m[2]) || strings.HasPrefix(strings.ToLower(rest), "and ") {
			return nil, false
		}
		id, label = m[1], m[2]
	} else if m := idLast.FindStringSubmatch(s); m != nil {
		id, label = m[2], m[1]
	}
	if id == "" {
		return nil, false
	}
	id = strings.ToUpper(id)
	canon, known := rd.names.byKey[squashKey(id)]
	if !known && id[0] == 'T' {
		return []ref{{err: fmt.Errorf("%s is an ATT&CK technique, not a mitigation", id), suggestions: rd.cat.MitigationsFor(id)}}, true
	}
	if !known {
		// An unknown ID is still plainly an ID: say so, with suggestions
		// from the label when there is one.
		r := rd.unknown(id)
		if hint := domainHint(rd.cat.Domain, id); hint != "" && r.err != nil {
			r.err = fmt.Errorf("%w; %s", r.err, hint)
		}
		if label != "" {
			if c, ok := rd.names.byKey[squashKey(label)]; ok {
				r.suggestions = []string{c + " " + rd.nameOf(c)}
			}
		}
		return []ref{r}, true
	}
	return []ref{rd.lookup(canon, label)}, true
}

// lookup resolves a reference the catalog knows. label is the text written
// beside an ID; when it is another mitigation's name, that is worth a word.
func (rd *reader) lookup(canon, label string) ref {
	res, err := rd.cat.FindMitigation(canon)
	if err != nil {
		var le *attack.LookupError
		if errors.As(err, &le) {
			return ref{err: err, suggestions: le.Suggestions}
		}
		return ref{err: err}
	}
	m := res.Value
	r := ref{id: m.ID}
	if res.Via != nil {
		r.note = fmt.Sprintf("%s %q is revoked in ATT&CK and replaced by %s %q, which is read in its place",
			res.Via.ID, res.Via.Name, m.ID, m.Name)
	}
	label = strings.TrimSpace(strings.Trim(label, "-–—:()[] "))
	if label != "" && squashKey(label) != squashKey(m.Name) {
		if other, ok := rd.names.byKey[squashKey(label)]; ok && other != m.ID {
			r.note = fmt.Sprintf("the cell says %s but names %q, which is %s; %s %q is read", m.ID, label, other, m.ID, m.Name)
		}
	}
	return r
}

func (rd *reader) unknown(s string) ref {
	_, err := rd.cat.FindMitigation(s)
	var le *attack.LookupError
	if errors.As(err, &le) {
		cp := *le
		cp.Suggestions = rd.suggest(s, le.Suggestions)
		return ref{err: &cp, suggestions: cp.Suggestions}
	}
	return ref{err: fmt.Errorf("%q names no active mitigation", s)}
}

func (rd *reader) nameOf(id string) string {
	if m := rd.cat.Mitigation(id); m != nil {
		return m.Name
	}
	return ""
}

// commonNames are what teams call ATT&CK's mitigations in their own
// registers. They only ever produce suggestions, never a silent match: "AV"
// is a fair guess at Antivirus/Antimalware, but the user should say so.
var commonNames = map[string][]string{
	"mfa": {"Multi-factor Authentication"}, "2fa": {"Multi-factor Authentication"},
	"twofactor": {"Multi-factor Authentication"}, "sso": {"Multi-factor Authentication", "User Account Management"},
	"edr": {"Behavior Prevention on Endpoint", "Antivirus/Antimalware"}, "xdr": {"Behavior Prevention on Endpoint"},
	"av": {"Antivirus/Antimalware"}, "antivirus": {"Antivirus/Antimalware"}, "malwareprotection": {"Antivirus/Antimalware"},
	"dlp": {"Data Loss Prevention"}, "pam": {"Privileged Account Management"},
	"uac": {"User Account Control"}, "ips": {"Network Intrusion Prevention"}, "ids": {"Network Intrusion Prevention"},
	"firewall": {"Filter Network Traffic"}, "firewalls": {"Filter Network Traffic"}, "ngfw": {"Filter Network Traffic"},
	"patching": {"Update Software"}, "patchmanagement": {"Update Software"}, "backup": {"Data Backup"},
	"backups": {"Data Backup"}, "securityawareness": {"User Training"}, "awarenesstraining": {"User Training"},
	"phishingtraining": {"User Training"}, "segmentation": {"Network Segmentation"},
	"applicationallowlisting": {"Execution Prevention"}, "applicationwhitelisting": {"Execution Prevention"},
	"allowlisting": {"Execution Prevention"}, "whitelisting": {"Execution Prevention"},
	"tlsinspection": {"SSL/TLS Inspection"}, "sslinspection": {"SSL/TLS Inspection"},
	"vulnerabilitymanagement": {"Vulnerability Scanning"}, "cti": {"Threat Intelligence Program"},
	"threatintel": {"Threat Intelligence Program"}, "encryption": {"Encrypt Sensitive Information"},
	"passwordpolicy": {"Password Policies"}, "securebootsecureboot": {"Boot Integrity"}, "secureboot": {"Boot Integrity"},
	"webfiltering": {"Restrict Web-Based Content"}, "webproxy": {"Restrict Web-Based Content"},
	"hardening": {"Software Configuration", "Operating System Configuration"},
	"logging":   {"Audit"}, "auditing": {"Audit"}, "sandboxing": {"Application Isolation and Sandboxing"},
}

// suggest finds what an unknown reference probably meant: the catalog's
// own edit-distance suggestions, common names for mitigations, and
// mitigations sharing most of its words ("Mutli-factor auth" has "factor"
// and the start of "authentication").
func (rd *reader) suggest(q string, fromCatalog []string) []string {
	out := append([]string(nil), fromCatalog...)
	add := func(id string) {
		if m := rd.cat.Mitigation(id); m != nil {
			l := m.ID + " " + m.Name
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	for _, n := range commonNames[squashKey(q)] {
		add(rd.names.byKey[squashKey(n)])
	}
	qw := words(q)
	if len(qw) > 0 {
		best, bestIDs := 0, []string(nil)
		for _, m := range rd.cat.Mitigations {
			nw := words(m.Name)
			score := 0
			for _, w := range qw {
				for _, n := range nw {
					if wordsNear(w, n) {
						score++
						break
					}
				}
			}
			// At least half the query's words, and at least one, must match.
			if score == 0 || 2*score < len(qw) {
				continue
			}
			if score > best {
				best, bestIDs = score, []string{m.ID}
			} else if score == best {
				bestIDs = append(bestIDs, m.ID)
			}
		}
		for _, id := range bestIDs {
			add(id)
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// words are the lower-cased words of s of three letters or more, "or",
// "and", "the" and such excepted.
func words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	}) {
		if len(w) >= 3 && w != "and" && w != "the" && w != "for" {
			out = append(out, w)
		}
	}
	return out
}

// wordsNear: equal, one a prefix of the other (4 letters at least), or a
// typo apart (transposed or changed letters).
func wordsNear(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) >= 4 && len(b) >= 4 && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)) {
		return true
	}
	if len(a) >= 5 && len(a) == len(b) {
		diff := 0
		for i := range len(a) {
			if a[i] != b[i] {
				diff++
			}
		}
		return diff <= 2
	}
	return false
}

// embeddedDomain is one embedded ATT&CK domain's mitigations, for telling
// which domain an unknown M-ID belongs to.
type embeddedDomain struct {
	stix, flag, label string
	names             map[string]string // mitigation ID → name
	lo, hi            string            // the ID range (Catalog.Index sorts by ID)
}

// embeddedDomains is read once, on the first unknown ID, not per cell.
var embeddedDomains = sync.OnceValue(func() []embeddedDomain {
	var out []embeddedDomain
	for _, d := range []struct{ stix, flag, label string }{
		{attack.Enterprise, "enterprise", "Enterprise"}, {attack.ICS, "ics", "ICS"}, {attack.Mobile, "mobile", "Mobile"},
	} {
		c, err := attack.Embedded(d.flag)
		if err != nil || len(c.Mitigations) == 0 {
			continue
		}
		ed := embeddedDomain{stix: d.stix, flag: d.flag, label: d.label, names: map[string]string{},
			lo: c.Mitigations[0].ID, hi: c.Mitigations[len(c.Mitigations)-1].ID}
		for _, m := range c.Mitigations {
			ed.names[m.ID] = m.Name
		}
		out = append(out, ed)
	}
	return out
})

// domainHint says which other ATT&CK domain an unknown mitigation ID
// belongs to: ICS numbers its mitigations M0800–M0954, Enterprise
// M1013–M1060 and Mobile M1001–M1059, so an M08xx ID read with the
// Enterprise catalog is almost surely an ICS inventory. The ID is looked up
// in the other embedded catalogs, and failing that placed by their ID
// ranges, which keeps the rule in step with the data rather than with
// numbers written here. "" when no other domain claims it.
func domainHint(current, id string) string {
	if current == "" {
		current = attack.Enterprise
	}
	domains := embeddedDomains()
	claimed := false // the current domain's own range holds id: it is just unknown
	for _, d := range domains {
		if d.stix == current && len(id) == len(d.lo) && id >= d.lo && id <= d.hi {
			claimed = true
		}
	}
	inRange := ""
	for _, d := range domains {
		if d.stix == current {
			continue
		}
		if name, ok := d.names[id]; ok {
			return fmt.Sprintf("%s is an ATT&CK for %s mitigation (%s); use --domain %s", id, d.label, name, d.flag)
		}
		if inRange == "" && len(id) == len(d.lo) && id >= d.lo && id <= d.hi && !claimed {
			inRange = fmt.Sprintf("this looks like an ATT&CK for %s mitigation ID; use --domain %s", d.label, d.flag)
		}
	}
	return inRange
}

// normalizeRef undoes what copying from elsewhere does to a reference:
// full-width letters and digits from East Asian input methods (ｍ１０３２)
// become ASCII, and a link to the mitigation's ATT&CK page becomes its ID.
func normalizeRef(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return r >= 0xFF01 && r <= 0xFF5E || r == 0x3000 }) {
		s = strings.Map(func(r rune) rune {
			switch {
			case r >= 0xFF01 && r <= 0xFF5E:
				return r - 0xFEE0
			case r == 0x3000:
				return ' '
			}
			return r
		}, s)
	}
	if strings.Contains(s, "://") {
		s = mitigationURL.ReplaceAllString(s, "$1")
	}
	return s
}
