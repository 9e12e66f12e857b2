package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// The cadence on the command line: when the next public and internal
// updates are due (R13), "no material updates" in one command (R15),
// internal stakeholder updates, and the reminders sent.

// cadenceRows shows when an incident's next updates are due, and how late
// they are, in words.
func cadenceRows(tw *tabwriter.Writer, inc *herald.Incident) {
	if inc.NextUpdateDue != nil {
		row(tw, "Next public update", dueText(*inc.NextUpdateDue, inc.Overdue))
	}
	if inc.NextInternalUpdateDue != nil {
		row(tw, "Next internal update", dueText(*inc.NextInternalUpdateDue, inc.InternalUpdateOverdue))
	}
}

// dueText is "2026-11-30 10:20 UTC (overdue by 4 minutes)": the server
// says whether it is overdue; how late is read from this machine's clock.
func dueText(due time.Time, overdue bool) string {
	s := ts(due) + " UTC"
	if !overdue {
		return s
	}
	if late := time.Since(due); late >= time.Minute {
		return s + " (overdue by " + minutes(late) + ")"
	}
	return s + " (overdue)"
}

// nextUpdateShort is the list's column: the next public update's time,
// "OVERDUE" beside it when late.
func nextUpdateShort(inc *herald.Incident) string {
	if inc.NextUpdateDue == nil {
		return "-"
	}
	s := inc.NextUpdateDue.UTC().Format("15:04")
	if inc.Overdue {
		s += " OVERDUE"
	}
	return s
}

func minutes(d time.Duration) string {
	m := int(d / time.Minute)
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// runCadence runs `herald incident internal-update|internal-updates|prompts`.
func runCadence(ctx context.Context, sub string, start func(int, string) ([]string, *client.Client, error), cf clientFlags, e env) error {
	switch sub {
	case "internal-update":
		pos, c, err := start(-1, "")
		if err != nil {
			return err
		}
		if len(pos) < 2 {
			return usagef("herald incident internal-update takes a reference and the text")
		}
		u, err := c.Incidents.SendInternalUpdate(ctx, pos[0], strings.Join(pos[1:], " "))
		if err != nil {
			return err
		}
		return cf.print(e.stdout, u, func(tw *tabwriter.Writer) {
			row(tw, ts(u.CreatedAt), u.Actor, "sent to the stakeholder channels: "+u.Body)
		})
	case "internal-updates":
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		list, err := c.Incidents.InternalUpdates(ctx, pos[0])
		if err != nil {
			return err
		}
		return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
			row(tw, "TIME (UTC)", "KIND", "WHO", "TEXT")
			for _, u := range list {
				row(tw, ts(u.CreatedAt), u.Kind, orDash(u.Actor), truncate(strings.ReplaceAll(u.Body, "\n", " "), 80))
			}
		})
	default: // prompts
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		list, err := c.Incidents.Prompts(ctx, pos[0])
		if err != nil {
			return err
		}
		return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
			row(tw, "TIME (UTC)", "TO", "REACHED", "SUBJECT")
			for _, p := range list {
				row(tw, ts(p.CreatedAt), p.UserName, p.Delivered, p.Subject)
			}
		})
	}
}

// noUpdatesCommand is `herald status no-updates INC-42`: "no material
// updates" on the incident's open status incident (R15).
func noUpdatesCommand(e env) command {
	var dry *bool
	return command{args: "INCIDENT", n: 1, help: `publish "no material updates" on the incident's status incident: same state and components, cadence kept (R15)`,
		flags: func(f *flags) { dry = f.Bool("dry-run", false, "show the text and the checks; publish nothing") },
		run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			res, err := c.StatusPage.NoMaterialUpdates(ctx, pos[0], *dry)
			if err != nil {
				return err
			}
			return printPublished(e, cf, res)
		}}
}
