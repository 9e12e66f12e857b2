package main

import (
	"context"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// policyCreateCommand is `herald policy create --name N --level
// "30m:user:a@example.com,schedule:Primary" ...`: a policy from the
// command line, one --level per step, in order.
func policyCreateCommand(e env) command {
	var name, ackExpiry *string
	var levels *list
	var repeat, repeatFrom *int
	return command{n: 0, help: `add an escalation policy (admin): --level TIMEOUT:TARGET,... per level, in order; a TARGET is user:EMAIL, schedule:NAME, colleague:SCHEDULE or managers`,
		flags: func(f *flags) {
			name = f.String("name", "", "the policy's name")
			levels = f.list("level", `a level: its timeout, then its targets, like "30m:user:ann@example.com,schedule:Primary"`)
			repeat = f.Int("repeat", 0, "how many more times the levels run when nobody acknowledges")
			repeatFrom = f.Int("repeat-from-level", 0, "the level each repeat starts at (default 1)")
			ackExpiry = f.String("ack-expiry", "", "an acknowledgement without a resolution ends after this long, like 4h (default: never)")
		},
		run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			in := herald.EscalationPolicyInput{Name: *name, Repeat: *repeat, RepeatFromLevel: *repeatFrom}
			if *ackExpiry != "" {
				if err := in.AckExpiry.UnmarshalText([]byte(*ackExpiry)); err != nil {
					return usagef("--ack-expiry must be a duration like 4h")
				}
			}
			if len(*levels) == 0 {
				return usagef("herald policy create takes at least one --level")
			}
			for i, s := range *levels {
				l, err := parseLevel(s)
				if err != nil {
					return usagef("--level %d (%q): %v", i+1, s, err)
				}
				in.Levels = append(in.Levels, l)
			}
			p, err := c.Paging.CreatePolicy(ctx, in)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, p, func(tw *tabwriter.Writer) { policyRows(tw, p) })
		}}
}

// parseLevel reads "30m:user:ann@example.com,schedule:Primary,managers".
func parseLevel(s string) (herald.EscalationLevel, error) {
	var l herald.EscalationLevel
	timeout, targets, ok := strings.Cut(s, ":")
	if !ok {
		return l, usagef("give TIMEOUT:TARGET,... like 30m:user:ann@example.com")
	}
	d, err := time.ParseDuration(strings.TrimSpace(timeout))
	if err != nil || d < time.Minute || d%time.Minute != 0 {
		return l, usagef("the timeout %q must be whole minutes, like 30m or 1h", timeout)
	}
	l.TimeoutMinutes = int(d / time.Minute)
	for t := range strings.SplitSeq(targets, ",") {
		typ, id, _ := strings.Cut(strings.TrimSpace(t), ":")
		if typ == "" {
			continue
		}
		l.Targets = append(l.Targets, herald.Target{Type: typ, ID: strings.TrimSpace(id)})
	}
	if len(l.Targets) == 0 {
		return l, usagef("no targets after the timeout")
	}
	return l, nil
}
