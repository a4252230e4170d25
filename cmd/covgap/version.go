package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/pflag"

	"github.com/covgap/covgap/attack"
)

// version is set at build time with -ldflags "-X main.version=…"; a plain
// build reports the module version or "devel".
var version = "devel"

func init() {
	if version != "devel" {
		return
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		version = bi.Main.Version
	}
}

func versionCommand() *command {
	return &command{name: "version", summary: "print covgap's version and the embedded ATT&CK versions",
		flags: func(fs *pflag.FlagSet) func(*env, []string) error {
			return func(e *env, args []string) error {
				if err := needArgs(args, 0, 0, ""); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "covgap %s\n", version)
				for _, d := range []string{attack.Enterprise, attack.ICS, attack.Mobile} {
					c, err := attack.Embedded(d)
					if err != nil {
						return inputErr(err)
					}
					fmt.Fprintf(e.stdout, "embedded %s %s: %d groups, %d techniques, %d mitigations\n",
						c.Domain, c.Version, len(c.Groups), len(c.Techniques), len(c.Mitigations))
				}
				fmt.Fprintf(e.stdout, "\n%s\n", attack.Notice)
				return nil
			}
		}}
}
