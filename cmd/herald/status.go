package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/bucket"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/statuspage"
)

// command is one client subcommand: it declares its flags on f, then run
// gets the positional arguments and a client.
type command struct {
	args string // positional arguments, for the usage line
	n    int    // how many positional arguments; -1 for any
	help string
	run  func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error
	// flags declares the command's flags before parsing.
	flags func(f *flags)
}

// runCommands dispatches `herald GROUP SUB ...` to a table of commands.
func runCommands(ctx context.Context, group string, table map[string]command, args []string, e env) error {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: herald %s COMMAND [flags]\n\nCommands:\n", group)
		for _, name := range sortedKeys(table) {
			fmt.Fprintf(w, "  %s %s\n      %s\n", name, table[name].args, table[name].help)
		}
	}
	if len(args) == 0 {
		usage(e.stderr)
		return usagef("no %s command given", group)
	}
	if isHelp(args[0]) {
		usage(e.stdout)
		return nil
	}
	cmd, ok := table[args[0]]
	if !ok {
		usage(e.stderr)
		return usagef("unknown %s command %q", group, args[0])
	}
	f := newFlags(group+" "+args[0], strings.Join(strings.Fields(group+" "+args[0]+" "+cmd.args+" [flags]"), " "), e)
	cf := addClientFlags(f)
	if cmd.flags != nil {
		cmd.flags(f)
	}
	pos, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	if cmd.n >= 0 && len(pos) != cmd.n {
		return usagef("herald %s %s takes %s", group, args[0], orDash(cmd.args))
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	return cmd.run(ctx, f, cf, c, pos)
}

