package analyzer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// Small catalogs built by hand from the facts in ../shared/README.md, so
// that the hand-computed cases do not depend on a loader.

var tacticsByHand = []attack.Tactic{
	{ID: "TA0043", ShortName: "reconnaissance", Name: "Reconnaissance"},
	{ID: "TA0042", ShortName: "resource-development", Name: "Resource Development"},
	{ID: "TA0001", ShortName: "initial-access", Name: "Initial Access"},
	{ID: "TA0002", ShortName: "execution", Name: "Execution"},
	{ID: "TA0003", ShortName: "persistence", Name: "Persistence"},
	{ID: "TA0004", ShortName: "privilege-escalation", Name: "Privilege Escalation"},
	{ID: "TA0005", ShortName: "defense-evasion", Name: "Defense Evasion"},
	{ID: "TA0011", ShortName: "command-and-control", Name: "Command and Control"},
	{ID: "TA0010", ShortName: "exfiltration", Name: "Exfiltration"},
}

var mitigationNames = map[string]string{
	"M1013": "Application Developer Guidance", "M1015": "Active Directory Configuration",
	"M1017": "User Training", "M1018": "User Account Management", "M1020": "SSL/TLS Inspection",
	"M1021": "Restrict Web-Based Content", "M1026": "Privileged Account Management",
	"M1027": "Password Policies", "M1030": "Network Segmentation",
	"M1031": "Network Intrusion Prevention", "M1032": "Multi-factor Authentication",
	"M1036": "Account Use Policies", "M1037": "Filter Network Traffic", "M1056": "Pre-compromise",
}

type techSpec struct {
	id, name string
	tactics  []string
	mits     []string
}

// poloniumTechs are G1005's seven techniques in ATT&CK 18.1.
var poloniumTechs = []techSpec{
	{"T1567.002", "Exfiltration to Cloud Storage", []string{"exfiltration"}, []string{"M1021"}},
	{"T1102.002", "Bidirectional Communication", []string{"command-and-control"}, []string{"M1021", "M1031"}},
	{"T1090", "Proxy", []string{"command-and-control"}, []string{"M1020", "M1031", "M1037"}},
	{"T1588.002", "Tool", []string{"resource-development"}, []string{"M1056"}},
	{"T1199", "Trusted Relationship", []string{"initial-access"}, []string{"M1018", "M1030", "M1032"}},
	{"T1583.006", "Web Services", []string{"resource-development"}, []string{"M1056"}},
	{"T1078", "Valid Accounts", []string{"initial-access", "persistence", "privilege-escalation", "defense-evasion"},
		[]string{"M1013", "M1015", "M1017", "M1018", "M1026", "M1027", "M1032", "M1036"}},
}

// buildCatalog makes an indexed catalog of the given techniques, their
// mitigations and groups.
func buildCatalog(techs []techSpec, groups ...*attack.Group) *attack.Catalog {
	c := &attack.Catalog{Domain: attack.Enterprise, Version: "test", Source: "hand", Tactics: tacticsByHand}
	mits := map[string]*attack.Mitigation{}
	for _, ts := range techs {
		c.Techniques = append(c.Techniques, &attack.Technique{ID: ts.id, Name: ts.name, Tactics: ts.tactics, Mitigations: ts.mits})
		for _, m := range ts.mits {
			if mits[m] == nil {
				name := mitigationNames[m]
				if name == "" {
					name = "Mitigation " + m
				}
				mits[m] = &attack.Mitigation{ID: m, Name: name}
				c.Mitigations = append(c.Mitigations, mits[m])
			}
			mits[m].Techniques = append(mits[m].Techniques, ts.id)
		}
	}
	c.Groups = groups
	c.Index()
	return c
}

func directUses(ids ...string) []attack.Use {
	var us []attack.Use
	for _, id := range ids {
		us = append(us, attack.Use{Technique: id, Direct: true})
	}
	return us
}

func polonium() *attack.Group {
	g := &attack.Group{ID: "G1005", Name: "POLONIUM", Aliases: []string{"Plaid Rain"},
		Description: "POLONIUM is a Lebanon-based group that has primarily targeted Israeli organizations."}
	for _, t := range poloniumTechs {
		g.Uses = append(g.Uses, attack.Use{Technique: t.id, Direct: true})
	}
	return g
}

