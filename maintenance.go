package herald

import (
	"slices"
	"strings"
	"time"
)

// MaintenanceStatus is where a scheduled maintenance stands.
type MaintenanceStatus string

// Maintenance statuses, in Statuspage's words.
const (
	MaintenanceScheduled  MaintenanceStatus = "scheduled"
	MaintenanceInProgress MaintenanceStatus = "in_progress"
	MaintenanceCompleted  MaintenanceStatus = "completed"
	MaintenanceCancelled  MaintenanceStatus = "cancelled"
)

// MaintenanceStatuses lists every status, in order.
var MaintenanceStatuses = []MaintenanceStatus{MaintenanceScheduled, MaintenanceInProgress, MaintenanceCompleted, MaintenanceCancelled}

// Enum lists the values, for the OpenAPI document.
func (MaintenanceStatus) Enum() []string { return enumStrings(MaintenanceStatuses) }

// Title is the status as the page shows it.
func (s MaintenanceStatus) Title() string {
	switch s {
	case MaintenanceScheduled:
		return "Scheduled"
	case MaintenanceInProgress:
		return "In progress"
	case MaintenanceCompleted:
		return "Completed"
	case MaintenanceCancelled:
		return "Cancelled"
	}
	return string(s)
}

// Maintenance events, each an update on the maintenance and (later) a
// broadcast to subscribers.
const (
	EventScheduled   = "scheduled"
	EventReminder    = "reminder"
	EventStarted     = "started"
	EventUpdate      = "update"
	EventCompleted   = "completed"
	EventRescheduled = "rescheduled"
	EventCancelled   = "cancelled"
)

// EventTitle names a maintenance event as people read it ("Started").
func EventTitle(event string) string {
	switch event {
	case EventScheduled:
		return "Scheduled"
	case EventReminder:
		return "Reminder"
	case EventStarted:
		return "Started"
	case EventCompleted:
		return "Completed"
	case EventRescheduled:
		return "Rescheduled"
	case EventCancelled:
		return "Cancelled"
	}
	return "Update"
}

