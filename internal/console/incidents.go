package console

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/httperr"
)

// The incident screens: the list, the declare form, and one incident with
// everything a responder does during it. Every action is a plain form that
// posts to its own path and answers 303 back to the incident; a refusal
// (a stale version, a decision the person may not take, invalid input)
// shows the incident again with the API's status, the reason beside the
// form and the person's input kept.
func (c *Console) incidentsRoutes() []route {
	const inc = "/app/incidents/{ref}"
	return []route{
		{method: "GET", path: "/app/incidents", role: herald.RoleViewer, serve: c.incidentList},
		{method: "GET", path: "/app/incidents/new", role: herald.RoleResponder, serve: c.declareForm},
		{method: "POST", path: "/app/incidents", role: herald.RoleResponder, serve: c.declare},
		{method: "GET", path: inc, role: herald.RoleViewer, serve: c.incident},
		{method: "GET", path: inc + "/export.md", role: herald.RoleViewer, serve: c.incidentExport},
		{method: "POST", path: inc + "/change", role: herald.RoleResponder, serve: c.incidentAction("change", c.changeIncident)},
		{method: "POST", path: inc + "/roles", role: herald.RoleResponder, serve: c.incidentAction("roles", c.assignRole)},
		{method: "POST", path: inc + "/notes", role: herald.RoleResponder, serve: c.incidentAction("note", c.addNote)},
		{method: "POST", path: inc + "/decisions", role: herald.RoleResponder, serve: c.incidentAction("decision", c.recordDecision)},
		{method: "POST", path: inc + "/labels", role: herald.RoleResponder, serve: c.incidentAction("labels", c.labelIncident)},
		{method: "POST", path: inc + "/follow-ups", role: herald.RoleResponder, serve: c.incidentAction("followup", c.addFollowUp)},
		{method: "POST", path: inc + "/follow-ups/{id}/done", role: herald.RoleResponder, serve: c.incidentAction("followup-done", c.followUpDone)},
		{method: "POST", path: inc + "/reviews", role: herald.RoleResponder, serve: c.incidentAction("review", c.review)},
	}
}

// incidentPath is where an incident's screen is.
func incidentPath(ref string) string { return "/app/incidents/" + url.PathEscape(ref) }

// --- The list ---

// incidentListView is the list screen: active incidents first (on the
// first page), then the rest paged by number like the API's "before".
type incidentListView struct {
	State, Severity, Active string
	Before                  int64
	// ActiveList is shown above the rest on the first page, unless the
	// filters rule active incidents out.
	ActiveList []*herald.Incident
	ShowActive bool
	// MoreActive links the rest of the active incidents when there are
	// more than fit above.
	MoreActive string
	// List is the paged part; Heading names it.
	List     []*herald.Incident
	ShowList bool
	Heading  string
	// Next is the next page's URL, "" on the last page; First is the
	// first page with the same filters.
	Next, First string
	Err         *herald.Error
	States      []herald.State
	// The tables as the shared row template sees them.
	ActiveTable, ListTable incTable
	Sevs                   []herald.Severity
}

// incTable is a list of incidents with the time their age is told from.
type incTable struct {
	Now      time.Time
	List     []*herald.Incident
	Settings *herald.Settings
}

const listLimit = 50

