package herald

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ComponentStatus is how a part of the service is doing, in Statuspage's
// words, plus a security-event level that Status.io has and Statuspage
// lacks.
type ComponentStatus string

// Component statuses, from best to worst as the page ranks them.
const (
	Operational         ComponentStatus = "operational"
	UnderMaintenance    ComponentStatus = "under_maintenance"
	DegradedPerformance ComponentStatus = "degraded_performance"
	PartialOutage       ComponentStatus = "partial_outage"
	MajorOutage         ComponentStatus = "major_outage"
	SecurityEvent       ComponentStatus = "security_event"
)

// ComponentStatuses lists every status, best first.
var ComponentStatuses = []ComponentStatus{Operational, UnderMaintenance, DegradedPerformance, PartialOutage, MajorOutage, SecurityEvent}

// Rank orders statuses: the worse, the higher. Maintenance ranks below any
// disruption, so an incident during a maintenance still shows.
func (s ComponentStatus) Rank() int {
	for i, v := range ComponentStatuses {
		if v == s {
			return i
		}
	}
	return -1
}

// Valid reports whether s is a known status.
func (s ComponentStatus) Valid() bool { return s.Rank() >= 0 }

// Enum lists the values, for the OpenAPI document.
func (ComponentStatus) Enum() []string { return enumStrings(ComponentStatuses) }

// Label is the status as the page shows it, in the source's words.
func (s ComponentStatus) Label() string {
	switch s {
	case Operational:
		return "Operational"
	case UnderMaintenance:
		return "Under Maintenance"
	case DegradedPerformance:
		return "Degraded Performance"
	case PartialOutage:
		return "Partial Service Disruption"
	case MajorOutage:
		return "Service Disruption"
	case SecurityEvent:
		return "Security Event"
	}
	return string(s)
}

// Statuspage is the status in Atlassian Statuspage's enum, for the
// compatible JSON: it has no security level, so that shows as a major outage.
func (s ComponentStatus) Statuspage() string {
	if s == SecurityEvent {
		return string(MajorOutage)
	}
	return string(s)
}

// Disrupted reports whether s is an incident level (not operational, not
// maintenance).
func (s ComponentStatus) Disrupted() bool { return s.Rank() >= DegradedPerformance.Rank() }

