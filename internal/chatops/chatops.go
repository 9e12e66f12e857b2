// Package chatops runs the chat command grammar (herald.ParseChatCommand)
// for a Herald actor, whatever the platform: Slack, Mattermost and Teams
// adapters, and the API route the CLI's `herald chat run` calls, all end
// here. Every command acts through herald.Services, the same methods the
// API calls, so an incident role, a severity change or a decision is
// checked exactly as it is there; the only check made here is the API
// role each command's route needs (responder to change, viewer to read),
// because the API makes that one in its route table.
//
// The answer is a herald.ChatReply: text plus fields and buttons that an
// adapter renders in its own format. Adapters stay thin: verify the
// request, find the actor (Identify), call Run, render the reply.
package chatops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
)

// Resolver turns a mention as typed (`<@U123>` on Slack, `@name` on
// Mattermost, an e-mail address anywhere) into a Herald user reference
// (id or e-mail). The platform provides it: only it knows its user ids.
type Resolver interface {
	ResolveMention(ctx context.Context, mention string) (userRef string, err error)
}

// Executor runs chat commands.
type Executor struct {
	Services herald.Services
	Links    links.Links
	// Now is the clock (on-call answers); nil means time.Now.
	Now func() time.Time
}

// Request is one command as a platform received it.
type Request struct {
	Text string
	// Platform and Channel find the incident of an incident channel
	// (table chat_channels); empty outside one.
	Platform, Channel string
	// Incident is the incident when neither the command nor the channel
	// names one (the CLI's --incident).
	Incident string
	// Confirm runs a command that asks for confirmation (status <text>).
	Confirm bool
	// Resolver resolves mentions; nil accepts e-mail addresses only.
	Resolver Resolver
}

func (e *Executor) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Identify finds the Herald actor of a chat user: linked before, or by
// the e-mail address the platform verified. An unknown person gets no
// actor but a private reply with a one-time link to the console, where
// signing in and confirming links them.
func (e *Executor) Identify(ctx context.Context, platform, team, chatUser, chatName, verifiedEmail string) (herald.Actor, *herald.ChatReply, error) {
	u, err := e.Services.Chat.ChatUser(ctx, platform, team, chatUser, verifiedEmail)
	if err == nil {
		return herald.Actor{User: u, Role: u.Role}, nil, nil
	}
	if herald.ErrorCode(err) != herald.ENotFound {
		return herald.Actor{}, nil, err
	}
	code, l, err2 := e.Services.Chat.NewChatLink(ctx, platform, team, chatUser, chatName)
	if err2 != nil {
		return herald.Actor{}, nil, err2
	}
	link := e.Links.ChatLink(code)
	return herald.Actor{}, &herald.ChatReply{
		Text: fmt.Sprintf("Herald does not know you yet (%s). Sign in to Herald and confirm this link to act as yourself from here; it works once, until %s UTC: %s",
			errorMessage(err), l.ExpiresAt.UTC().Format("15:04"), link),
		Link: link, Private: true,
		Actions: []herald.ChatAction{{ID: herald.ChatActionOpen, Label: "Link my account", URL: link, Style: "primary"}},
	}, nil
}

// errorMessage is what a person is told of err: an *herald.Error's
// message; anything else is internal and not shown.
func errorMessage(err error) string {
	var he *herald.Error
	if errors.As(err, &he) {
		return he.Message
	}
	return "Herald could not do that because of an internal error; it is logged"
}

// ErrorReply is how a refusal reads in chat: the reason, to the person
// only.
func ErrorReply(err error) herald.ChatReply {
	msg := errorMessage(err)
	var he *herald.Error
	if errors.As(err, &he) && he.Code != herald.EInvalid && len(he.Fields) > 0 {
		var parts []string
		for k, v := range he.Fields {
			parts = append(parts, k+" "+v)
		}
		slices.Sort(parts)
		msg += " (" + strings.Join(parts, "; ") + ")"
	}
	return herald.ChatReply{Text: msg, Private: true}
}

// Run parses and runs one command for actor.
func (e *Executor) Run(ctx context.Context, actor herald.Actor, req Request) (herald.ChatReply, error) {
	cmd, err := herald.ParseChatCommand(req.Text)
	if err != nil {
		return herald.ChatReply{}, err
	}
	return e.Execute(ctx, actor, cmd, req)
}

