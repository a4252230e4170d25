package attack

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// PageKind is the sort of ATT&CK object a vault page describes.
type PageKind string

// Kinds of vault pages. They match the front-matter tags of the vault
// generator (singular forms are accepted too).
const (
	PageGroup      PageKind = "groups"
	PageCampaign   PageKind = "campaigns"
	PageSoftware   PageKind = "software"
	PageTechnique  PageKind = "techniques"
	PageMitigation PageKind = "mitigations"
	PageTactic     PageKind = "tactics"
)

// VaultRef is an ATT&CK object named by a page: a list link or a diagram
// node. Name is the link text or node label ("" when there was none).
type VaultRef struct {
	ID   string // normalised: T1567.002, M1021, G1005, TA0001
	Name string
}

// VaultEdge is one arrow of a page's mermaid diagram. The page's own node
// (`group[POLONIUM]`) is given the page's ID.
type VaultEdge struct {
	From, To VaultRef
}

// VaultPage is what one Markdown page says, before it is merged into a
// catalog. Lists hold the bullet links of the sections whose heading names
// that kind of object; links in the description are prose and never count.
type VaultPage struct {
	File        string
	Kind        PageKind
	Tags        []string
	ID          string
	Name        string
	Aliases     []string // front-matter aliases (Obsidian's convention)
	Description string

	Techniques  []VaultRef // "## Techniques Used By Group|Campaign|Software", "## Techniques"
	Mitigations []VaultRef // "## Mitigations"
	Software    []VaultRef
	Campaigns   []VaultRef
	Groups      []VaultRef
	// HasMitigations tells an empty "## Mitigations" section (the technique
	// has none) from a page that says nothing about mitigations.
	HasMitigations bool
	HasTechniques  bool

	Edges   []VaultEdge // mermaid arrows, in page order
	Diagram bool        // the page has a mermaid block

	// Notes are oddities that did not stop the page from being read
	// (repaired encoding, links of the wrong kind, diagram lines not
	// understood). The loader turns them into catalog warnings.
	Notes []string
}

// ErrEmptyPage is returned by ParseVaultPage for a page with no content.
var ErrEmptyPage = errors.New("page is empty")

// maxEdges bounds the diagram arrows read from one page (APT29's page, one
// of the largest, has about 400).
const maxEdges = 100000

// maxFrontMatter bounds the YAML handed to the decoder; real front matter
// is a few lines.
const maxFrontMatter = 64 << 10

// maxNotes bounds the notes kept per page, so that a hostile page cannot
// turn into millions of warnings.
const maxNotes = 50

func (p *VaultPage) note(format string, a ...any) {
	switch {
	case len(p.Notes) < maxNotes:
		p.Notes = append(p.Notes, fmt.Sprintf(format, a...))
	case len(p.Notes) == maxNotes:
		p.Notes = append(p.Notes, "further problems on this page not shown")
	}
}

// section is the part of a page a line belongs to.
type section int

const (
	secHead        section = iota // before the ID heading
	secDescription                // between the ID heading and the next heading
	secTechniques
	secMitigations
	secSoftware
	secCampaigns
	secGroups
	secOther
)

