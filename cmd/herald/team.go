package main

import (
	"context"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// runTeam is `herald team ...`: teams, their members, and what they own.
func runTeam(ctx context.Context, args []string, e env) error {
	var members *list
	var rename *string
	show := func(cf clientFlags, t herald.Team) error {
		return cf.print(e.stdout, t, func(tw *tabwriter.Writer) {
			row(tw, "Name", t.Name)
			var ms []string
			for _, m := range t.Members {
				ms = append(ms, m.Name+" <"+m.Email+">")
			}
			row(tw, "Members", strings.Join(ms, ", "))
			row(tw, "Schedules", strings.Join(t.Schedules, ", "))
			row(tw, "Policies", strings.Join(t.Policies, ", "))
			row(tw, "Services", strings.Join(t.Services, ", "))
		})
	}
	emails := func(t herald.Team) []string {
		var out []string
		for _, m := range t.Members {
			out = append(out, m.Email)
		}
		return out
	}
	change := func(ctx context.Context, cf clientFlags, c *client.Client, ref string, edit func([]string) []string) error {
		t, err := c.Teams.Get(ctx, ref)
		if err != nil {
			return err
		}
		t, err = c.Teams.Update(ctx, t.ID, herald.TeamInput{Name: t.Name, Members: edit(emails(t))})
		if err != nil {
			return err
		}
		return show(cf, t)
	}
	return runCommands(ctx, "team", map[string]command{
		"list": {n: 0, help: "the teams, their members and what they own", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.Teams.List(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				row(tw, "NAME", "MEMBERS", "SCHEDULES", "POLICIES", "SERVICES")
				for _, t := range list {
					row(tw, t.Name, strings.Join(emails(t), ", "), strings.Join(t.Schedules, ", "), strings.Join(t.Policies, ", "), strings.Join(t.Services, ", "))
				}
			})
		}},
		"show": {args: "TEAM", n: 1, help: "one team", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			t, err := c.Teams.Get(ctx, pos[0])
			if err != nil {
				return err
			}
			return show(cf, t)
		}},
		"create": {args: "NAME", n: 1, help: "add a team (admin)", flags: func(f *flags) {
			members = f.list("member", "a member's e-mail address")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			t, err := c.Teams.Create(ctx, herald.TeamInput{Name: pos[0], Members: *members})
			if err != nil {
				return err
			}
			return show(cf, t)
		}},
		"set": {args: "TEAM", n: 1, help: "replace a team's members (--member, repeatable) and rename it (--name; admin)", flags: func(f *flags) {
			members = f.list("member", "a member's e-mail address")
			rename = f.String("name", "", "the team's new name")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			t, err := c.Teams.Get(ctx, pos[0])
			if err != nil {
				return err
			}
			in := herald.TeamInput{Name: t.Name, Members: emails(t)}
			if *rename != "" {
				in.Name = *rename
			}
			if f.set("member") {
				in.Members = *members
			}
			if t, err = c.Teams.Update(ctx, t.ID, in); err != nil {
				return err
			}
			return show(cf, t)
		}},
		"add-member": {args: "TEAM EMAIL...", n: -1, help: "add people to a team (admin)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if len(pos) < 2 {
				return usagef("herald team add-member takes TEAM and one or more e-mail addresses")
			}
			return change(ctx, cf, c, pos[0], func(m []string) []string { return append(m, pos[1:]...) })
		}},
		"remove-member": {args: "TEAM EMAIL...", n: -1, help: "remove people from a team (admin)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if len(pos) < 2 {
				return usagef("herald team remove-member takes TEAM and one or more e-mail addresses")
			}
			return change(ctx, cf, c, pos[0], func(m []string) []string {
				return slices.DeleteFunc(m, func(x string) bool {
					return slices.Contains(pos[1:], strings.ToLower(x)) || slices.Contains(pos[1:], x)
				})
			})
		}},
		"delete": {args: "TEAM", n: 1, help: "remove a team; what it owned belongs to no team after (admin)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if err := c.Teams.Delete(ctx, pos[0]); err != nil {
				return err
			}
			return cf.print(e.stdout, map[string]string{"deleted": pos[0]}, func(tw *tabwriter.Writer) { row(tw, "Team "+pos[0]+" deleted.") })
		}},
	}, args, e)
}