// Execute runs a parsed command.
func (e *Executor) Execute(ctx context.Context, actor herald.Actor, cmd herald.ChatCommand, req Request) (herald.ChatReply, error) {
	if !actor.Role.Valid() || actor.User.ID == "" {
		return herald.ChatReply{}, herald.Errorf(herald.EUnauthenticated, "you are not signed in to Herald")
	}
	need := herald.RoleViewer
	if cmd.Writes() {
		need = herald.RoleResponder
	}
	if !actor.Role.Allows(need) {
		return herald.ChatReply{}, herald.Errorf(herald.EForbidden, "%s needs the %s role in Herald; %s is a %s", cmd.Verb, need, actor.User.Name, actor.Role)
	}
	var inc *herald.Incident
	if herald.ChatIncidentVerb(cmd.Verb) {
		var err error
		if inc, err = e.incident(ctx, cmd, req); err != nil {
			return herald.ChatReply{}, err
		}
	}
	switch cmd.Verb {
	case herald.ChatHelp:
		return herald.ChatReply{Text: herald.ChatHelpReply(cmd.Topic), Private: true}, nil
	case herald.ChatDeclare:
		return e.declare(ctx, actor, cmd)
	case herald.ChatStatus:
		return e.status(ctx, actor, inc, cmd, req)
	case herald.ChatPage:
		return e.page(ctx, actor, cmd)
	case herald.ChatAck:
		return e.ack(ctx, actor, inc)
	case herald.ChatEscalate:
		return e.escalate(ctx, actor, inc, cmd)
	case herald.ChatResolve:
		st := herald.Resolved
		inc, err := e.Services.Incidents.UpdateIncident(ctx, actor, inc.Reference, herald.UpdateInput{Version: inc.Version, State: &st})
		if err != nil {
			return herald.ChatReply{}, err
		}
		return e.incidentReply(inc, fmt.Sprintf("%s resolved %s: %s", actor.User.Name, inc.Reference, inc.Title)), nil
	case herald.ChatRole:
		return e.role(ctx, actor, inc, cmd, req)
	case herald.ChatDecision:
		entry, err := e.Services.Incidents.RecordDecision(ctx, actor, inc.Reference, herald.DecisionInput{What: cmd.Text, Rationale: cmd.Reason})
		if err != nil {
			return herald.ChatReply{}, err
		}
		return herald.ChatReply{Text: fmt.Sprintf("Decision on %s by %s: %s, because %s", inc.Reference, actor.User.Name, cmd.Text, cmd.Reason),
			Incident: inc.Reference, Fields: []herald.ChatField{{Label: "Timeline entry", Value: fmt.Sprint(entry.ID)}}}, nil
	case herald.ChatFollowUp:
		f, err := e.Services.Incidents.AddFollowUp(ctx, actor, inc.Reference, herald.FollowUpInput{Title: &cmd.Text})
		if err != nil {
			return herald.ChatReply{}, err
		}
		return herald.ChatReply{Text: fmt.Sprintf("Follow-up on %s: %s", inc.Reference, f.Title), Incident: inc.Reference}, nil
	case herald.ChatNote:
		if _, err := e.Services.Incidents.AddNote(ctx, actor, inc.Reference, herald.NoteInput{Text: cmd.Text}); err != nil {
			return herald.ChatReply{}, err
		}
		return herald.ChatReply{Text: fmt.Sprintf("Noted on %s's timeline.", inc.Reference), Incident: inc.Reference}, nil
	case herald.ChatSeverity:
		sev := cmd.Severity
		inc, err := e.Services.Incidents.UpdateIncident(ctx, actor, inc.Reference, herald.UpdateInput{Version: inc.Version, Severity: &sev, SeverityReason: cmd.Reason})
		if err != nil {
			return herald.ChatReply{}, err
		}
		return e.incidentReply(inc, fmt.Sprintf("%s is now %s (%s): %s", inc.Reference, inc.Severity, actor.User.Name, cmd.Reason)), nil
	case herald.ChatHandover:
		if cmd.Mention != "" {
			return e.handOver(ctx, actor, inc, cmd, req)
		}
		return e.handover(ctx, inc)
	case herald.ChatOnCall:
		return e.onCall(ctx, cmd)
	}
	return herald.ChatReply{}, herald.Errorf(herald.EInvalid, "unknown command %s", cmd.Verb)
}