// isHelp reports whether a command's first argument asks for its usage.
func isHelp(arg string) bool {
	return arg == "help" || arg == "-h" || arg == "--help" || arg == "-help"
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// componentID resolves a component given by id or by name.
func componentID(ctx context.Context, c *client.Client, ref string) (string, error) {
	comps, err := c.StatusPage.Components(ctx)
	if err != nil {
		return "", err
	}
	for _, x := range comps {
		if x.ID == ref || strings.EqualFold(x.Name, ref) {
			return x.ID, nil
		}
	}
	return "", usagef("no component %q (see herald component list)", ref)
}

// componentStatuses turns --component NAME=STATUS flags into a map.
func componentStatuses(ctx context.Context, c *client.Client, specs []string) (map[string]herald.ComponentStatus, error) {
	out := map[string]herald.ComponentStatus{}
	for _, s := range specs {
		name, st, ok := strings.Cut(s, "=")
		if !ok {
			return nil, usagef("--component takes NAME=STATUS, for example API=major_outage")
		}
		id, err := componentID(ctx, c, name)
		if err != nil {
			return nil, err
		}
		out[id] = herald.ComponentStatus(st)
	}
	return out, nil
}

func componentTable(tw *tabwriter.Writer, comps []herald.Component) {
	row(tw, "ID", "NAME", "STATUS", "GROUP")
	names := map[string]string{}
	for _, c := range comps {
		names[c.ID] = c.Name
	}
	for _, c := range comps {
		name := c.Name
		if c.GroupID != "" {
			name = "  " + name
		}
		row(tw, c.ID, name, c.Status.Label(), orDash(names[c.GroupID]))
	}
}

func runComponent(ctx context.Context, args []string, e env) error {
	var name, desc, group, proposalState, rejectReason *string
	var position *int
	fields := func(f *flags) {
		name = f.String("name", "", "component name")
		desc = f.String("description", "", "what it is, for the page")
		group = f.String("group", "", "group (id or name; created when missing; empty string to ungroup)")
		position = f.Int("position", 0, "order on the page")
	}
	input := func(f *flags) herald.ComponentInput {
		var in herald.ComponentInput
		if f.set("name") {
			in.Name = name
		}
		if f.set("description") {
			in.Description = desc
		}
		if f.set("group") {
			in.Group = group
		}
		if f.set("position") {
			in.Position = position
		}
		return in
	}
	return runCommands(ctx, "component", map[string]command{
		"list": {n: 0, help: "components and groups in page order", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			comps, err := c.StatusPage.Components(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, comps, func(tw *tabwriter.Writer) { componentTable(tw, comps) })
		}},
		"create": {n: 0, help: "add a component (admin)", flags: fields, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			comp, err := c.StatusPage.CreateComponent(ctx, input(f))
			if err != nil {
				return err
			}
			return cf.print(e.stdout, comp, func(tw *tabwriter.Writer) { componentTable(tw, []herald.Component{comp}) })
		}},
		"update": {args: "COMPONENT", n: 1, help: "rename, describe, move or regroup (admin)", flags: fields, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			id, err := componentID(ctx, c, pos[0])
			if err != nil {
				return err
			}
			comp, err := c.StatusPage.UpdateComponent(ctx, id, input(f))
			if err != nil {
				return err
			}
			return cf.print(e.stdout, comp, func(tw *tabwriter.Writer) { componentTable(tw, []herald.Component{comp}) })
		}},
		"delete": {args: "COMPONENT", n: 1, help: "remove a component nothing open uses (admin)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			id, err := componentID(ctx, c, pos[0])
			if err != nil {
				return err
			}
			if err := c.StatusPage.DeleteComponent(ctx, id); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "deleted", pos[0])
			return nil
		}},
		"propose": {args: "create|update|delete [COMPONENT]", n: -1, flags: fields,
			help: "propose a change for another admin to approve (R21; page.component_review required)",
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				if len(pos) < 1 || len(pos) > 2 {
					return usagef("herald component propose takes create|update|delete and, to update or delete, the component")
				}
				in := herald.ComponentProposalInput{Action: pos[0], Change: input(f)}
				if len(pos) == 2 {
					in.Component = pos[1]
				}
				p, err := c.StatusPage.ProposeComponentChange(ctx, in)
				if err != nil {
					return err
				}
				return cf.print(e.stdout, p, func(tw *tabwriter.Writer) { proposalTable(tw, []herald.ComponentProposal{p}) })
			}},
		"proposals": {n: 0, help: "proposed changes to components (R21), newest first",
			flags: func(f *flags) { proposalState = f.String("state", "pending", "pending, approved, rejected, or all") },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				state := *proposalState
				if state == "all" {
					state = ""
				}
				list, err := c.StatusPage.ComponentProposals(ctx, state)
				if err != nil {
					return err
				}
				return cf.print(e.stdout, list, func(tw *tabwriter.Writer) { proposalTable(tw, list) })
			}},
		"approve": {args: "PROPOSAL", n: 1, help: "approve and apply another admin's proposal (R21)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			p, err := c.StatusPage.ApproveComponentProposal(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, p, func(tw *tabwriter.Writer) { proposalTable(tw, []herald.ComponentProposal{p}) })
		}},
		"reject": {args: "PROPOSAL", n: 1, help: "reject a proposal with --reason (R21)",
			flags: func(f *flags) { rejectReason = f.String("reason", "", "why (required)") },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				p, err := c.StatusPage.RejectComponentProposal(ctx, pos[0], *rejectReason)
				if err != nil {
					return err
				}
				return cf.print(e.stdout, p, func(tw *tabwriter.Writer) { proposalTable(tw, []herald.ComponentProposal{p}) })
			}},
	}, args, e)
}

// proposalTable lists component proposals (R21).
func proposalTable(tw *tabwriter.Writer, list []herald.ComponentProposal) {
	row(tw, "ID", "STATE", "CHANGE", "PROPOSED BY", "AT", "DECIDED BY", "REASON")
	for _, p := range list {
		row(tw, p.ID, p.State, p.Summary, p.ProposedByName, ts(p.ProposedAt), orDash(p.DecidedByName), orDash(p.Reason))
	}
}

func printPublished(e env, cf clientFlags, res client.PublishResult) error {
	return cf.print(e.stdout, res, func(tw *tabwriter.Writer) {
		if res.DryRun {
			row(tw, "DRY RUN", "nothing was published")
		}
		row(tw, "ID", res.ID)
		row(tw, "Name", res.Name)
		row(tw, "Status", res.Status.Title())
		row(tw, "Impact", res.Impact)
		row(tw, "URL", res.URL)
		if res.NextUpdateDue != nil {
			row(tw, "Next update due", ts(*res.NextUpdateDue)+" UTC")
		}
		row(tw, "Text", res.Text)
		findingRows(tw, res.Findings)
		for _, ch := range res.Checks {
			mark := "ok"
			if !ch.OK {
				mark = "FAILED"
			}
			row(tw, "Check "+ch.Name, mark+": "+ch.Message)
		}
	})
}

