package reports

import (
	"math"
	"sort"
	"testing"
	"time"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// Shared fixture of the report tests: a small but realistic catalog (the
// real ATT&CK IDs, names and mitigations of POLONIUM's seven techniques and
// some of APT29's), an inventory with the kinds of rows teams write (partial
// rows, scoped coverage, a typo, not applicable, hostile notes), and the
// Result the max model gives for them. Writers of every format may use it;
// they must not modify what it returns beyond their own copy.

// The notes an attacker (or a careless colleague) can put in an inventory;
// every report must carry them as inert text.
var injections = []string{
	`=HYPERLINK("http://x","y")`,
	`+cmd|' /C calc'!A0`,
	`@SUM(1+1)`,
	`-2+3`,
	"\t=1+1",
	"\r=2+2",
}

// customGroupID is the hostile custom group's ID. Other report tests
// depend on it; keep it.
const customGroupID = "G9001"

// evilGroupName is a group name from a hostile Workbench bundle.
const evilGroupName = `=cmd|' /C notepad'!A1`

func fixtureCatalog() *attack.Catalog {
	c := &attack.Catalog{
		Domain: attack.Enterprise, Version: "18.1", Source: "embedded",
		Tactics: []attack.Tactic{
			{ID: "TA0043", ShortName: "reconnaissance", Name: "Reconnaissance"},
			{ID: "TA0042", ShortName: "resource-development", Name: "Resource Development"},
			{ID: "TA0001", ShortName: "initial-access", Name: "Initial Access"},
			{ID: "TA0002", ShortName: "execution", Name: "Execution"},
			{ID: "TA0003", ShortName: "persistence", Name: "Persistence"},
			{ID: "TA0004", ShortName: "privilege-escalation", Name: "Privilege Escalation"},
			{ID: "TA0005", ShortName: "defense-evasion", Name: "Defense Evasion"},
			{ID: "TA0006", ShortName: "credential-access", Name: "Credential Access"},
			{ID: "TA0011", ShortName: "command-and-control", Name: "Command and Control"},
			{ID: "TA0010", ShortName: "exfiltration", Name: "Exfiltration"},
		},
	}
	tech := func(id, name string, tactics, mits []string) *attack.Technique {
		t := &attack.Technique{ID: id, Name: name, Tactics: tactics, Mitigations: mits}
		if len(id) > 5 {
			t.Parent = id[:5]
		}
		return t
	}
	c.Techniques = []*attack.Technique{
		tech("T1567.002", "Exfiltration to Cloud Storage", []string{"exfiltration"}, []string{"M1021"}),
		tech("T1102.002", "Bidirectional Communication", []string{"command-and-control"}, []string{"M1021", "M1031"}),
		tech("T1090", "Proxy", []string{"command-and-control"}, []string{"M1020", "M1031", "M1037"}),
		tech("T1588.002", "Tool", []string{"resource-development"}, []string{"M1056"}),
		tech("T1199", "Trusted Relationship", []string{"initial-access"}, []string{"M1018", "M1030", "M1032"}),
		tech("T1583.006", "Web Services", []string{"resource-development"}, []string{"M1056"}),
		tech("T1078", "Valid Accounts", []string{"initial-access", "persistence", "privilege-escalation", "defense-evasion"},
			[]string{"M1013", "M1015", "M1017", "M1018", "M1026", "M1027", "M1032", "M1036"}),
		tech("T1566.001", "Spearphishing Attachment", []string{"initial-access"}, []string{"M1017", "M1021", "M1031", "M1049", "M1054"}),
		tech("T1059.001", "PowerShell", []string{"execution"}, []string{"M1026", "M1038", "M1042", "M1045", "M1049"}),
		tech("T1133", "External Remote Services", []string{"persistence", "initial-access"}, []string{"M1030", "M1035", "M1042"}),
		tech("T1110.003", "Password Spraying", []string{"credential-access"}, []string{"M1027", "M1032", "M1036"}),
		tech("T1505.003", "Web Shell", []string{"persistence"}, []string{"M1026", "M1042"}),
	}
	for _, m := range [][2]string{
		{"M1013", "Application Developer Guidance"}, {"M1015", "Active Directory Configuration"},
		{"M1017", "User Training"}, {"M1018", "User Account Management"}, {"M1020", "SSL/TLS Inspection"},
		{"M1021", "Restrict Web-Based Content"}, {"M1026", "Privileged Account Management"},
		{"M1027", "Password Policies"}, {"M1030", "Network Segmentation"}, {"M1031", "Network Intrusion Prevention"},
		{"M1032", "Multi-factor Authentication"}, {"M1035", "Limit Access to Resource Over Network"},
		{"M1036", "Account Use Policies"}, {"M1037", "Filter Network Traffic"}, {"M1038", "Execution Prevention"},
		{"M1042", "Disable or Remove Feature or Program"}, {"M1045", "Code Signing"},
		{"M1049", "Antivirus/Antimalware"}, {"M1054", "Software Configuration"}, {"M1056", "Pre-compromise"},
	} {
		c.Mitigations = append(c.Mitigations, &attack.Mitigation{ID: m[0], Name: m[1]})
	}
	for _, t := range c.Techniques {
		for _, id := range t.Mitigations {
			for _, m := range c.Mitigations {
				if m.ID == id {
					m.Techniques = append(m.Techniques, t.ID)
				}
			}
		}
	}
	uses := func(ids ...string) []attack.Use {
		u := make([]attack.Use, len(ids))
		for i, id := range ids {
			u[i] = attack.Use{Technique: id, Direct: true}
		}
		return u
	}
	c.Groups = []*attack.Group{
		{ID: "G1005", Name: "POLONIUM", Uses: uses("T1567.002", "T1102.002", "T1090", "T1588.002", "T1199", "T1583.006", "T1078")},
		{ID: "G0016", Name: "APT29", Aliases: []string{"Cozy Bear"},
			Uses: uses("T1078", "T1566.001", "T1059.001", "T1090", "T1199", "T1133", "T1110.003", "T1505.003")},
		// A custom group from a hostile bundle: a formula for a name and no
		// mitigable technique, so no score.
		{ID: customGroupID, Name: evilGroupName, Uses: uses("T1588.002", "T1583.006")},
	}
	c.Index()
	return c
}

func fixtureInventory() *inventory.Inventory {
	inv := &inventory.Inventory{File: "inventory.xlsx", Format: "xlsx", Sheet: "Controls"}
	row := func(n int, control, text string, ids []string, statusText string, st inventory.Status, cov, scope *float64, level float64, owner, notes string) inventory.Row {
		return inventory.Row{Sheet: "Controls", Row: n, Control: control, MitigationText: text, Mitigations: ids,
			StatusText: statusText, Status: st, Coverage: cov, Scope: scope, Level: level,
			Owner: owner, Reviewed: "2026-09-30", Notes: notes}
	}
	inv.Rows = []inventory.Row{
		row(3, "Okta MFA", "M1032", []string{"M1032"}, "Deployed", inventory.StatusImplemented, nil, nil, 1, "IAM team", injections[0]),
		row(4, "Web proxy", "Restrict Web-Based Content", []string{"M1021"}, "In progress", inventory.StatusPartial, nil, nil, 0.5, "+netops", injections[1]),
		row(5, "Suricata IPS", "M1031", []string{"M1031"}, "partial", inventory.StatusPartial, ptr(0.75), ptr(0.8), 0.6, "@soc", injections[2]),
		row(6, "Defender AV / EDR", "M1049", []string{"M1049"}, "yes", inventory.StatusImplemented, nil, nil, 1, "-endpoint", injections[3]),
		row(7, "Egress filtering", "M1037", []string{"M1037"}, "Planned Q3", inventory.StatusPlanned, nil, nil, 0, "netops", injections[4]),
		row(8, "PAM vault", "M1018; M1026", []string{"M1018", "M1026"}, "no", inventory.StatusNotImplemented, nil, nil, 0, "", injections[5]),
		row(9, "TLS break and inspect", "M1020", []string{"M1020"}, "N/A", inventory.StatusNotApplicable, nil, nil, 0, "", "cloud only"),
		{Sheet: "Controls", Row: 10, Control: "Legacy", MitigationText: "M9999", StatusText: "yes", Status: inventory.StatusImplemented, Level: 1, Error: true},
	}
	inv.Problems = []inventory.Problem{
		{Severity: inventory.SeverityError, File: "inventory.xlsx", Sheet: "Controls", Row: 10, Column: "Mitigation ID",
			Message: `"M9999" names no active mitigation`, Suggestions: []string{"M1049", "M1042"}},
		{Severity: inventory.SeverityWarning, File: "inventory.xlsx", Sheet: "Controls", Row: 11, Column: "Mitigation ID",
			Message: "=SUM(A1:A9) row has no mitigation (a totals line?)"},
		{Severity: inventory.SeverityWarning, File: "inventory.xlsx", Sheet: "Controls", Column: "Reviewer",
			Message: `header "Reviewer" was not recognised`},
	}
	inv.Levels = map[string]float64{"M1032": 1, "M1021": 0.5, "M1031": 0.6, "M1049": 1, "M1037": 0, "M1018": 0, "M1026": 0, "M1020": 0}
	inv.NotApplicable = map[string]bool{"M1020": true}
	inv.Planned = map[string]bool{"M1037": true}
	c := fixtureCatalog()
	for _, m := range c.Mitigations {
		if _, ok := inv.Levels[m.ID]; !ok {
			inv.NotAssessed = append(inv.NotAssessed, m.ID)
		}
	}
	return inv
}

// scoreFixture scores the fixture under the max model, as SPEC §4 says; it
// exists so that the hand-built Result is consistent in every count. assumed
// (nil for none) are the what-if levels.
func scoreFixture(c *attack.Catalog, levels, assumed map[string]float64) *analyzer.Result {
	res := &analyzer.Result{
		Attack:  analyzer.CatalogInfo{Domain: c.Domain, Version: c.Version, Source: c.Source},
		Model:   analyzer.ModelMax,
		Options: analyzer.OptionsInfo{Campaigns: true, Top: 3, Profile: "fixture profile"},
	}
	cover := func(t *attack.Technique, lv map[string]float64) (float64, bool, []analyzer.MitigationLevel) {
		c, mitigable := 0.0, false
		var ms []analyzer.MitigationLevel
		for _, id := range t.Mitigations {
			ms = append(ms, analyzer.MitigationLevel{ID: id, Name: fixtureCatalog().Mitigation(id).Name, Level: lv[id]})
			if id == attack.PreCompromise {
				continue
			}
			mitigable = true
			c = math.Max(c, lv[id])
		}
		return c, mitigable, ms
	}
	state := func(c float64, mitigable bool) analyzer.State {
		switch {
		case !mitigable:
			return analyzer.Unmitigable
		case c >= 1:
			return analyzer.Covered
		case c > 0:
			return analyzer.Partial
		}
		return analyzer.Gap
	}
	count := func(k *analyzer.Counts, s analyzer.State) {
		k.Techniques++
		switch s {
		case analyzer.Unmitigable:
			k.Unmitigable++
			return
		case analyzer.Covered:
			k.Covered++
		case analyzer.Partial:
			k.Partial++
		default:
			k.Gaps++
		}
		k.Mitigable++
	}
	mean := func(sum float64, n int) *float64 {
		if n == 0 {
			return nil
		}
		return ptr(100 * sum / float64(n))
	}
	prof := map[string]*analyzer.Item{}
	for _, g := range c.Groups {
		gr := analyzer.GroupResult{ID: g.ID, Name: g.Name, Weight: 1}
		sum, asum := 0.0, 0.0
		tsum := map[string]float64{}
		tac := map[string]*analyzer.TacticResult{}
		for _, u := range g.Uses {
			t := c.Technique(u.Technique)
			cv, mitigable, ms := cover(t, levels)
			it := analyzer.Item{Technique: t.ID, Name: t.Name, Tactics: t.Tactics, State: state(cv, mitigable),
				Mitigations: ms, Sources: []string{"direct"}}
			if mitigable {
				it.Coverage = cv
				sum += cv
			}
			if assumed != nil {
				acv, _, ams := cover(t, assumed)
				// Real levels stay; the assumed one stands beside a level
				// the what-if changes, as the analyzer reports them.
				for k := range it.Mitigations {
					if a := ams[k].Level; a != it.Mitigations[k].Level {
						it.Mitigations[k].AssumedLevel = ptr(a)
					}
				}
				it.AssumedState = state(acv, mitigable)
				if mitigable {
					it.AssumedCoverage = ptr(acv)
					asum += acv
				} else {
					it.AssumedCoverage = ptr(0)
				}
			}
			count(&gr.Counts, it.State)
			for _, ta := range t.Tactics {
				tr := tac[ta]
				if tr == nil {
					tr = &analyzer.TacticResult{Tactic: ta, Name: c.Tactic(ta).Name}
					tac[ta] = tr
				}
				count(&tr.Counts, it.State)
				tsum[ta] += it.Coverage
			}
			gr.Items = append(gr.Items, it)
			p := prof[t.ID]
			if p == nil {
				cp := it
				cp.Sources = nil
				p = &cp
				prof[t.ID] = p
			}
			p.Weight += gr.Weight
			p.Groups = append(p.Groups, g.ID)
		}
		gr.Score = mean(sum, gr.Mitigable)
		if assumed != nil {
			gr.AssumedScore = mean(asum, gr.Mitigable)
		}
		for _, t := range c.Tactics {
			if tr := tac[t.ShortName]; tr != nil {
				tr.Score = mean(tsum[t.ShortName], tr.Mitigable)
				gr.Tactics = append(gr.Tactics, *tr)
			}
		}
		res.Groups = append(res.Groups, gr)
	}
	var num, den, anum float64
	for _, p := range prof {
		res.Techniques = append(res.Techniques, *p)
		count(&res.Profile.Counts, p.State)
		if p.State != analyzer.Unmitigable {
			num += p.Weight * p.Coverage
			den += p.Weight
			if p.AssumedCoverage != nil {
				anum += p.Weight * *p.AssumedCoverage
			}
		}
	}
	sort.Slice(res.Techniques, func(i, j int) bool { return res.Techniques[i].Technique < res.Techniques[j].Technique })
	res.Profile.Name = "fixture profile"
	res.Profile.Groups = len(res.Groups)
	res.Profile.Score = ptr(100 * num / den)
	if assumed != nil {
		res.Profile.AssumedScore = ptr(100 * anum / den)
	}
	return res
}

// testReport returns the fixture report: three groups (POLONIUM, APT29 and a
// hostile custom group without a score), the inventory above, and the
// greedy recommendations the fixture leads to (worked out by hand: Σn(t) =
// 13 over the mitigable techniques, Σn(t)·c(t) = 9.3).
func testReport(t testing.TB) *Report {
	t.Helper()
	c := fixtureCatalog()
	inv := fixtureInventory()
	res := scoreFixture(c, inv.Levels, nil)
	if got := *res.Profile.Score; math.Abs(got-100*9.3/13) > 1e-9 {
		t.Fatalf("fixture profile score %v, want %v", got, 100*9.3/13)
	}
	res.Recommendations = []analyzer.Recommendation{
		{Rank: 1, Mitigation: "M1042", Name: "Disable or Remove Feature or Program", Level: 0, Gain: 100 * 2 / 13.0,
			ScoreAfter: 100 * 11.3 / 13, Techniques: []string{"T1133", "T1505.003"}, Groups: []string{"G0016"}},
		{Rank: 2, Mitigation: "M1031", Name: "Network Intrusion Prevention", Level: 0.6, Gain: 100 * 1.2 / 13,
			ScoreAfter: 100 * 12.5 / 13, Techniques: []string{"T1090", "T1102.002"}, Groups: []string{"G0016", "G1005"}},
		{Rank: 3, Mitigation: "M1021", Name: "Restrict Web-Based Content", Level: 0.5, Gain: 100 * 0.5 / 13,
			ScoreAfter: 100, Techniques: []string{"T1567.002"}, Groups: []string{"G1005"}},
	}
	res.Inventory = analyzer.InventorySummary{File: inv.File, Rows: len(inv.Rows), Problems: inv.Problems,
		NotAssessed: inv.NotAssessed, Levels: inv.Levels}
	return &Report{
		Result:    res,
		Inventory: inv,
		Catalog:   c,
		Generated: time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC),
		Command:   `covgap analyze --groups G1005,G0016 -o report.xlsx =inventory.xlsx`,
		Tool:      "covgap v0.1.0-test",
	}
}

// testReportWhatIf is testReport with --assume M1042,M1037: the assumed
// scores sit beside the real ones.
func testReportWhatIf(t testing.TB) *Report {
	t.Helper()
	r := testReport(t)
	assumed := map[string]float64{}
	for k, v := range r.Inventory.Levels {
		assumed[k] = v
	}
	assumed["M1042"], assumed["M1037"] = 1, 1
	res := scoreFixture(r.Catalog, r.Inventory.Levels, assumed)
	res.Options.Assume = []string{"M1037", "M1042"}
	res.Recommendations = r.Result.Recommendations
	res.Inventory = r.Result.Inventory
	r.Result = res
	return r
}
