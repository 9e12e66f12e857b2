// Package client is the Go client of Herald's JSON API. The herald command
// line and Herald's end-to-end tests use it, so it is exercised whenever they
// are.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Client talks to one Herald server with one token. Its parts follow the
// API's concepts, as package herald's services do.
type Client struct {
	*conn

	Incidents    *IncidentClient
	StatusPage   *StatusPageClient
	Maintenances *MaintenanceClient
	Paging       *PagingClient
	Schedules    *ScheduleClient
	People       *PeopleClient
	Settings     *SettingsClient
	Requests     *RequestsClient
	Tickets      *TicketsClient
	Teams        *TeamClient
	Config       *ConfigClient
	Tenants      *TenantClient
	Notices      *NoticeClient
	Handovers    *HandoverClient
	Practice     *PracticeClient
	Chat         *ChatClient
}

// conn is the server and token every part of a Client uses.
type conn struct {
	baseURL string
	token   string
	http    *http.Client
}

// The parts of a Client, one per concept.
type (
	IncidentClient    struct{ *conn }
	StatusPageClient  struct{ *conn }
	MaintenanceClient struct{ *conn }
	PagingClient      struct{ *conn }
	ScheduleClient    struct{ *conn }
	PeopleClient      struct{ *conn }
	SettingsClient    struct{ *conn }
	RequestsClient    struct{ *conn }
	TicketsClient     struct{ *conn }
	TeamClient        struct{ *conn }
	ConfigClient      struct{ *conn }
	TenantClient      struct{ *conn }
	NoticeClient      struct{ *conn }
	HandoverClient    struct{ *conn }
	PracticeClient    struct{ *conn }
	ChatClient        struct{ *conn }
)

// New returns a client for the server at base (http://host:port).
func New(base, token string) *Client {
	c := &conn{baseURL: strings.TrimRight(base, "/"), token: token, http: &http.Client{Timeout: 30 * time.Second}}
	return &Client{conn: c, Incidents: &IncidentClient{c}, StatusPage: &StatusPageClient{c}, Maintenances: &MaintenanceClient{c},
		Paging: &PagingClient{c}, Schedules: &ScheduleClient{c}, People: &PeopleClient{c}, Settings: &SettingsClient{c}, Requests: &RequestsClient{c}, Tickets: &TicketsClient{c},
		Teams: &TeamClient{c}, Config: &ConfigClient{c}, Tenants: &TenantClient{c}, Notices: &NoticeClient{c}, Handovers: &HandoverClient{c},
		Practice: &PracticeClient{c}, Chat: &ChatClient{c}}
}

// Error is an error answer from the server.
type Error struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	Current json.RawMessage   `json:"current,omitempty"`
}

func (e *Error) Error() string {
	msg := e.Message
	for k, v := range e.Fields {
		if !strings.Contains(msg, k) {
			msg += "; " + k + ": " + v
		}
	}
	return fmt.Sprintf("%s (HTTP %d %s)", msg, e.Status, e.Code)
}

func (c *conn) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		var eb struct {
			Error Error `json:"error"`
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(b, &eb) != nil || eb.Error.Code == "" {
			return &Error{Status: resp.StatusCode, Code: "http", Message: strings.TrimSpace(string(b))}
		}
		eb.Error.Status = resp.StatusCode
		return &eb.Error
	}
	switch o := out.(type) {
	case nil:
		return nil
	case *string:
		b, err := io.ReadAll(resp.Body)
		*o = string(b)
		return err
	default:
		return json.NewDecoder(resp.Body).Decode(out)
	}
}

func esc(s string) string { return url.PathEscape(s) }

// Me returns who the token belongs to.
func (c *PeopleClient) Me(ctx context.Context) (user herald.User, role herald.APIRole, err error) {
	var out struct {
		User herald.User    `json:"user"`
		Role herald.APIRole `json:"role"`
	}
	err = c.do(ctx, "GET", "/api/v1/me", nil, &out)
	return out.User, out.Role, err
}

// DeclareIncident declares an incident.
func (c *IncidentClient) DeclareIncident(ctx context.Context, in herald.DeclareInput) (*herald.Incident, error) {
	var inc herald.Incident
	return &inc, c.do(ctx, "POST", "/api/v1/incidents", in, &inc)
}

// IncidentPage is one page of incidents.
type IncidentPage struct {
	Incidents  []*herald.Incident `json:"incidents"`
	NextBefore *int64             `json:"next_before"`
}