func (c *Console) incidentList(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	q := r.URL.Query()
	v := &incidentListView{State: q.Get("state"), Severity: q.Get("severity"), Active: q.Get("active"), States: herald.States, Sevs: herald.Severities}
	fe := herald.FieldErrors{}
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			fe.Add("before", "must be a positive incident number")
		}
		v.Before = n
	}
	var active *bool
	switch v.Active {
	case "":
	case "true", "false":
		b := v.Active == "true"
		active = &b
	default:
		fe.Add("active", "must be true or false")
	}
	base := herald.ListFilter{State: herald.State(v.State), Severity: herald.Severity(v.Severity), Limit: listLimit}
	if err := base.Normalize(); err != nil {
		var he *herald.Error
		if errors.As(err, &he) {
			for k, m := range he.Fields {
				fe.Add(k, m)
			}
		}
	}
	if err := fe.Err(); err != nil {
		v.Err = err.(*herald.Error)
		c.render(w, r, http.StatusBadRequest, "incidents", a, v)
		return nil
	}
	ctx := r.Context()
	stateActive := v.State == "" || herald.State(v.State).Active()
	stateResolved := v.State == "" || herald.State(v.State) == herald.Resolved
	if active == nil {
		// Active incidents first, then the resolved ones paged.
		if v.Before == 0 && stateActive {
			f, t := base, true
			f.Active = &t
			list, next, err := c.listPage(ctx, f)
			if err != nil {
				return err
			}
			v.ActiveList, v.ShowActive = list, true
			if next > 0 {
				v.MoreActive = listURL(v, "true", next)
			}
		}
		if stateResolved {
			f, no := base, false
			f.Active, f.Before = &no, v.Before
			list, next, err := c.listPage(ctx, f)
			if err != nil {
				return err
			}
			v.List, v.ShowList, v.Heading = list, true, "Resolved incidents"
			if next > 0 {
				v.Next = listURL(v, "", next)
			}
		}
	} else {
		f := base
		f.Active, f.Before = active, v.Before
		list, next, err := c.listPage(ctx, f)
		if err != nil {
			return err
		}
		v.List, v.ShowList, v.Heading = list, true, "Resolved incidents"
		if *active {
			v.Heading = "Active incidents"
		}
		if next > 0 {
			v.Next = listURL(v, v.Active, next)
		}
	}
	v.First = listURL(v, v.Active, 0)
	settings, err := c.cfg.Services.Settings.Settings(ctx)
	if err != nil {
		return err
	}
	now := c.cfg.Clock.Now()
	v.ActiveTable, v.ListTable = incTable{now, v.ActiveList, &settings}, incTable{now, v.List, &settings}
	c.render(w, r, http.StatusOK, "incidents", a, v)
	return nil
}

// listPage reads one page and says where the next starts (0: no more),
// the way the API's next_before does.
func (c *Console) listPage(ctx context.Context, f herald.ListFilter) ([]*herald.Incident, int64, error) {
	list, err := c.cfg.Services.Incidents.Incidents(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if n := len(list); n > 0 && n == f.Limit && list[n-1].Number > 1 {
		return list, list[n-1].Number, nil
	}
	return list, 0, nil
}

func listURL(v *incidentListView, active string, before int64) string {
	q := url.Values{}
	for k, val := range map[string]string{"state": v.State, "severity": v.Severity, "active": active} {
		if val != "" {
			q.Set(k, val)
		}
	}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	if len(q) == 0 {
		return "/app/incidents"
	}
	return "/app/incidents?" + q.Encode()
}

// --- Declaring ---

type declareView struct {
	// Paging names the severities whose declaration pages incident roles.
	Paging []string
	In     herald.DeclareInput
	Svcs   string
	Err    *herald.Error
	Sevs   []herald.Severity
	Fields map[string]string
}

func (c *Console) declareForm(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v := &declareView{Sevs: herald.Severities}
	if err := c.pagingSeverities(r.Context(), v); err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "declare", a, v)
	return nil
}

// pagingSeverities says on the form which severities page people, by the
// organisation's settings.
func (c *Console) pagingSeverities(ctx context.Context, v *declareView) error {
	s, err := c.cfg.Services.Settings.Settings(ctx)
	if err != nil {
		return err
	}
	for _, sev := range herald.Severities {
		if len(s.PageRoles[sev]) > 0 {
			v.Paging = append(v.Paging, string(sev))
		}
	}
	return nil
}

