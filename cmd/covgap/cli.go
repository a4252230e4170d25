package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// Exit codes of SPEC §5.
const (
	exitOK        = 0
	exitInput     = 1 // bad inventory, bad bundle, unknown group
	exitUsage     = 2 // bad flags or arguments
	exitFailUnder = 3 // profile score below --fail-under
)

// exitError carries the exit code with the error, so that only run decides
// what reaches the user and with which code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, a...)}
}

// inputErr marks err as bad input (exit 1), unless it already carries an
// exit code, such as a usage error found deeper down.
func inputErr(err error) error {
	var xe *exitError
	if errors.As(err, &xe) {
		return err
	}
	return &exitError{exitInput, err}
}

// command is one subcommand: its flags are declared by flags, and run
// receives the positional arguments after parsing.
type command struct {
	name    string
	args    string // usage of the positional arguments
	summary string
	flags   func(fs *pflag.FlagSet) func(env *env, args []string) error
}

// env is what a command may touch: its output streams.
type env struct {
	stdout, stderr io.Writer
}

func commands() []*command {
	return []*command{
		analyzeCommand(),
		groupsCommand(),
		showCommand(),
		mitigationsCommand(),
		validateCommand(),
		templateCommand(),
		compareCommand(),
		trendCommand(),
		migrateCommand(),
		serveCommand(),
		versionCommand(),
	}
}

func findCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run is the whole command line: it returns the process exit code.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		// A bug must not show a user a stack trace; it still says what
		// happened and exits non-zero.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "covgap: internal error: %v (please report this)\n", r)
			code = exitInput
		}
	}()
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help":
		if len(args) > 1 {
			c := findCommand(args[1])
			if c == nil {
				fmt.Fprintf(stderr, "covgap: unknown command %q. Run 'covgap help' for the list.\n", args[1])
				return exitUsage
			}
			printCommandHelp(stdout, c)
			return exitOK
		}
		printUsage(stdout)
		return exitOK
	case "--version", "-version":
		name = "version"
	}
	c := findCommand(name)
	if c == nil {
		msg := fmt.Sprintf("covgap: unknown command %q", name)
		if s := nearestCommand(name); s != "" {
			msg += fmt.Sprintf("; did you mean %q", s)
		}
		fmt.Fprintln(stderr, msg+". Run 'covgap help' for the list.")
		return exitUsage
	}
	fs := pflag.NewFlagSet("covgap "+c.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	action := c.flags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printCommandHelp(stdout, c)
			return exitOK
		}
		fmt.Fprintf(stderr, "covgap %s: %v. Run 'covgap help %s' for usage.\n", c.name, err, c.name)
		return exitUsage
	}
	err := action(e, fs.Args())
	if err == nil {
		return exitOK
	}
	var xe *exitError
	if errors.As(err, &xe) {
		if xe.err != nil && xe.err.Error() != "" {
			fmt.Fprintf(stderr, "covgap %s: %v\n", c.name, xe.err)
		}
		if xe.code == exitUsage {
			fmt.Fprintf(stderr, "Run 'covgap help %s' for usage.\n", c.name)
		}
		return xe.code
	}
	fmt.Fprintf(stderr, "covgap %s: %v\n", c.name, err)
	return exitInput
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `covgap scores how much of what ATT&CK threat groups do your deployed
mitigations cover, finds the gaps and ranks the mitigations that close most.

Usage:
  covgap COMMAND [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'covgap help COMMAND' for a command's flags.
ATT&CK data: © The MITRE Corporation (see 'covgap version').
`)
}

func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: covgap %s [flags] %s\n\n%s\n", c.name, c.args, c.summary)
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	fs.SortFlags = false
	c.flags(fs)
	if fs.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	}
}

func nearestCommand(s string) string {
	var names []string
	for _, c := range commands() {
		if strings.HasPrefix(c.name, s) || strings.HasPrefix(s, c.name) {
			names = append(names, c.name)
		}
	}
	sort.Strings(names)
	if len(names) > 0 {
		return names[0]
	}
	return ""
}

// needArgs checks the number of positional arguments.
func needArgs(args []string, min, max int, what string) error {
	if len(args) < min {
		return usageErr("missing %s", what)
	}
	if max >= 0 && len(args) > max {
		return usageErr("unexpected argument %q", args[max])
	}
	return nil
}

// choiceFlag is a flag whose value must be one of a fixed set; a wrong
// value fails when the flags are parsed, with the choices in the message.
type choiceFlag struct {
	value   string
	choices []string
	aliases map[string]string
}

// newChoice makes a choiceFlag whose default is the first choice.
func newChoice(choices ...string) *choiceFlag {
	return &choiceFlag{value: choices[0], choices: choices}
}

// alias lets a user write from for to.
func (c *choiceFlag) alias(from, to string) *choiceFlag {
	if c.aliases == nil {
		c.aliases = map[string]string{}
	}
	c.aliases[from] = to
	return c
}

func (c *choiceFlag) String() string { return c.value }
func (c *choiceFlag) Type() string   { return strings.Join(c.choices, "|") }
func (c *choiceFlag) Set(s string) error {
	v := strings.ToLower(strings.TrimSpace(s))
	if a, ok := c.aliases[v]; ok {
		v = a
	}
	if !slices.Contains(c.choices, v) {
		return fmt.Errorf("unknown value %q (want %s)", s, strings.Join(c.choices, ", "))
	}
	c.value = v
	return nil
}