// ParseVaultPage reads one Markdown vault page. name is used in messages
// only. It returns an error (and no page) when the page cannot describe an
// ATT&CK object: empty, no "## ID:" heading, or no way to tell its kind.
// Anything odd that still leaves a usable page is recorded in Notes.
func ParseVaultPage(name string, data []byte) (VaultPage, error) {
	p := VaultPage{File: name}
	// Decode before touching line ends: in UTF-16 a CR is two bytes.
	text, recoded := toUTF8(data)
	text = string(normalizeNewlines([]byte(text)))
	if recoded {
		p.note("not valid UTF-8; read as Windows-1252")
	}
	text, repaired := repairMojibake(text)
	if repaired {
		p.note("repaired text that had been mis-decoded as Windows-1252 (mojibake such as â€™ for ’)")
	}
	if strings.TrimSpace(text) == "" {
		return p, ErrEmptyPage
	}

	lines := strings.Split(text, "\n")
	start := p.frontMatter(lines)

	sec := secHead
	var desc []string
	type numbered struct {
		no   int
		text string
	}
	var mermaid []numbered // lines of mermaid blocks, read once the page's ID is known
	fence := ""            // the open code fence ("```" or "~~~"), "" outside
	inMermaid := false
	for i := start; i < len(lines); i++ {
		line := lines[i]
		trim := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trim, fence) && strings.Trim(trim, fence[:1]) == "" {
				fence, inMermaid = "", false
				continue
			}
			if inMermaid {
				mermaid = append(mermaid, numbered{i + 1, trim})
			} else if sec == secDescription {
				desc = append(desc, line)
			}
			continue
		}
		if strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~") {
			fence = trim[:3]
			info := strings.ToLower(strings.TrimSpace(strings.TrimLeft(trim, fence[:1])))
			inMermaid = strings.HasPrefix(info, "mermaid")
			if inMermaid {
				p.Diagram = true
			} else if sec == secDescription {
				desc = append(desc, line)
			}
			continue
		}
		if level, h := heading(trim); level > 0 {
			if id, ok := idHeading(h); ok {
				if p.ID == "" {
					p.ID = id
				} else if id != p.ID {
					p.note("line %d: second ID heading %q ignored; the page is %s", i+1, id, p.ID)
				}
				sec = secDescription
				continue
			}
			if level == 1 && p.Name == "" {
				p.Name = h
				continue
			}
			if p.ID != "" || level > 1 {
				sec = classifyHeading(h)
				switch sec {
				case secTechniques:
					p.HasTechniques = true
				case secMitigations:
					p.HasMitigations = true
				}
			}
			continue
		}
		switch sec {
		case secDescription:
			desc = append(desc, line)
		case secTechniques, secMitigations, secSoftware, secCampaigns, secGroups:
			p.listItem(sec, i+1, trim)
		}
	}
	if fence != "" {
		p.note("code block opened with %s is never closed", fence)
	}
	p.Description = strings.TrimSpace(strings.Join(desc, "\n"))

	if p.ID == "" {
		return p, fmt.Errorf("no \"## ID:\" heading naming an ATT&CK ID (such as \"## ID:G1005\")")
	}
	idKind := kindOfID(p.ID)
	if idKind == "" {
		return p, fmt.Errorf("ID %q is not an ATT&CK ID (expected G, C, S, T, M or TA and four digits)", p.ID)
	}
	tagKind := kindOfTags(p.Tags)
	switch {
	case tagKind == "":
		p.Kind = idKind
	case tagKind != idKind:
		// The ID is what every other page links to, so it decides.
		p.note("tags say %s but ID %s is one of %s; read as %s", tagKind, p.ID, idKind, idKind)
		p.Kind = idKind
	default:
		p.Kind = tagKind
	}
	if p.Name == "" {
		p.note("no \"# Name\" heading")
	}

	for _, l := range mermaid {
		p.mermaidLine(l.no, l.text)
	}
	return p, nil
}

// frontMatter reads a leading "---" block and returns the index of the
// first line after it. Only tags and aliases are used.
func (p *VaultPage) frontMatter(lines []string) int {
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return 0
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if t := strings.TrimSpace(lines[i]); t == "---" || t == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		p.note("front matter opened with --- is never closed; read as text")
		return 0
	}
	if yamlText := strings.Join(lines[1:end], "\n"); len(yamlText) > maxFrontMatter {
		p.note("front matter larger than %d bytes ignored; kind taken from the ID", maxFrontMatter)
		return end + 1
	}
	var fm struct {
		Tags    any `yaml:"tags"`
		Aliases any `yaml:"aliases"`
	}
	if err := yaml.Unmarshal([]byte(strings.Join(lines[1:end], "\n")), &fm); err != nil {
		p.note("front matter is not valid YAML (%v); kind taken from the ID", err)
		return end + 1
	}
	p.Tags = yamlStrings(fm.Tags)
	p.Aliases = yamlStrings(fm.Aliases)
	return end + 1
}