func (c *Console) declare(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	in := herald.DeclareInput{
		Title: r.PostFormValue("title"), Severity: herald.Severity(r.PostFormValue("severity")), Summary: r.PostFormValue("summary"),
		Services: splitList(r.PostFormValue("services")), ChatURL: r.PostFormValue("chat_url"), BridgeURL: r.PostFormValue("bridge_url"),
	}
	shown := in
	inc, err := c.cfg.Services.Incidents.DeclareIncident(r.Context(), a, in)
	if err != nil {
		var he *herald.Error
		if !errors.As(err, &he) || he.Code == herald.EUnavailable || he.Code == herald.ENotFound {
			return err
		}
		_, status, _ := httperr.Of(he)
		v := &declareView{In: shown, Svcs: r.PostFormValue("services"), Err: he, Sevs: herald.Severities, Fields: he.Fields}
		if err := c.pagingSeverities(r.Context(), v); err != nil {
			return err
		}
		c.render(w, r, status, "declare", a, v)
		return nil
	}
	redirect(w, r, incidentPath(inc.Reference), inc.Reference+" declared.")
	return nil
}

// splitList reads a list typed into one field, separated by commas or
// lines.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' })
}

// --- One incident ---

// incidentView is one incident with everything shown about it. Form,
// Problem and Input are set when a form was refused: the screen shows the
// reason beside that form and keeps what was typed.
type incidentView struct {
	Incident  *herald.Incident
	Settings  herald.Settings
	Roles     []roleRow
	Users     []herald.User
	Timeline  []herald.TimelineEntry
	FollowUps []herald.FollowUp
	Reviews   []herald.Review
	// Status is the linked status page incident, nil when there is none.
	Status *herald.StatusIncident
	// Pages are the pages linked to this incident (role pages, cover
	// requests, pages it was declared from or that were attached), with
	// their time to acknowledge.
	Pages []herald.LinkedPage
	// Measures say how closely the incident kept to the practice (R62).
	Measures herald.Measures
	// Checklist is each role's list (R08).
	Checklist herald.Checklist
	// Authority is who may do what here (R10, R17, R51, R55, R56).
	Authority *authorityView
	// Notices is the incident's view of its tenants (notices.go); nil
	// when the store has no notice service.
	Notices *herald.IncidentNotices
	// ChatChannels are the chat channels bound to the incident
	// (chatchannels.go).
	ChatChannels []herald.ChatChannel

	States        []herald.State
	Sevs          []herald.Severity
	DecisionKinds []string
	// ReviewKinds are the reviews that may still be requested.
	ReviewKinds []string

	Form    string
	Problem *herald.Error
	Input   url.Values
}

type roleRow struct {
	Key, Name string
	Holder    herald.RoleAssignment
	Held      bool
}

// Failed returns the refusal of form, if that is the form that failed.
func (v *incidentView) Failed(form string) *herald.Error {
	if v.Form == form {
		return v.Problem
	}
	return nil
}

// Val is what the person typed into field of form when it was refused,
// or def.
func (v *incidentView) Val(form, field, def string) string {
	if v.Form == form && v.Input != nil {
		if _, ok := v.Input[field]; ok {
			return v.Input.Get(field)
		}
	}
	return def
}

// FieldErr is the problem with one field of a refused form.
func (v *incidentView) FieldErr(form, field string) string {
	if v.Form == form && v.Problem != nil {
		return v.Problem.Fields[field]
	}
	return ""
}

// DecisionName names a decision kind for a person.
func (v *incidentView) DecisionName(kind string) string {
	if kind == herald.DecisionGeneral {
		return "General"
	}
	return strings.ToUpper(herald.DecisionWhat(kind)[:1]) + herald.DecisionWhat(kind)[1:]
}

// EntryKind names a timeline entry's kind for a person.
func (v *incidentView) EntryKind(kind string) string {
	switch kind {
	case herald.EntryDeclared:
		return "Declared"
	case herald.EntryStateChange:
		return "State"
	case herald.EntrySeverityChange:
		return "Severity"
	case herald.EntryRoleChange:
		return "Role"
	case herald.EntryNote:
		return "Note"
	case herald.EntryDecision:
		return "Decision"
	case herald.EntryLabel:
		return "Labels"
	case herald.EntryFollowUp:
		return "Follow-up"
	case herald.EntryReview:
		return "Review"
	case herald.EntryUpdate:
		return "Change"
	case herald.EntryWarning:
		return "Warning"
	}
	return kindTitle(kind)
}