// incident finds the incident a command acts on: named in it, given with
// the request, or the channel's.
func (e *Executor) incident(ctx context.Context, cmd herald.ChatCommand, req Request) (*herald.Incident, error) {
	ref := cmd.Incident
	if ref == "" {
		ref = strings.TrimSpace(req.Incident)
	}
	if ref == "" && req.Platform != "" && req.Channel != "" {
		r, err := e.Services.Chat.ChannelIncident(ctx, req.Platform, req.Channel)
		if err != nil && herald.ErrorCode(err) != herald.ENotFound {
			return nil, err
		}
		ref = r
	}
	if ref == "" {
		msg := fmt.Sprintf("which incident? This is no incident's channel: name it first, like %s INC-12 ...", cmd.Verb)
		return nil, &herald.Error{Code: herald.EInvalid, Message: msg + ". Usage: " + herald.ChatUsage(cmd.Verb), Fields: map[string]string{"incident": "is required outside an incident channel"}}
	}
	return e.Services.Incidents.Incident(ctx, ref)
}

// incidentReply shows an incident's state with the buttons that act on it.
func (e *Executor) incidentReply(inc *herald.Incident, text string) herald.ChatReply {
	r := herald.ChatReply{Text: text, Incident: inc.Reference, Link: e.Links.Incident(inc.Reference), Fields: []herald.ChatField{
		{Label: "Severity", Value: string(inc.Severity)},
		{Label: "State", Value: inc.State.Title()},
	}}
	for _, role := range inc.Roles {
		r.Fields = append(r.Fields, herald.ChatField{Label: role.Role, Value: role.UserName})
	}
	if inc.BridgeURL != "" {
		r.Fields = append(r.Fields, herald.ChatField{Label: "Call", Value: inc.BridgeURL})
	}
	if inc.State.Active() {
		r.Actions = []herald.ChatAction{
			{ID: herald.ChatActionAck, Label: "Acknowledge", Command: "ack " + inc.Reference, Style: "primary"},
			{ID: herald.ChatActionEscalate, Label: "Escalate", Command: "escalate " + inc.Reference},
			{ID: herald.ChatActionPublish, Label: "Status update", Command: "status " + inc.Reference},
		}
	}
	r.Actions = append(r.Actions, herald.ChatAction{ID: herald.ChatActionOpen, Label: "Open in Herald", URL: r.Link})
	return r
}

func (e *Executor) declare(ctx context.Context, actor herald.Actor, cmd herald.ChatCommand) (herald.ChatReply, error) {
	inc, err := e.Services.Incidents.DeclareIncident(ctx, actor, herald.DeclareInput{Title: cmd.Text, Severity: cmd.Severity})
	if err != nil {
		return herald.ChatReply{}, err
	}
	r := e.incidentReply(inc, fmt.Sprintf("%s declared %s (%s): %s", actor.User.Name, inc.Reference, inc.Severity, inc.Title))
	pages, err := e.Services.Incidents.IncidentPages(ctx, inc.Reference)
	if err != nil {
		return herald.ChatReply{}, err
	}
	var paged []string
	for _, p := range pages {
		if p.Role != "" {
			paged = append(paged, p.Role)
		}
	}
	if len(paged) > 0 {
		r.Fields = append(r.Fields, herald.ChatField{Label: "Paged", Value: strings.Join(paged, ", ")})
	}
	return r, nil
}

func (e *Executor) page(ctx context.Context, actor herald.Actor, cmd herald.ChatCommand) (herald.ChatReply, error) {
	svc, err := e.Services.Paging.Service(ctx, cmd.Service)
	if err != nil {
		if herald.ErrorCode(err) == herald.ENotFound {
			return herald.ChatReply{}, &herald.Error{Code: herald.EInvalid, Message: "there is no service " + fmt.Sprintf("%q", cmd.Service) + ". Usage: " + herald.ChatUsage(herald.ChatPage),
				Fields: map[string]string{"service": "no such service"}}
		}
		return herald.ChatReply{}, err
	}
	key, err := e.Services.Paging.Enqueue(ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger",
		Payload: &herald.EventPayload{Summary: cmd.Text, Source: "chat: " + actor.User.Name, Severity: "critical"}})
	if err != nil {
		return herald.ChatReply{}, err
	}
	p, err := e.Services.Paging.OpenPage(ctx, svc.ID, key)
	if err != nil {
		return herald.ChatReply{}, err
	}
	return herald.ChatReply{Text: fmt.Sprintf("Paged %s: %s", svc.Name, cmd.Text), Link: e.Links.Page(p.ID),
		Fields: []herald.ChatField{{Label: "Page", Value: p.ID}, {Label: "Status", Value: string(p.Status)}}}, nil
}

