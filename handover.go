package herald

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Handovers (R60). Every shift of the communications and incident-lead
// rotations ends with a handover record, also when nothing happened:
// Herald drafts it when the shift ends from what it knows (ongoing
// incidents, open customer-notice threads, open contact requests,
// maintenances of the next shift, overrides and gaps of the next 24
// hours), the outgoing person edits and submits it, the incoming person
// acknowledges it. Submitting hands the items over: the incident roles and
// the notice threads the outgoing person held move to the incoming person;
// contact requests stay with whoever took them on (R61). A handover is
// read only by the people of its rotation and by admins.

// HandoverRoles are the incident roles whose rotations hand over.
var HandoverRoles = []string{RoleCommunications, RoleIncidentLead}

// Prompt kinds of handovers: the outgoing person has not submitted the
// handover of their shift, and (later) their manager is told.
const (
	PromptHandoverDue     = "handover_due"
	PromptHandoverMissing = "handover_missing"
)

// HandoverLookback bounds how far back the playbook drafts handovers of
// shifts that ended while Herald was down or before handovers were set up:
// an older shift gets no record (nobody would write it any more).
const HandoverLookback = 24 * time.Hour

// Handover statuses.
const (
	HandoverDraft        = "draft"
	HandoverSubmitted    = "submitted"
	HandoverAcknowledged = "acknowledged"
)

// HandoverStatuses lists them in the order a handover goes through them.
var HandoverStatuses = []string{HandoverDraft, HandoverSubmitted, HandoverAcknowledged}

// Handover sections, in the order a draft shows them. SectionApprovals and
// SectionTickets are drafted empty until the approvals (R44) and tickets
// (R20) work adds their builders.
const (
	SectionIncidents       = "incidents"
	SectionNoticeThreads   = "notice_threads"
	SectionApprovals       = "pending_approvals"
	SectionContactRequests = "contact_requests"
	SectionTickets         = "tickets"
	SectionMaintenances    = "maintenances"
	SectionOverrides       = "overrides"
	SectionGaps            = "gaps"
)

// HandoverSettings say which rotations hand over and when a missing
// handover is reminded.
type HandoverSettings struct {
	// Off: no handovers are drafted or reminded.
	Off bool `json:"off,omitempty"`
	// Rotations names the schedule (id or name) of each handing-over role
	// (communications, incident_lead). A role left out takes the schedules
	// of the first escalation level of its service (role_services).
	Rotations map[string]string `json:"rotations,omitempty"`
	// RemindAfter is how long after the shift's end the outgoing person is
	// reminded of a handover not submitted yet.
	RemindAfter Duration `json:"remind_after"`
	// ManagerAfter is how long after the shift's end their manager is told
	// (at least RemindAfter).
	ManagerAfter Duration `json:"manager_after"`
}

// DefaultHandover reminds after 30 minutes and tells the manager after 2 hours.
func DefaultHandover() HandoverSettings {
	return HandoverSettings{RemindAfter: Duration(30 * time.Minute), ManagerAfter: Duration(2 * time.Hour)}
}

func (h *HandoverSettings) validate(fe FieldErrors) {
	for role, ref := range h.Rotations {
		if !slices.Contains(HandoverRoles, role) {
			fe.Add("handover", "rotations: "+quote(role)+" is not a handing-over role (communications, incident_lead)")
		}
		if strings.TrimSpace(ref) == "" || len(ref) > MaxNameLen {
			fe.Add("handover", "rotations."+role+" must name a schedule")
		}
	}
	if h.RemindAfter < 0 || time.Duration(h.RemindAfter) > 7*24*time.Hour {
		fe.Add("handover", "remind_after must be between 0s and 168h")
	}
	if h.ManagerAfter < h.RemindAfter || time.Duration(h.ManagerAfter) > 7*24*time.Hour {
		fe.Add("handover", "manager_after must be at least remind_after and at most 168h")
	}
}

