package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/covgap/covgap/attack"
)

// catalogFlags are the flags every command that reads ATT&CK shares.
type catalogFlags struct {
	attack          []string
	domain          string
	version         string
	noCampaigns     bool
	includeSoftware bool
	verbose         bool
}

func (f *catalogFlags) register(fs *pflag.FlagSet, uses bool) {
	fs.StringArrayVar(&f.attack, "attack", nil, "ATT&CK source: a STIX 2.1 bundle (.json, .json.gz) or a Markdown vault directory or page; repeatable (bundles are merged); default: the embedded ATT&CK 18.1")
	fs.StringVar(&f.domain, "domain", "", "ATT&CK domain: enterprise, ics or mobile (default: enterprise for the embedded data, the bundle's own for --attack)")
	fs.StringVar(&f.version, "attack-version", "", "ATT&CK version of a Markdown vault (vault pages do not say)")
	fs.BoolVar(&f.verbose, "verbose", false, "list every warning found while loading ATT&CK, not just the first few")
	if uses {
		fs.BoolVar(&f.noCampaigns, "no-campaigns", false, "do not count the techniques of campaigns attributed to a group")
		fs.BoolVar(&f.includeSoftware, "include-software", false, "also count the techniques of the software a group uses")
	}
}

func (f *catalogFlags) uses() attack.UseOptions {
	return attack.UseOptions{Campaigns: !f.noCampaigns, Software: f.includeSoftware}
}

// load returns the catalog the flags name. Problems found while loading
// that did not stop it are summarised on stderr.
func (f *catalogFlags) load(e *env) (*attack.Catalog, error) {
	domain, err := attack.Domain(f.domain)
	if err != nil {
		return nil, usageErr("--domain: %v", err)
	}
	var cat *attack.Catalog
	if len(f.attack) == 0 {
		cat, err = attack.Embedded(domain)
	} else {
		if f.domain == "" {
			domain = "" // a bundle says its own domain
		}
		cat, err = attack.Load(f.attack, attack.LoadOptions{Domain: domain, Version: f.version})
	}
	if err != nil {
		return nil, inputErr(err)
	}
	if n := len(cat.Warnings); n > 0 {
		shown := min(n, 3)
		if f.verbose {
			shown = n
		}
		fmt.Fprintf(e.stderr, "covgap: %d warning(s) while loading ATT&CK from %s", n, cat.Source)
		if n > shown {
			fmt.Fprintf(e.stderr, " (first %d; --verbose lists all)", shown)
		}
		fmt.Fprintln(e.stderr, ":")
		for _, w := range cat.Warnings[:shown] {
			fmt.Fprintf(e.stderr, "  %s\n", w)
		}
	}
	return cat, nil
}

// catalogLabel names a catalog in one line: "enterprise-attack 18.1 (embedded)".
func catalogLabel(c *attack.Catalog) string {
	v := c.Version
	if v == "" {
		v = "version unknown"
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s (%s)", c.Domain, v, c.Source))
}
