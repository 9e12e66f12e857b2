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

func pageTable(tw *tabwriter.Writer, pages ...herald.Page) {
	row(tw, "ID", "STATUS", "COUNT", "FIRST SEEN", "DEDUP KEY", "SUMMARY")
	for _, p := range pages {
		row(tw, p.ID, p.Status, p.Count, ts(p.FirstSeen), truncate(p.DedupKey, 24), truncate(p.Summary, 60))
	}
}

// pageList is the page list as a person on call reads it: which service,
// where it stands, the level paged last (from 1, as people count; "-"
// before the first), who acknowledged it and who it has notified.
func pageList(tw *tabwriter.Writer, pages []herald.Page, services map[string]string) {
	row(tw, "ID", "SERVICE", "STATUS", "LEVEL", "ACKNOWLEDGED BY", "NOTIFIED", "COUNT", "FIRST SEEN", "SUMMARY")
	for _, p := range pages {
		level := "-"
		if p.Level >= 0 {
			level = fmt.Sprint(p.Level + 1)
		}
		status := string(p.Status)
		if p.Muted {
			status += " (muted)"
		}
		row(tw, p.ID, truncate(services[p.ServiceID], 30), status, level, p.AckedBy, truncate(strings.Join(p.Notified, ", "), 60), p.Count, ts(p.FirstSeen), truncate(p.Summary, 60))
	}
}

// runPage is `herald page`: page a service's responders by hand (the
// source's /pd trigger), or list, acknowledge and resolve pages.
func runPage(ctx context.Context, args []string, e env) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(e.stdout, "Usage: herald page --service NAME --summary TEXT [--severity S] [flags]   page a service's responders\n\n")
		return runPages(ctx, args, e)
	}
	if len(args) > 0 && (args[0] == "list" || args[0] == "show" || args[0] == "ack" || args[0] == "resolve" || args[0] == "snooze" || args[0] == "escalate" || pageLinkCommands[args[0]]) {
		return runPages(ctx, args, e)
	}
	f := newFlags("page", "page --service NAME --summary TEXT [--severity S]  (or: page list | show ID | ack ID | resolve ID | snooze ID | escalate ID --level N | declare ID | attach ID INCIDENT | detach ID)", e)
	cf := addClientFlags(f)
	service := f.String("service", "", "the service whose responders to page (name or id)")
	summary := f.String("summary", "", "what is wrong")
	severity := f.String("severity", "critical", "critical, error, warning or info")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *service == "" {
		return usagef("herald page takes --service and --summary")
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	p, err := c.Paging.Page(ctx, *service, *summary, *severity)
	if err != nil {
		return err
	}
	return cf.print(e.stdout, p, func(tw *tabwriter.Writer) { pageTable(tw, p) })
}

func runPages(ctx context.Context, args []string, e env) error {
	var service, status, snoozeFor, snoozeUntil *string
	act := func(do func(*client.PagingClient, context.Context, string) (herald.Page, error)) func(context.Context, *flags, clientFlags, *client.Client, []string) error {
		return func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			p, err := do(c.Paging, ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, p, func(tw *tabwriter.Writer) { pageTable(tw, p) })
		}
	}
	return runCommands(ctx, "page", resolveFirst(mergeCommands(map[string]command{
		"list": {n: 0, help: "pages, newest first: service, status, level, who acknowledged, who was notified", flags: func(f *flags) {
			service = f.String("service", "", "only this service (name or id)")
			status = f.String("status", "", "triggered, acknowledged or resolved")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			services, err := c.Paging.Services(ctx)
			if err != nil {
				return err
			}
			names := map[string]string{}
			for _, s := range services {
				names[s.ID] = s.Name
				if *service != "" && strings.EqualFold(s.Name, *service) {
					*service = s.ID
				}
			}
			pages, err := c.Paging.Pages(ctx, *service, *status)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, pages, func(tw *tabwriter.Writer) { pageList(tw, pages, names) })
		}},
		"show": {args: "ID", n: 1, help: "one page: its warnings, whom it notified, and its log", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			p, err := c.Paging.PageDetail(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, p, func(tw *tabwriter.Writer) {
				row(tw, "ID", p.ID)
				row(tw, "Status", p.Status)
				row(tw, "Summary", p.Summary)
				if p.Restricted {
					row(tw, "Notifications", "reference and links only (FedRAMP tenant)")
				}
				row(tw, "Level", p.Level+1)
				row(tw, "First seen", ts(p.FirstSeen))
				row(tw, "Next escalation", tsp(p.NextEscalation))
				if p.AckedBy != "" {
					row(tw, "Acknowledged by", p.AckedBy)
				}
				pageLinkRows(tw, p.Page)
				if p.SnoozedUntil != nil {
					row(tw, "Snoozed until", tsp(p.SnoozedUntil))
				} else if p.RetriggerAt != nil {
					row(tw, "Acknowledgement ends", tsp(p.RetriggerAt))
				}
				warningRows(tw, p.Warnings)
				row(tw)
				for _, l := range p.Log {
					row(tw, ts(l.At), l.Kind, l.Text)
				}
			})
		}},
		"ack":     {args: "ID", n: 1, help: "acknowledge: escalation stops", run: act((*client.PagingClient).AcknowledgePage)},
		"resolve": {args: "ID", n: 1, help: "resolve the page (an incident stays open)", run: act((*client.PagingClient).ResolvePage)},
		"snooze": {args: "ID", n: 1, help: "acknowledge until a time (--for 1h or --until TIME); then it is triggered again from level 1", flags: func(f *flags) {
			snoozeFor = f.String("for", "", "how long, like 30m or 2h")
			snoozeUntil = f.String("until", "", "until when (RFC 3339)")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			var in herald.SnoozeInput
			if *snoozeFor != "" {
				if err := in.For.UnmarshalText([]byte(*snoozeFor)); err != nil {
					return usagef("--for must be a duration like 30m or 2h")
				}
			}
			if *snoozeUntil != "" {
				t, err := parseTimeFlag("until", *snoozeUntil, time.Time{})
				if err != nil {
					return err
				}
				in.Until = &t
			}
			p, err := c.Paging.SnoozePage(ctx, pos[0], in)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, p, func(tw *tabwriter.Writer) { pageTable(tw, p) })
		}},
	}, mergeCommands(pageLinkTable(e, act), pageEscalateTable(e))), pageByPrefix, "show", "ack", "resolve", "snooze", "escalate", "declare", "attach", "detach"), args, e)
}