// Maintenance is planned work in a window announced on the status page
// (R30, R31). With automation on, Herald starts and completes it on time;
// once automation is turned off it stays off, and every update and the
// finish are manual.
type Maintenance struct {
	ID             string              `json:"id"`
	Name           string              `json:"name"`
	Body           string              `json:"body"`
	Status         MaintenanceStatus   `json:"status"`
	ScheduledFor   time.Time           `json:"scheduled_for"`
	ScheduledUntil time.Time           `json:"scheduled_until"`
	Components     []string            `json:"components"`
	AutoTransition bool                `json:"auto_transition"`
	Reminders      []Reminder          `json:"reminders"`
	Updates        []MaintenanceUpdate `json:"updates"` // newest first
	StartedAt      *time.Time          `json:"started_at"`
	CompletedAt    *time.Time          `json:"completed_at"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
	URL            string              `json:"url,omitempty"`
	// StepError is why the last automatic step (a reminder, the start or
	// the finish) failed, and StepAttempts how often it was tried; it is
	// retried with backoff, and both clear when a step succeeds.
	StepAttempts int    `json:"step_attempts,omitempty"`
	StepError    string `json:"step_error,omitempty"`

	// MutePaging holds the paging of the services running on the
	// maintenance's components while it is in progress (default on).
	MutePaging bool `json:"mute_paging"`

	// GuardOverride is the last override of the content guard (R45) on
	// the maintenance's name and description: the reason and the findings.
	GuardOverride *GuardOverride `json:"guard_override,omitempty"`

	// Kind is scheduled, out_of_band or emergency (R32); Security marks
	// security work, which outside the window is emergency maintenance.
	Kind     MaintenanceKind `json:"kind"`
	Security bool            `json:"security"`
	// Approval is the engineering manager's approval of an emergency
	// maintenance (R33); until it exists the maintenance neither starts
	// nor tells the tenants.
	Approval *MaintenanceApproval `json:"approval,omitempty"`
	// Warnings (one maintenance read) are R34's: linked tenants whose
	// weekly window does not hold a scheduled maintenance.
	Warnings []string `json:"warnings,omitempty"`
	// TenantNotices (one maintenance read) are the notices queued to the
	// linked tenants of an emergency maintenance (R33).
	TenantNotices []MaintenanceTenantNotice `json:"tenant_notices,omitempty"`
	// NoticeApprovals (one maintenance read) are the security team's
	// approvals of the texts those notices carry (R44), oldest first.
	NoticeApprovals []NoticeApproval `json:"notice_approvals,omitempty"`
}

// AwaitsApproval reports whether the maintenance is emergency work that
// no engineering manager has approved yet (R33).
func (m *Maintenance) AwaitsApproval() bool {
	return m.Kind == KindEmergency && m.Approval == nil
}

// Active reports whether the maintenance still lies ahead or is under way.
func (m *Maintenance) Active() bool {
	return m.Status == MaintenanceScheduled || m.Status == MaintenanceInProgress
}

// Reminder is a notice sent a set time before the start.
type Reminder struct {
	Before  Duration   `json:"before"`
	DueAt   time.Time  `json:"due_at"`
	FiredAt *time.Time `json:"fired_at"`
}

// MaintenanceUpdate is one event of a maintenance, with its text.
type MaintenanceUpdate struct {
	ID        string            `json:"id"`
	Event     string            `json:"event" enum:"maintenance_event"`
	Status    MaintenanceStatus `json:"status"`
	Body      string            `json:"body"`
	Actor     string            `json:"actor"`
	CreatedAt time.Time         `json:"created_at"`
	// GuardOverride is set when the update was posted despite the content
	// guard's findings (R45).
	GuardOverride *GuardOverride `json:"guard_override,omitempty"`
}

// Duration is a time.Duration written as "1h30m" in JSON.
type Duration time.Duration

// MarshalText writes the duration as Go does ("1h0m0s").
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads "90m", "1h30m" or "24h".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return Errorf(EInvalid, "%q is not a duration like 90m or 24h", string(b))
	}
	*d = Duration(v)
	return nil
}

// MaintenanceInput creates a maintenance or, with fields set, changes one
// (a new window reschedules it).
type MaintenanceInput struct {
	Name           *string     `json:"name,omitempty" required:"create"`
	Body           *string     `json:"body,omitempty"`
	ScheduledFor   *time.Time  `json:"scheduled_for,omitempty" required:"create"`
	ScheduledUntil *time.Time  `json:"scheduled_until,omitempty" required:"create"`
	Components     *[]string   `json:"components,omitempty"`
	AutoTransition *bool       `json:"auto_transition,omitempty"`
	MutePaging     *bool       `json:"mute_paging,omitempty"`
	Reminders      *[]Duration `json:"reminders,omitempty"`
	// Kind is scheduled (the default), out_of_band or emergency (R32);
	// Security marks security work (emergency needs it, out_of_band
	// refuses it).
	Kind     *MaintenanceKind `json:"kind,omitempty"`
	Security *bool            `json:"security,omitempty"`
	// OverrideGuard publishes a name and description despite the content
	// guard's findings (R45), with the reason.
	OverrideGuard       bool   `json:"override_guard,omitempty"`
	OverrideGuardReason string `json:"override_guard_reason,omitempty"`
}

// Normalize validates the set fields; creating requires a name and a
// window.
func (in *MaintenanceInput) Normalize(creating bool) error {
	fe := FieldErrors{}
	if in.Name != nil {
		v := strings.TrimSpace(*in.Name)
		in.Name = &v
		checkText(fe, "name", v, MaxTitleLen, true)
	} else if creating {
		fe.Add("name", "is required")
	}
	if in.Body != nil {
		v := strings.TrimSpace(*in.Body)
		in.Body = &v
		checkText(fe, "body", v, 5000, false)
	}
	if creating && in.ScheduledFor == nil {
		fe.Add("scheduled_for", "is required (RFC 3339, for example 2026-12-01T02:00:00Z)")
	}
	if creating && in.ScheduledUntil == nil {
		fe.Add("scheduled_until", "is required (RFC 3339)")
	}
	for field, p := range map[string]**time.Time{"scheduled_for": &in.ScheduledFor, "scheduled_until": &in.ScheduledUntil} {
		if *p != nil {
			t := (*p).UTC().Truncate(time.Second)
			*p = &t
			CheckTimeRange(fe, field, t)
		}
	}
	if in.ScheduledFor != nil && in.ScheduledUntil != nil && !in.ScheduledUntil.After(*in.ScheduledFor) {
		fe.Add("scheduled_until", "must be after scheduled_for")
	}
	if in.Components != nil {
		v := normalizeNames(fe, "components", *in.Components)
		in.Components = &v
	}
	if in.Reminders != nil {
		seen := map[Duration]bool{}
		var rs []Duration
		for _, r := range *in.Reminders {
			if r <= 0 || time.Duration(r) > 30*24*time.Hour {
				fe.Add("reminders", "each reminder is a time before the start, between 1m and 720h")
				continue
			}
			if !seen[r] {
				seen[r] = true
				rs = append(rs, r)
			}
		}
		slices.Sort(rs)
		slices.Reverse(rs)
		in.Reminders = &rs
	}
	if in.Kind != nil {
		k := MaintenanceKind(strings.ToLower(strings.TrimSpace(string(*in.Kind))))
		in.Kind = &k
	}
	if creating {
		if in.Kind == nil || *in.Kind == "" {
			k := KindScheduled
			in.Kind = &k
		}
		CheckMaintenanceKind(fe, *in.Kind, in.Security != nil && *in.Security)
	} else if in.Kind != nil && !slices.Contains(MaintenanceKinds, *in.Kind) {
		CheckMaintenanceKind(fe, *in.Kind, false)
	}
	CheckGuardOverride(fe, in.OverrideGuard, &in.OverrideGuardReason)
	return fe.Err()
}

// MaintenanceUpdateInput posts an update on a maintenance; Status, when
// set, also moves it (in_progress, completed, cancelled). While automation
// is on, starting and completing are Herald's alone (R30): turn automation
// off first to do them by hand.
type MaintenanceUpdateInput struct {
	Body   string            `json:"body"`
	Status MaintenanceStatus `json:"status"`
	// Channels unchecks broadcast channels ("email": false), as on a
	// status update (R11); every channel is on unless unchecked.
	Channels map[string]bool `json:"channels,omitempty"`
	// OverrideGuard posts a text despite the content guard's findings
	// (R45), with the reason.
	OverrideGuard       bool   `json:"override_guard,omitempty"`
	OverrideGuardReason string `json:"override_guard_reason,omitempty"`
}

// Normalize validates the update.
func (in *MaintenanceUpdateInput) Normalize() error {
	fe := FieldErrors{}
	in.Body = strings.TrimSpace(in.Body)
	checkText(fe, "body", in.Body, 5000, in.Status == "")
	switch in.Status {
	case "", MaintenanceInProgress, MaintenanceCompleted, MaintenanceCancelled:
	default:
		fe.Add("status", "must be in_progress, completed or cancelled (or empty for an update only)")
	}
	for k := range in.Channels {
		if !slices.Contains(SubscriberKinds, k) {
			fe.Add("channels", "unknown channel "+quote(k)+": must be one of "+strings.Join(SubscriberKinds, ", "))
		}
	}
	CheckGuardOverride(fe, in.OverrideGuard, &in.OverrideGuardReason)
	return fe.Err()
}
