// Command covgap scores a security team's inventory of deployed mitigations
// against the MITRE ATT&CK map threat group → technique → mitigation, finds
// the gaps and ranks the mitigations that would close most of them.
//
// main only hands the arguments and standard streams to run, so that every
// behaviour of the command line, exit codes included, is tested in-process.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