func runStatus(ctx context.Context, args []string, e env) error {
	var body, template, impact, incident, status *string
	var comps *list
	var dry, override *bool
	var overrideGuardReason *string
	var next, monitorFor *int
	var editName *string
	var editComps *list
	var noComps *bool
	updateFlags := func(f *flags) {
		body = f.String("body", "", "the update text (the incident link is added when missing)")
		template = f.String("template", "", "fill the text from a template (herald status templates)")
		comps = f.list("component", "NAME=STATUS, for example API=major_outage")
		dry = f.Bool("dry-run", false, "show the checks and the text; publish nothing")
		override = f.Bool("override-checks", false, "publish even when a check fails (recorded)")
		overrideGuardReason = f.String("override-guard", "", "REASON: publish even when the content guard finds internal details (R45; recorded with the findings)")
		next = f.Int("next", 0, "minutes until the next update, announced (default: the cadence)")
		monitorFor = f.Int("monitor-for", 0, "with --status monitoring: minutes monitoring lasts instead of the setting (the incident lead's call, R16)")
		status = f.String("status", "", "investigating, identified, monitoring or resolved")
	}
	updateInput := func(ctx context.Context, c *client.Client, defStatus herald.State) (herald.StatusUpdateInput, error) {
		cs, err := componentStatuses(ctx, c, *comps)
		if err != nil {
			return herald.StatusUpdateInput{}, err
		}
		st := herald.State(*status)
		if st == "" {
			st = defStatus
		}
		og, reason := overrideGuard(*overrideGuardReason)
		return herald.StatusUpdateInput{Status: st, Body: *body, Template: *template, Components: cs,
			OverrideChecks: *override, NextUpdateIn: *next, MonitorFor: *monitorFor, OverrideGuard: og, OverrideGuardReason: reason}, nil
	}
	// A new status incident, published (create) or drafted for the lead
	// (draft, R10), takes the same flags.
	newIncidentFlags := func(f *flags) {
		updateFlags(f)
		f.String("name", "", "the public title")
		impact = f.String("impact", "", "none, minor, major or critical (default: from the components)")
		incident = f.String("incident", "", "the internal incident (INC-42) this is the public face of")
	}
	newIncidentInput := func(ctx context.Context, c *client.Client, f *flags) (herald.StatusIncidentInput, error) {
		in, err := updateInput(ctx, c, herald.Investigating)
		return herald.StatusIncidentInput{Name: f.Lookup("name").Value.String(), IncidentID: *incident,
			Impact: herald.Impact(*impact), StatusUpdateInput: in}, err
	}
	return runCommands(ctx, "status", resolveFirst(map[string]command{
		"no-updates": noUpdatesCommand(e),
		"templates":  statusTemplatesCommand(e),
		"guard":      guardCheckCommand(e),
		"list": {n: 0, help: "status page incidents, newest first", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.StatusPage.StatusIncidents(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				row(tw, "ID", "STATUS", "IMPACT", "CREATED", "NAME")
				for _, s := range list {
					row(tw, s.ID, s.Status.Title(), s.Impact, ts(s.CreatedAt), truncate(s.Name, 60))
				}
			})
		}},
		"show": {args: "ID", n: 1, help: "one status incident with its updates", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			s, err := c.StatusPage.StatusIncident(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, s, func(tw *tabwriter.Writer) {
				row(tw, "Name", s.Name)
				row(tw, "Status", s.Status.Title())
				row(tw, "URL", s.URL)
				if s.PendingName != "" {
					row(tw, "Next update publishes the name", s.PendingName)
				}
				if s.NextUpdateDue != nil {
					row(tw, "Next update due", ts(*s.NextUpdateDue)+" UTC")
				}
				for _, u := range s.Updates {
					row(tw, ts(u.CreatedAt), u.Status.Title(), u.Body)
					if o := u.GuardOverride; o != nil {
						row(tw, "", "", fmt.Sprintf("(content guard overridden, %d finding(s): %s)", len(o.Findings), o.Reason))
					}
				}
			})
		}},
		"create": {n: 0, help: "publish an incident on the status page", flags: func(f *flags) {
			newIncidentFlags(f)
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			si, err := newIncidentInput(ctx, c, f)
			if err != nil {
				return err
			}
			res, err := c.StatusPage.CreateStatusIncident(ctx, si, *dry)
			if err != nil {
				return guardRefusal(err)
			}
			return printPublished(e, cf, res)
		}},
		"draft": {n: 0, help: "save an incident's first update as a draft for whoever decides on the status page (R10)", flags: func(f *flags) {
			newIncidentFlags(f)
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			si, err := newIncidentInput(ctx, c, f)
			if err != nil {
				return err
			}
			d, err := c.StatusPage.DraftStatusIncident(ctx, si)
			if err != nil {
				return guardRefusal(err)
			}
			return cf.print(e.stdout, d, func(tw *tabwriter.Writer) { draftTable(tw, d) })
		}},
		"drafts": {args: "[REF]", n: -1, help: "drafts waiting for the status page decision, or one incident's drafts", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			ref := ""
			if len(pos) > 0 {
				ref = pos[0]
			}
			list, err := c.StatusPage.StatusDrafts(ctx, ref)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) { draftTable(tw, list...) })
		}},
		"approve": {args: "DRAFT-ID", n: 1, help: "decide and publish a draft as drafted (R10)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			res, err := c.StatusPage.ApproveStatusDraft(ctx, pos[0])
			if err != nil {
				return err
			}
			return printPublished(e, cf, res)
		}},
		"discard": {args: "DRAFT-ID", n: 1, help: "discard a draft", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			d, err := c.StatusPage.DiscardStatusDraft(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, d, func(tw *tabwriter.Writer) { draftTable(tw, d) })
		}},
		"update": {args: "ID", n: 1, help: "publish an update (the only way state and components change)", flags: updateFlags,
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				cur, err := c.StatusPage.StatusIncident(ctx, pos[0])
				if err != nil {
					return err
				}
				in, err := updateInput(ctx, c, cur.Status)
				if err != nil {
					return err
				}
				res, err := c.StatusPage.PublishUpdate(ctx, pos[0], in, *dry)
				if err != nil {
					return guardRefusal(err)
				}
				return printPublished(e, cf, res)
			}},
		"resolve": {args: "ID", n: 1, help: "resolve: components go back to operational", flags: updateFlags,
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				in, err := updateInput(ctx, c, herald.Resolved)
				if err != nil {
					return err
				}
				in.Status = herald.Resolved
				if in.Body == "" && in.Template == "" {
					in.Template = "resolved"
				}
				res, err := c.StatusPage.PublishUpdate(ctx, pos[0], in, *dry)
				if err != nil {
					return guardRefusal(err)
				}
				return printPublished(e, cf, res)
			}},
		"edit": {args: "ID", n: 1, help: "correct an open incident's title and components; the next update publishes it (R22)", flags: func(f *flags) {
			editName = f.String("name", "", "the new public title")
			editComps = f.list("component", "NAME of a component the incident affects, repeated: the whole new list")
			noComps = f.Bool("no-components", false, "the incident affects no component")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			in := herald.StatusIncidentEdit{Name: *editName}
			if len(*editComps) > 0 || *noComps {
				ids := []string{}
				for _, name := range *editComps {
					id, err := componentID(ctx, c, name)
					if err != nil {
						return err
					}
					ids = append(ids, id)
				}
				in.Components = &ids
			}
			s, err := c.StatusPage.EditStatusIncident(ctx, pos[0], in)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, s, func(tw *tabwriter.Writer) {
				row(tw, "Name", s.Name)
				if s.PendingName != "" {
					row(tw, "Next update publishes the name", s.PendingName)
				}
				if s.PendingComponents != nil {
					row(tw, "Next update publishes the components", orDash(strings.Join(s.PendingComponents, ", ")))
				}
			})
		}},
		"postmortem": {args: "ID URL", n: 2, help: "link the post-mortem of a resolved incident", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			s, err := c.StatusPage.SetPostmortem(ctx, pos[0], pos[1])
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "post-mortem linked:", s.PostmortemURL)
			return nil
		}},
	}, statusIncidentByPrefix, "show", "update", "resolve", "edit", "postmortem"), args, e)
}