// Incidents lists incidents, newest first.
func (c *IncidentClient) Incidents(ctx context.Context, f herald.ListFilter) (IncidentPage, error) {
	q := url.Values{}
	if f.State != "" {
		q.Set("state", string(f.State))
	}
	if f.Severity != "" {
		q.Set("severity", string(f.Severity))
	}
	if f.Active != nil {
		q.Set("active", strconv.FormatBool(*f.Active))
	}
	if f.Before > 0 {
		q.Set("before", strconv.FormatInt(f.Before, 10))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var page IncidentPage
	return page, c.do(ctx, "GET", "/api/v1/incidents?"+q.Encode(), nil, &page)
}

// Incident reads one incident by id, number or reference.
func (c *IncidentClient) Incident(ctx context.Context, ref string) (*herald.Incident, error) {
	var inc herald.Incident
	return &inc, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref), nil, &inc)
}

// UpdateIncident changes an incident; in.Version must be the version read.
func (c *IncidentClient) UpdateIncident(ctx context.Context, ref string, in herald.UpdateInput) (*herald.Incident, error) {
	var inc herald.Incident
	return &inc, c.do(ctx, "PATCH", "/api/v1/incidents/"+esc(ref), in, &inc)
}

// Timeline reads the timeline, optionally only entries of one kind.
func (c *IncidentClient) Timeline(ctx context.Context, ref, kind string) ([]herald.TimelineEntry, error) {
	var out struct {
		Entries []herald.TimelineEntry `json:"entries"`
	}
	path := "/api/v1/incidents/" + esc(ref) + "/timeline"
	if kind != "" {
		path += "?kind=" + url.QueryEscape(kind)
	}
	return out.Entries, c.do(ctx, "GET", path, nil, &out)
}

// AddNote adds a note to the timeline.
func (c *IncidentClient) AddNote(ctx context.Context, ref, text string) (herald.TimelineEntry, error) {
	var e herald.TimelineEntry
	return e, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/timeline", herald.NoteInput{Text: text}, &e)
}

// RecordDecision records a decision with its rationale.
func (c *IncidentClient) RecordDecision(ctx context.Context, ref string, in herald.DecisionInput) (herald.TimelineEntry, error) {
	var e herald.TimelineEntry
	return e, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/decisions", in, &e)
}

// AssignRole gives an incident role to a user (id or e-mail).
func (c *IncidentClient) AssignRole(ctx context.Context, ref, role, user string) (*herald.Incident, error) {
	var inc herald.Incident
	return &inc, c.do(ctx, "PUT", "/api/v1/incidents/"+esc(ref)+"/roles/"+esc(role), herald.RoleInput{User: user}, &inc)
}

// UnassignRole leaves an incident role empty.
func (c *IncidentClient) UnassignRole(ctx context.Context, ref, role string) (*herald.Incident, error) {
	var inc herald.Incident
	return &inc, c.do(ctx, "DELETE", "/api/v1/incidents/"+esc(ref)+"/roles/"+esc(role), nil, &inc)
}

// Label adds and removes labels.
func (c *IncidentClient) Label(ctx context.Context, ref string, add, remove []string) (*herald.Incident, error) {
	var inc herald.Incident
	in := map[string][]string{"add": add, "remove": remove}
	return &inc, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/labels", in, &inc)
}

// AddFollowUp adds a follow-up.
func (c *IncidentClient) AddFollowUp(ctx context.Context, ref string, in herald.FollowUpInput) (herald.FollowUp, error) {
	var f herald.FollowUp
	return f, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/follow-ups", in, &f)
}

// UpdateFollowUp changes a follow-up.
func (c *IncidentClient) UpdateFollowUp(ctx context.Context, ref, id string, in herald.FollowUpInput) (herald.FollowUp, error) {
	var f herald.FollowUp
	return f, c.do(ctx, "PATCH", "/api/v1/incidents/"+esc(ref)+"/follow-ups/"+esc(id), in, &f)
}

// FollowUps lists follow-ups.
func (c *IncidentClient) FollowUps(ctx context.Context, ref string) ([]herald.FollowUp, error) {
	var out struct {
		FollowUps []herald.FollowUp `json:"follow_ups"`
	}
	return out.FollowUps, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/follow-ups", nil, &out)
}

