package herald

import "time"

// Prompt kinds: what the playbook tells a person, and why.
const (
	// PromptUpdateDue reminds the communications role that a public update
	// is due soon, due now, or overdue (R13).
	PromptUpdateDue = "update_due"
)

// Stages of an update reminder, in the order they come.
const (
	UpdateDueSoon    = "soon"    // the lead time before it is due
	UpdateDueNow     = "due"     // at the due time
	UpdateDueOverdue = "overdue" // every interval after it
)

// PlaybookSettings hold the timings of the prompts with which Herald holds
// a team to its practice. Every one is a duration, so an organisation can
// change it and a test can play an hour of incident in seconds.
type PlaybookSettings struct {
	Updates UpdateReminders `json:"update_reminders"`
	// Internal times the updates to internal stakeholders (cadence.go).
	Internal InternalUpdates `json:"internal_updates"`
	// Reviews time the reminders of reviews and overdue follow-ups (R54).
	Reviews ReviewReminders `json:"review_reminders"`
	// Engagement times R52 and R53 (timerules.go).
	Engagement EngagementRules `json:"engagement"`
}

// UpdateReminders say when the communications role is reminded of the next
// public update (R13): Before it is due, at the due time, and every Every
// while it is overdue; from LeadAfter overdue the incident lead is told too.
type UpdateReminders struct {
	// Off turns update reminders off; next_update_due and overdue are
	// still shown.
	Off bool `json:"off,omitempty"`
	// Before is how long before the due time the first reminder goes.
	Before Duration `json:"before"`
	// Every is how often an overdue update is reminded again; zero means
	// the interval that applied to it (the cadence's, or the one the last
	// update announced).
	Every Duration `json:"every,omitempty"`
	// LeadAfter is how long overdue an update may be before the incident
	// lead is reminded too; zero means twice Every.
	LeadAfter Duration `json:"lead_after,omitempty"`
}

// DefaultPlaybook is the practice's timing.
func DefaultPlaybook() PlaybookSettings {
	return PlaybookSettings{Updates: UpdateReminders{Before: Duration(2 * time.Minute)}, Internal: DefaultInternalUpdates(),
		Reviews: DefaultReviewReminders(), Engagement: DefaultEngagement()}
}

func (p *PlaybookSettings) validate(fe FieldErrors) {
	p.Internal.validate(fe)
	p.Reviews.validate(fe)
	p.Engagement.validate(fe)
	p.Updates.validate(fe, "update_reminders")
}

// validate checks reminder timings; at names them in the messages.
func (u UpdateReminders) validate(fe FieldErrors, at string) {
	for name, d := range map[string]Duration{"before": u.Before, "every": u.Every, "lead_after": u.LeadAfter} {
		if d < 0 || time.Duration(d) > 24*time.Hour {
			fe.Add("playbook", at+"."+name+" must be between 0s and 24h")
		}
	}
	if u.Every != 0 && time.Duration(u.Every) < time.Second {
		fe.Add("playbook", at+".every must be at least 1s, or 0 for the interval that applied")
	}
}

// At is the reminder of an update due at due that applies at
// now: its stage, the number of the overdue reminder (1, 2...), and whether
// the incident lead is told as well. interval is the one that applied to
// the update (due minus the last update). ok is false before the first
// reminder is due.
//
// Only the latest reminder counts: after a pause (Herald was down) one
// reminder says where things stand, not every one that was missed.
func (u UpdateReminders) At(now, due time.Time, interval time.Duration) (stage string, n int, lead bool, ok bool) {
	if u.Off {
		return "", 0, false, false
	}
	every := time.Duration(u.Every)
	if every <= 0 {
		every = interval
	}
	if every < time.Second {
		every = time.Second
	}
	leadAfter := time.Duration(u.LeadAfter)
	if leadAfter <= 0 {
		leadAfter = 2 * every
	}
	switch late := now.Sub(due); {
	case late < -time.Duration(u.Before):
		return "", 0, false, false
	case late < 0:
		return UpdateDueSoon, 0, false, true
	case late < every:
		return UpdateDueNow, 0, false, true
	default:
		n = int(late / every)
		return UpdateDueOverdue, n, late >= leadAfter, true
	}
}

// Prompt is one reminder the playbook sent a person.
type Prompt struct {
	ID         string    `json:"id"`
	IncidentID string    `json:"incident_id,omitempty"`
	Kind       string    `json:"kind"`
	Occurrence string    `json:"occurrence"`
	UserID     string    `json:"user_id"`
	UserName   string    `json:"user_name"`
	Subject    string    `json:"subject"`
	CreatedAt  time.Time `json:"created_at"`
	// Delivered counts the contact methods it reached.
	Delivered int `json:"delivered"`
}
