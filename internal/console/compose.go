package console

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/httperr"
)

// The status incident screens: the overview of the public page's
// incidents, one status incident with its updates, and the composer that
// publishes an update (or a new status incident with its first update).
//
// The composer never decides on its own what would be published: "Check"
// asks the store for a dry run (the same PlanPublish the API runs) and
// shows its checks, its exact text and the notice subscribers would get;
// "Publish" runs it for real. Failed checks are overridden only when the
// "Publish despite failed checks" box is ticked, and the store records it
// on the update and the incident's timeline.
func (c *Console) composeRoutes() []route {
	return []route{
		{method: "GET", path: "/app/status", role: herald.RoleViewer, serve: c.statusOverview},
		{method: "GET", path: "/app/status/incidents/new", role: herald.RoleResponder, serve: c.statusNew},
		{method: "POST", path: "/app/status/incidents", role: herald.RoleResponder, serve: c.statusCreate},
		{method: "GET", path: "/app/status/incidents/{id}", role: herald.RoleViewer, serve: c.statusIncident},
		{method: "POST", path: "/app/status/incidents/{id}/updates", role: herald.RoleResponder, serve: c.statusPublish},
		{method: "POST", path: "/app/status/incidents/{id}/postmortem", role: herald.RoleResponder, serve: c.statusPostmortem},
		{method: "POST", path: "/app/status/incidents/{id}/edit", role: herald.RoleResponder, serve: c.statusEdit},
	}
}

// statusPath is the console's page of a status incident.
func statusPath(id string) string { return "/app/status/incidents/" + url.PathEscape(id) }

// statusView is the overview: every status incident, open ones first.
type statusView struct {
	Incidents []statusRow
}

type statusRow struct {
	*herald.StatusIncident
	// Names are the names of the components it affects.
	Names []string
}

