package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

const incidentUsage = `Usage: herald incident COMMAND [flags]

Commands:
  declare   --title T --severity S1..S4 [--summary S] [--service X] [--tenant X] [--label L] [--confidential] [--impact-started TIME] [--page ID]
  list      [--state S] [--severity S] [--active] [--limit N] [--before N]
  show      REF                      the incident, its roles and its timeline
  pages     REF                      linked pages: acknowledgement, time to acknowledge, escalation steps
  update    REF [--title T] [--summary S] [--severity S --reason R] [--state S] [--impact-started TIME] [--note N]
  note      REF TEXT
  decide    REF --what W --why R [--kind failover|emergency_maintenance|severity|status_page|all_clear|cost_mitigation] [--on-behalf-of USER]
  decisions REF                      decisions with their approvals: complete or awaiting whom
  approve   REF DECISION-ID [--comment C]   approve or concur with someone else's decision
  all-clear REF --why R              the incident lead's all-clear: the status page may be resolved (R17)
  resolve   REF [--note N]
  reopen    REF [--state investigating|identified] [--note N]
  assign    REF ROLE USER            ROLE: incident_lead, eoc, communications, ...; USER: id or e-mail
  unassign  REF ROLE
  label     REF [--add L] [--remove L]
  follow-up REF --title T [--owner USER|NAME] [--due YYYY-MM-DD] [--link URL]
  done      REF FOLLOWUP-ID          mark a follow-up done
  review    REF --kind internal|external [--completed] [--link URL]
  approve-review REF [--link URL]  approve the external review's draft (engineering managers, R54)
  publish-review REF         publish the approved external review as the status page's post-mortem (R54)
  export    REF                      Markdown draft of the review
  measures  REF                      update intervals against the cadence, time to acknowledge, stakeholder notices
  internal-update REF TEXT           send an update to the internal stakeholder channels
  internal-updates REF               the stakeholder notices and internal updates sent
  prompts   REF                      the reminders Herald sent about the incident, and to whom
  checklist REF [--check KEY | --uncheck KEY] [--role R] [--note N]
                                     the roles' checklists (R08); check or uncheck an item by hand

REF is an id, a number or a reference (INC-42). Every command takes
--server (HERALD_SERVER), --token (HERALD_TOKEN) and --output table|json.
`

// incidentSynopsis is a subcommand's line of incidentUsage (its
// positional arguments and flags), for its --help.
func incidentSynopsis(sub string) string {
	for line := range strings.Lines(incidentUsage) {
		if name, rest, ok := strings.Cut(strings.TrimPrefix(line, "  "), " "); ok && strings.HasPrefix(line, "  ") && name == sub {
			args, _, _ := strings.Cut(strings.TrimSpace(rest), "  ")
			return "incident " + sub + " " + args
		}
	}
	return "incident " + sub + " [flags]"
}

