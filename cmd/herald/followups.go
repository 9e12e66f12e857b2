package main

import (
	"context"
	"text/tabwriter"

	"github.com/heraldhq/herald"
)

// runFollowUps lists follow-ups across incidents (R54): the overdue ones
// with --overdue.
func runFollowUps(ctx context.Context, args []string, e env) error {
	f := newFlags("followups", "followups [--overdue] [--open] [--owner USER] [--limit N]", e)
	cf := addClientFlags(f)
	overdue := f.Bool("overdue", false, "only open follow-ups past their due date")
	open := f.Bool("open", false, "only follow-ups not done")
	owner := f.String("owner", "", "only the follow-ups this user (id or e-mail) owns")
	limit := f.Int("limit", 0, "how many (default 200, at most 500)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("herald followups takes no arguments, only flags")
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	list, err := c.Incidents.ListFollowUps(ctx, herald.FollowUpFilter{Overdue: *overdue, Open: *open, Owner: *owner, Limit: *limit})
	if err != nil {
		return err
	}
	return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
		if len(list) == 0 {
			if *overdue {
				row(tw, "No follow-up is overdue.")
			} else {
				row(tw, "No follow-ups.")
			}
			return
		}
		row(tw, "INCIDENT", "ID", "STATUS", "OWNER", "DUE", "TITLE")
		for _, fu := range list {
			status := "open"
			switch {
			case fu.Done:
				status = "done"
			case fu.Overdue:
				status = "OVERDUE"
			}
			row(tw, fu.IncidentReference, fu.ID, status, orDash(fu.Owner), orDash(fu.DueDate), fu.Title)
		}
	})
}