// ack acknowledges the incident's open pages that reached the actor; when
// none did, its alert pages (declared from or attached), or its only open
// page. Acknowledging a role page takes the role, so a person does not
// take a role whose page went to someone else by typing "ack".
func (e *Executor) ack(ctx context.Context, actor herald.Actor, inc *herald.Incident) (herald.ChatReply, error) {
	pages, err := e.Services.Incidents.IncidentPages(ctx, inc.Reference)
	if err != nil {
		return herald.ChatReply{}, err
	}
	var open, mine, alerts []herald.LinkedPage
	for _, p := range pages {
		if p.Status != herald.PageTriggered {
			continue
		}
		open = append(open, p)
		ns, err := e.Services.Paging.Notifications(ctx, p.ID)
		if err != nil {
			return herald.ChatReply{}, err
		}
		if slices.ContainsFunc(ns, func(n herald.Notification) bool { return n.UserID == actor.User.ID && !n.Shadow }) {
			mine = append(mine, p)
		} else if p.Role == "" {
			alerts = append(alerts, p)
		}
	}
	target := mine
	switch {
	case len(open) == 0:
		return herald.ChatReply{}, herald.Errorf(herald.EUnprocessable, "no page of %s waits for an acknowledgement", inc.Reference)
	case len(target) == 0 && len(alerts) > 0:
		target = alerts
	case len(target) == 0 && len(open) == 1:
		target = open
	case len(target) == 0:
		var names []string
		for _, p := range open {
			names = append(names, pageName(p))
		}
		return herald.ChatReply{}, herald.Errorf(herald.EUnprocessable, "none of %s's open pages reached you (%s): acknowledging a role page takes the role, so acknowledge it in the console if you take it", inc.Reference, strings.Join(names, ", "))
	}
	var done []string
	for _, p := range target {
		if _, err := e.Services.Paging.AcknowledgePage(ctx, actor, p.ID); err != nil {
			return herald.ChatReply{}, err
		}
		done = append(done, pageName(p))
	}
	return herald.ChatReply{Text: fmt.Sprintf("%s acknowledged %s for %s.", actor.User.Name, strings.Join(done, ", "), inc.Reference), Incident: inc.Reference}, nil
}

func pageName(p herald.LinkedPage) string {
	if p.Role != "" {
		return "the " + p.Role + " page"
	}
	return "the " + p.Service + " page"
}

// escalate pages the next level (or the one asked) of the incident's
// newest open page.
func (e *Executor) escalate(ctx context.Context, actor herald.Actor, inc *herald.Incident, cmd herald.ChatCommand) (herald.ChatReply, error) {
	pages, err := e.Services.Incidents.IncidentPages(ctx, inc.Reference)
	if err != nil {
		return herald.ChatReply{}, err
	}
	var open *herald.LinkedPage
	for i := range pages {
		if pages[i].Status != herald.PageResolved {
			open = &pages[i]
		}
	}
	if open == nil {
		return herald.ChatReply{}, herald.Errorf(herald.EUnprocessable, "%s has no open page to escalate; page someone with: page <service> <summary>", inc.Reference)
	}
	level := cmd.Level
	if level == 0 {
		p, err := e.Services.Paging.Page(ctx, open.ID)
		if err != nil {
			return herald.ChatReply{}, err
		}
		level = p.Level + 2 // Level counts from 0: the level paged last, 1-based, is Level+1
	}
	if _, err := e.Services.Paging.EscalatePage(ctx, actor, open.ID, level); err != nil {
		return herald.ChatReply{}, err
	}
	return herald.ChatReply{Text: fmt.Sprintf("%s escalated %s of %s to level %d.", actor.User.Name, pageName(*open), inc.Reference, level), Incident: inc.Reference}, nil
}

