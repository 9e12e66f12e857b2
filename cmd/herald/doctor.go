package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/heraldhq/herald"
)

// errDoctorFound is what `herald doctor` returns when it found errors, so
// that it exits non-zero (for scripts and CI) after printing them.
var errDoctorFound = errors.New("configuration errors found")

// runDoctor is `herald doctor`: the configuration gaps that would make a
// page reach nobody or a message go nowhere, before an incident finds them.
func runDoctor(ctx context.Context, args []string, e env) error {
	f := newFlags("doctor", "doctor  (exits 1 when there are errors)", e)
	cf := addClientFlags(f)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("herald doctor takes no arguments")
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	r, err := c.Doctor(ctx)
	if err != nil {
		return err
	}
	err = cf.print(e.stdout, r, func(tw *tabwriter.Writer) {
		if len(r.Findings) == 0 {
			row(tw, "No configuration gaps found.")
			return
		}
		row(tw, "SEVERITY", "KIND", "FINDING")
		for _, x := range r.Findings {
			row(tw, x.Severity, x.Kind, x.Message)
			row(tw, "", "", "fix: "+x.Fix)
		}
		row(tw)
		row(tw, fmt.Sprintf("%d errors, %d warnings", r.Errors, r.Warnings))
	})
	if err != nil {
		return err
	}
	if r.Errors > 0 {
		return fmt.Errorf("%w: %d", errDoctorFound, r.Errors)
	}
	return nil
}

// warningRows prints a page's or an incident's warnings.
func warningRows(tw *tabwriter.Writer, ws []herald.Warning) {
	for _, w := range ws {
		row(tw, "Warning", ts(w.At)+" "+w.Text)
	}
}
