package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// runHandover is `herald handover ...`: the handover records at the end of
// each shift of the communications and incident-lead rotations (R60).
func runHandover(ctx context.Context, args []string, e env) error {
	var status, note, schedule, to *string
	var mine *bool
	var keep *list
	show := func(cf clientFlags, h herald.Handover) error {
		return cf.print(e.stdout, h, func(tw *tabwriter.Writer) { handoverRows(tw, h) })
	}
	edit := func() (herald.HandoverEdit, error) {
		in := herald.HandoverEdit{Note: *note}
		no := false
		for _, k := range *keep {
			section, ref, ok := strings.Cut(k, ":")
			if !ok {
				return in, usagef("--keep takes SECTION:REF, like incidents:INC-42 or notice_threads:ID")
			}
			in.Items = append(in.Items, herald.HandoverItemEdit{Section: section, Ref: ref, Reassign: &no})
		}
		return in, nil
	}
	editFlags := func(f *flags) {
		note = f.String("note", "", "your note for the next shift")
		keep = f.list("keep", "SECTION:REF of an item you keep rather than hand over (incidents:INC-42)")
	}
	return runCommands(ctx, "handover", resolveFirst(map[string]command{
		"list": {n: 0, help: "handovers you may read, newest shift first", flags: func(f *flags) {
			status = f.String("status", "", "draft, submitted or acknowledged (default: all)")
			mine = f.Bool("mine", false, "only those you hand over or take over")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.Handovers.Handovers(ctx, *status, *mine)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				if len(list) == 0 {
					row(tw, "No handovers.")
					return
				}
				row(tw, "ID", "STATUS", "SCHEDULE", "SHIFT END", "FROM", "TO")
				for _, h := range list {
					row(tw, h.ID, h.Status, h.ScheduleName, ts(h.ShiftEnd), h.UserName, orDash(h.IncomingName))
				}
			})
		}},
		"show": {args: "ID", n: 1, help: "one handover with its sections", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			h, err := c.Handovers.Handover(ctx, pos[0])
			if err != nil {
				return err
			}
			return show(cf, h)
		}},
		"start": {n: 0, help: "draft the handover of your current shift early: --schedule", flags: func(f *flags) {
			schedule = f.String("schedule", "", "the rotation's schedule (id or name)")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			h, err := c.Handovers.StartHandover(ctx, *schedule)
			if err != nil {
				return err
			}
			return show(cf, h)
		}},
		"save": {args: "ID", n: 1, help: "save your edits of a draft: --note, --keep SECTION:REF (repeatable)", flags: editFlags,
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				in, err := edit()
				if err != nil {
					return err
				}
				h, err := c.Handovers.SaveHandover(ctx, pos[0], in)
				if err != nil {
					return err
				}
				return show(cf, h)
			}},
		"submit": {args: "ID", n: 1, help: "submit after the shift ended: --note, --keep SECTION:REF (repeatable); moves roles and notice threads to the next shift", flags: editFlags,
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				in, err := edit()
				if err != nil {
					return err
				}
				h, err := c.Handovers.SubmitHandover(ctx, pos[0], in)
				if err != nil {
					return err
				}
				return show(cf, h)
			}},
		"ack": {args: "ID", n: 1, help: "acknowledge a handover you take over", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			h, err := c.Handovers.AcknowledgeHandover(ctx, pos[0])
			if err != nil {
				return err
			}
			return show(cf, h)
		}},
		"rotations": {n: 0, help: "which schedule each role hands over on", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.Handovers.HandoverRotations(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				row(tw, "ROLE", "SCHEDULE", "FROM", "PROBLEM")
				for _, r := range list {
					row(tw, r.Role, orDash(r.ScheduleName), r.Source, orDash(r.Problem))
				}
			})
		}},
		"role": {args: "INCIDENT ROLE", n: 2, help: "hand an incident role over live: --to USER --note TEXT (on the timeline)", flags: func(f *flags) {
			to = f.String("to", "", "who takes the role over (id or e-mail)")
			note = f.String("note", "", "a short note for the timeline")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			inc, err := c.Handovers.HandOverRole(ctx, pos[0], pos[1], herald.RoleHandoverInput{To: *to, Note: *note})
			if err != nil {
				return err
			}
			return cf.print(e.stdout, inc, func(tw *tabwriter.Writer) {
				for _, r := range inc.Roles {
					row(tw, r.Role, r.UserName)
				}
			})
		}},
	}, handoverByPrefix, "show", "save", "submit", "ack"), args, e)
}

func handoverRows(tw *tabwriter.Writer, h herald.Handover) {
	row(tw, "ID", h.ID)
	row(tw, "Status", h.Status)
	row(tw, "Schedule", h.ScheduleName+" ("+strings.Join(h.Roles, ", ")+")")
	row(tw, "Shift", ts(h.ShiftStart)+" to "+ts(h.ShiftEnd))
	row(tw, "From", h.UserName)
	row(tw, "To", orDash(h.IncomingName))
	if h.Note != "" {
		row(tw, "Note", h.Note)
	}
	for _, s := range h.Sections {
		if s.Pending {
			continue
		}
		row(tw, s.Title, fmt.Sprintf("%d", len(s.Items)))
		for _, it := range s.Items {
			line := it.Ref + "  " + it.Title
			if it.Detail != "" {
				line += " (" + it.Detail + ")"
			}
			if it.Due != nil {
				line += " due " + ts(*it.Due)
			}
			if it.Start != nil && it.End != nil {
				line += " " + ts(*it.Start) + " to " + ts(*it.End)
			}
			if it.Reassign {
				line += " -> next shift"
			}
			if it.Note != "" {
				line += ": " + it.Note
			}
			row(tw, "", line)
		}
	}
	for _, r := range h.Reassigned {
		row(tw, "Handed over", r)
	}
	if h.AcknowledgedAt != nil {
		row(tw, "Acknowledged", ts(*h.AcknowledgedAt)+" by "+h.AcknowledgedByName)
	}
}

// handoverByPrefix finds a handover by the start of its id.
func handoverByPrefix(ctx context.Context, c *client.Client, ref string) (string, error) {
	hs, err := c.Handovers.Handovers(ctx, "", false)
	if err != nil {
		return "", err
	}
	list := make([]candidate, len(hs))
	for i, h := range hs {
		list[i] = candidate{h.ID, fmt.Sprintf("%s  %s  %s", h.Status, h.ScheduleName, ts(h.ShiftEnd))}
	}
	return matchPrefix("handover", ref, "(see herald handover list)", list)
}
