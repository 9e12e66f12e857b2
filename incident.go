package herald

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Severity ranks an incident's impact; S1 is the worst. The cadence of
// updates, who is paged and which reviews are due all follow from it.
type Severity string

// Severities, worst first.
const (
	S1 Severity = "S1"
	S2 Severity = "S2"
	S3 Severity = "S3"
	S4 Severity = "S4"
)

// Severities lists every severity, worst first.
var Severities = []Severity{S1, S2, S3, S4}

// Valid reports whether s is one of S1..S4.
func (s Severity) Valid() bool { return slices.Contains(Severities, s) }

// Enum lists the values, for the OpenAPI document.
func (Severity) Enum() []string { return enumStrings(Severities) }

// ParseSeverity accepts "S1".."S4" in any case, and "1".."4".
func ParseSeverity(v string) (Severity, bool) {
	v = strings.ToUpper(strings.TrimSpace(v))
	if len(v) == 1 {
		v = "S" + v
	}
	s := Severity(v)
	return s, s.Valid()
}

// State is where an incident stands in its lifecycle. The names are the
// status page's (Statuspage, Status.io), so one word means the same thing
// inside and outside.
type State string

// States of an incident.
const (
	Investigating State = "investigating"
	Identified    State = "identified"
	Monitoring    State = "monitoring"
	Resolved      State = "resolved"
)

// States lists every state in lifecycle order.
var States = []State{Investigating, Identified, Monitoring, Resolved}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Enum lists the values, for the OpenAPI document.
func (State) Enum() []string { return enumStrings(States) }

// Title is the state as a person reads it ("Investigating").
func (s State) Title() string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// Active reports whether the incident is still being worked.
func (s State) Active() bool { return s != Resolved }

// CheckTransition says whether an incident may move from one state to
// another. The rules follow the process: Monitoring may be skipped (an
// incident may resolve straight from Identified or Investigating); a
// recurrence in Monitoring goes back to Investigating or Identified; an
// identified cause that proves wrong goes back to Investigating; a resolved
// incident can be reopened, but only into Investigating or Identified, since
// "monitoring" something nobody has worked on again means nothing. Staying
// in the same state is not a move.
func CheckTransition(from, to State) error {
	if !to.Valid() {
		return &Error{Code: EInvalid, Message: "state must be one of investigating, identified, monitoring, resolved", Fields: map[string]string{"state": "unknown state " + quote(string(to))}}
	}
	if from == to {
		return Errorf(EUnprocessable, "the incident is already %s", from.Title())
	}
	if from == Resolved && to == Monitoring {
		return Errorf(EUnprocessable, "a resolved incident is reopened into Investigating or Identified, not Monitoring")
	}
	return nil
}

// TransitionKind names what a state change means, for the timeline.
func TransitionKind(from, to State) string {
	switch {
	case from == Resolved:
		return "reopened"
	case to == Resolved:
		return "resolved"
	case from == Monitoring && (to == Investigating || to == Identified):
		return "recurred"
	}
	return "progressed"
}

