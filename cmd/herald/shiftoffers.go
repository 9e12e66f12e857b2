package main

import (
	"context"
	"fmt"
	"maps"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// withShiftOffers adds the shift swap commands to `herald schedule`:
// offer, offers, take and withdraw.
func withShiftOffers(table map[string]command, e env) map[string]command {
	var from, until, note, schedule, status *string
	printOffer := func(cf clientFlags, o herald.ShiftOffer) error {
		return cf.print(e.stdout, o, func(tw *tabwriter.Writer) {
			row(tw, "Offer", o.ID)
			row(tw, "Schedule", o.ScheduleName)
			row(tw, "Offered by", o.OfferedByName)
			row(tw, "Window", ts(o.Start)+" to "+ts(o.End)+" UTC")
			if o.Note != "" {
				row(tw, "Note", o.Note)
			}
			row(tw, "Status", string(o.Status))
			if o.TakenAt != nil {
				row(tw, "Taken by", o.TakenByName+" at "+ts(*o.TakenAt)+" UTC")
				row(tw, "Override", o.OverrideID)
			}
		})
	}
	offers := map[string]command{
		"offer": {args: "SCHEDULE", n: 1, help: "offer a window of your shift to others (a swap): --from, --until (RFC 3339), --note",
			flags: func(f *flags) {
				from = f.String("from", "", "RFC 3339; default now")
				until = f.String("until", "", "RFC 3339 (required)")
				note = f.String("note", "", "why, or what the taker should know")
			},
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				start, err := parseTimeFlag("from", *from, time.Now().UTC())
				if err != nil {
					return err
				}
				if *until == "" {
					return usagef("--until is required")
				}
				end, err := parseTimeFlag("until", *until, time.Time{})
				if err != nil {
					return err
				}
				o, err := c.Schedules.OfferShift(ctx, pos[0], herald.ShiftOfferInput{Start: start, End: end, Note: *note})
				if err != nil {
					return err
				}
				return printOffer(cf, o)
			}},
		"offers": {n: 0, help: "shift offers (default: the open ones)",
			flags: func(f *flags) {
				schedule = f.String("schedule", "", "only this schedule's (id or name)")
				status = f.String("status", "open", "open, taken, withdrawn, expired, or all")
			},
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				st := *status
				if st == "all" {
					st = ""
				}
				list, err := c.Schedules.ShiftOffers(ctx, *schedule, st)
				if err != nil {
					return err
				}
				return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
					row(tw, "ID", "SCHEDULE", "FROM (UTC)", "UNTIL (UTC)", "OFFERED BY", "STATUS", "TAKEN BY", "NOTE")
					for _, o := range list {
						row(tw, o.ID, o.ScheduleName, ts(o.Start), ts(o.End), o.OfferedByName, o.Status, o.TakenByName, o.Note)
					}
				})
			}},
		"take": {args: "OFFER", n: 1, help: "take a shift offer: you are on call for its window (an override)",
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				o, err := c.Schedules.TakeShiftOffer(ctx, pos[0])
				if err != nil {
					return err
				}
				if *cf.output == "json" {
					return printOffer(cf, o)
				}
				start := o.Start
				if o.TakenAt != nil && o.TakenAt.After(start) {
					start = *o.TakenAt
				}
				fmt.Fprintf(e.stdout, "you are on call for %s from %s to %s UTC (override %s)\n", o.ScheduleName, ts(start), ts(o.End), o.OverrideID)
				return nil
			}},
		"withdraw": {args: "OFFER", n: 1, help: "withdraw your open shift offer",
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				o, err := c.Schedules.WithdrawShiftOffer(ctx, pos[0])
				if err != nil {
					return err
				}
				return printOffer(cf, o)
			}},
	}
	maps.Copy(table, offers)
	return table
}