func runIncident(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, incidentUsage)
		return usagef("no incident command given")
	}
	if isHelp(args[0]) {
		fmt.Fprint(e.stdout, incidentUsage)
		return nil
	}
	sub, args := args[0], args[1:]
	f := newFlags("incident "+sub, incidentSynopsis(sub), e)
	cf := addClientFlags(f)
	need := func(pos []string, n int, what string) error {
		if len(pos) != n {
			return usagef("herald incident %s takes %s", sub, what)
		}
		return nil
	}
	// start parses the flags, checks that there are n positional arguments
	// (any number when n < 0), and makes the API client.
	start := func(n int, what string) ([]string, *client.Client, error) {
		pos, err := f.parse(args)
		if err != nil {
			return nil, nil, err
		}
		if n >= 0 {
			if err := need(pos, n, what); err != nil {
				return nil, nil, err
			}
		}
		c, err := cf.client()
		return pos, c, err
	}
	showOne := func(inc *herald.Incident) error {
		return cf.print(e.stdout, inc, func(tw *tabwriter.Writer) { incidentTable(tw, inc) })
	}

	switch sub {
	case "declare":
		title := f.String("title", "", "what is wrong, in a line")
		sev := f.String("severity", "", "S1 (worst) to S4")
		summary := f.String("summary", "", "what is known")
		services := f.list("service", "affected service")
		tenants := f.list("tenant", "affected tenant")
		labels := f.list("label", "label")
		conf := f.Bool("confidential", false, "a confidential incident")
		impact := f.String("impact-started", "", "when customers were first affected, if before now (RFC 3339)")
		pages := f.list("page", "a page the incident is declared from (linked to it)")
		_, c, err := start(0, "no arguments, only flags")
		if err != nil {
			return err
		}
		in := herald.DeclareInput{Title: *title, Severity: herald.Severity(*sev), Summary: *summary,
			Services: *services, Tenants: *tenants, Labels: *labels, Confidential: *conf, Pages: *pages}
		if f.set("impact-started") {
			t, err := parseTimeFlag("impact-started", *impact, time.Time{})
			if err != nil {
				return err
			}
			in.ImpactStartedAt = &t
		}
		inc, err := c.Incidents.DeclareIncident(ctx, in)
		if err != nil {
			return err
		}
		return showOne(inc)

	case "list":
		state := f.String("state", "", "only this state")
		sev := f.String("severity", "", "only this severity")
		active := f.Bool("active", false, "only unresolved incidents")
		limit := f.Int("limit", 50, "how many")
		before := f.Int64("before", 0, "only incidents numbered below this")
		_, c, err := start(0, "no arguments, only flags")
		if err != nil {
			return err
		}
		filter := herald.ListFilter{State: herald.State(*state), Severity: herald.Severity(*sev), Limit: *limit, Before: *before}
		if *active {
			filter.Active = active
		}
		page, err := c.Incidents.Incidents(ctx, filter)
		if err != nil {
			return err
		}
		return cf.print(e.stdout, page, func(tw *tabwriter.Writer) {
			row(tw, "REF", "SEV", "STATE", "DECLARED", "LEAD", "NEXT UPDATE", "TITLE")
			for _, inc := range page.Incidents {
				lead, _ := inc.Role(herald.RoleIncidentLead)
				row(tw, inc.Reference, inc.Severity, inc.State.Title(), ts(inc.DeclaredAt), orDash(lead.UserName), nextUpdateShort(inc), truncate(inc.Title, 60))
			}
			if page.NextBefore != nil {
				row(tw, fmt.Sprintf("(more: --before %d)", *page.NextBefore))
			}
		})

	case "show":
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		inc, err := c.Incidents.Incident(ctx, pos[0])
		if err != nil {
			return err
		}
		tl, err := c.Incidents.Timeline(ctx, pos[0], "")
		if err != nil {
			return err
		}
		out := struct {
			*herald.Incident
			Timeline []herald.TimelineEntry `json:"timeline"`
		}{inc, tl}
		return cf.print(e.stdout, out, func(tw *tabwriter.Writer) {
			incidentTable(tw, inc)
			row(tw)
			row(tw, "TIME (UTC)", "WHO", "WHAT")
			for _, en := range tl {
				row(tw, ts(en.At), orDash(en.Actor), en.Text)
			}
		})

	case "update", "resolve", "reopen":
		title := f.String("title", "", "new title")
		summary := f.String("summary", "", "new summary")
		sev := f.String("severity", "", "new severity")
		reason := f.String("reason", "", "why the severity changes")
		state := f.String("state", "", "new state: investigating, identified, monitoring, resolved")
		note := f.String("note", "", "a note for the timeline")
		impact := f.String("impact-started", "", "when customers were first affected (RFC 3339)")
		version := f.Int64("version", 0, "the version you read (default: the current one)")
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		in := herald.UpdateInput{Version: *version, Note: *note, SeverityReason: *reason}
		if f.set("title") {
			in.Title = title
		}
		if f.set("summary") {
			in.Summary = summary
		}
		if f.set("severity") {
			in.Severity = ptr(herald.Severity(*sev))
		}
		if f.set("impact-started") {
			t, err := parseTimeFlag("impact-started", *impact, time.Time{})
			if err != nil {
				return err
			}
			in.ImpactStartedAt = &t
		}
		switch {
		case sub == "resolve":
			in.State = ptr(herald.Resolved)
		case sub == "reopen" && !f.set("state"):
			in.State = ptr(herald.Investigating)
		case f.set("state"):
			in.State = ptr(herald.State(*state))
		}
		if in.Version == 0 {
			// The command line acts on what is there now; the server still
			// refuses the write if someone changes it in between.
			cur, err := c.Incidents.Incident(ctx, pos[0])
			if err != nil {
				return err
			}
			in.Version = cur.Version
		}
		inc, err := c.Incidents.UpdateIncident(ctx, pos[0], in)
		if err != nil {
			return err
		}
		return showOne(inc)

	case "pages":
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		pages, err := c.Incidents.Pages(ctx, pos[0])
		if err != nil {
			return err
		}
		return cf.print(e.stdout, pages, func(tw *tabwriter.Writer) { linkedPagesTable(tw, pages) })

	case "note":
		pos, c, err := start(-1, "")
		if err != nil {
			return err
		}
		if len(pos) < 2 {
			return usagef("herald incident note takes a reference and the text")
		}
		en, err := c.Incidents.AddNote(ctx, pos[0], strings.Join(pos[1:], " "))
		if err != nil {
			return err
		}
		return cf.print(e.stdout, en, func(tw *tabwriter.Writer) { row(tw, ts(en.At), en.Actor, en.Text) })

	case "decide":
		what := f.String("what", "", "the decision")
		why := f.String("why", "", "the rationale")
		kind := f.String("kind", "general", "general, failover, emergency_maintenance, severity, status_page, all_clear or cost_mitigation")
		onBehalfOf := f.String("on-behalf-of", "", "whom you record the decision for (id or e-mail); you remain the decider, and your authority counts")
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		en, err := c.Incidents.RecordDecision(ctx, pos[0], herald.DecisionInput{Kind: *kind, What: *what, Rationale: *why, OnBehalfOf: *onBehalfOf})
		if err != nil {
			return err
		}
		return cf.print(e.stdout, en, func(tw *tabwriter.Writer) { row(tw, ts(en.At), en.Actor, en.Text) })

	case "all-clear":
		why := f.String("why", "", "the rationale: why it is over")
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		en, err := c.Incidents.RecordDecision(ctx, pos[0], herald.DecisionInput{Kind: herald.DecisionAllClear, What: "All clear", Rationale: *why})
		if err != nil {
			return err
		}
		return cf.print(e.stdout, en, func(tw *tabwriter.Writer) { row(tw, ts(en.At), en.Actor, en.Text) })

	case "decisions":
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		list, err := c.Incidents.Decisions(ctx, pos[0])
		if err != nil {
			return err
		}
		return cf.print(e.stdout, list, func(tw *tabwriter.Writer) { decisionTable(tw, list) })

	case "approve":
		comment := f.String("comment", "", "why you approve (optional)")
		pos, c, err := start(2, "an incident reference and a decision id")
		if err != nil {
			return err
		}
		id, err := strconv.ParseInt(pos[1], 10, 64)
		if err != nil {
			return usagef("the decision id is a number (see herald incident decisions %s)", pos[0])
		}
		st, err := c.Incidents.ApproveDecision(ctx, pos[0], id, herald.ApprovalInput{Comment: *comment})
		if err != nil {
			return err
		}
		return cf.print(e.stdout, st, func(tw *tabwriter.Writer) { decisionTable(tw, []herald.DecisionStatus{st}) })

	case "assign", "unassign":
		pos, c, err := start(-1, "")
		if err != nil {
			return err
		}
		var inc *herald.Incident
		if sub == "assign" {
			if err := need(pos, 3, "a reference, a role and a user"); err != nil {
				return err
			}
			inc, err = c.Incidents.AssignRole(ctx, pos[0], pos[1], pos[2])
		} else {
			if err := need(pos, 2, "a reference and a role"); err != nil {
				return err
			}
			inc, err = c.Incidents.UnassignRole(ctx, pos[0], pos[1])
		}
		if err != nil {
			return err
		}
		return showOne(inc)

	case "label":
		add := f.list("add", "label to add")
		remove := f.list("remove", "label to remove")
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		inc, err := c.Incidents.Label(ctx, pos[0], *add, *remove)
		if err != nil {
			return err
		}
		return showOne(inc)

	case "follow-up", "done":
		title := f.String("title", "", "the corrective action")
		owner := f.String("owner", "", "who owns it: a user's e-mail or id (reminders reach them), or a name")
		due := f.String("due", "", "due date, YYYY-MM-DD")
		link := f.String("link", "", "where it is tracked (http or https)")
		pos, c, err := start(-1, "")
		if err != nil {
			return err
		}
		var fu herald.FollowUp
		if sub == "done" {
			if err := need(pos, 2, "a reference and a follow-up id"); err != nil {
				return err
			}
			fu, err = c.Incidents.UpdateFollowUp(ctx, pos[0], pos[1], herald.FollowUpInput{Done: ptr(true)})
		} else {
			if err := need(pos, 1, "one incident reference"); err != nil {
				return err
			}
			in := herald.FollowUpInput{Title: title}
			if f.set("owner") {
				in.Owner = owner
			}
			if f.set("due") {
				in.DueDate = due
			}
			if f.set("link") {
				in.Link = link
			}
			fu, err = c.Incidents.AddFollowUp(ctx, pos[0], in)
		}
		if err != nil {
			return err
		}
		return cf.print(e.stdout, fu, func(tw *tabwriter.Writer) {
			row(tw, "ID", "DONE", "OWNER", "DUE", "TITLE")
			row(tw, fu.ID, fu.Done, orDash(fu.Owner), orDash(fu.DueDate), fu.Title)
		})

	case "review":
		kind := f.String("kind", "internal", "internal or external")
		completed := f.Bool("completed", false, "record the review as completed")
		link := f.String("link", "", "where the review is written")
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		r, err := c.Incidents.Review(ctx, pos[0], herald.ReviewInput{Kind: *kind, Completed: *completed, Link: *link})
		if err != nil {
			return err
		}
		return cf.print(e.stdout, r, func(tw *tabwriter.Writer) { reviewTable(tw, r) })

	case "approve-review", "publish-review":
		link := ""
		if sub == "approve-review" {
			f.StringVar(&link, "link", "", "the draft you read; refused if the draft has changed since")
		}
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		var r herald.Review
		if sub == "approve-review" {
			r, err = c.Incidents.ApproveReview(ctx, pos[0], herald.ReviewApprovalInput{Link: link})
		} else {
			r, err = c.Incidents.PublishReview(ctx, pos[0])
		}
		if err != nil {
			return err
		}
		return cf.print(e.stdout, r, func(tw *tabwriter.Writer) { reviewTable(tw, r) })

	case "measures":
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		m, err := c.Incidents.Measures(ctx, pos[0])
		if err != nil {
			return err
		}
		return cf.print(e.stdout, m, func(tw *tabwriter.Writer) { measuresTable(tw, m) })

	case "internal-update", "internal-updates", "prompts":
		return runCadence(ctx, sub, start, cf, e)
	case "checklist":
		return incidentChecklist(ctx, f, start, cf, e)

	case "export":
		pos, c, err := start(1, "one incident reference")
		if err != nil {
			return err
		}
		md, err := c.Incidents.ExportMarkdown(ctx, pos[0])
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(e.stdout, md)
		return err
	}
	fmt.Fprint(e.stderr, incidentUsage)
	return usagef("unknown incident command %q", sub)
}