// yamlStrings accepts a list, a single string, or a comma- or
// space-separated string, as Obsidian and other tools write tags.
func yamlStrings(v any) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	switch t := v.(type) {
	case string:
		for _, s := range strings.Split(t, ",") {
			add(s)
		}
	case []any:
		for _, e := range t {
			switch s := e.(type) {
			case string:
				add(s)
			case nil:
			default:
				add(fmt.Sprint(s))
			}
		}
	}
	return out
}

// kindOfTags finds the page kind among the tags: "groups", "#group",
// "mitre/techniques" all count.
func kindOfTags(tags []string) PageKind {
	for _, t := range tags {
		t = strings.ToLower(strings.TrimLeft(strings.TrimSpace(t), "#"))
		if i := strings.LastIndexByte(t, '/'); i >= 0 {
			t = t[i+1:]
		}
		switch t {
		case "groups", "group", "intrusion-set":
			return PageGroup
		case "campaigns", "campaign":
			return PageCampaign
		case "software", "malware", "tool", "tools":
			return PageSoftware
		case "techniques", "technique", "subtechniques", "sub-techniques":
			return PageTechnique
		case "mitigations", "mitigation":
			return PageMitigation
		case "tactics", "tactic":
			return PageTactic
		}
	}
	return ""
}

// heading returns the level and text of an ATX heading ("## Text"), or 0.
func heading(line string) (int, string) {
	n := 0
	for n < len(line) && line[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(line) && line[n] != ' ' && line[n] != '\t') {
		return 0, ""
	}
	h := strings.TrimSpace(line[n:])
	h = strings.TrimSpace(strings.TrimRight(h, "#")) // closing hashes
	return n, h
}

// idHeading recognises "ID:G1005", "ID: T1078/004" and "ID - M1032".
func idHeading(h string) (string, bool) {
	if len(h) < 3 || !strings.EqualFold(h[:2], "id") {
		return "", false
	}
	rest := strings.TrimLeft(h[2:], " \t")
	if rest == "" || (rest[0] != ':' && rest[0] != '-') {
		return "", false
	}
	id := strings.Trim(strings.TrimSpace(rest[1:]), "*_`")
	if id == "" {
		return "", false
	}
	return normalizeID(id), true
}

// classifyHeading decides which list a section holds from the first object
// word its heading uses: "Techniques Used By Group" holds techniques,
// "Software Used By Group" software, "Groups That Use This Software" groups.
func classifyHeading(h string) section {
	l := strings.ToLower(h)
	if strings.HasPrefix(l, "summary") {
		return secOther // "Summary of Techniques and Mitigations" holds the diagram, not a list
	}
	best, at := secOther, len(l)+1
	for _, k := range []struct {
		word string
		sec  section
	}{
		{"technique", secTechniques},
		{"mitigation", secMitigations},
		{"software", secSoftware},
		{"campaign", secCampaigns},
		{"group", secGroups},
	} {
		if i := strings.Index(l, k.word); i >= 0 && i < at {
			best, at = k.sec, i
		}
	}
	return best
}

var sectionKind = map[section]PageKind{
	secTechniques:  PageTechnique,
	secMitigations: PageMitigation,
	secSoftware:    PageSoftware,
	secCampaigns:   PageCampaign,
	secGroups:      PageGroup,
}