func (c *Console) statusOverview(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	sis, err := c.cfg.Services.StatusPage.StatusIncidents(ctx, 200)
	if err != nil {
		return err
	}
	comps, err := c.cfg.Services.StatusPage.Components(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, cp := range comps {
		names[cp.ID] = cp.Name
	}
	v := statusView{}
	for _, si := range sis {
		row := statusRow{StatusIncident: si}
		for id := range si.Components {
			row.Names = append(row.Names, names[id])
		}
		sort.Strings(row.Names)
		v.Incidents = append(v.Incidents, row)
	}
	// Open first (newest first within each), as the list came.
	sort.SliceStable(v.Incidents, func(i, j int) bool {
		return v.Incidents[i].Status.Active() && !v.Incidents[j].Status.Active()
	})
	c.render(w, r, http.StatusOK, "status", a, v)
	return nil
}

// composeView is the status incident screen and its composer. Without an
// Incident it is the form for a new status incident.
type composeView struct {
	Incident *herald.StatusIncident
	// Linked is the internal incident behind it, if any.
	Linked *herald.Incident
	// Names maps component ids to names, for the incident's components.
	Names map[string]string

	Form       composeForm
	States     []herald.State
	Templates  []composeTemplate
	Components []composeComponent
	Channels   []composeChannel
	Statuses   []herald.ComponentStatus
	Impacts    []herald.Impact

	// Checked says a dry run or a publication ran: Checks, Text and Notice
	// are its result, Failed the names of the checks that failed.
	Checked bool
	Checks  []herald.Check
	Failed  []string
	// Findings are the content guard's (R45), with their positions in
	// Text; the composer lists them apart from the checks.
	Findings []herald.GuardFinding
	Text     string
	Notice   herald.Notice
	// Email is the e-mail's body as an e-mail subscriber reads it.
	Email string
	// Result is the incident as it would stand after the update; State
	// the state the update publishes.
	Result *herald.StatusIncident
	State  herald.State

	// Error and Fields say why the form was refused.
	Error  string
	Fields map[string]string
	// Postmortem is a refused post-mortem link as typed, and why.
	Postmortem, PostmortemError string
	// Edit is the "Edit title and components" form of an open incident
	// (R22): what it holds (the pending correction, else the published
	// title and components) or what was typed, and why it was refused.
	Edit statusEditForm

	// What the live counters need (R14).
	Link                       string
	LinkMode                   string
	MaxBefore, MaxTotal, LinkN int
}

// composeForm is the composer's input, kept as typed.
type composeForm struct {
	Name, IncidentRef, Impact string
	Status                    string
	Template, Applied         string
	Body                      string
	NextUpdateIn              string
	// MonitorFor is minutes of monitoring instead of the setting: the
	// incident lead's call (R16).
	MonitorFor string
	Override   bool
	// OverrideGuard and GuardReason publish despite the content guard
	// (R45), with the reason recorded.
	OverrideGuard bool
	GuardReason   string
}

type composeTemplate struct{ Key, Text string }

type composeComponent struct {
	herald.Component
	// InIncident is its status in this incident ("" when not affected).
	InIncident herald.ComponentStatus
	// Choice is the status picked in the form ("" keeps it).
	Choice string
}

type composeChannel struct {
	Kind, Label string
	Skip        bool
}

var channelLabels = map[string]string{"email": "E-mail subscribers", "webhook": "Webhooks", "slack": "Slack", "teams": "Microsoft Teams", "mattermost": "Mattermost"}

// placeholderID stands for a status incident not created yet, so the
// counters can count its link: the store's ids are UUIDs of this length.
const placeholderID = "00000000-0000-0000-0000-000000000000"

func (c *Console) statusNew(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	f := composeForm{Status: string(herald.Investigating), Impact: "auto"}
	var linked *herald.Incident
	if ref := strings.TrimSpace(r.URL.Query().Get("incident")); ref != "" {
		inc, err := c.cfg.Services.Incidents.Incident(r.Context(), ref)
		if err != nil {
			return err
		}
		linked, f.Name, f.IncidentRef = inc, inc.Title, inc.Reference
	}
	v, err := c.composeView(r.Context(), nil, f, url.Values{})
	if err != nil {
		return err
	}
	v.Linked = linked
	c.render(w, r, http.StatusOK, "compose", a, v)
	return nil
}

func (c *Console) statusIncident(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v, err := c.statusScreen(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "compose", a, v)
	return nil
}

// statusScreen loads a status incident's screen with an empty composer.
// The state stays as it is unless the person moves it: reopening a
// resolved incident is a choice, never a default.
func (c *Console) statusScreen(ctx context.Context, id string) (*composeView, error) {
	si, err := c.cfg.Services.StatusPage.StatusIncident(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.composeView(ctx, si, composeForm{Status: string(si.Status)}, url.Values{})
}

// composeView loads what the composer shows around the form.
func (c *Console) composeView(ctx context.Context, si *herald.StatusIncident, f composeForm, form url.Values) (*composeView, error) {
	s := c.cfg.Services
	settings, err := s.Settings.Settings(ctx)
	if err != nil {
		return nil, err
	}
	comps, err := s.StatusPage.Components(ctx)
	if err != nil {
		return nil, err
	}
	v := &composeView{Incident: si, Form: f, Names: map[string]string{}, Fields: map[string]string{},
		LinkMode: settings.IncidentLink, MaxBefore: settings.UpdateLimits.BeforeLink, MaxTotal: settings.UpdateLimits.Total, LinkN: settings.UpdateLimits.LinkCountsAs}
	if si != nil {
		v.Link = c.cfg.Links.StatusIncident(si.ID)
		if si.IncidentID != "" {
			if v.Linked, err = s.Incidents.Incident(ctx, si.IncidentID); err != nil {
				return nil, err
			}
		}
		v.Edit = statusEditForm{Name: si.Name, Chosen: map[string]bool{}, Fields: map[string]string{}}
		if si.PendingName != "" {
			v.Edit.Name = si.PendingName
		}
		if si.PendingComponents != nil {
			for _, cid := range si.PendingComponents {
				v.Edit.Chosen[cid] = true
			}
		} else {
			for cid := range si.Components {
				v.Edit.Chosen[cid] = true
			}
		}
		for _, st := range herald.States {
			if st == si.Status || herald.CheckTransition(si.Status, st) == nil {
				v.States = append(v.States, st)
			}
		}
	} else {
		v.Link = c.cfg.Links.StatusIncident(placeholderID)
		v.States = []herald.State{herald.Investigating, herald.Identified, herald.Monitoring}
		v.Impacts = herald.Impacts
	}
	keys := make([]string, 0, len(settings.StatusTemplates))
	for k := range settings.StatusTemplates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v.Templates = append(v.Templates, composeTemplate{Key: k, Text: settings.StatusTemplates[k]})
	}
	for _, cp := range comps {
		v.Names[cp.ID] = cp.Name
		cc := composeComponent{Component: cp, Choice: form.Get("component." + cp.ID)}
		if si != nil {
			cc.InIncident = si.Components[cp.ID]
		}
		v.Components = append(v.Components, cc)
	}
	for _, st := range herald.ComponentStatuses {
		if st != herald.UnderMaintenance {
			v.Statuses = append(v.Statuses, st)
		}
	}
	for _, k := range herald.SubscriberKinds {
		v.Channels = append(v.Channels, composeChannel{Kind: k, Label: channelLabels[k], Skip: slices.Contains(form["skip"], k)})
	}
	return v, nil
}

// readCompose reads the composer's form into the update it asks for. The
// template is used only when it differs from the one whose text is already
// in the body (Applied): once applied, the body is what the person edits.
func readCompose(r *http.Request) (composeForm, herald.StatusUpdateInput, error) {
	p := r.PostForm // read by the route's wrapper
	f := composeForm{Name: p.Get("name"), IncidentRef: p.Get("incident"), Impact: p.Get("impact"), Status: p.Get("status"),
		Template: p.Get("template"), Applied: p.Get("applied_template"), Body: p.Get("body"), NextUpdateIn: strings.TrimSpace(p.Get("next_update_in")), MonitorFor: strings.TrimSpace(p.Get("monitor_for")),
		Override: p.Get("override") == "1", OverrideGuard: p.Get("override_guard") == "1", GuardReason: p.Get("override_guard_reason")}
	in := herald.StatusUpdateInput{Status: herald.State(f.Status), Body: f.Body, OverrideChecks: f.Override,
		OverrideGuard: f.OverrideGuard, OverrideGuardReason: f.GuardReason}
	if f.Template != "" && f.Template != f.Applied {
		in.Template = f.Template
	}
	if f.NextUpdateIn != "" {
		n, err := strconv.Atoi(f.NextUpdateIn)
		if err != nil {
			return f, in, &herald.Error{Code: herald.EInvalid, Message: "the next update is a number of minutes",
				Fields: map[string]string{"next_update_in_minutes": "must be a whole number of minutes"}}
		}
		in.NextUpdateIn = n
	}
	if f.MonitorFor != "" {
		n, err := strconv.Atoi(f.MonitorFor)
		if err != nil {
			return f, in, &herald.Error{Code: herald.EInvalid, Message: "monitoring lasts a number of minutes",
				Fields: map[string]string{"monitor_for_minutes": "must be a whole number of minutes"}}
		}
		in.MonitorFor = n
	}
	for key, vals := range p {
		if id, ok := strings.CutPrefix(key, "component."); ok && len(vals) > 0 && vals[0] != "" {
			if in.Components == nil {
				in.Components = map[string]herald.ComponentStatus{}
			}
			in.Components[id] = herald.ComponentStatus(vals[0])
		}
	}
	for _, k := range p["skip"] {
		if in.Channels == nil {
			in.Channels = map[string]bool{}
		}
		in.Channels[k] = false
	}
	return f, in, nil
}

func (c *Console) statusCreate(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if r.PostForm.Get("action") == "draft" {
		return c.statusDraft(w, r, a)
	}
	f, upd, err := readCompose(r)
	dry := r.PostForm.Get("action") != "publish"
	var p herald.Preview
	if err == nil {
		in := herald.StatusIncidentInput{Name: f.Name, IncidentID: f.IncidentRef, Impact: herald.Impact(f.Impact), StatusUpdateInput: upd}
		if in.Impact == "auto" {
			in.Impact = ""
		}
		p, err = c.cfg.Services.StatusPage.CreateStatusIncident(r.Context(), a, in, dry)
	}
	if err == nil && !dry {
		redirect(w, r, statusPath(p.Incident.ID), published(p, "Status incident published."))
		return nil
	}
	v, verr := c.composeView(r.Context(), nil, f, r.PostForm)
	if verr != nil {
		return verr
	}
	if f.IncidentRef != "" {
		v.Linked, _ = c.cfg.Services.Incidents.Incident(r.Context(), f.IncidentRef)
	}
	return c.composed(w, r, a, v, upd, p, err)
}

func (c *Console) statusPublish(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	si, err := c.cfg.Services.StatusPage.StatusIncident(r.Context(), id)
	if err != nil {
		return err
	}
	f, upd, err := readCompose(r)
	dry := r.PostForm.Get("action") != "publish"
	var p herald.Preview
	if err == nil {
		p, err = c.cfg.Services.StatusPage.PublishUpdate(r.Context(), a, si.ID, upd, dry)
	}
	if err == nil && !dry {
		redirect(w, r, statusPath(si.ID), published(p, "Update published."))
		return nil
	}
	v, verr := c.composeView(r.Context(), si, f, r.PostForm)
	if verr != nil {
		return verr
	}
	return c.composed(w, r, a, v, upd, p, err)
}

// published is the flash after a publication: it says when checks were
// overridden, so nobody overrides without seeing it.
func published(p herald.Preview, msg string) string {
	if p.Incident == nil || len(p.Incident.Updates) == 0 {
		return msg
	}
	u := p.Incident.Updates[0]
	switch {
	case u.ChecksOverridden && u.GuardOverride != nil:
		return strings.TrimSuffix(msg, ".") + " despite failed checks and the content guard; the overrides are recorded."
	case u.ChecksOverridden:
		return strings.TrimSuffix(msg, ".") + " despite failed checks; the override is recorded."
	case u.GuardOverride != nil:
		return strings.TrimSuffix(msg, ".") + " despite the content guard; the override is recorded with its findings."
	}
	return msg
}

// composed shows the composer again after a check, or after a publication
// that was refused: with the person's input, the result of every check,
// the exact text and notice, and why it was refused. Refusals that are not
// about the form (not found, not allowed) go to the error page.
func (c *Console) composed(w http.ResponseWriter, r *http.Request, a herald.Actor, v *composeView, upd herald.StatusUpdateInput, p herald.Preview, err error) error {
	status := http.StatusOK
	if err != nil {
		he, st, _ := httperr.Of(err)
		switch he.Code {
		case herald.EInvalid, herald.EUnprocessable, herald.EConflict, herald.EForbidden:
			// Forbidden: a rule the update breaks (R10, R17), said beside
			// the form, which keeps what was typed.
		default:
			return err
		}
		status, v.Error = st, he.Message
		for k, m := range he.Fields {
			v.Fields[k] = m
		}
	}
	if len(p.Checks) > 0 {
		v.Checked, v.Checks, v.Text, v.Notice, v.Result, v.Findings = true, p.Checks, p.Text, p.Notice, p.Incident, p.Findings
		for _, n := range herald.FailedChecks(p.Checks) {
			if n != "content_guard" {
				v.Failed = append(v.Failed, n)
			}
		}
		v.Email = emailBody(p.Notice)
		v.State = herald.State(v.Form.Status)
		if err != nil && herald.ErrorCode(err) == herald.EUnprocessable {
			// The API's words name its JSON fields; the console names its boxes.
			var msgs []string
			if len(v.Failed) > 0 && !upd.OverrideChecks {
				msgs = append(msgs, "The update fails its checks ("+strings.Join(v.Failed, ", ")+"): nothing was published or sent. Shorten it, or tick “Publish despite failed checks”.")
			}
			if len(v.Findings) > 0 && !upd.OverrideGuard {
				msgs = append(msgs, "The text contains internal details customers must not see (R45), listed under “Content guard”: nothing was published or sent. Remove them, or tick “Publish despite the content guard” and give the reason.")
			}
			if len(msgs) > 0 {
				v.Error = strings.Join(msgs, " ")
			}
		}
		// The text the dry run made is what the person edits next (a
		// template just applied is filled in), without the link it
		// appended: publishing appends it again. A new incident's dry-run
		// link names an incident that was rolled back, so a text holding
		// it stays a template, filled in when published.
		body, link := p.Text, p.Notice.URL
		if v.LinkMode == herald.LinkAppend && link != "" {
			body = strings.TrimSuffix(body, " "+link)
		}
		if v.Incident != nil || link == "" || !strings.Contains(body, link) {
			v.Form.Body = body
			if upd.Template != "" {
				v.Form.Applied = upd.Template
			}
		}
	}
	if len(v.Failed) > 0 && err == nil && v.Form.Override {
		v.Error = "Some checks fail: publishing will override them, and the override is recorded."
	}
	if len(v.Findings) > 0 && err == nil && v.Form.OverrideGuard {
		v.Error = strings.TrimSpace(v.Error + " The content guard found internal details: publishing will override it, and the override is recorded with the findings and your reason.")
	}
	c.render(w, r, status, "compose", a, v)
	return nil
}

// emailBody is the body of the e-mail a subscriber gets, as the worker
// composes it (internal/worker compose.go): the notice, its link and the
// subscriber's own unsubscribe link.
func emailBody(n herald.Notice) string {
	if n.Subject == "" {
		return ""
	}
	return n.Body + "\n\n" + n.URL + "\n\nUnsubscribe: (each subscriber's own link)"
}

// statusPostmortem links the post-mortem of a resolved status incident. A
// refused link shows the screen again with what was typed and why.
func (c *Console) statusPostmortem(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id, link := r.PathValue("id"), r.PostFormValue("postmortem_url")
	_, err := c.cfg.Services.StatusPage.SetPostmortem(r.Context(), a, id, link)
	if err == nil {
		redirect(w, r, statusPath(id), "Post-mortem linked.")
		return nil
	}
	he, status, _ := httperr.Of(err)
	if he.Code != herald.EInvalid && he.Code != herald.EUnprocessable {
		return err
	}
	v, err := c.statusScreen(r.Context(), id)
	if err != nil {
		return err
	}
	v.Postmortem, v.PostmortemError = link, he.Message
	c.render(w, r, status, "compose", a, v)
	return nil
}

// statusEditForm is the "Edit title and components" form (R22).
type statusEditForm struct {
	Name   string
	Chosen map[string]bool
	Error  string
	Fields map[string]string
}

// statusEdit corrects an open status incident's title and components
// (R22). The store keeps the correction until the next update publishes
// it; a refused one shows the screen again with what was chosen and why.
func (c *Console) statusEdit(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	name := r.PostForm.Get("name")
	comps := []string{}
	for _, cid := range r.PostForm["component"] {
		if cid != "" {
			comps = append(comps, cid)
		}
	}
	_, err := c.cfg.Services.StatusPage.EditStatusIncident(r.Context(), a, id, herald.StatusIncidentEdit{Name: name, Components: &comps})
	if err == nil {
		redirect(w, r, statusPath(id), "Correction saved: the next update publishes it.")
		return nil
	}
	he, status, _ := httperr.Of(err)
	if he.Code != herald.EInvalid {
		return err // a resolved incident (422, R22) has no form to show again
	}
	v, err := c.statusScreen(r.Context(), id)
	if err != nil {
		return err
	}
	v.Edit = statusEditForm{Name: name, Chosen: map[string]bool{}, Error: he.Message, Fields: map[string]string{}}
	for _, cid := range comps {
		v.Edit.Chosen[cid] = true
	}
	for k, m := range he.Fields {
		v.Edit.Fields[k] = m
	}
	c.render(w, r, status, "compose", a, v)
	return nil
}