func poloniumCatalog(extra ...*attack.Group) *attack.Catalog {
	return buildCatalog(poloniumTechs, append([]*attack.Group{polonium()}, extra...)...)
}

func inv(levels map[string]float64) *inventory.Inventory {
	return &inventory.Inventory{File: "test.csv", Levels: levels}
}

func one(cat *attack.Catalog, ids ...string) Profile {
	p, err := SelectGroups(cat, ids)
	if err != nil {
		panic(err)
	}
	return p
}

// randomCatalog makes a catalog with random relations: some techniques
// with no mitigation or only M1056, groups of random size with direct,
// campaign and software uses. It exercises what the hand cases cannot.
func randomCatalog(r *rand.Rand, nTech, nMit, nGroup int) *attack.Catalog {
	mitIDs := []string{attack.PreCompromise}
	for i := range nMit {
		mitIDs = append(mitIDs, fmt.Sprintf("M%d", 1100+i))
	}
	tacs := []string{"initial-access", "execution", "persistence", "defense-evasion", "command-and-control"}
	var techs []techSpec
	for i := range nTech {
		ts := techSpec{id: fmt.Sprintf("T%d", 1000+i), name: fmt.Sprintf("Technique %d", i)}
		ts.tactics = []string{tacs[r.IntN(len(tacs))]}
		if r.IntN(4) == 0 {
			ts.tactics = append(ts.tactics, "persistence-extra")
		}
		switch k := r.IntN(10); {
		case k == 0: // no mitigation
		case k == 1:
			ts.mits = []string{attack.PreCompromise}
		default:
			seen := map[string]bool{}
			for range 1 + r.IntN(5) {
				m := mitIDs[1+r.IntN(nMit)]
				if !seen[m] {
					seen[m] = true
					ts.mits = append(ts.mits, m)
				}
			}
			slices.Sort(ts.mits)
		}
		techs = append(techs, ts)
	}
	var groups []*attack.Group
	for g := range nGroup {
		gr := &attack.Group{ID: fmt.Sprintf("G%04d", 1+g), Name: fmt.Sprintf("Group %d", g)}
		seen := map[int]bool{}
		for range r.IntN(25) {
			t := r.IntN(nTech)
			if seen[t] {
				continue
			}
			seen[t] = true
			u := attack.Use{Technique: techs[t].id}
			switch r.IntN(5) {
			case 0:
				u.Campaigns = []string{"C0001"}
			case 1:
				u.Software = []string{"S0001"}
			case 2:
				u.Direct, u.Campaigns = true, []string{"C0002"}
			default:
				u.Direct = true
			}
			gr.Uses = append(gr.Uses, u)
		}
		groups = append(groups, gr)
	}
	return buildCatalog(techs, groups...)
}

// randomInventory gives each catalog mitigation a random level: often 0,
// often 1, otherwise a fraction, and marks a few not applicable or planned.
func randomInventory(r *rand.Rand, cat *attack.Catalog) *inventory.Inventory {
	iv := &inventory.Inventory{Levels: map[string]float64{}, NotApplicable: map[string]bool{}, Planned: map[string]bool{}}
	for _, m := range cat.Mitigations {
		switch k := r.IntN(6); k {
		case 0, 1:
		case 2:
			iv.Levels[m.ID] = 1
		case 3:
			iv.Levels[m.ID] = 0.5
		default:
			iv.Levels[m.ID] = math.Round(r.Float64()*100) / 100
		}
		if r.IntN(12) == 0 {
			iv.NotApplicable[m.ID] = true
			iv.Levels[m.ID] = 0
		} else if r.IntN(8) == 0 {
			iv.Planned[m.ID] = true
		}
	}
	return iv
}

// realCatalog is the embedded ATT&CK Enterprise 18.1, the real data the
// product ships with. Embedded decodes it once per process.
func realCatalog(tb testing.TB) *attack.Catalog {
	tb.Helper()
	c, err := attack.Embedded("enterprise")
	if err != nil {
		tb.Skipf("real-data test skipped: the embedded catalog is not available: %v", err)
	}
	if c.Version != "18.1" || len(c.Groups) != 172 {
		tb.Fatalf("embedded catalog is ATT&CK %s with %d groups; these tests are written for 18.1 with 172", c.Version, len(c.Groups))
	}
	return c
}
