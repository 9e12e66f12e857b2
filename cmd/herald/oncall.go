package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

func parseTimeFlag(name, v string, def time.Time) (time.Time, error) {
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, usagef("--%s must be RFC 3339, like 2026-12-01T09:00:00Z", name)
	}
	return t, nil
}

func runOnCall(ctx context.Context, args []string, e env) error {
	f := newFlags("oncall", "oncall SCHEDULE [--at TIME]", e)
	cf := addClientFlags(f)
	at := f.String("at", "", "when (RFC 3339); default now")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("herald oncall takes one schedule (id or name)")
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	t, err := parseTimeFlag("at", *at, time.Time{})
	if err != nil {
		return err
	}
	oc, err := c.Schedules.OnCallAt(ctx, pos[0], t)
	if err != nil {
		return err
	}
	return cf.print(e.stdout, oc, func(tw *tabwriter.Writer) {
		who := "nobody"
		if oc.OnCall != nil {
			who = oc.OnCall.Name + " <" + oc.OnCall.Email + ">"
		}
		row(tw, "Schedule", oc.Schedule)
		row(tw, "At", ts(oc.At)+" UTC")
		row(tw, "On call", who)
		if oc.Override {
			row(tw, "Why", "override")
		} else if oc.Layer != "" {
			row(tw, "Why", "layer "+oc.Layer)
		}
		for _, s := range oc.Shadows {
			row(tw, "Shadow", s.Name)
		}
		row(tw, "Until", ts(oc.Until)+" UTC")
	})
}

func runSchedule(ctx context.Context, args []string, e env) error {
	var file, from, to, user *string
	return runCommands(ctx, "schedule", withShiftOffers(map[string]command{
		"list": {n: 0, help: "schedules", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.Schedules.Schedules(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				row(tw, "ID", "NAME", "TIME ZONE", "LAYERS", "SHADOWS")
				for _, s := range list {
					row(tw, s.ID, s.Name, s.TimeZone, len(s.Layers), len(s.Shadows))
				}
			})
		}},
		"create": {n: 0, help: "create a schedule from JSON (--file F, or - for standard input): {name, time_zone, layers: [{rotation, handoff_time | length_hours, start, users}], shadows}",
			flags: func(f *flags) { file = f.String("file", "-", "the schedule as JSON") },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				var r io.Reader = e.stdin
				if *file != "-" {
					fh, err := os.Open(*file)
					if err != nil {
						return err
					}
					defer fh.Close()
					r = fh
				}
				var in herald.ScheduleInput
				dec := json.NewDecoder(r)
				dec.DisallowUnknownFields()
				if err := dec.Decode(&in); err != nil {
					return usagef("the schedule JSON: %v", err)
				}
				s, err := c.Schedules.CreateSchedule(ctx, in)
				if err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, "created schedule", s.Name, s.ID)
				return nil
			}},
		"shifts": {args: "SCHEDULE", n: 1, help: "the final schedule (default: the next 14 days)",
			flags: func(f *flags) {
				from = f.String("from", "", "RFC 3339; default now")
				to = f.String("to", "", "RFC 3339; default from + 14 days")
			},
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				start, err := parseTimeFlag("from", *from, time.Now().UTC())
				if err != nil {
					return err
				}
				end, err := parseTimeFlag("to", *to, start.Add(14*24*time.Hour))
				if err != nil {
					return err
				}
				shifts, err := c.Schedules.Shifts(ctx, pos[0], start, end)
				if err != nil {
					return err
				}
				return cf.print(e.stdout, shifts, func(tw *tabwriter.Writer) {
					row(tw, "FROM (UTC)", "UNTIL (UTC)", "WHO", "OVERRIDE")
					for _, s := range shifts {
						row(tw, ts(s.Start), ts(s.End), s.User.Name, s.Override)
					}
				})
			}},
		"override": {args: "SCHEDULE", n: 1, help: "put someone on call for a window",
			flags: func(f *flags) {
				user = f.String("user", "", "who (id or e-mail)")
				from = f.String("from", "", "RFC 3339; default now")
				to = f.String("until", "", "RFC 3339")
			},
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				start, err := parseTimeFlag("from", *from, time.Now().UTC())
				if err != nil {
					return err
				}
				end, err := parseTimeFlag("until", *to, time.Time{})
				if err != nil {
					return err
				}
				o, err := c.Schedules.AddOverride(ctx, pos[0], *user, start, end)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "override %s: %s to %s UTC\n", o.ID, ts(o.Start), ts(o.End))
				return nil
			}},
	}, e), args, e)
}