// Incident is the internal record of something going wrong: who leads it,
// how bad it is, where it stands. Its public face (the status page) is a
// separate object that a later part of Herald links to it.
type Incident struct {
	ID           string           `json:"id"`
	Number       int64            `json:"number"`
	Reference    string           `json:"reference"`
	Title        string           `json:"title"`
	Summary      string           `json:"summary"`
	Severity     Severity         `json:"severity"`
	State        State            `json:"state"`
	Confidential bool             `json:"confidential"`
	Services     []string         `json:"services"`
	Tenants      []string         `json:"tenants"`
	Labels       []string         `json:"labels"`
	Roles        []RoleAssignment `json:"roles"`
	ChatURL      string           `json:"chat_url"`   // the incident's chat channel
	BridgeURL    string           `json:"bridge_url"` // its call bridge
	Version      int64            `json:"version"`
	DeclaredBy   string           `json:"declared_by"`
	DeclaredAt   time.Time        `json:"declared_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	ResolvedAt   *time.Time       `json:"resolved_at"`
	URL          string           `json:"url,omitempty"`
	// ImpactStartedAt is when customers were first affected, when that was
	// before the declaration; nil means at the declaration (R52, R53).
	ImpactStartedAt *time.Time `json:"impact_started_at,omitempty"`
	// StatusIncidentID is the incident's open status incident, if it has
	// one; NextUpdateDue is when its next public update is owed (R13) and
	// Overdue whether that time has passed.
	StatusIncidentID string     `json:"status_incident_id,omitempty"`
	NextUpdateDue    *time.Time `json:"next_update_due,omitempty"`
	Overdue          bool       `json:"overdue"`
	// NextInternalUpdateDue is when the next update to the internal
	// stakeholders is owed (the internal cadence, by severity), nil when
	// none is; InternalUpdateOverdue whether that time has passed.
	NextInternalUpdateDue *time.Time `json:"next_internal_update_due,omitempty"`
	InternalUpdateOverdue bool       `json:"internal_update_overdue"`
	// Warnings are the paging gaps of this incident (roles nobody was paged
	// for, levels that reached nobody), from its timeline; filled where one
	// incident is read.
	Warnings []Warning `json:"warnings,omitempty"`
	// Tickets is the incident's support ticket coupling (R20: its tag,
	// keywords, search window and latest sweeps); filled where one
	// incident is read.
	Tickets *IncidentTickets `json:"tickets,omitempty"`
}

// Role returns who holds role key on the incident, if anyone.
func (inc *Incident) Role(key string) (RoleAssignment, bool) {
	for _, r := range inc.Roles {
		if r.Role == key {
			return r, true
		}
	}
	return RoleAssignment{}, false
}

// RoleAssignment is one person holding one incident role.
type RoleAssignment struct {
	Role       string    `json:"role"`
	UserID     string    `json:"user_id"`
	UserName   string    `json:"user_name"`
	AssignedAt time.Time `json:"assigned_at"`
}

// Limits on text a person types; generous enough for real use, small enough
// that one request cannot bloat every page that shows it.
const (
	MaxTitleLen   = 200
	MaxSummaryLen = 10000
	MaxNameLen    = 100
	MaxListLen    = 50
)

// DeclareInput is what it takes to declare an incident.
type DeclareInput struct {
	Title        string   `json:"title" required:"true"`
	Severity     Severity `json:"severity" required:"true"`
	Summary      string   `json:"summary"`
	Services     []string `json:"services"`
	Tenants      []string `json:"tenants"`
	Labels       []string `json:"labels"`
	Confidential bool     `json:"confidential"`
	ChatURL      string   `json:"chat_url"`
	BridgeURL    string   `json:"bridge_url"`
	// ImpactStartedAt records an impact that began before the declaration.
	ImpactStartedAt *time.Time `json:"impact_started_at,omitempty"`
	// Pages are the pages the incident is declared from: linked to it in
	// the declaring transaction.
	Pages []string `json:"pages,omitempty"`
}

func checkOptionalLink(fe FieldErrors, field string, v *string) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		return
	}
	var e *Error
	if errors.As(CheckLink(*v), &e) {
		fe.Add(field, e.Message)
	}
}

// Normalize trims text and validates every field, reporting all problems.
func (in *DeclareInput) Normalize() error {
	fe := FieldErrors{}
	in.Title = strings.TrimSpace(in.Title)
	checkText(fe, "title", in.Title, MaxTitleLen, true)
	in.Summary = strings.TrimSpace(in.Summary)
	checkText(fe, "summary", in.Summary, MaxSummaryLen, false)
	if s, ok := ParseSeverity(string(in.Severity)); ok {
		in.Severity = s
	} else if in.Severity == "" {
		fe.Add("severity", "is required (S1, S2, S3 or S4)")
	} else {
		fe.Add("severity", "must be S1, S2, S3 or S4")
	}
	in.Services = normalizeNames(fe, "services", in.Services)
	in.Tenants = normalizeNames(fe, "tenants", in.Tenants)
	labels, err := NormalizeLabels(in.Labels)
	if err != nil {
		fe.Add("labels", err.Error())
	}
	in.Labels = labels
	checkOptionalLink(fe, "chat_url", &in.ChatURL)
	checkOptionalLink(fe, "bridge_url", &in.BridgeURL)
	return fe.Err()
}

// UpdateInput changes an incident. Version must be the version the caller
// read: a write based on a stale read is refused instead of silently
// undoing someone else's change. Nil fields are left as they are.
type UpdateInput struct {
	Version        int64     `json:"version" required:"true"`
	Title          *string   `json:"title,omitempty"`
	Summary        *string   `json:"summary,omitempty"`
	Severity       *Severity `json:"severity,omitempty"`
	SeverityReason string    `json:"severity_reason,omitempty"`
	State          *State    `json:"state,omitempty"`
	Services       *[]string `json:"services,omitempty"`
	Tenants        *[]string `json:"tenants,omitempty"`
	Confidential   *bool     `json:"confidential,omitempty"`
	ChatURL        *string   `json:"chat_url,omitempty"`
	BridgeURL      *string   `json:"bridge_url,omitempty"`
	// ImpactStartedAt corrects when customers were first affected.
	ImpactStartedAt *time.Time `json:"impact_started_at,omitempty"`
	// Note is added to the timeline with the change, for example why the
	// state moved.
	Note string `json:"note,omitempty"`
}

// Normalize validates the fields that are set.
func (in *UpdateInput) Normalize() error {
	fe := FieldErrors{}
	if in.Version <= 0 {
		fe.Add("version", "is required: send the version you read, so a stale write is caught")
	}
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		in.Title = &t
		checkText(fe, "title", t, MaxTitleLen, true)
	}
	if in.Summary != nil {
		s := strings.TrimSpace(*in.Summary)
		in.Summary = &s
		checkText(fe, "summary", s, MaxSummaryLen, false)
	}
	if in.Severity != nil {
		s, ok := ParseSeverity(string(*in.Severity))
		if !ok {
			fe.Add("severity", "must be S1, S2, S3 or S4")
		}
		in.Severity = &s
	}
	in.SeverityReason = strings.TrimSpace(in.SeverityReason)
	checkText(fe, "severity_reason", in.SeverityReason, MaxSummaryLen, false)
	if in.State != nil {
		s := State(strings.ToLower(strings.TrimSpace(string(*in.State))))
		if !s.Valid() {
			fe.Add("state", "must be investigating, identified, monitoring or resolved")
		}
		in.State = &s
	}
	if in.Services != nil {
		v := normalizeNames(fe, "services", *in.Services)
		in.Services = &v
	}
	if in.Tenants != nil {
		v := normalizeNames(fe, "tenants", *in.Tenants)
		in.Tenants = &v
	}
	in.Note = strings.TrimSpace(in.Note)
	checkText(fe, "note", in.Note, MaxSummaryLen, false)
	if in.ChatURL != nil {
		checkOptionalLink(fe, "chat_url", in.ChatURL)
	}
	if in.BridgeURL != nil {
		checkOptionalLink(fe, "bridge_url", in.BridgeURL)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if in.Title == nil && in.Summary == nil && in.Severity == nil && in.State == nil &&
		in.Services == nil && in.Tenants == nil && in.Confidential == nil && in.ChatURL == nil && in.BridgeURL == nil && in.ImpactStartedAt == nil {
		return &Error{Code: EInvalid, Message: "nothing to change: set at least one of title, summary, severity, state, services, tenants, confidential, chat_url, bridge_url, impact_started_at"}
	}
	return nil
}

// ListFilter selects incidents, newest first.
type ListFilter struct {
	State    State    // empty for all
	Active   *bool    // only active (true) or resolved (false) incidents
	Severity Severity // empty for all
	Before   int64    // only incidents numbered below this (paging); 0 for none
	Limit    int      // 1..200, default 50
}

// Normalize applies defaults and bounds.
func (f *ListFilter) Normalize() error {
	fe := FieldErrors{}
	if f.State != "" && !f.State.Valid() {
		fe.Add("state", "must be investigating, identified, monitoring or resolved")
	}
	if f.Severity != "" {
		s, ok := ParseSeverity(string(f.Severity))
		if !ok {
			fe.Add("severity", "must be S1, S2, S3 or S4")
		}
		f.Severity = s
	}
	switch {
	case f.Limit == 0:
		f.Limit = 50
	case f.Limit < 0 || f.Limit > 200:
		fe.Add("limit", "must be between 1 and 200")
	}
	if f.Before < 0 {
		fe.Add("before", "must be a positive incident number")
	}
	return fe.Err()
}

// tooLong says how far over its limit something is: people fix a message
// faster when told "391" than when told only "at most 220".
func tooLong(n, max int, unit string) string {
	return "must be at most " + itoa(max) + " " + unit + " (it has " + itoa(n) + ")"
}

func checkText(fe FieldErrors, field, v string, max int, required bool) {
	switch {
	case required && v == "":
		fe.Add(field, "is required")
	case !utf8.ValidString(v):
		fe.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, tooLong(utf8.RuneCountInString(v), max, "characters"))
	case strings.ContainsRune(v, 0):
		fe.Add(field, "must not contain NUL characters")
	}
}

// normalizeNames trims, drops empties and duplicates, and validates a list
// of short names (services, tenants).
func normalizeNames(fe FieldErrors, field string, in []string) []string {
	return normalizeNamesUpTo(fe, field, in, MaxListLen)
}

// normalizeNamesUpTo is normalizeNames for a list of at most max entries.
func normalizeNamesUpTo(fe FieldErrors, field string, in []string, max int) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, v := range in {
		v = strings.TrimSpace(v)
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxNameLen || strings.ContainsAny(v, "\x00\n\r") {
			fe.Add(field, "each entry must be one line of at most "+itoa(MaxNameLen)+" characters (one has "+itoa(utf8.RuneCountInString(v))+")")
			continue
		}
		out = append(out, v)
	}
	if len(out) > max {
		fe.Add(field, tooLong(len(out), max, "entries"))
	}
	return out
}