// listItem reads one line of a list section: a bullet whose first link
// names an object of the section's kind. Other lines (blank lines, prose)
// are not list items.
func (p *VaultPage) listItem(sec section, lineNo int, line string) {
	if len(line) < 2 || !strings.ContainsRune("*-+", rune(line[0])) || (line[1] != ' ' && line[1] != '\t') {
		return
	}
	item := strings.TrimSpace(line[2:])
	label, target, ok := firstLink(item)
	if !ok {
		p.note("line %d: list item %q has no link to an ATT&CK page", lineNo, clip(item))
		return
	}
	id := idFromTarget(target)
	want := sectionKind[sec]
	if id == "" || kindOfID(id) != want {
		p.note("line %d: link %q in a list of %s does not name one of them", lineNo, clip(target), want)
		return
	}
	ref := VaultRef{ID: id, Name: cleanLabel(label)}
	switch sec {
	case secTechniques:
		p.Techniques = append(p.Techniques, ref)
	case secMitigations:
		p.Mitigations = append(p.Mitigations, ref)
	case secSoftware:
		p.Software = append(p.Software, ref)
	case secCampaigns:
		p.Campaigns = append(p.Campaigns, ref)
	case secGroups:
		p.Groups = append(p.Groups, ref)
	}
}

// clip shortens s for a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:77]) + "..."
	}
	return s
}

// firstLink finds the first Markdown link "[label](target)" or wiki link
// "[[target|label]]" in s. Labels may hold nested brackets
// ("[Foo [bar] baz](...)") and targets parentheses.
func firstLink(s string) (label, target string, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] != '[' {
			continue
		}
		if strings.HasPrefix(s[i:], "[[") {
			if end := strings.Index(s[i+2:], "]]"); end >= 0 {
				in := s[i+2 : i+2+end]
				target, label, _ = strings.Cut(in, "|")
				if label == "" {
					label = target
				}
				return label, strings.TrimSpace(target), true
			}
		}
		close := matching(s, i, '[', ']')
		if close < 0 {
			return "", "", false
		}
		if close+1 < len(s) && s[close+1] == '(' {
			end := matching(s, close+1, '(', ')')
			if end < 0 {
				return "", "", false
			}
			target = strings.TrimSpace(s[close+2 : end])
			if strings.HasPrefix(target, "<") {
				target, _, _ = strings.Cut(target[1:], ">")
			} else if sp := strings.IndexAny(target, " \t"); sp >= 0 {
				target = target[:sp] // drop a link title: (url "title")
			}
			return s[i+1 : close], target, true
		}
		i = close
	}
	return "", "", false
}

// matching returns the index of the bracket closing the one at s[open],
// counting nesting, or -1.
func matching(s string, open int, o, c byte) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case o:
			depth++
		case c:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// kindDirs are the folder names ATT&CK pages live in, on attack.mitre.org
// and in vaults alike.
var kindDirs = map[string]PageKind{
	"techniques": PageTechnique, "mitigations": PageMitigation, "groups": PageGroup,
	"campaigns": PageCampaign, "software": PageSoftware, "tactics": PageTactic,
}

// idFromTarget extracts the ATT&CK ID a link points at, whatever its form:
// "techniques/T1567/002", "/mitre/techniques/T1567/002",
// "../techniques/T1567/002.md", "https://attack.mitre.org/techniques/T1567/002/",
// "T1567.002". It returns "" when the target names no ATT&CK object.
func idFromTarget(t string) string {
	if i := strings.IndexAny(t, "#?"); i >= 0 {
		t = t[:i]
	}
	t = strings.ReplaceAll(t, "\\", "/")
	t = strings.TrimRight(t, "/")
	if strings.HasSuffix(strings.ToLower(t), ".md") {
		t = t[:len(t)-3]
	}
	segs := strings.FieldsFunc(t, func(r rune) bool { return r == '/' })
	if len(segs) == 0 {
		return ""
	}
	for i := len(segs) - 2; i >= 0; i-- {
		if _, ok := kindDirs[strings.ToLower(segs[i])]; !ok {
			continue
		}
		id := segs[i+1]
		if i+2 < len(segs) && isDigits(segs[i+2]) {
			id += "." + segs[i+2]
		}
		if id = normalizeID(id); kindOfID(id) != "" {
			return id
		}
	}
	// No kind folder: a bare ID, or "T1567/002" on its own.
	last := segs[len(segs)-1]
	if len(segs) >= 2 && isDigits(last) {
		last = segs[len(segs)-2] + "." + last
	}
	if id := normalizeID(last); kindOfID(id) != "" {
		return id
	}
	return ""
}

