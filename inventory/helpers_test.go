package inventory

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/covgap/covgap/attack"
)

var (
	enterpriseOnce sync.Once
	enterpriseCat  *attack.Catalog
	enterpriseErr  error
)

// enterprise is the real embedded ATT&CK 18.1 Enterprise catalog.
func enterprise(t testing.TB) *attack.Catalog {
	t.Helper()
	enterpriseOnce.Do(func() { enterpriseCat, enterpriseErr = attack.Embedded("enterprise") })
	if enterpriseErr != nil {
		t.Skipf("embedded ATT&CK catalog unavailable: %v", enterpriseErr)
	}
	return enterpriseCat
}

// smallCatalog is a hand-built catalog with what 18.1 lacks for tests: a
// revoked mitigation with a successor, and one without.
func smallCatalog() *attack.Catalog {
	c := &attack.Catalog{Domain: attack.Enterprise, Version: "test"}
	for _, m := range [][2]string{
		{"M1017", "User Training"}, {"M1018", "User Account Management"}, {"M1020", "SSL/TLS Inspection"},
		{"M1032", "Multi-factor Authentication"}, {"M1049", "Antivirus/Antimalware"},
		{"M1042", "Disable or Remove Feature or Program"}, {"M1056", "Pre-compromise"},
	} {
		c.Mitigations = append(c.Mitigations, &attack.Mitigation{ID: m[0], Name: m[1]})
	}
	c.Retired = []attack.Retired{
		{Kind: attack.KindMitigation, ID: "M1014", Name: "Interconnection Filtering", Revoked: true, ReplacedBy: "M1018"},
		{Kind: attack.KindMitigation, ID: "M1023", Name: "Old Thing", Revoked: true},
		{Kind: attack.KindMitigation, ID: "T1033", Name: "System Owner/User Discovery Mitigation", Deprecated: true},
	}
	c.Index()
	return c
}

func readString(t testing.TB, name, content string, cat *attack.Catalog, o Options) *Inventory {
	t.Helper()
	inv, err := Read(strings.NewReader(content), name, cat, o)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return inv
}

// problemsText lists problems one a line, for failure messages.
func problemsText(inv *Inventory) string {
	var b strings.Builder
	for _, p := range inv.Problems {
		b.WriteString("  " + string(p.Severity) + " " + p.Sheet + " row " + strconv.Itoa(p.Row) + " [" + p.Column + "] " + p.Message)
		if len(p.Suggestions) > 0 {
			b.WriteString(" {" + strings.Join(p.Suggestions, " | ") + "}")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// findProblem returns the first problem on row whose message contains all
// of words.
func findProblem(inv *Inventory, sev Severity, row int, words ...string) *Problem {
	for i, p := range inv.Problems {
		if p.Severity != sev || p.Row != row {
			continue
		}
		ok := true
		for _, w := range words {
			if !strings.Contains(strings.ToLower(p.Message), strings.ToLower(w)) {
				ok = false
			}
		}
		if ok {
			return &inv.Problems[i]
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for id := range m {
		k = append(k, id)
	}
	slices.Sort(k)
	return k
}