func maintenanceTable(tw *tabwriter.Writer, list ...herald.Maintenance) {
	row(tw, "ID", "STATUS", "FROM (UTC)", "UNTIL (UTC)", "AUTO", "NAME", "KIND")
	for _, m := range list {
		kind := m.Kind.Title()
		if m.AwaitsApproval() {
			kind += " (awaits a manager's approval)"
		}
		row(tw, m.ID, m.Status.Title(), ts(m.ScheduledFor), ts(m.ScheduledUntil), m.AutoTransition, truncate(m.Name, 50), kind)
	}
}

// maintenanceWarnings prints R34's window warnings of a maintenance: the
// work is saved, and the person is told.
func maintenanceWarnings(w io.Writer, m herald.Maintenance) {
	for _, s := range m.Warnings {
		fmt.Fprintln(w, "warning:", s)
	}
}

func runMaintenance(ctx context.Context, args []string, e env) error {
	var name, body, from, until *string
	var comps, reminders *list
	var manual, mute *bool
	var maintGuard, kind, approveComment *string
	var security *bool
	windowFlags := func(f *flags) {
		kind = f.String("kind", "", "scheduled (default: inside each tenant's weekly window), out_of_band, or emergency (security work only, R32)")
		security = f.Bool("security", false, "security work (emergency needs it; out_of_band refuses it)")
		maintGuard = f.String("override-guard", "", "REASON: publish even when the content guard finds internal details (R45; recorded with the findings)")
		name = f.String("name", "", "what is done")
		body = f.String("body", "", "details for the page")
		from = f.String("from", "", "start, RFC 3339 (2026-12-01T02:00:00Z)")
		until = f.String("until", "", "end, RFC 3339")
		comps = f.list("component", "affected component (name or id)")
		reminders = f.list("reminder", "remind this long before the start (24h, 1h)")
		manual = f.Bool("manual", false, "no automation: start and finish by hand")
		mute = f.Bool("mute-paging", true, "mute paging of the services on its components while in progress (false: page as usual)")
	}
	input := func(ctx context.Context, f *flags, c *client.Client) (herald.MaintenanceInput, error) {
		var in herald.MaintenanceInput
		if f.set("name") {
			in.Name = name
		}
		if f.set("body") {
			in.Body = body
		}
		for _, p := range []struct {
			flag string
			v    *string
			dst  **time.Time
		}{{"from", from, &in.ScheduledFor}, {"until", until, &in.ScheduledUntil}} {
			if !f.set(p.flag) {
				continue
			}
			t, err := time.Parse(time.RFC3339, *p.v)
			if err != nil {
				return in, usagef("--%s must be RFC 3339, like 2026-12-01T02:00:00Z", p.flag)
			}
			*p.dst = &t
		}
		if len(*comps) > 0 {
			ids := []string{}
			for _, ref := range *comps {
				id, err := componentID(ctx, c, ref)
				if err != nil {
					return in, err
				}
				ids = append(ids, id)
			}
			in.Components = &ids
		}
		if len(*reminders) > 0 {
			rs := []herald.Duration{}
			for _, r := range *reminders {
				var d herald.Duration
				if err := d.UnmarshalText([]byte(r)); err != nil {
					return in, usagef("--reminder %s: %v", r, err)
				}
				rs = append(rs, d)
			}
			in.Reminders = &rs
		}
		if *manual {
			off := false
			in.AutoTransition = &off
		}
		if f.set("mute-paging") {
			in.MutePaging = mute
		}
		in.OverrideGuard, in.OverrideGuardReason = overrideGuard(*maintGuard)
		if f.set("kind") {
			k := herald.MaintenanceKind(*kind)
			in.Kind = &k
			if k == herald.KindEmergency && !f.set("security") {
				*security = true // emergency maintenance is security work (R32)
			}
		}
		if f.set("security") || (in.Kind != nil && *in.Kind == herald.KindEmergency) {
			in.Security = security
		}
		return in, nil
	}
	var skip *list
	move := func(to herald.MaintenanceStatus, help string) command {
		return command{args: "ID", n: 1, help: help, flags: func(f *flags) {
			body = f.String("body", "", "a note for the page")
			skip = f.list("skip", "do not send to this channel: email, webhook, slack, teams (comma-separated)")
			maintGuard = f.String("override-guard", "", "REASON: post even when the content guard finds internal details (R45; recorded with the findings)")
		},
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				in := herald.MaintenanceUpdateInput{Status: to, Body: *body}
				in.OverrideGuard, in.OverrideGuardReason = overrideGuard(*maintGuard)
				for _, v := range *skip {
					for _, k := range strings.Split(v, ",") {
						if k = strings.TrimSpace(k); k != "" {
							if in.Channels == nil {
								in.Channels = map[string]bool{}
							}
							in.Channels[k] = false
						}
					}
				}
				m, err := c.Maintenances.PostMaintenanceUpdate(ctx, pos[0], in)
				if err != nil {
					return guardRefusal(err)
				}
				return cf.print(e.stdout, m, func(tw *tabwriter.Writer) { maintenanceTable(tw, m) })
			}}
	}
	return runCommands(ctx, "maintenance", resolveFirst(map[string]command{
		"list": {n: 0, help: "maintenances, newest start first", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.Maintenances.Maintenances(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) { maintenanceTable(tw, list...) })
		}},
		"create": {n: 0, help: "schedule a maintenance (automation on unless --manual)", flags: windowFlags,
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				in, err := input(ctx, f, c)
				if err != nil {
					return err
				}
				m, err := c.Maintenances.CreateMaintenance(ctx, in)
				if err != nil {
					return guardRefusal(err)
				}
				if m, err = c.Maintenances.Maintenance(ctx, m.ID); err != nil {
					return err
				}
				maintenanceWarnings(e.stderr, m)
				return cf.print(e.stdout, m, func(tw *tabwriter.Writer) { maintenanceTable(tw, m) })
			}},
		"update": {args: "ID", n: 1, help: "reschedule (--from/--until), edit, or --manual to turn automation off for good", flags: windowFlags,
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				in, err := input(ctx, f, c)
				if err != nil {
					return err
				}
				m, err := c.Maintenances.UpdateMaintenance(ctx, pos[0], in)
				if err != nil {
					return guardRefusal(err)
				}
				maintenanceWarnings(e.stderr, m)
				return cf.print(e.stdout, m, func(tw *tabwriter.Writer) { maintenanceTable(tw, m) })
			}},
		"approve": {args: "ID", n: 1, help: "approve an emergency maintenance as an engineering manager (R33): it may start; its tenants are told once the security team approves the words (R44)",
			flags: func(f *flags) { approveComment = f.String("comment", "", "a note kept with the approval") },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				m, err := c.Maintenances.ApproveMaintenance(ctx, pos[0], herald.ApprovalInput{Comment: *approveComment})
				if err != nil {
					return err
				}
				return cf.print(e.stdout, m, func(tw *tabwriter.Writer) {
					maintenanceTable(tw, m)
					for _, n := range m.TenantNotices {
						row(tw, "notice", n.Status, n.TenantName, n.To, fmt.Sprintf("affected: %v", n.Affected), n.Event, "")
					}
					// The tenants' notices wait for the security team's
					// approval of their words (R44).
					for _, a := range m.NoticeApprovals {
						if a.Status == herald.ApprovalPending {
							row(tw, "words", a.Status, a.Event, "approved by "+a.Approvers, "herald notice approval "+a.ID, "", "")
						}
					}
				})
			}},
		"post":     move("", "post an update without starting or finishing"),
		"start":    move(herald.MaintenanceInProgress, "start by hand"),
		"complete": move(herald.MaintenanceCompleted, "finish by hand"),
		"cancel":   move(herald.MaintenanceCancelled, "cancel a scheduled maintenance"),
	}, maintenanceByPrefix, "update", "post", "start", "complete", "cancel", "approve"), args, e)
}