// PageAckTime says how long a linked page took to be acknowledged.
func (v *incidentView) PageAckTime(p herald.LinkedPage) string {
	if p.TimeToAcknowledgeS == nil {
		return "not acknowledged"
	}
	return human(p.TimeToAcknowledge())
}

// AckTime says how long a role page took to be acknowledged.
func (v *incidentView) AckTime(a herald.RoleAck) string {
	if a.AckS == nil {
		return "not acknowledged"
	}
	return "acknowledged after " + human(time.Duration(*a.AckS)*time.Second)
}

func (c *Console) incident(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v, err := c.loadIncident(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "incident", a, v)
	return nil
}

func (c *Console) loadIncident(ctx context.Context, ref string) (*incidentView, error) {
	s := c.cfg.Services
	inc, err := s.Incidents.Incident(ctx, ref)
	if err != nil {
		return nil, err
	}
	v := &incidentView{Incident: inc, States: herald.States, Sevs: herald.Severities, DecisionKinds: herald.DecisionKinds}
	if v.Settings, err = s.Settings.Settings(ctx); err != nil {
		return nil, err
	}
	for _, rd := range v.Settings.IncidentRoles {
		row := roleRow{Key: rd.Key, Name: rd.Name}
		row.Holder, row.Held = inc.Role(rd.Key)
		v.Roles = append(v.Roles, row)
	}
	if v.Users, err = s.People.Users(ctx); err != nil {
		return nil, err
	}
	entries, err := s.Incidents.Timeline(ctx, inc.ID, "")
	if err != nil {
		return nil, err
	}
	// The timeline links the status incident it was published as.
	var statusID string
	for _, e := range entries {
		if len(e.Data) > 0 {
			var link struct {
				StatusIncidentID string `json:"status_incident_id"`
			}
			if json.Unmarshal(e.Data, &link) == nil && link.StatusIncidentID != "" && statusID == "" {
				statusID = link.StatusIncidentID
			}
		}
	}
	v.Timeline = entries
	if statusID != "" {
		if v.Status, err = s.StatusPage.StatusIncident(ctx, statusID); err != nil && herald.ErrorCode(err) != herald.ENotFound {
			return nil, err
		}
	}
	if v.Pages, err = s.Incidents.IncidentPages(ctx, inc.ID); err != nil {
		return nil, err
	}
	if v.Measures, err = s.Incidents.Measures(ctx, inc.ID); err != nil {
		return nil, err
	}
	if v.Checklist, err = s.Incidents.Checklist(ctx, inc.ID); err != nil {
		return nil, err
	}
	if v.Authority, err = c.loadAuthority(ctx, inc, v.Settings, v.Status); err != nil {
		return nil, err
	}
	if v.Notices, err = c.incidentNotices(ctx, inc.ID); err != nil {
		return nil, err
	}
	if v.FollowUps, err = s.Incidents.FollowUps(ctx, inc.ID); err != nil {
		return nil, err
	}
	if v.ChatChannels, err = s.Chat.IncidentChannels(ctx, inc.ID); err != nil {
		return nil, err
	}
	if v.Reviews, err = s.Incidents.Reviews(ctx, inc.ID); err != nil {
		return nil, err
	}
	// Offer the reviews the severity's policy allows that are not there yet.
	v.ReviewKinds = nil
	for _, k := range herald.ReviewKinds {
		if v.Settings.Reviews[inc.Severity].Requirement(k) == herald.ReviewNone ||
			slices.ContainsFunc(v.Reviews, func(r herald.Review) bool { return r.Kind == k }) {
			continue
		}
		v.ReviewKinds = append(v.ReviewKinds, k)
	}
	return v, nil
}