func runService(ctx context.Context, args []string, e env) error {
	var name, desc, policy *string
	var comps *list
	return runCommands(ctx, "service", mergeCommands(map[string]command{
		"list": {n: 0, help: "services and their integration keys", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.Paging.Services(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				row(tw, "ID", "NAME", "INTEGRATION KEY", "ESCALATION POLICY")
				for _, s := range list {
					row(tw, s.ID, s.Name, s.IntegrationKey, orDash(s.EscalationPolicyID))
				}
			})
		}},
		"create": {n: 0, help: "add a service (admin)", flags: func(f *flags) {
			name = f.String("name", "", "service name")
			desc = f.String("description", "", "what it is")
			policy = f.String("escalation-policy", "", "escalation policy (id or name)")
			comps = f.list("component", "a status page component it runs on (name or id): a maintenance of it mutes the service's paging")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			ids, err := componentIDs(ctx, c, *comps)
			if err != nil {
				return err
			}
			s, err := c.Paging.CreateService(ctx, herald.ServiceInput{Name: *name, Description: *desc, EscalationPolicyID: *policy, Components: ids})
			if err != nil {
				return err
			}
			return cf.print(e.stdout, s, func(tw *tabwriter.Writer) {
				row(tw, "ID", s.ID)
				row(tw, "Name", s.Name)
				row(tw, "Integration key", s.IntegrationKey)
			})
		}},
	}, serviceComponentsTable(e)), args, e)
}

// runPolicy is `herald policy`: the escalation policies services page
// through (create, or template for R05's and R07's).
func runPolicy(ctx context.Context, args []string, e env) error {
	var tname, engineer, lead *string
	return runCommands(ctx, "policy", map[string]command{
		"create": policyCreateCommand(e),
		"template": {args: "r05|r07", n: 1, help: "add a policy from a template (admin): r05 pages the engineer, the incident lead after 30m, then management; " +
			"r07 the engineer, a colleague in the time zone after 10m, then all managers (times: settings escalation_templates)", flags: func(f *flags) {
			tname = f.String("name", "", "the policy's name (default: the template's)")
			engineer = f.String("engineer", "", "the engineers' schedule (id or name)")
			lead = f.String("lead", "", "the incident leads' schedule (r05)")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			p, err := c.Paging.PolicyFromTemplate(ctx, herald.PolicyTemplateInput{Template: strings.ToLower(pos[0]), Name: *tname, Engineer: *engineer, Lead: *lead})
			if err != nil {
				return err
			}
			return cf.print(e.stdout, p, func(tw *tabwriter.Writer) { policyRows(tw, p) })
		}},
		"list": {n: 0, help: "escalation policies, by name", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.Paging.EscalationPolicies(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				row(tw, "ID", "NAME", "LEVELS", "REPEAT")
				for _, p := range list {
					row(tw, p.ID, p.Name, len(p.Levels), p.Repeat)
				}
			})
		}},
		"show": {args: "ID", n: 1, help: "one escalation policy (id or name): each level's targets and timeout", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			p, err := c.Paging.EscalationPolicy(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, p, func(tw *tabwriter.Writer) { policyRows(tw, p) })
		}},
	}, args, e)
}

// policyRows shows one escalation policy.
func policyRows(tw *tabwriter.Writer, p herald.EscalationPolicy) {
	row(tw, "ID", p.ID)
	row(tw, "Name", p.Name)
	row(tw, "Repeat", p.Repeat)
	if p.RepeatFromLevel > 1 {
		row(tw, "Repeat from level", p.RepeatFromLevel)
	}
	if p.AckExpiry > 0 {
		row(tw, "Acknowledgement expires", time.Duration(p.AckExpiry))
	}
	row(tw)
	row(tw, "LEVEL", "TIMEOUT", "TARGETS")
	for i, l := range p.Levels {
		var targets []string
		for _, t := range l.Targets {
			targets = append(targets, strings.TrimSpace(t.Type+" "+t.ID))
		}
		row(tw, i+1, fmt.Sprintf("%d min", l.TimeoutMinutes), strings.Join(targets, ", "))
	}
}