func (e *Executor) role(ctx context.Context, actor herald.Actor, inc *herald.Incident, cmd herald.ChatCommand, req Request) (herald.ChatReply, error) {
	settings, err := e.Services.Settings.Settings(ctx)
	if err != nil {
		return herald.ChatReply{}, err
	}
	key, err := roleKey(settings, cmd)
	if err != nil {
		return herald.ChatReply{}, err
	}
	who, err := resolve(ctx, req.Resolver, cmd.Mention)
	if err != nil {
		return herald.ChatReply{}, err
	}
	inc, err = e.Services.Incidents.AssignRole(ctx, actor, inc.Reference, key, herald.RoleInput{User: who})
	if err != nil {
		return herald.ChatReply{}, err
	}
	holder, _ := inc.Role(key)
	return e.incidentReply(inc, fmt.Sprintf("%s is now the %s of %s.", holder.UserName, settings.RoleName(key), inc.Reference)), nil
}

// roleKey finds the incident role a command names: its key or its name,
// in any case.
func roleKey(settings herald.Settings, cmd herald.ChatCommand) (string, error) {
	want := strings.ToLower(strings.Join(strings.Fields(cmd.Role), " "))
	var names []string
	for _, r := range settings.IncidentRoles {
		names = append(names, r.Key)
		if want == r.Key || want == strings.ToLower(r.Name) || strings.ReplaceAll(want, " ", "_") == r.Key {
			return r.Key, nil
		}
	}
	return "", &herald.Error{Code: herald.EInvalid, Message: fmt.Sprintf("there is no incident role %q: the roles are %s. Usage: %s", cmd.Role, strings.Join(names, ", "), herald.ChatUsage(cmd.Verb)),
		Fields: map[string]string{"role": "unknown role"}}
}

// handOver is the live handover (R60): the caller's role on the incident
// goes to another person with a note, through the API's own service call
// (only the holder or an admin may; the timeline records both people and
// the note).
func (e *Executor) handOver(ctx context.Context, actor herald.Actor, inc *herald.Incident, cmd herald.ChatCommand, req Request) (herald.ChatReply, error) {
	settings, err := e.Services.Settings.Settings(ctx)
	if err != nil {
		return herald.ChatReply{}, err
	}
	key, err := roleKey(settings, cmd)
	if err != nil {
		return herald.ChatReply{}, err
	}
	who, err := resolve(ctx, req.Resolver, cmd.Mention)
	if err != nil {
		return herald.ChatReply{}, err
	}
	from, _ := inc.Role(key)
	inc, err = e.Services.Handovers.HandOverRole(ctx, actor, inc.Reference, key, herald.RoleHandoverInput{To: who, Note: cmd.Text})
	if err != nil {
		return herald.ChatReply{}, err
	}
	holder, _ := inc.Role(key)
	return e.incidentReply(inc, fmt.Sprintf("%s handed the %s role of %s over to %s: %s", from.UserName, settings.RoleName(key), inc.Reference, holder.UserName, cmd.Text)), nil
}

// resolve turns a mention into a user reference: through the platform's
// resolver, or as an e-mail address.
func resolve(ctx context.Context, r Resolver, mention string) (string, error) {
	if r != nil {
		return r.ResolveMention(ctx, mention)
	}
	if email, ok := herald.MentionEmail(mention); ok {
		return email, nil
	}
	return "", &herald.Error{Code: herald.EInvalid, Message: fmt.Sprintf("%s is not a person Herald knows here: give their e-mail address", mention), Fields: map[string]string{"person": "unknown"}}
}

