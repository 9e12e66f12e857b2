package herald

import (
	"encoding/json"
	"strings"
	"time"
)

// Timeline entry kinds. The timeline is append-only: it is the record a
// review is written from, so nothing edits or deletes an entry (the database
// refuses it too).
const (
	EntryDeclared       = "declared"
	EntryStateChange    = "state_change"
	EntrySeverityChange = "severity_change"
	EntryRoleChange     = "role_change"
	EntryNote           = "note"
	EntryDecision       = "decision"
	EntryLabel          = "label"
	EntryFollowUp       = "follow_up"
	EntryReview         = "review"
	EntryUpdate         = "update" // title, summary, services, tenants, confidentiality
	// EntryWarning says that paging left a gap: a role nobody was paged
	// for, a level that reached nobody. The incident shows these as its
	// warnings.
	EntryWarning = "warning"
	// EntryPrompt says the playbook reminded someone (an update is due or
	// overdue...), so the record shows who was told and when.
	EntryPrompt = "prompt"
	// EntryContactRequest records a contact request linked to the
	// incident being opened, done or cancelled (R61).
	EntryContactRequest = "contact_request"
)

// TimelineEntry is one thing that happened during an incident, when, and who
// did it.
type TimelineEntry struct {
	ID         int64           `json:"id"`
	IncidentID string          `json:"incident_id"`
	Kind       string          `json:"kind"`
	At         time.Time       `json:"at"`
	ActorID    string          `json:"actor_id"`
	Actor      string          `json:"actor"`
	Text       string          `json:"text"`
	Data       json.RawMessage `json:"data,omitempty"`
}

// NoteInput adds a note to the timeline.
type NoteInput struct {
	Text string `json:"text" required:"true"`
}

// Normalize validates the note.
func (in *NoteInput) Normalize() error {
	fe := FieldErrors{}
	in.Text = strings.TrimSpace(in.Text)
	checkText(fe, "text", in.Text, MaxSummaryLen, true)
	return fe.Err()
}