// normalizeID upper-cases an ATT&CK ID and writes sub-techniques with a
// dot, as STIX does: T1567/002 and T1567_002 become T1567.002.
func normalizeID(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if strings.HasPrefix(s, "T") {
		if i := strings.IndexByte(s, '_'); i > 0 && isDigits(s[i+1:]) {
			s = s[:i] + "." + s[i+1:]
		}
		return NormalizeTechniqueID(s)
	}
	return s
}

// kindOfID tells what an ATT&CK ID names from its shape, or "" when it is
// not one: TA + 4 digits, T + 4 digits (+ . 3 digits), M, G, C or S + 4
// digits. Custom objects (Workbench) may use more digits, so 4 or more are
// accepted.
func kindOfID(id string) PageKind {
	if len(id) < 5 {
		return ""
	}
	if strings.HasPrefix(id, "TA") {
		if len(id) >= 6 && isDigits(id[2:]) {
			return PageTactic
		}
		return ""
	}
	num := id[1:]
	switch id[0] {
	case 'T':
		base, sub, hasSub := strings.Cut(num, ".")
		if len(base) < 4 || !isDigits(base) || (hasSub && (len(sub) < 3 || !isDigits(sub))) {
			return ""
		}
		return PageTechnique
	case 'M', 'G', 'C', 'S':
		if len(num) < 4 || !isDigits(num) {
			return ""
		}
		return idKinds[id[0]]
	}
	return ""
}

// idKinds maps an ATT&CK ID's letter to the page it names; built once, as
// kindOfID runs for every link and diagram node of a vault.
var idKinds = map[byte]PageKind{'M': PageMitigation, 'G': PageGroup, 'C': PageCampaign, 'S': PageSoftware}

// labelEntities undoes mermaid's #…; escapes in node labels.
var labelEntities = strings.NewReplacer("#quot;", `"`, "#amp;", "&", "#40;", "(", "#41;", ")",
	"#91;", "[", "#93;", "]", "#35;", "#")

