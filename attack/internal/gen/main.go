// Command gen writes the ATT&CK snapshots that package attack embeds. It
// reads MITRE's STIX bundles (by default ../shared/attack/*-18.1.json.gz,
// as go generate runs it from the attack directory) and writes one
// compressed snapshot per domain into attack/data. Run it with
// "go generate ./attack/" after updating the bundles, then commit the
// result.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/covgap/covgap/attack"
)

func main() {
	in := flag.String("in", "../../shared/attack", "directory holding <domain>-<version>.json.gz bundles")
	version := flag.String("version", "18.1", "ATT&CK version to embed")
	out := flag.String("out", "data", "output directory")
	flag.Parse()
	if err := run(*in, *version, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, version, out string) error {
	for _, domain := range []string{attack.Enterprise, attack.ICS, attack.Mobile} {
		path := filepath.Join(in, domain+"-"+version+".json.gz")
		c, err := attack.LoadSTIXFiles(path)
		if err != nil {
			return err
		}
		if c.Domain != domain || c.Version != version {
			return fmt.Errorf("%s holds %s %s, expected %s %s", path, c.Domain, c.Version, domain, version)
		}
		for _, w := range c.Warnings {
			fmt.Fprintln(os.Stderr, "gen: warning:", w)
		}
		var b bytes.Buffer
		if err := attack.WriteSnapshot(&b, c); err != nil {
			return err
		}
		dst := filepath.Join(out, domain+".snap")
		if err := os.WriteFile(dst, b.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Printf("gen: %s: ATT&CK %s %s: %d groups, %d techniques, %d mitigations, %d bytes\n",
			dst, strings.TrimSuffix(domain, "-attack"), c.Version, len(c.Groups), len(c.Techniques), len(c.Mitigations), b.Len())
	}
	return nil
}
