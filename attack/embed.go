package attack

import (
	"embed"
	"fmt"
	"strings"
	"sync"
)

//go:generate go run ./internal/gen -in ../../shared/attack -version 18.1 -out data

// The snapshots are generated from MITRE's bundles (see internal/gen) and
// committed, so that a build needs neither the bundles nor the network.
//
//go:embed data
var embedded embed.FS

// Notice is MITRE's copyright notice and licence for the embedded ATT&CK
// data; it must travel with any copy of that data.
//
//go:embed data/NOTICE
var Notice string

// EmbeddedSource is the Source of catalogs returned by Embedded.
const EmbeddedSource = "embedded"

// Domain normalises a domain as users write it ("enterprise", "ICS",
// "mobile-attack"; "" means enterprise) to the STIX name.
func Domain(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "enterprise", Enterprise:
		return Enterprise, nil
	case "ics", ICS:
		return ICS, nil
	case "mobile", Mobile:
		return Mobile, nil
	}
	return "", fmt.Errorf("unknown ATT&CK domain %q; expected enterprise, ics or mobile", s)
}

var embeddedCache struct {
	sync.Mutex
	m map[string]*Catalog
}

// Embedded returns the ATT&CK catalog of a domain that is built into the
// binary. Catalogs are decoded once per process; each call returns its own
// Catalog value, so adding objects to it and calling Index does not affect
// other callers, but the Technique, Group, ... objects it points to are
// shared and must not be modified in place.
func Embedded(domain string) (*Catalog, error) {
	d, err := Domain(domain)
	if err != nil {
		return nil, err
	}
	embeddedCache.Lock()
	defer embeddedCache.Unlock()
	c := embeddedCache.m[d]
	if c == nil {
		data, err := embedded.ReadFile("data/" + d + ".snap")
		if err != nil {
			return nil, fmt.Errorf("no embedded ATT&CK data for %s: %w", d, err)
		}
		if c, err = ReadSnapshot(data, EmbeddedSource); err != nil {
			return nil, err
		}
		if embeddedCache.m == nil {
			embeddedCache.m = map[string]*Catalog{}
		}
		embeddedCache.m[d] = c
	}
	cp := *c
	cp.Tactics = append([]Tactic(nil), c.Tactics...)
	cp.Techniques = append([]*Technique(nil), c.Techniques...)
	cp.Mitigations = append([]*Mitigation(nil), c.Mitigations...)
	cp.Groups = append([]*Group(nil), c.Groups...)
	cp.Campaigns = append([]*Campaign(nil), c.Campaigns...)
	cp.Software = append([]*Software(nil), c.Software...)
	cp.Retired = append([]Retired(nil), c.Retired...)
	cp.Warnings = nil
	return &cp, nil
}