// Worst returns the worse of two statuses.
func Worst(a, b ComponentStatus) ComponentStatus {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// DowntimeWeight is how much a minute in a status counts against uptime:
// a major outage or security event fully, a partial outage 30%, degraded
// performance and maintenance not at all (the service works, or the window
// was announced). These are the weights Statuspage documents for its uptime
// bars, so the figures compare.
func (s ComponentStatus) DowntimeWeight() float64 {
	switch s {
	case MajorOutage, SecurityEvent:
		return 1
	case PartialOutage:
		return 0.3
	}
	return 0
}

// Impact is a status incident's overall impact, in Statuspage's enum.
type Impact string

// Impacts, least first.
const (
	ImpactNone     Impact = "none"
	ImpactMinor    Impact = "minor"
	ImpactMajor    Impact = "major"
	ImpactCritical Impact = "critical"
)

// Impacts lists every impact, least first.
var Impacts = []Impact{ImpactNone, ImpactMinor, ImpactMajor, ImpactCritical}

// Valid reports whether i is a known impact.
func (i Impact) Valid() bool { return slices.Contains(Impacts, i) }

// Enum lists the values, for the OpenAPI document.
func (Impact) Enum() []string { return enumStrings(Impacts) }

// ImpactOf derives an impact from the worst component status, for an
// incident created without one.
func ImpactOf(s ComponentStatus) Impact {
	switch s {
	case MajorOutage, SecurityEvent:
		return ImpactCritical
	case PartialOutage:
		return ImpactMajor
	case DegradedPerformance:
		return ImpactMinor
	}
	return ImpactNone
}

// Component is a part of the service shown on the status page. A group is
// a component that holds others (two levels, as on Statuspage).
type Component struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	GroupID     string          `json:"group_id,omitempty"`
	Group       bool            `json:"group"`
	Position    int             `json:"position"`
	Status      ComponentStatus `json:"status"` // derived: the worst of what affects it now
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// ComponentInput creates or changes a component. Group names the group it
// belongs to (id or name); a group of that name is created when missing.
type ComponentInput struct {
	Name        *string `json:"name,omitempty" required:"create"`
	Description *string `json:"description,omitempty"`
	Group       *string `json:"group,omitempty"`
	Position    *int    `json:"position,omitempty"`
}

// Normalize validates the set fields; creating requires a name.
func (in *ComponentInput) Normalize(creating bool) error {
	fe := FieldErrors{}
	if in.Name != nil {
		v := strings.TrimSpace(*in.Name)
		in.Name = &v
		checkText(fe, "name", v, MaxNameLen, true)
	} else if creating {
		fe.Add("name", "is required")
	}
	if in.Description != nil {
		v := strings.TrimSpace(*in.Description)
		in.Description = &v
		checkText(fe, "description", v, 1000, false)
	}
	if in.Group != nil {
		v := strings.TrimSpace(*in.Group)
		in.Group = &v
		checkText(fe, "group", v, MaxNameLen, false)
	}
	if in.Position != nil && (*in.Position < 0 || *in.Position > 10000) {
		fe.Add("position", "must be between 0 and 10000")
	}
	return fe.Err()
}

// StatusIncident is the public face of an incident on the status page.
type StatusIncident struct {
	ID            string                     `json:"id"`
	IncidentID    string                     `json:"incident_id,omitempty"`
	Name          string                     `json:"name"`
	Status        State                      `json:"status"`
	Impact        Impact                     `json:"impact"`
	Components    map[string]ComponentStatus `json:"components"` // id -> current status
	Updates       []StatusUpdate             `json:"updates"`    // newest first
	PostmortemURL string                     `json:"postmortem_url,omitempty"`
	CreatedAt     time.Time                  `json:"created_at"`
	UpdatedAt     time.Time                  `json:"updated_at"`
	ResolvedAt    *time.Time                 `json:"resolved_at"`
	// NextUpdateDue is when the next update is owed by the cadence (R13),
	// nil once resolved.
	NextUpdateDue *time.Time `json:"next_update_due"`
	// Overdue is set when NextUpdateDue has passed without an update.
	Overdue bool `json:"overdue"`
	// MonitoringUntil is when the monitoring period ends (R16): components
	// stay as they are until then, and the incident is ready to resolve.
	MonitoringUntil *time.Time `json:"monitoring_until"`
	URL             string     `json:"url,omitempty"`
	// PendingName and PendingComponents are a correction made while open
	// (R22) that the next update publishes; until then the public page shows
	// Name and Components. PendingComponents is nil when none is pending.
	PendingName       string   `json:"pending_name,omitempty"`
	PendingComponents []string `json:"pending_components,omitempty"`
}

// StatusUpdate is one published update of a status incident.
type StatusUpdate struct {
	ID               string            `json:"id"`
	Status           State             `json:"status"`
	Body             string            `json:"body"`
	Components       []ComponentChange `json:"affected_components"`
	CreatedAt        time.Time         `json:"created_at"`
	Actor            string            `json:"actor"`
	ChecksOverridden bool              `json:"checks_overridden"`
	NextUpdateIn     int               `json:"next_update_in_minutes,omitempty"`
	Channels         map[string]bool   `json:"channels,omitempty"`
	// Name is the title this update published when it changed it (R22).
	Name string `json:"name,omitempty"`
	// GuardOverride is set when the publisher published despite the
	// content guard's findings (R45): the reason and what was found.
	GuardOverride *GuardOverride `json:"guard_override,omitempty"`
}

// ComponentChange is what an update did to one component.
type ComponentChange struct {
	ID        string          `json:"code"`
	Name      string          `json:"name"`
	OldStatus ComponentStatus `json:"old_status"`
	NewStatus ComponentStatus `json:"new_status"`
}

// StatusIncidentInput creates a status incident with its first update.
type StatusIncidentInput struct {
	Name       string `json:"name" required:"true"`
	IncidentID string `json:"incident_id"`
	Impact     Impact `json:"impact"`
	// A new incident's status defaults to investigating.
	StatusUpdateInput `optional:"status"`
}

// StatusUpdateInput publishes an update. Components maps component ids to
// their new status; those not named keep theirs. Template, when set, fills
// Body from a named template.
type StatusUpdateInput struct {
	Status         State                      `json:"status" required:"true"`
	Body           string                     `json:"body"`
	Template       string                     `json:"template,omitempty"`
	Components     map[string]ComponentStatus `json:"components"`
	OverrideChecks bool                       `json:"override_checks"`
	// NextUpdateIn announces when the next update comes, in minutes; it
	// replaces the cadence for this one interval (R13).
	NextUpdateIn int `json:"next_update_in_minutes"`
	// Channels unchecks broadcast channels ("email": false); every channel
	// is on unless unchecked (R11).
	Channels map[string]bool `json:"channels,omitempty"`
	// MonitorFor sets how long monitoring lasts, in minutes, when this
	// update moves the incident to Monitoring (default: the setting).
	MonitorFor int `json:"monitor_for_minutes,omitempty"`
	// OverrideGuard publishes a text despite the content guard's findings
	// (R45), with the reason, recorded with the findings.
	OverrideGuard       bool   `json:"override_guard,omitempty"`
	OverrideGuardReason string `json:"override_guard_reason,omitempty"`
}

// Normalize validates the update.
func (in *StatusUpdateInput) Normalize() error {
	fe := FieldErrors{}
	in.Status = State(strings.ToLower(strings.TrimSpace(string(in.Status))))
	if !in.Status.Valid() {
		fe.Add("status", "must be investigating, identified, monitoring or resolved")
	}
	in.Body = strings.TrimSpace(in.Body)
	checkText(fe, "body", in.Body, 5000, in.Template == "")
	for id, s := range in.Components {
		if !s.Valid() || s == UnderMaintenance {
			fe.Add("components", "component "+quote(id)+": status must be operational, degraded_performance, partial_outage, major_outage or security_event")
		}
	}
	if in.NextUpdateIn < 0 || in.NextUpdateIn > 7*24*60 {
		fe.Add("next_update_in_minutes", "must be between 0 and 10080 (a week)")
	}
	if in.MonitorFor < 0 || in.MonitorFor > 7*24*60 {
		fe.Add("monitor_for_minutes", "must be between 0 and 10080 (a week)")
	}
	CheckGuardOverride(fe, in.OverrideGuard, &in.OverrideGuardReason)
	return fe.Err()
}

// Normalize validates the new status incident.
func (in *StatusIncidentInput) Normalize() error {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	checkText(fe, "name", in.Name, MaxTitleLen, true)
	if in.Impact == "" {
		in.Impact = "auto"
	} else if !in.Impact.Valid() {
		fe.Add("impact", "must be none, minor, major or critical")
	}
	if in.Status == "" {
		in.Status = Investigating
	}
	if err := in.StatusUpdateInput.Normalize(); err != nil {
		for k, v := range err.(*Error).Fields {
			fe.Add(k, v)
		}
	}
	if in.Status == Resolved {
		fe.Add("status", "a new incident starts unresolved")
	}
	return fe.Err()
}

// UpdateLimits bound a public update (R14): the text before the incident
// link fits BeforeLink characters, and the whole fits Total (the social
// limit), where a link counts LinkCountsAs characters.
type UpdateLimits struct {
	BeforeLink   int `json:"before_link"`
	Total        int `json:"total"`
	LinkCountsAs int `json:"link_counts_as"`
}

// DefaultUpdateLimits are the practice's: 220 before the link, 280 in all,
// a link counting 23 (what short social posts allow).
var DefaultUpdateLimits = UpdateLimits{BeforeLink: 220, Total: 280, LinkCountsAs: 23}

func (l UpdateLimits) validate(fe FieldErrors) {
	if l.BeforeLink < 1 || l.BeforeLink > 10000 || l.Total < 1 || l.Total > 10000 {
		fe.Add("update_limits", "before_link and total must be between 1 and 10000 characters")
	}
	if l.BeforeLink > l.Total {
		fe.Add("update_limits", "before_link cannot be more than total")
	}
	if l.LinkCountsAs < 1 || l.LinkCountsAs > 200 {
		fe.Add("update_limits", "link_counts_as must be between 1 and 200")
	}
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// Check is one check of an update before it is published.
type Check struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// CheckUpdate runs the publication checks on the text that would go out.
// link is the incident's public URL; requireLink says whether the text must
// contain it; lim are the organisation's limits.
func CheckUpdate(text, link string, requireLink bool, lim UpdateLimits) []Check {
	before := text
	if i := strings.Index(text, link); i >= 0 && link != "" {
		before = text[:i]
	}
	before = strings.TrimSpace(before)
	n := utf8.RuneCountInString(before)
	checks := []Check{{
		Name: "body_length", OK: n <= lim.BeforeLink,
		Message: itoa(n) + " of " + itoa(lim.BeforeLink) + " characters before the incident link",
	}}
	total := SocialLength(text, lim.LinkCountsAs)
	checks = append(checks, Check{
		Name: "total_length", OK: total <= lim.Total,
		Message: itoa(total) + " of " + itoa(lim.Total) + " characters in all, each link counted as " + itoa(lim.LinkCountsAs),
	})
	has := link != "" && strings.Contains(text, link)
	msg := "contains the incident link"
	if !has {
		msg = "does not contain the incident link " + link
	}
	checks = append(checks, Check{Name: "incident_link", OK: has || !requireLink, Message: msg})
	return checks
}

// SocialLength counts text as social networks do: characters, with every
// link counted as linkLen.
func SocialLength(text string, linkLen int) int {
	n := 0
	last := 0
	for _, m := range linkRE.FindAllStringIndex(text, -1) {
		n += utf8.RuneCountInString(text[last:m[0]]) + linkLen
		last = m[1]
	}
	return n + utf8.RuneCountInString(text[last:])
}

// FailedChecks returns the names of the checks that failed.
func FailedChecks(cs []Check) []string {
	var out []string
	for _, c := range cs {
		if !c.OK {
			out = append(out, c.Name)
		}
	}
	return out
}

// ComponentLogEntry is one recorded change to the set of components (created, updated, deleted).
type ComponentLogEntry struct {
	ComponentID string          `json:"component_id"`
	Action      string          `json:"action"`
	Actor       string          `json:"actor"`
	At          time.Time       `json:"at"`
	Data        json.RawMessage `json:"data"`
	// Via says how the change was made (R21): "" directly by the actor,
	// "proposal" proposed by the actor and approved by ApprovedBy (in
	// ProposalID), "apply" by the actor's herald apply of configuration
	// reviewed in its repository.
	Via        string `json:"via,omitempty"`
	ApprovedBy string `json:"approved_by,omitempty"`
	ProposalID string `json:"proposal_id,omitempty"`
}

// StatusPoint is a component's shown status from At on.
type StatusPoint struct {
	Status ComponentStatus
	At     time.Time
}

// Preview is what a publication would do, without doing it.
type Preview struct {
	Checks []Check `json:"checks"`
	// Findings are the content guard's (R45), with their positions in
	// Text; a preview shows them as failed checks instead of failing.
	Findings []GuardFinding  `json:"findings"`
	Text     string          `json:"text"`
	Incident *StatusIncident `json:"incident"`
	// Notice is what subscribers would be told (the e-mail's subject and
	// body), so the publisher sees it before sending.
	Notice Notice `json:"-"`
}