// Review requests a review or records it as completed.
func (c *IncidentClient) Review(ctx context.Context, ref string, in herald.ReviewInput) (herald.Review, error) {
	var r herald.Review
	return r, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/reviews", in, &r)
}

// Measures says how closely an incident kept to the practice (R13, R62).
func (c *IncidentClient) Measures(ctx context.Context, ref string) (herald.Measures, error) {
	var m herald.Measures
	return m, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/measures", nil, &m)
}

// MeasuresReport reads the measures report over a period, optionally for
// one person (R62).
func (c *IncidentClient) MeasuresReport(ctx context.Context, q herald.MeasuresQuery) (herald.MeasuresReport, error) {
	var r herald.MeasuresReport
	return r, c.do(ctx, "GET", "/api/v1/measures?"+measuresQuery(q, "").Encode(), nil, &r)
}

// MeasuresCSV reads the same report as CSV (herald.MeasuresCSVHeader).
func (c *IncidentClient) MeasuresCSV(ctx context.Context, q herald.MeasuresQuery) (string, error) {
	var s string
	return s, c.do(ctx, "GET", "/api/v1/measures?"+measuresQuery(q, "csv").Encode(), nil, &s)
}

func measuresQuery(q herald.MeasuresQuery, format string) url.Values {
	v := url.Values{}
	if !q.From.IsZero() {
		v.Set("from", q.From.UTC().Format(time.RFC3339))
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.UTC().Format(time.RFC3339))
	}
	if q.Person != "" {
		v.Set("person", q.Person)
	}
	if q.AckTarget > 0 {
		v.Set("ack_target", q.AckTarget.String())
	}
	if format != "" {
		v.Set("format", format)
	}
	return v
}

// Checklist reads the incident roles' checklists (R08).
func (c *IncidentClient) Checklist(ctx context.Context, ref string) (herald.Checklist, error) {
	var l herald.Checklist
	return l, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/checklist", nil, &l)
}

// CheckItem checks or unchecks a checklist item by hand.
func (c *IncidentClient) CheckItem(ctx context.Context, ref string, in herald.CheckInput) (herald.Checklist, error) {
	var l herald.Checklist
	return l, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/checklist", in, &l)
}

// Reviews lists reviews.
func (c *IncidentClient) Reviews(ctx context.Context, ref string) ([]herald.Review, error) {
	var out struct {
		Reviews []herald.Review `json:"reviews"`
	}
	return out.Reviews, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/reviews", nil, &out)
}

// ApproveReview approves the external review's draft (R54): engineering
// managers only. A non-empty link must be the draft's current link.
func (c *IncidentClient) ApproveReview(ctx context.Context, ref string, in herald.ReviewApprovalInput) (herald.Review, error) {
	var r herald.Review
	return r, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/reviews/external/approve", in, &r)
}

// PublishReview publishes the approved external review to customers (R54).
func (c *IncidentClient) PublishReview(ctx context.Context, ref string) (herald.Review, error) {
	var r herald.Review
	return r, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/reviews/external/publish", nil, &r)
}

