package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/internal/atomicfile"
	"github.com/covgap/covgap/inventory"
	"github.com/covgap/covgap/reports"
)

// inventoryFlags are the flags of the commands that read an inventory.
type inventoryFlags struct {
	sheet   string
	maxSize int64
	maxRows int
}

func (f *inventoryFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.sheet, "sheet", "", "workbook sheet to read (default: the first with a recognised header)")
	fs.Int64Var(&f.maxSize, "max-size", 20<<20, "largest inventory file accepted, in bytes")
	fs.IntVar(&f.maxRows, "max-rows", 100000, "most inventory rows accepted")
}

func (f *inventoryFlags) read(path string, cat *attack.Catalog) (*inventory.Inventory, error) {
	if f.maxSize <= 0 || f.maxRows <= 0 {
		return nil, usageErr("--max-size and --max-rows must be positive")
	}
	return inventory.ReadFile(path, cat, inventory.Options{Sheet: f.sheet, MaxSize: f.maxSize, MaxRows: f.maxRows})
}

func validateCommand() *command {
	return &command{name: "validate", args: "INVENTORY",
		summary: "check an inventory row by row; exit 1 if it has errors",
		flags: func(fs *pflag.FlagSet) func(*env, []string) error {
			var cf catalogFlags
			var inf inventoryFlags
			cf.register(fs, false)
			inf.register(fs)
			format := newChoice("table", "json")
			fs.Var(format, "format", "output format: table or json")
			return func(e *env, args []string) error {
				if err := needArgs(args, 1, 1, "INVENTORY (an .xlsx, .csv, .tsv, .json or .yaml file)"); err != nil {
					return err
				}
				cat, err := cf.load(e)
				if err != nil {
					return err
				}
				inv, err := inf.read(args[0], cat)
				if err != nil {
					return inputErr(err)
				}
				if format.String() == "json" {
					if err := writeJSON(e.stdout, inv); err != nil {
						return err
					}
				} else if err := printValidation(e, inv); err != nil {
					return err
				}
				if n := inv.Errors(); n > 0 {
					// The report above already names every error.
					return &exitError{exitInput, fmt.Errorf("%s: %d error(s)", inv.File, n)}
				}
				return nil
			}
		}}
}

func printValidation(e *env, inv *inventory.Inventory) error {
	recs := make([][]string, 0, len(inv.Rows))
	for _, r := range inv.Rows {
		level := strconv.FormatFloat(r.Level*100, 'f', 0, 64) + "%"
		if r.Error {
			level = "error"
		}
		recs = append(recs, []string{r.Sheet, strconv.Itoa(r.Row), truncate(r.Control, 30),
			strings.Join(r.Mitigations, " "), string(r.Status), level})
	}
	if err := reports.Table(e.stdout, []string{"Sheet", "Row", "Control", "Mitigations", "Status", "Level"}, recs); err != nil {
		return err
	}
	for _, p := range inv.Problems {
		fmt.Fprintln(e.stdout, problemLine(p))
	}
	fmt.Fprintf(e.stdout, "%s: %d rows, %d mitigations assessed, %d not assessed, %d error(s), %d warning(s)\n",
		inv.File, len(inv.Rows), len(inv.Levels), len(inv.NotAssessed), inv.Errors(), inv.Warnings())
	return nil
}

func templateCommand() *command {
	return &command{name: "template",
		summary: "write an inventory template with every mitigation of the catalog, ready to fill in",
		flags: func(fs *pflag.FlagSet) func(*env, []string) error {
			var cf catalogFlags
			cf.register(fs, false)
			out := fs.StringP("output", "o", "covgap-inventory.xlsx", "template `FILE` to write (.xlsx or .csv)")
			force := fs.Bool("force", false, "overwrite FILE if it exists")
			return func(e *env, args []string) error {
				if err := needArgs(args, 0, 0, ""); err != nil {
					return err
				}
				format := strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
				if format != "xlsx" && format != "csv" {
					return usageErr("-o %s: a template is .xlsx or .csv", *out)
				}
				if err := atomicfile.CheckTarget(*out); err != nil {
					return usageErr("-o %s: %v", *out, err)
				}
				if _, err := os.Stat(*out); err == nil && !*force {
					return inputErr(fmt.Errorf("%s exists; a filled-in inventory may be in it (use --force to overwrite)", *out))
				}
				cat, err := cf.load(e)
				if err != nil {
					return err
				}
				if err := atomicfile.Write(*out, func(w io.Writer) error { return inventory.WriteTemplate(w, cat, format) }); err != nil {
					return inputErr(err)
				}
				fmt.Fprintf(e.stderr, "covgap: wrote %s with %d mitigations of %s\n", *out, len(cat.Mitigations), catalogLabel(cat))
				return nil
			}
		}}
}