// incidentExport downloads the incident as Markdown: the same document as
// the API's export.md and `herald incident export`
// (herald.IncidentRecord.Markdown).
func (c *Console) incidentExport(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	rec, err := c.cfg.Services.Incidents.Export(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+rec.Incident.Reference+`.md"`)
	_, err = w.Write([]byte(rec.Markdown()))
	return err
}

// incidentAction runs one form of the incident screen. do returns the
// flash message on success. A refusal with a *herald.Error that concerns
// the form (invalid input, a stale version, a forbidden decision, a move
// the rules do not allow) shows the incident again with the API's status,
// the reason beside that form and the person's input; anything else is
// the error page.
func (c *Console) incidentAction(form string, do func(r *http.Request, a herald.Actor, ref string) (string, error)) func(http.ResponseWriter, *http.Request, herald.Actor) error {
	return func(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
		ref := r.PathValue("ref")
		inc, err := c.cfg.Services.Incidents.Incident(r.Context(), ref)
		if err != nil {
			return err
		}
		flash, err := do(r, a, inc.Reference)
		if err == nil {
			redirect(w, r, incidentPath(inc.Reference), flash)
			return nil
		}
		var he *herald.Error
		if !errors.As(err, &he) {
			return err
		}
		switch he.Code {
		case herald.EInvalid, herald.EConflict, herald.EForbidden, herald.EUnprocessable:
		default:
			return err
		}
		v, lerr := c.loadIncident(r.Context(), inc.Reference)
		if lerr != nil {
			return lerr
		}
		v.Form, v.Problem, v.Input = form, he, r.PostForm
		if he.Code == herald.EConflict {
			// Resubmitting applies the same change to what is there now.
			v.Input = cloneValues(r.PostForm)
			v.Input.Set("version", strconv.FormatInt(v.Incident.Version, 10))
			v.Input.Set("from_state", string(v.Incident.State))
			v.Input.Set("from_severity", string(v.Incident.Severity))
		}
		_, status, _ := httperr.Of(he)
		c.render(w, r, status, "incident", a, v)
		return nil
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// changeIncident moves the state or the severity, with the reason. The
// form carries the version and the values it was drawn with, so a change
// made meanwhile by someone else is caught (the store's version check)
// rather than undone.
func (c *Console) changeIncident(r *http.Request, a herald.Actor, ref string) (string, error) {
	f := r.PostForm
	version, _ := strconv.ParseInt(f.Get("version"), 10, 64)
	reason := strings.TrimSpace(f.Get("reason"))
	in := herald.UpdateInput{Version: version}
	var changes []string
	if st := herald.State(f.Get("state")); st != "" && st != herald.State(f.Get("from_state")) {
		in.State = &st
		changes = append(changes, "state")
	}
	if sev := herald.Severity(f.Get("severity")); sev != "" && sev != herald.Severity(f.Get("from_severity")) {
		in.Severity = &sev
		in.SeverityReason = reason
		changes = append(changes, "severity")
	}
	if len(changes) == 0 {
		return "", &herald.Error{Code: herald.EInvalid, Message: "nothing to change: choose another state or severity",
			Fields: map[string]string{"state": "is unchanged", "severity": "is unchanged"}}
	}
	if reason == "" {
		return "", &herald.Error{Code: herald.EInvalid, Message: "say why: the reason goes on the timeline",
			Fields: map[string]string{"reason": "is required"}}
	}
	if in.Severity == nil {
		// The severity's own entry carries the reason; a state move alone
		// gets it as a note beside it.
		in.Note = reason
	}
	inc, err := c.cfg.Services.Incidents.UpdateIncident(r.Context(), a, ref, in)
	if err != nil {
		return "", err
	}
	return inc.Reference + " is " + inc.State.Title() + ", " + string(inc.Severity) + ".", nil
}

// assignRole gives a role to someone (handing it over from whoever held
// it), or leaves it empty when no one is chosen.
func (c *Console) assignRole(r *http.Request, a herald.Actor, ref string) (string, error) {
	role, user := r.PostForm.Get("role"), strings.TrimSpace(r.PostForm.Get("user"))
	if role == "" {
		return "", &herald.Error{Code: herald.EInvalid, Message: "choose a role", Fields: map[string]string{"role": "is required"}}
	}
	if user == "" {
		if _, err := c.cfg.Services.Incidents.UnassignRole(r.Context(), a, ref, role); err != nil {
			return "", err
		}
		return "The role is now empty.", nil
	}
	inc, err := c.cfg.Services.Incidents.AssignRole(r.Context(), a, ref, role, herald.RoleInput{User: user})
	if err != nil {
		return "", err
	}
	if ra, ok := inc.Role(role); ok {
		return ra.UserName + " holds the role now.", nil
	}
	return "Role assigned.", nil
}

func (c *Console) addNote(r *http.Request, a herald.Actor, ref string) (string, error) {
	_, err := c.cfg.Services.Incidents.AddNote(r.Context(), a, ref, herald.NoteInput{Text: r.PostForm.Get("text")})
	return "Note added.", err
}

func (c *Console) recordDecision(r *http.Request, a herald.Actor, ref string) (string, error) {
	f := r.PostForm
	_, err := c.cfg.Services.Incidents.RecordDecision(r.Context(), a, ref, herald.DecisionInput{
		Kind: f.Get("kind"), What: f.Get("what"), Rationale: f.Get("rationale"), OnBehalfOf: f.Get("on_behalf_of")})
	return "Decision recorded.", err
}

// labelIncident adds the typed labels, or removes the one whose button was
// pressed.
func (c *Console) labelIncident(r *http.Request, a herald.Actor, ref string) (string, error) {
	in := herald.LabelInput{Add: splitList(r.PostForm.Get("add")), Remove: r.PostForm["remove"]}
	if len(in.Add) == 0 && len(in.Remove) == 0 {
		return "", &herald.Error{Code: herald.EInvalid, Message: "type a label to add", Fields: map[string]string{"add": "is required"}}
	}
	_, err := c.cfg.Services.Incidents.Label(r.Context(), a, ref, in)
	return "Labels changed.", err
}

func (c *Console) addFollowUp(r *http.Request, a herald.Actor, ref string) (string, error) {
	f := r.PostForm
	title, owner, due, link := f.Get("title"), f.Get("owner"), f.Get("due_date"), f.Get("link")
	_, err := c.cfg.Services.Incidents.AddFollowUp(r.Context(), a, ref, herald.FollowUpInput{Title: &title, Owner: &owner, DueDate: &due, Link: &link})
	return "Follow-up added.", err
}

func (c *Console) followUpDone(r *http.Request, a herald.Actor, ref string) (string, error) {
	done := r.PostForm.Get("done") != "false"
	_, err := c.cfg.Services.Incidents.UpdateFollowUp(r.Context(), a, ref, r.PathValue("id"), herald.FollowUpInput{Done: &done})
	if !done {
		return "Follow-up open again.", err
	}
	return "Follow-up done.", err
}

func (c *Console) review(r *http.Request, a herald.Actor, ref string) (string, error) {
	f := r.PostForm
	completed := f.Get("completed") == "true"
	rv, err := c.cfg.Services.Incidents.Review(r.Context(), a, ref, herald.ReviewInput{Kind: f.Get("kind"), Completed: completed, Link: f.Get("link")})
	if err != nil {
		return "", err
	}
	if completed {
		return kindTitle(rv.Kind) + " review completed.", nil
	}
	if f.Get("link") != "" {
		return kindTitle(rv.Kind) + " review draft saved.", nil
	}
	return kindTitle(rv.Kind) + " review requested.", nil
}

func kindTitle(k string) string {
	if k == "" {
		return k
	}
	return strings.ToUpper(k[:1]) + k[1:]
}
