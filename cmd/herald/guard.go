package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// guardRefusal shows a refusal by the content guard (R45) readably: one
// finding a line, in the order of the text, and how to override. Any
// other error is returned as it is.
func guardRefusal(err error) error {
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != 422 {
		return err
	}
	type place struct {
		field     string
		line, col int
		msg       string
	}
	var ps []place
	for k, v := range ce.Fields {
		parts := strings.Split(k, ":")
		if len(parts) != 3 {
			continue
		}
		line, err1 := strconv.Atoi(parts[1])
		col, err2 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil {
			continue
		}
		ps = append(ps, place{parts[0], line, col, v})
	}
	if len(ps) == 0 {
		return err
	}
	slices.SortFunc(ps, func(a, b place) int {
		if a.field != b.field {
			return strings.Compare(b.field, a.field) // name before body
		}
		if a.line != b.line {
			return a.line - b.line
		}
		return a.col - b.col
	})
	var b strings.Builder
	b.WriteString("the content guard refused the text (R45): it contains internal details customers must not see:")
	for _, p := range ps {
		fmt.Fprintf(&b, "\n  %s line %d, column %d: %s", p.field, p.line, p.col, p.msg)
	}
	for k, v := range ce.Fields {
		if strings.Count(k, ":") != 2 {
			fmt.Fprintf(&b, "\n  %s: %s", k, v)
		}
	}
	b.WriteString("\nremove them, or publish anyway with --override-guard REASON (recorded)")
	return errors.New(b.String())
}

// overrideGuard fills the override fields of an input from
// --override-guard REASON.
func overrideGuard(reason string) (bool, string) {
	reason = strings.TrimSpace(reason)
	return reason != "", reason
}

// findingRows prints the guard's findings, one a row.
func findingRows(tw *tabwriter.Writer, fs []herald.GuardFinding) {
	for _, f := range fs {
		field := ""
		if f.Field != "" {
			field = f.Field + " "
		}
		row(tw, "Finding "+f.Kind, fmt.Sprintf("%sline %d, column %d: %q: %s", field, f.Line, f.Column, f.Text, f.Message))
	}
}

// guardCheckCommand is `herald status guard [TEXT]`: the content guard on
// a text (or standard input), as a public update is checked.
func guardCheckCommand(e env) command {
	return command{args: "[TEXT]", n: -1, help: "check a text with the content guard (R45), from the argument or standard input",
		run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			text := strings.Join(pos, " ")
			if len(pos) == 0 {
				b, err := io.ReadAll(io.LimitReader(e.stdin, 1<<20))
				if err != nil {
					return err
				}
				text = string(b)
			}
			res, err := c.StatusPage.GuardCheck(ctx, text)
			if err != nil {
				return err
			}
			if err := cf.print(e.stdout, res, func(tw *tabwriter.Writer) {
				if res.OK {
					row(tw, "OK", "no internal details found")
				}
				findingRows(tw, res.Findings)
			}); err != nil {
				return err
			}
			if !res.OK {
				return fmt.Errorf("%d finding(s)", len(res.Findings))
			}
			return nil
		}}
}