// ListFollowUps lists follow-ups across incidents by due date.
func (c *IncidentClient) ListFollowUps(ctx context.Context, f herald.FollowUpFilter) ([]herald.FollowUp, error) {
	q := url.Values{}
	if f.Overdue {
		q.Set("overdue", "true")
	}
	if f.Open {
		q.Set("open", "true")
	}
	if f.Owner != "" {
		q.Set("owner", f.Owner)
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var out struct {
		FollowUps []herald.FollowUp `json:"follow_ups"`
	}
	return out.FollowUps, c.do(ctx, "GET", "/api/v1/follow-ups?"+q.Encode(), nil, &out)
}

// ExportMarkdown returns the incident as a Markdown review draft.
func (c *IncidentClient) ExportMarkdown(ctx context.Context, ref string) (string, error) {
	var s string
	return s, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/export.md", nil, &s)
}

// CreateUser adds a user.
func (c *PeopleClient) CreateUser(ctx context.Context, in herald.UserInput) (herald.User, error) {
	var u herald.User
	return u, c.do(ctx, "POST", "/api/v1/users", in, &u)
}

// SetPassword sets a user's console password (admin); every session of
// the user ends.
func (c *PeopleClient) SetPassword(ctx context.Context, user, password string) error {
	return c.do(ctx, "PUT", "/api/v1/users/"+esc(user)+"/password", map[string]string{"password": password}, nil)
}

// Users lists users.
func (c *PeopleClient) Users(ctx context.Context) ([]herald.User, error) {
	var out struct {
		Users []herald.User `json:"users"`
	}
	return out.Users, c.do(ctx, "GET", "/api/v1/users", nil, &out)
}

// CreateToken creates a token; its secret is in the answer only.
func (c *PeopleClient) CreateToken(ctx context.Context, in herald.TokenInput) (herald.Token, error) {
	var t herald.Token
	return t, c.do(ctx, "POST", "/api/v1/tokens", in, &t)
}

// Tokens lists active tokens.
func (c *PeopleClient) Tokens(ctx context.Context) ([]herald.Token, error) {
	var out struct {
		Tokens []herald.Token `json:"tokens"`
	}
	return out.Tokens, c.do(ctx, "GET", "/api/v1/tokens", nil, &out)
}

// RevokeToken revokes a token.
func (c *PeopleClient) RevokeToken(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/tokens/"+esc(id), nil, nil)
}

// Settings reads the organisation's settings.
func (c *SettingsClient) Settings(ctx context.Context) (herald.Settings, error) {
	var s herald.Settings
	return s, c.do(ctx, "GET", "/api/v1/settings", nil, &s)
}

// SaveSettings replaces the organisation's settings.
func (c *SettingsClient) SaveSettings(ctx context.Context, s herald.Settings) (herald.Settings, error) {
	var out herald.Settings
	return out, c.do(ctx, "PUT", "/api/v1/settings", s, &out)
}

// PublishResult is the answer to a status page publication.
type PublishResult struct {
	herald.StatusIncident
	Checks []herald.Check `json:"checks"`
	Text   string         `json:"text"`
	DryRun bool           `json:"dry_run"`
	// Findings are the content guard's (R45), with their positions.
	Findings []herald.GuardFinding `json:"findings"`
}

func dry(path string, dryRun bool) string {
	if dryRun {
		return path + "?dry_run=true"
	}
	return path
}

// Components lists the status page's components.
func (c *StatusPageClient) Components(ctx context.Context) ([]herald.Component, error) {
	var out struct {
		Components []herald.Component `json:"components"`
	}
	return out.Components, c.do(ctx, "GET", "/api/v1/components", nil, &out)
}

// CreateComponent adds a component.
func (c *StatusPageClient) CreateComponent(ctx context.Context, in herald.ComponentInput) (herald.Component, error) {
	var out herald.Component
	return out, c.do(ctx, "POST", "/api/v1/components", in, &out)
}

// UpdateComponent changes a component.
func (c *StatusPageClient) UpdateComponent(ctx context.Context, id string, in herald.ComponentInput) (herald.Component, error) {
	var out herald.Component
	return out, c.do(ctx, "PATCH", "/api/v1/components/"+esc(id), in, &out)
}

// DeleteComponent removes a component.
func (c *StatusPageClient) DeleteComponent(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/components/"+esc(id), nil, nil)
}

// CreateStatusIncident publishes an incident on the status page.
func (c *StatusPageClient) CreateStatusIncident(ctx context.Context, in herald.StatusIncidentInput, dryRun bool) (PublishResult, error) {
	var out PublishResult
	return out, c.do(ctx, "POST", dry("/api/v1/status-incidents", dryRun), in, &out)
}

// PublishUpdate publishes an update on a status incident.
func (c *StatusPageClient) PublishUpdate(ctx context.Context, id string, in herald.StatusUpdateInput, dryRun bool) (PublishResult, error) {
	var out PublishResult
	return out, c.do(ctx, "POST", dry("/api/v1/status-incidents/"+esc(id)+"/updates", dryRun), in, &out)
}

// StatusIncidents lists status incidents.
func (c *StatusPageClient) StatusIncidents(ctx context.Context) ([]herald.StatusIncident, error) {
	var out struct {
		Incidents []herald.StatusIncident `json:"incidents"`
	}
	return out.Incidents, c.do(ctx, "GET", "/api/v1/status-incidents", nil, &out)
}

// StatusIncident reads one status incident.
func (c *StatusPageClient) StatusIncident(ctx context.Context, id string) (herald.StatusIncident, error) {
	var out herald.StatusIncident
	return out, c.do(ctx, "GET", "/api/v1/status-incidents/"+esc(id), nil, &out)
}

// SetPostmortem links a post-mortem to a resolved status incident.
func (c *StatusPageClient) SetPostmortem(ctx context.Context, id, link string) (herald.StatusIncident, error) {
	var out herald.StatusIncident
	return out, c.do(ctx, "PATCH", "/api/v1/status-incidents/"+esc(id), map[string]string{"postmortem_url": link}, &out)
}

// EditStatusIncident corrects an open status incident's title and
// affected components (R22); the next update publishes the correction.
func (c *StatusPageClient) EditStatusIncident(ctx context.Context, id string, in herald.StatusIncidentEdit) (herald.StatusIncident, error) {
	var out herald.StatusIncident
	return out, c.do(ctx, "PATCH", "/api/v1/status-incidents/"+esc(id), in, &out)
}

// CreateMaintenance schedules a maintenance.
func (c *MaintenanceClient) CreateMaintenance(ctx context.Context, in herald.MaintenanceInput) (herald.Maintenance, error) {
	var out herald.Maintenance
	return out, c.do(ctx, "POST", "/api/v1/maintenances", in, &out)
}

// UpdateMaintenance reschedules or edits a maintenance.
func (c *MaintenanceClient) UpdateMaintenance(ctx context.Context, id string, in herald.MaintenanceInput) (herald.Maintenance, error) {
	var out herald.Maintenance
	return out, c.do(ctx, "PATCH", "/api/v1/maintenances/"+esc(id), in, &out)
}

// PostMaintenanceUpdate posts an update, optionally moving the maintenance.
func (c *MaintenanceClient) PostMaintenanceUpdate(ctx context.Context, id string, in herald.MaintenanceUpdateInput) (herald.Maintenance, error) {
	var out herald.Maintenance
	return out, c.do(ctx, "POST", "/api/v1/maintenances/"+esc(id)+"/updates", in, &out)
}

// Maintenance reads one maintenance, with its window warnings (R34) and
// tenant notices (R33).
func (c *MaintenanceClient) Maintenance(ctx context.Context, id string) (herald.Maintenance, error) {
	var out herald.Maintenance
	return out, c.do(ctx, "GET", "/api/v1/maintenances/"+esc(id), nil, &out)
}

// ApproveMaintenance approves an emergency maintenance as an engineering
// manager (R33).
func (c *MaintenanceClient) ApproveMaintenance(ctx context.Context, id string, in herald.ApprovalInput) (herald.Maintenance, error) {
	var out herald.Maintenance
	return out, c.do(ctx, "POST", "/api/v1/maintenances/"+esc(id)+"/approve", in, &out)
}

// Maintenances lists maintenances.
func (c *MaintenanceClient) Maintenances(ctx context.Context) ([]herald.Maintenance, error) {
	var out struct {
		Maintenances []herald.Maintenance `json:"maintenances"`
	}
	return out.Maintenances, c.do(ctx, "GET", "/api/v1/maintenances", nil, &out)
}

// OnCall says who is on call for a schedule at a time.
type OnCall struct {
	Schedule string        `json:"schedule"`
	At       time.Time     `json:"at"`
	OnCall   *herald.User  `json:"on_call"`
	Layer    string        `json:"layer"`
	Override bool          `json:"override"`
	Shadows  []herald.User `json:"shadows"`
	Until    time.Time     `json:"until"`
}

// Shift is one stretch of the final schedule.
type Shift struct {
	herald.Shift
	User herald.User `json:"user"`
}

// CreateSchedule creates a schedule.
func (c *ScheduleClient) CreateSchedule(ctx context.Context, in herald.ScheduleInput) (herald.Schedule, error) {
	var out herald.Schedule
	return out, c.do(ctx, "POST", "/api/v1/schedules", in, &out)
}

// Schedules lists schedules.
func (c *ScheduleClient) Schedules(ctx context.Context) ([]herald.Schedule, error) {
	var out struct {
		Schedules []herald.Schedule `json:"schedules"`
	}
	return out.Schedules, c.do(ctx, "GET", "/api/v1/schedules", nil, &out)
}

// OnCallAt asks who is on call; a zero at means now.
func (c *ScheduleClient) OnCallAt(ctx context.Context, schedule string, at time.Time) (OnCall, error) {
	path := "/api/v1/schedules/" + esc(schedule) + "/oncall"
	if !at.IsZero() {
		path += "?at=" + url.QueryEscape(at.UTC().Format(time.RFC3339))
	}
	var out OnCall
	return out, c.do(ctx, "GET", path, nil, &out)
}

// Shifts returns the final schedule between from and to.
func (c *ScheduleClient) Shifts(ctx context.Context, schedule string, from, to time.Time) ([]Shift, error) {
	q := url.Values{"from": {from.UTC().Format(time.RFC3339)}, "to": {to.UTC().Format(time.RFC3339)}}
	var out struct {
		Shifts []Shift `json:"shifts"`
	}
	return out.Shifts, c.do(ctx, "GET", "/api/v1/schedules/"+esc(schedule)+"/shifts?"+q.Encode(), nil, &out)
}

// AddOverride puts a user on call for a window.
func (c *ScheduleClient) AddOverride(ctx context.Context, schedule, user string, start, end time.Time) (herald.Override, error) {
	var out herald.Override
	in := map[string]any{"user": user, "start": start, "end": end}
	return out, c.do(ctx, "POST", "/api/v1/schedules/"+esc(schedule)+"/overrides", in, &out)
}

// CreateService adds a service.
func (c *PagingClient) CreateService(ctx context.Context, in herald.ServiceInput) (herald.Service, error) {
	var out herald.Service
	return out, c.do(ctx, "POST", "/api/v1/services", in, &out)
}

// Services lists services.
func (c *PagingClient) Services(ctx context.Context) ([]herald.Service, error) {
	var out struct {
		Services []herald.Service `json:"services"`
	}
	return out.Services, c.do(ctx, "GET", "/api/v1/services", nil, &out)
}

// Page pages a service's responders by hand.
func (c *PagingClient) Page(ctx context.Context, service, summary, severity string) (herald.Page, error) {
	var out herald.Page
	in := map[string]string{"service": service, "summary": summary, "severity": severity}
	return out, c.do(ctx, "POST", "/api/v1/pages", in, &out)
}

// Pages lists pages, optionally of one service and status.
func (c *PagingClient) Pages(ctx context.Context, serviceID, status string) ([]herald.Page, error) {
	q := url.Values{}
	if serviceID != "" {
		q.Set("service_id", serviceID)
	}
	if status != "" {
		q.Set("status", status)
	}
	var out struct {
		Pages []herald.Page `json:"pages"`
	}
	return out.Pages, c.do(ctx, "GET", "/api/v1/pages?"+q.Encode(), nil, &out)
}

// PageDetail is a page with its log and whom it notified.
type PageDetail struct {
	herald.Page
	Log []struct {
		At   time.Time `json:"at"`
		Kind string    `json:"kind"`
		Text string    `json:"text"`
	} `json:"log"`
	Notifications []struct {
		UserID string `json:"user_id"`
		Level  int    `json:"level"`
		Loop   int    `json:"loop"`
		Shadow bool   `json:"shadow"`
		Status string `json:"status"`
	} `json:"notifications"`
}

// PageDetail reads one page with its log, notifications and warnings.
func (c *PagingClient) PageDetail(ctx context.Context, id string) (PageDetail, error) {
	var out PageDetail
	return out, c.do(ctx, "GET", "/api/v1/pages/"+esc(id), nil, &out)
}

// Doctor lists the configuration gaps that would make a page reach nobody
// or a message go nowhere (admin).
func (c *Client) Doctor(ctx context.Context) (herald.Report, error) {
	var out herald.Report
	return out, c.do(ctx, "GET", "/api/v1/doctor", nil, &out)
}

// AcknowledgePage acknowledges a page.
func (c *PagingClient) AcknowledgePage(ctx context.Context, id string) (herald.Page, error) {
	var out herald.Page
	return out, c.do(ctx, "POST", "/api/v1/pages/"+esc(id)+"/acknowledge", nil, &out)
}

// ResolvePage resolves a page.
func (c *PagingClient) ResolvePage(ctx context.Context, id string) (herald.Page, error) {
	var out herald.Page
	return out, c.do(ctx, "POST", "/api/v1/pages/"+esc(id)+"/resolve", nil, &out)
}

// CreateContactMethod adds a way to reach a user; a webhook's signing
// secret is in the answer only.
func (c *PeopleClient) CreateContactMethod(ctx context.Context, user string, in herald.ContactMethodInput) (herald.ContactMethod, error) {
	var out herald.ContactMethod
	return out, c.do(ctx, "POST", "/api/v1/users/"+esc(user)+"/contact-methods", in, &out)
}

// ContactMethods lists a user's contact methods.
func (c *PeopleClient) ContactMethods(ctx context.Context, user string) ([]herald.ContactMethod, error) {
	var out struct {
		ContactMethods []herald.ContactMethod `json:"contact_methods"`
	}
	return out.ContactMethods, c.do(ctx, "GET", "/api/v1/users/"+esc(user)+"/contact-methods", nil, &out)
}

// AddNotificationRule uses a contact method a delay after a page reaches
// the user.
func (c *PeopleClient) AddNotificationRule(ctx context.Context, user, methodID string, delayMinutes int) (herald.NotificationRule, error) {
	var out herald.NotificationRule
	in := map[string]any{"contact_method_id": methodID, "delay_minutes": delayMinutes}
	return out, c.do(ctx, "POST", "/api/v1/users/"+esc(user)+"/notification-rules", in, &out)
}

// SetRole changes a user's role (admin); every session of the user ends,
// and the last admin cannot be demoted.
func (c *PeopleClient) SetRole(ctx context.Context, user string, role herald.APIRole) (herald.User, error) {
	var out herald.User
	return out, c.do(ctx, "PUT", "/api/v1/users/"+esc(user)+"/role", map[string]herald.APIRole{"role": role}, &out)
}

// SetManager marks a user as an engineering manager or above, or not
// (admin).
func (c *PeopleClient) SetManager(ctx context.Context, user string, manager bool) (herald.User, error) {
	var out herald.User
	return out, c.do(ctx, "PUT", "/api/v1/users/"+esc(user)+"/manager", map[string]bool{"manager": manager}, &out)
}

// Sessions lists a user's open console sessions, newest first (yourself,
// or anyone as admin).
func (c *PeopleClient) Sessions(ctx context.Context, user string) ([]herald.Session, error) {
	var out struct {
		Sessions []herald.Session `json:"sessions"`
	}
	return out.Sessions, c.do(ctx, "GET", "/api/v1/users/"+esc(user)+"/sessions", nil, &out)
}

// SignOutEverywhere ends every console session of a user (yourself, or
// anyone as admin); API tokens stay valid.
func (c *PeopleClient) SignOutEverywhere(ctx context.Context, user string) error {
	return c.do(ctx, "DELETE", "/api/v1/users/"+esc(user)+"/sessions", nil, nil)
}

// TestSent says which contact method a test notification left for.
type TestSent struct {
	ContactMethodID string `json:"contact_method_id"`
	Kind            string `json:"kind"`
	Target          string `json:"target"`
}

// TestContactMethod sends a contact method a test notification now; a
// failed send is an error (422) carrying the sender's.
func (c *PeopleClient) TestContactMethod(ctx context.Context, user, methodID string) (TestSent, error) {
	var out TestSent
	return out, c.do(ctx, "POST", "/api/v1/users/"+esc(user)+"/contact-methods/"+esc(methodID)+"/test", nil, &out)
}

// EscalationPolicies lists escalation policies by name.
func (c *PagingClient) EscalationPolicies(ctx context.Context) ([]herald.EscalationPolicy, error) {
	var out struct {
		Policies []herald.EscalationPolicy `json:"escalation_policies"`
	}
	return out.Policies, c.do(ctx, "GET", "/api/v1/escalation-policies", nil, &out)
}

// EscalationPolicy reads one escalation policy by id or name.
func (c *PagingClient) EscalationPolicy(ctx context.Context, ref string) (herald.EscalationPolicy, error) {
	var out herald.EscalationPolicy
	return out, c.do(ctx, "GET", "/api/v1/escalation-policies/"+esc(ref), nil, &out)
}

// SnoozePage acknowledges a page until a time (in.Until, or in.For from
// now); when the snooze ends the page is triggered again from level 1.
func (c *PagingClient) SnoozePage(ctx context.Context, id string, in herald.SnoozeInput) (herald.Page, error) {
	var out herald.Page
	return out, c.do(ctx, "POST", "/api/v1/pages/"+esc(id)+"/snooze", in, &out)
}

// PolicyFromTemplate adds an escalation policy from R05's or R07's
// template (admin), timed by the settings' escalation_templates.
func (c *PagingClient) PolicyFromTemplate(ctx context.Context, in herald.PolicyTemplateInput) (herald.EscalationPolicy, error) {
	var out herald.EscalationPolicy
	return out, c.do(ctx, "POST", "/api/v1/escalation-policies/templates", in, &out)
}