// measuresTable shows each update interval, then each role page, then the
// totals.
func measuresTable(tw *tabwriter.Writer, m herald.Measures) {
	row(tw, "FROM", "TO", "STATE", "SEVERITY", "MAX", "TOOK", "LATE BY")
	for _, iv := range m.Intervals {
		to, max := ts(iv.To), fmt.Sprintf("%dm", iv.MaxMinutes)
		if iv.Open {
			to = "now"
		}
		if iv.Announced {
			max += " (announced)"
		}
		late := "-"
		if iv.Late {
			late = (time.Duration(iv.LateS) * time.Second).String()
		}
		row(tw, ts(iv.From), to, iv.State, iv.Severity, max, time.Duration(iv.TookS)*time.Second, late)
	}
	fmt.Fprintln(tw)
	row(tw, "ROLE", "PAGED", "ACKNOWLEDGED", "TIME TO ACKNOWLEDGE")
	for _, a := range m.Acknowledgements {
		took := "-"
		if a.AckS != nil {
			took = (time.Duration(*a.AckS) * time.Second).String()
		}
		row(tw, a.Role, ts(a.PagedAt), tsp(a.AckedAt), took)
	}
	fmt.Fprintln(tw)
	row(tw, "Late intervals", m.LateIntervals)
	row(tw, "Minutes late", m.MinutesLate)
	row(tw, "Stakeholder notices", m.StakeholderNotices)
}