// status opens the update composer: the templates filled for the
// incident, and with text the dry run's checks. Confirmed, it publishes
// through the same path as the API (first update or next one), where
// R10's decision and the content guard are checked.
func (e *Executor) status(ctx context.Context, actor herald.Actor, inc *herald.Incident, cmd herald.ChatCommand, req Request) (herald.ChatReply, error) {
	settings, err := e.Services.Settings.Settings(ctx)
	if err != nil {
		return herald.ChatReply{}, err
	}
	comp := &herald.StatusComposer{Incident: inc.Reference, StatusIncidentID: inc.StatusIncidentID, State: inc.State, Limits: settings.UpdateLimits}
	next := int(settings.NextUpdateAfter(inc.State, inc.Severity) / time.Minute)
	components := "our services"
	if inc.StatusIncidentID != "" {
		if si, err := e.Services.StatusPage.StatusIncident(ctx, inc.StatusIncidentID); err == nil {
			comp.State = si.Status
			if names := e.componentNames(ctx, si.Components); names != "" {
				components = names
			}
		}
	}
	var tnames []string
	for name := range settings.StatusTemplates {
		tnames = append(tnames, name)
	}
	slices.Sort(tnames)
	for _, name := range tnames {
		comp.Templates = append(comp.Templates, herald.ChatTemplate{Name: name, Text: herald.FillTemplate(settings.StatusTemplates[name], inc.Title, components, next, "")})
	}
	if cmd.Text == "" {
		return herald.ChatReply{Text: fmt.Sprintf("Status update for %s: write it with status %s <text> (at most %d characters before the link, %d in all), or start from a template.",
			inc.Reference, inc.Reference, settings.UpdateLimits.BeforeLink, settings.UpdateLimits.Total),
			Incident: inc.Reference, Composer: comp, Private: true}, nil
	}
	// The dry run shows failed checks instead of failing on them (as the
	// console's "Check" does); publishing never overrides them from chat.
	publish := func(dry bool) (herald.Preview, error) {
		up := herald.StatusUpdateInput{Status: comp.State, Body: cmd.Text, OverrideChecks: dry}
		if inc.StatusIncidentID != "" {
			return e.Services.StatusPage.PublishUpdate(ctx, actor, inc.StatusIncidentID, up, dry)
		}
		up.Status = inc.State
		return e.Services.StatusPage.CreateStatusIncident(ctx, actor, herald.StatusIncidentInput{Name: inc.Title, IncidentID: inc.ID, StatusUpdateInput: up}, dry)
	}
	pv, err := publish(true)
	if err != nil {
		return herald.ChatReply{}, err
	}
	comp.Text, comp.Checks, comp.Findings = pv.Text, pv.Checks, pv.Findings
	failed := herald.FailedChecks(pv.Checks)
	for _, f := range pv.Findings {
		failed = append(failed, "guard: "+f.Message)
	}
	if !req.Confirm || len(failed) > 0 {
		text := fmt.Sprintf("This would be published on %s's status page:\n%s", inc.Reference, pv.Text)
		r := herald.ChatReply{Text: text, Incident: inc.Reference, Composer: comp, Private: true}
		if len(failed) > 0 {
			r.Text += "\nIt cannot be published as it is: " + strings.Join(failed, "; ") + ". Shorten or fix it, or use the console's composer to override."
		} else {
			r.Actions = []herald.ChatAction{{ID: herald.ChatActionPublish, Label: "Publish", Command: "status " + inc.Reference + " " + cmd.Text, Confirm: true, Style: "primary"}}
		}
		return r, nil
	}
	pv, err = publish(false)
	if err != nil {
		return herald.ChatReply{}, err
	}
	comp.Text = pv.Text
	r := herald.ChatReply{Text: fmt.Sprintf("%s published on the status page for %s:\n%s", actor.User.Name, inc.Reference, pv.Text), Incident: inc.Reference, Composer: comp}
	if pv.Incident != nil {
		r.Link = e.Links.StatusIncident(pv.Incident.ID)
	}
	return r, nil
}

func (e *Executor) componentNames(ctx context.Context, ids map[string]herald.ComponentStatus) string {
	comps, err := e.Services.StatusPage.Components(ctx)
	if err != nil {
		return ""
	}
	var names []string
	for _, c := range comps {
		if _, ok := ids[c.ID]; ok {
			names = append(names, c.Name)
		}
	}
	return strings.Join(names, ", ")
}