// cleanLabel trims a link text or node label and undoes the quoting
// mermaid needs for some characters.
func cleanLabel(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if strings.Contains(s, "#") {
		s = labelEntities.Replace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

// mermaidLine reads one line of a flowchart: chains of nodes joined by
// arrows ("A[x] --> B[y] --> C"), with "&" for several nodes at once.
// Declarations that draw no arrow (flowchart, style, classDef…) are skipped.
func (p *VaultPage) mermaidLine(lineNo int, line string) {
	if i := strings.Index(line, "%%"); i >= 0 {
		line = strings.TrimSpace(line[:i])
	}
	if line == "" {
		return
	}
	first := strings.ToLower(strings.Fields(line)[0])
	switch first {
	case "flowchart", "graph", "style", "classdef", "class", "click", "linkstyle", "subgraph", "end", "direction":
		return
	}
	var groups [][]VaultRef
	rest := line
	for {
		var grp []VaultRef
		for {
			n, r, ok := mermaidNode(rest)
			if !ok {
				p.note("diagram line %d not understood: %q", lineNo, clip(line))
				return
			}
			grp = append(grp, n)
			rest = strings.TrimSpace(r)
			if !strings.HasPrefix(rest, "&") {
				break
			}
			rest = strings.TrimSpace(rest[1:])
		}
		groups = append(groups, grp)
		if rest == "" {
			break
		}
		r, ok := mermaidArrow(rest)
		if !ok {
			p.note("diagram line %d not understood: %q", lineNo, clip(line))
			return
		}
		rest = strings.TrimSpace(r)
	}
	for g := 1; g < len(groups); g++ {
		for _, from := range groups[g-1] {
			for _, to := range groups[g] {
				// "A & B & … --> X & Y & …" multiplies; a real diagram has a
				// few hundred arrows, so a bound costs nothing real.
				if len(p.Edges) >= maxEdges {
					p.note("diagram has more than %d arrows; the rest are ignored", maxEdges)
					return
				}
				p.Edges = append(p.Edges, VaultEdge{From: p.subject(from), To: p.subject(to)})
			}
		}
	}
}

// subject gives the page's own node (`group[POLONIUM]`, or any node whose
// name is not an ATT&CK ID) the page's ID.
func (p *VaultPage) subject(n VaultRef) VaultRef {
	if kindOfID(n.ID) == "" {
		return VaultRef{ID: p.ID, Name: n.Name}
	}
	return n
}

// mermaidNode reads "ID", "ID[label]", "ID(label)", "ID{label}" or
// "ID[[label]]" at the start of s. Labels may nest brackets of their kind.
func mermaidNode(s string) (VaultRef, string, bool) {
	i := 0
	for i < len(s) {
		c := s[i]
		if c == '_' || c == '.' || c == '/' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= 0x80 {
			i++
			continue
		}
		break
	}
	if i == 0 {
		return VaultRef{}, s, false
	}
	// A trailing dot or slash belongs to no ID (and "-.->" arrows start with -).
	id := strings.TrimRight(s[:i], "./")
	n := VaultRef{ID: normalizeID(id)}
	if kindOfID(n.ID) == "" {
		n.ID = id // keep the node's own name, such as "group"
	}
	rest := s[len(id):]
	if rest == "" {
		return n, rest, true
	}
	var o, c byte
	switch rest[0] {
	case '[':
		o, c = '[', ']'
	case '(':
		o, c = '(', ')'
	case '{':
		o, c = '{', '}'
	default:
		return n, rest, true
	}
	end := matching(rest, 0, o, c)
	if end < 0 {
		return VaultRef{}, s, false
	}
	label := rest[1:end]
	// Shapes such as [[x]], ([x]), [(x)] wrap the label once more.
	// Mermaid's shapes nest at most two deep; the bound also keeps
	// "[[[[…]]]]" from costing quadratic time.
	for k := 0; k < 2 && len(label) >= 2 && strings.ContainsRune("[({", rune(label[0])) && strings.ContainsRune("])}", rune(label[len(label)-1])) &&
		matching(label, 0, label[0], closer(label[0])) == len(label)-1; k++ {
		label = label[1 : len(label)-1]
	}
	n.Name = cleanLabel(label)
	return n, rest[end+1:], true
}

func closer(o byte) byte {
	switch o {
	case '[':
		return ']'
	case '(':
		return ')'
	}
	return '}'
}

// mermaidArrow consumes an arrow ("-->", "==>", "-.->", "---") and an
// optional "|text|" label.
func mermaidArrow(s string) (string, bool) {
	i := 0
	for i < len(s) && strings.IndexByte("-=.<>ox", s[i]) >= 0 {
		// 'o' and 'x' end circle and cross arrows ("--o"); only there.
		if (s[i] == 'o' || s[i] == 'x') && (i == 0 || (s[i-1] != '-' && s[i-1] != '=')) {
			break
		}
		i++
	}
	arrow := s[:i]
	if len(arrow) < 2 || !strings.ContainsAny(arrow, "-=") {
		return s, false
	}
	rest := strings.TrimSpace(s[i:])
	if strings.HasPrefix(rest, "|") {
		end := strings.IndexByte(rest[1:], '|')
		if end < 0 {
			return s, false
		}
		rest = rest[end+2:]
	}
	return rest, true
}