func incidentTable(tw *tabwriter.Writer, inc *herald.Incident) {
	row(tw, "Reference", inc.Reference)
	row(tw, "Title", inc.Title)
	row(tw, "Severity", inc.Severity)
	row(tw, "State", inc.State.Title())
	cadenceRows(tw, inc)
	row(tw, "Declared", ts(inc.DeclaredAt)+" by "+inc.DeclaredBy)
	if inc.ImpactStartedAt != nil {
		row(tw, "Impact since", ts(*inc.ImpactStartedAt))
	}
	row(tw, "Resolved", tsp(inc.ResolvedAt))
	if inc.Summary != "" {
		row(tw, "Summary", inc.Summary)
	}
	if len(inc.Services) > 0 {
		row(tw, "Services", strings.Join(inc.Services, ", "))
	}
	if len(inc.Tenants) > 0 {
		row(tw, "Tenants", strings.Join(inc.Tenants, ", "))
	}
	if len(inc.Labels) > 0 {
		row(tw, "Labels", strings.Join(inc.Labels, ", "))
	}
	for _, r := range inc.Roles {
		row(tw, "Role "+r.Role, r.UserName)
	}
	row(tw, "Version", inc.Version)
	row(tw, "URL", inc.URL)
	warningRows(tw, inc.Warnings)
}

func reviewTable(tw *tabwriter.Writer, r herald.Review) {
	row(tw, "KIND", "STATE", "DUE", "COMPLETED", "APPROVED BY", "PUBLISHED", "LINK")
	row(tw, r.Kind, r.State, ts(r.DueAt), tsp(r.CompletedAt), orDash(r.ApprovedByName), tsp(r.PublishedAt), orDash(r.Link))
}