// Handover is the record of one shift's end.
type Handover struct {
	ID           string `json:"id"`
	ScheduleID   string `json:"schedule_id"`
	ScheduleName string `json:"schedule_name"`
	// Roles are the incident roles the schedule is the rotation of.
	Roles []string `json:"roles"`
	// UserID is the outgoing person; IncomingID who is on call after the
	// shift (empty when nobody is: a gap).
	UserID       string    `json:"user_id"`
	UserName     string    `json:"user_name"`
	IncomingID   string    `json:"incoming_id,omitempty"`
	IncomingName string    `json:"incoming_name,omitempty"`
	ShiftStart   time.Time `json:"shift_start"`
	ShiftEnd     time.Time `json:"shift_end"`
	Status       string    `json:"status" enum:"handover_status"`
	// Note is the outgoing person's own words.
	Note     string            `json:"note"`
	Sections []HandoverSection `json:"sections"`
	// DraftedAt is when the sections were last drafted from Herald's state.
	DraftedAt      time.Time  `json:"drafted_at"`
	SubmittedAt    *time.Time `json:"submitted_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	// AcknowledgedBy is who acknowledged (the incoming person).
	AcknowledgedBy     string `json:"acknowledged_by,omitempty"`
	AcknowledgedByName string `json:"acknowledged_by_name,omitempty"`
	// Reassigned says what the submission moved to the incoming person.
	Reassigned []string `json:"reassigned"`
}

// Section returns the section with key, if drafted.
func (h *Handover) Section(key string) (HandoverSection, bool) {
	for _, s := range h.Sections {
		if s.Key == key {
			return s, true
		}
	}
	return HandoverSection{}, false
}

// HandoverSection is one part of a draft: a list of items of one kind.
type HandoverSection struct {
	Key   string         `json:"key"`
	Title string         `json:"title"`
	Items []HandoverItem `json:"items"`
	// Pending says the section is drafted by work not in this release yet
	// (pending approvals, tickets): it stays empty.
	Pending bool `json:"pending,omitempty"`
}

// HandoverItem is one thing handed over.
type HandoverItem struct {
	// Ref identifies it in its section: an incident's reference, a
	// thread's, request's, maintenance's or override's id, a gap's start.
	Ref    string `json:"ref"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	// OwnerID holds it now (the role holder, the thread's or request's owner).
	OwnerID string `json:"owner_id,omitempty"`
	Owner   string `json:"owner,omitempty"`
	// Due is when something is owed next (an update, a customer notice, a
	// request's due time); Start and End bound a window.
	Due   *time.Time `json:"due,omitempty"`
	Start *time.Time `json:"start,omitempty"`
	End   *time.Time `json:"end,omitempty"`
	// Reassign: submitting moves it to the incoming person. Only items the
	// outgoing person holds can move; contact requests never do.
	Reassign bool `json:"reassign"`
	// Movable says the item may be reassigned (the person may keep it).
	Movable bool `json:"movable"`
	// Note is the outgoing person's word on it.
	Note string `json:"note,omitempty"`
}

// HandoverEdit is the outgoing person's edit of a draft: the note and,
// per item, a note and whether it moves on.
type HandoverEdit struct {
	Note  string             `json:"note"`
	Items []HandoverItemEdit `json:"items,omitempty"`
}

// HandoverItemEdit changes one drafted item.
type HandoverItemEdit struct {
	Section  string `json:"section" required:"true"`
	Ref      string `json:"ref" required:"true"`
	Note     string `json:"note"`
	Reassign *bool  `json:"reassign,omitempty"`
}

// MaxHandoverNote bounds the note and each item's note.
const MaxHandoverNote = 10000

