package herald

import (
	"strings"
	"time"
)

// Cadence beyond the public updates: "no material updates" (R15) and the
// internal stakeholder updates, kept on an interval of their own.

// TemplateNoMaterialUpdates is the status template a "no material
// updates" update publishes (R15): the same state and components, said
// again on time so the cadence is kept.
const TemplateNoMaterialUpdates = "no_material_updates"

// PromptInternalUpdateDue reminds the communications role that an update
// to the internal stakeholder channels is due soon, due now, or overdue.
const PromptInternalUpdateDue = "internal_update_due"

// InternalUpdates time the updates to the internal stakeholder channels
// (the channels of R19) while an incident is open: every Interval of its
// severity after the last stakeholder notice or internal update (or after
// the declaration, before any). The communications role is reminded as for
// public updates.
type InternalUpdates struct {
	// Interval is, by severity, how often the stakeholders are updated; a
	// severity without one, or with 0s, has no internal cadence. The
	// default is 30m at S1 and none otherwise. Write all four to change
	// them: a severity left out keeps its default.
	Interval map[Severity]Duration `json:"interval"`
	// Reminders say when the communications role is reminded, as
	// update_reminders do for public updates (Every 0 is the interval).
	Reminders UpdateReminders `json:"reminders"`
}

// DefaultInternalUpdates is the internal cadence the issue asks for: 30
// minutes at S1, none otherwise, reminded 2 minutes before.
func DefaultInternalUpdates() InternalUpdates {
	return InternalUpdates{
		Interval:  map[Severity]Duration{S1: Duration(30 * time.Minute), S2: 0, S3: 0, S4: 0},
		Reminders: UpdateReminders{Before: Duration(2 * time.Minute)},
	}
}

// IntervalFor is the internal cadence of a severity; 0 when there is none.
func (u InternalUpdates) IntervalFor(sev Severity) time.Duration {
	if d := time.Duration(u.Interval[sev]); d > 0 {
		return d
	}
	return 0
}

// Due is when the next internal update of an incident of severity sev is
// due, counted from since (the last stakeholder notice or internal update,
// or the declaration); nil when the severity has no internal cadence.
func (u InternalUpdates) Due(sev Severity, since time.Time) *time.Time {
	d := u.IntervalFor(sev)
	if d == 0 {
		return nil
	}
	t := since.Add(d)
	return &t
}

func (u *InternalUpdates) validate(fe FieldErrors) {
	for sev, d := range u.Interval {
		if !sev.Valid() {
			fe.Add("playbook", "internal_updates.interval: unknown severity "+quote(string(sev)))
		} else if d < 0 || time.Duration(d) > 24*time.Hour || (d > 0 && time.Duration(d) < time.Second) {
			fe.Add("playbook", "internal_updates.interval."+string(sev)+" must be 0s (none) or between 1s and 24h")
		}
	}
	u.Reminders.validate(fe, "internal_updates.reminders")
}

// Kinds of internal update.
const (
	// InternalNotice is R19's notice once severity is confirmed.
	InternalNotice = "notice"
	// InternalUpdateKind is an update written for the stakeholders.
	InternalUpdateKind = "update"
)

// InternalUpdate is one update sent to the internal stakeholder channels.
type InternalUpdate struct {
	ID         string `json:"id"`
	IncidentID string `json:"incident_id"`
	// Kind is "notice" (R19's, when severity is confirmed) or "update".
	Kind      string    `json:"kind"`
	Body      string    `json:"body"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
}

// InternalUpdateInput is an update to the internal stakeholders.
type InternalUpdateInput struct {
	Body string `json:"body" required:"true"`
}

// MaxInternalUpdateLen bounds an internal update: a chat message, not a
// report.
const MaxInternalUpdateLen = 4000

// Normalize validates the update.
func (in *InternalUpdateInput) Normalize() error {
	fe := FieldErrors{}
	in.Body = strings.TrimSpace(in.Body)
	checkText(fe, "body", in.Body, MaxInternalUpdateLen, true)
	return fe.Err()
}