// handover summarises the incident for whoever takes over: where it
// stands, who holds which role, the decisions so far and the open
// follow-ups.
func (e *Executor) handover(ctx context.Context, inc *herald.Incident) (herald.ChatReply, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Handover of %s (%s, %s): %s\n", inc.Reference, inc.Severity, inc.State.Title(), inc.Title)
	if inc.Summary != "" {
		fmt.Fprintf(&b, "Summary: %s\n", inc.Summary)
	}
	if len(inc.Roles) == 0 {
		b.WriteString("Roles: nobody holds a role\n")
	}
	for _, r := range inc.Roles {
		fmt.Fprintf(&b, "Role %s: %s\n", r.Role, r.UserName)
	}
	if inc.NextUpdateDue != nil {
		fmt.Fprintf(&b, "Next public update due: %s UTC\n", inc.NextUpdateDue.UTC().Format("2006-01-02 15:04"))
	}
	decisions, err := e.Services.Incidents.Timeline(ctx, inc.Reference, herald.EntryDecision)
	if err != nil {
		return herald.ChatReply{}, err
	}
	for _, d := range decisions {
		fmt.Fprintf(&b, "Decision (%s): %s\n", d.Actor, d.Text)
	}
	fus, err := e.Services.Incidents.FollowUps(ctx, inc.Reference)
	if err != nil {
		return herald.ChatReply{}, err
	}
	for _, f := range fus {
		if !f.Done {
			fmt.Fprintf(&b, "Open follow-up: %s\n", f.Title)
		}
	}
	r := e.incidentReply(inc, strings.TrimRight(b.String(), "\n"))
	r.Private = true
	return r, nil
}

// onCall says who is on call now on one schedule, or on every one.
func (e *Executor) onCall(ctx context.Context, cmd herald.ChatCommand) (herald.ChatReply, error) {
	now := e.now()
	var list []*herald.Schedule
	if cmd.Schedule != "" {
		s, err := e.Services.Schedules.Schedule(ctx, cmd.Schedule, now)
		if herald.ErrorCode(err) == herald.ENotFound { // chat is typed: a name in another case is the same
			all, err2 := e.Services.Schedules.Schedules(ctx)
			if err2 != nil {
				return herald.ChatReply{}, err2
			}
			for _, c := range all {
				if strings.EqualFold(c.Name, cmd.Schedule) {
					s, err = e.Services.Schedules.Schedule(ctx, c.ID, now)
					break
				}
			}
		}
		if err != nil {
			return herald.ChatReply{}, err
		}
		list = []*herald.Schedule{s}
	} else {
		all, err := e.Services.Schedules.Schedules(ctx)
		if err != nil {
			return herald.ChatReply{}, err
		}
		for _, s := range all {
			full, err := e.Services.Schedules.Schedule(ctx, s.ID, now)
			if err != nil {
				return herald.ChatReply{}, err
			}
			list = append(list, full)
		}
	}
	users, err := e.Services.People.Users(ctx)
	if err != nil {
		return herald.ChatReply{}, err
	}
	names := map[string]string{}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	r := herald.ChatReply{Text: "On call now:"}
	if len(list) == 0 {
		r.Text = "There are no schedules."
	}
	for _, s := range list {
		who := "nobody"
		if oc, ok := s.OnCallAt(now); ok {
			who = names[oc.UserID] + " until " + oc.Until.UTC().Format("2006-01-02 15:04") + " UTC"
		}
		r.Fields = append(r.Fields, herald.ChatField{Label: s.Name, Value: who})
	}
	return r, nil
}

// UserResolver resolves mentions against Herald's users, for callers
// that have no platform of their own (the API and the CLI): an e-mail
// address, or @name where name is the start of exactly one user's e-mail
// address (before the @) or their name without spaces, in any case.
type UserResolver struct{ People herald.PeopleService }

// ResolveMention implements Resolver.
func (r UserResolver) ResolveMention(ctx context.Context, mention string) (string, error) {
	if email, ok := herald.MentionEmail(mention); ok {
		return email, nil
	}
	name, ok := strings.CutPrefix(mention, "@")
	if !ok {
		return "", herald.Errorf(herald.EInvalid, "%s is not a person Herald knows: give their e-mail address or @name", mention)
	}
	users, err := r.People.Users(ctx)
	if err != nil {
		return "", err
	}
	name = strings.ToLower(name)
	var found []herald.User
	for _, u := range users {
		local, _, _ := strings.Cut(strings.ToLower(u.Email), "@")
		if local == name || strings.ToLower(strings.ReplaceAll(u.Name, " ", "")) == name {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 1:
		return found[0].ID, nil
	case 0:
		return "", &herald.Error{Code: herald.EInvalid, Message: fmt.Sprintf("nobody in Herald is %s: give their e-mail address", mention), Fields: map[string]string{"person": "unknown"}}
	}
	return "", &herald.Error{Code: herald.EInvalid, Message: fmt.Sprintf("%s is more than one person in Herald: give their e-mail address", mention), Fields: map[string]string{"person": "ambiguous"}}
}