// Apply checks the edit and applies it to h, naming the field of every
// problem: an item not in the draft, or one that cannot move.
func (e *HandoverEdit) Apply(h *Handover) error {
	fe := FieldErrors{}
	e.Note = strings.TrimSpace(e.Note)
	checkText(fe, "note", e.Note, MaxHandoverNote, false)
	type edited struct{ section, ref string }
	seen := map[edited]bool{}
	for i, it := range e.Items {
		field := fmt.Sprintf("items[%d]", i)
		if seen[edited{it.Section, it.Ref}] {
			fe.Add(field, "names "+it.Section+" "+quote(it.Ref)+" twice")
			continue
		}
		seen[edited{it.Section, it.Ref}] = true
		item := h.item(it.Section, it.Ref)
		if item == nil {
			fe.Add(field, "no item "+quote(it.Ref)+" in section "+quote(it.Section)+" of this handover")
			continue
		}
		note := strings.TrimSpace(it.Note)
		checkText(fe, field+".note", note, MaxHandoverNote, false)
		if it.Reassign != nil && *it.Reassign && !item.Movable {
			if it.Section == SectionContactRequests {
				fe.Add(field+".reassign", "contact requests stay with whoever took them on (R61): list them, do not move them")
			} else {
				fe.Add(field+".reassign", "only what the outgoing person holds can move to the next shift")
			}
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	h.Note = e.Note
	for _, it := range e.Items {
		item := h.item(it.Section, it.Ref)
		item.Note = strings.TrimSpace(it.Note)
		if it.Reassign != nil {
			item.Reassign = *it.Reassign
		}
	}
	return nil
}

func (h *Handover) item(section, ref string) *HandoverItem {
	for i := range h.Sections {
		if h.Sections[i].Key != section {
			continue
		}
		for j := range h.Sections[i].Items {
			if h.Sections[i].Items[j].Ref == ref {
				return &h.Sections[i].Items[j]
			}
		}
	}
	return nil
}

// KeepEdits carries the person's notes and choices from an earlier draft
// of the same handover into a fresh one (old), item by section and ref.
func (h *Handover) KeepEdits(old *Handover) {
	for si := range h.Sections {
		for ii := range h.Sections[si].Items {
			it := &h.Sections[si].Items[ii]
			if prev := old.item(h.Sections[si].Key, it.Ref); prev != nil {
				it.Note = prev.Note
				if it.Movable {
					it.Reassign = prev.Reassign
				}
			}
		}
	}
}

// HandoverFilter lists handovers.
type HandoverFilter struct {
	Status string // draft, submitted, acknowledged; empty: all
	// Mine: only those the actor hands over or takes over.
	Mine  bool
	Limit int
}

// HandoverStart asks for an early draft of the actor's current shift on a
// schedule (it cannot be submitted before the shift ends).
type HandoverStart struct {
	Schedule string `json:"schedule" required:"true"`
}

// RoleHandoverInput hands an incident role over during the incident: to
// whom, with a short note for the timeline.
type RoleHandoverInput struct {
	To   string `json:"to" required:"true"`
	Note string `json:"note" required:"true"`
}

// MaxRoleHandoverNote bounds a live handover's note: a line on the timeline.
const MaxRoleHandoverNote = 1000

// Normalize validates the input.
func (in *RoleHandoverInput) Normalize() error {
	fe := FieldErrors{}
	in.To = strings.TrimSpace(in.To)
	if in.To == "" {
		fe.Add("to", "is required: the user id or e-mail address of who takes the role over")
	}
	in.Note = strings.TrimSpace(in.Note)
	checkText(fe, "note", in.Note, MaxRoleHandoverNote, true)
	return fe.Err()
}

// HandoverRotation is the schedule a role hands over on, and where it
// came from ("settings" or "service").
type HandoverRotation struct {
	Role         string `json:"role"`
	ScheduleID   string `json:"schedule_id,omitempty"`
	ScheduleName string `json:"schedule_name,omitempty"`
	Source       string `json:"source"`
	// Problem says why the role has no rotation.
	Problem string `json:"problem,omitempty"`
}

// HandoverService keeps handover records (R60).
type HandoverService interface {
	// Handovers lists the handovers the actor may read (their rotations'
	// unless admin), newest shift first.
	Handovers(ctx context.Context, actor Actor, f HandoverFilter) ([]Handover, error)
	// Handover reads one; ENotFound also when the actor may not read it.
	Handover(ctx context.Context, actor Actor, id string) (Handover, error)
	// StartHandover drafts the actor's current shift's handover early.
	StartHandover(ctx context.Context, actor Actor, in HandoverStart) (Handover, error)
	// SaveHandover stores the outgoing person's edits of a draft.
	SaveHandover(ctx context.Context, actor Actor, id string, in HandoverEdit) (Handover, error)
	// SubmitHandover applies the edit and submits: refused (EUnprocessable,
	// field shift_end) before the shift ends; moves the items to the
	// incoming person.
	SubmitHandover(ctx context.Context, actor Actor, id string, in HandoverEdit) (Handover, error)
	// AcknowledgeHandover is the incoming person's receipt.
	AcknowledgeHandover(ctx context.Context, actor Actor, id string) (Handover, error)
	// HandoverRotations says which schedule each role hands over on.
	HandoverRotations(ctx context.Context) ([]HandoverRotation, error)
	// HandOverRole hands an incident role over during the incident: the
	// holder (or an admin) to another person, with a note on the timeline.
	HandOverRole(ctx context.Context, actor Actor, ref, role string, in RoleHandoverInput) (*Incident, error)
}