// runExportStatic writes the public status page as plain files, to a
// folder or to S3-compatible object storage (s3://BUCKET/PREFIX).
func runExportStatic(ctx context.Context, args []string, e env) error {
	f := newFlags("export-static", "export-static DIR|s3://BUCKET/PREFIX [flags]", e)
	sf := addStoreFlags(f)
	baseURL := f.string("base-url", links.DefaultBase, "the URL the exported page will be served at")
	watch := f.bool("watch", "keep running and re-export whenever the page changes")
	refresh := f.duration("refresh", time.Minute, "with --watch, re-export this often even without a change, so relative times (\"5 minutes ago\") stay current")
	f.atLeastDuration("refresh", time.Minute)
	endpoint := f.string("s3-endpoint", "", "for s3://: the storage's URL, such as http://127.0.0.1:9000 (default Amazon S3); credentials come from HERALD_S3_ACCESS_KEY_ID and HERALD_S3_SECRET_ACCESS_KEY, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	region := f.string("s3-region", "", "for s3://: the storage's region, when it needs one named")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("herald export-static takes one folder or s3://BUCKET/PREFIX")
	}
	dest := pos[0]
	// export writes one snapshot and says what it did.
	export := func(ctx context.Context, snap *statuspage.Snapshot) (string, error) {
		n, err := statuspage.Export(snap, dest)
		return fmt.Sprintf("exported %s: %d files written", dest, n), err
	}
	if strings.HasPrefix(dest, "s3://") {
		cfg := bucket.Config{URL: dest, Endpoint: *endpoint, Region: *region}
		cfg.AccessKey, cfg.SecretKey, cfg.SessionToken = s3Credentials(e)
		m, err := bucket.New(cfg)
		if err != nil {
			return usagef("%v", err)
		}
		export = func(ctx context.Context, snap *statuspage.Snapshot) (string, error) {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			r, err := m.Sync(ctx, statuspage.StaticFiles(snap))
			return fmt.Sprintf("exported %s: %d uploaded, %d deleted, %d unchanged", m, r.Uploaded, r.Deleted, r.Unchanged), err
		}
	} else if *endpoint != "" || *region != "" {
		return usagef("--s3-endpoint and --s3-region are for an s3:// destination, not the folder %q", dest)
	}
	lk := links.New(*baseURL)
	db, err := sf.open(ctx, nil, lk, nil, func(string) {})
	if err != nil {
		return err
	}
	defer db.Close()
	var last int64 = -1
	var at time.Time // the minute last exported
	// While exports fail (the storage or the database down), --watch says
	// so when it starts, then once a minute, and when it is over; each tick
	// tries again.
	var failing string
	var failedAt time.Time
	for {
		v, err := db.StatusPage.StatusVersion(ctx)
		// Re-export on every change, and each --refresh for relative times.
		// The pages show times to the minute, and are made as of the
		// minute's start: an export within the same minute as the last is
		// then the same bytes unless the page changed, and writes and
		// uploads nothing.
		now := time.Now().Truncate(time.Minute)
		if err == nil && (v != last || now.Sub(at) >= *refresh) {
			var snap *statuspage.Snapshot
			if snap, err = statuspage.Load(ctx, db.Services(), now, lk); err == nil {
				var msg string
				msg, err = export(ctx, snap)
				if err == nil {
					fmt.Fprintln(e.stdout, msg)
					last, at = v, now
				}
			}
		}
		if err != nil && !*watch {
			return err
		}
		if err != nil && ctx.Err() == nil {
			if err.Error() != failing || time.Since(failedAt) >= time.Minute {
				fmt.Fprintf(e.stderr, "export-static: %v (trying again each second)\n", err)
				failing, failedAt = err.Error(), time.Now()
			}
		} else if err == nil && failing != "" {
			fmt.Fprintf(e.stderr, "export-static: %s exported again\n", dest)
			failing = ""
		}
		if !*watch {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

// s3Credentials reads the object storage's keys from the environment:
// HERALD_S3_* when set, else the AWS_* every S3 tool reads. Never from a
// flag, which every user of the host can see.
func s3Credentials(e env) (id, secret, token string) {
	for _, p := range []string{"HERALD_S3_", "AWS_"} {
		if id, secret = e.getenv(p+"ACCESS_KEY_ID"), e.getenv(p+"SECRET_ACCESS_KEY"); id != "" || secret != "" {
			return id, secret, e.getenv(p + "SESSION_TOKEN")
		}
	}
	return "", "", ""
}
