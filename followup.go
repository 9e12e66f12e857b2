package herald

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// FollowUp is a corrective action that comes out of an incident (R54): who
// owns it, when it is due, where it is tracked, and whether it is done.
type FollowUp struct {
	ID         string `json:"id"`
	IncidentID string `json:"incident_id"`
	Title      string `json:"title"`
	Owner      string `json:"owner"`
	// OwnerID is the owner's user id when the owner is a Herald user (given
	// by id or e-mail), so reminders reach them; Owner is then their name.
	OwnerID   string     `json:"owner_id,omitempty"`
	DueDate   string     `json:"due_date,omitempty"` // YYYY-MM-DD
	Link      string     `json:"link,omitempty"`
	Done      bool       `json:"done"`
	CreatedAt time.Time  `json:"created_at"`
	DoneAt    *time.Time `json:"done_at"`
	// IncidentReference is the incident's reference (INC-42).
	IncidentReference string `json:"incident_reference,omitempty"`
	// Overdue says the follow-up is open past its due date (IsOverdue) at
	// the time it was read.
	Overdue bool `json:"overdue"`
}

// FollowUpInput creates a follow-up or, with pointers set, changes one.
type FollowUpInput struct {
	Title *string `json:"title,omitempty" required:"create"`
	// Owner is a user's id or e-mail (then reminders can reach them), or a
	// name ("Platform team"). An e-mail address that is no user's is refused.
	Owner   *string `json:"owner,omitempty"`
	DueDate *string `json:"due_date,omitempty"`
	Link    *string `json:"link,omitempty"`
	Done    *bool   `json:"done,omitempty"`
}

// Normalize validates the set fields; creating requires a title.
func (in *FollowUpInput) Normalize(creating bool) error {
	fe := FieldErrors{}
	trim := func(p *string) {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
	trim(in.Title)
	trim(in.Owner)
	trim(in.DueDate)
	trim(in.Link)
	if in.Title != nil {
		checkText(fe, "title", *in.Title, MaxTitleLen, true)
	} else if creating {
		fe.Add("title", "is required")
	}
	if in.Owner != nil {
		checkText(fe, "owner", *in.Owner, MaxNameLen, false)
	}
	if in.DueDate != nil && *in.DueDate != "" {
		if _, err := time.Parse(time.DateOnly, *in.DueDate); err != nil {
			fe.Add("due_date", "must be a date like 2026-12-01")
		}
	}
	if in.Link != nil && *in.Link != "" {
		if err := CheckLink(*in.Link); err != nil {
			fe.Add("link", err.Error())
		}
	}
	if !creating && in.Title == nil && in.Owner == nil && in.DueDate == nil && in.Link == nil && in.Done == nil {
		return &Error{Code: EInvalid, Message: "nothing to change: set at least one of title, owner, due_date, link, done"}
	}
	return fe.Err()
}

// CheckLink accepts only absolute http and https URLs: a link shown to people
// must not be able to run script (javascript:) or reach local files.
func CheckLink(s string) error {
	if len(s) > 2000 {
		return Errorf(EInvalid, "%s", tooLong(len(s), 2000, "characters"))
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Errorf(EInvalid, "must be an http or https URL")
	}
	return nil
}

// Review is a post-incident review (RCA) that is due: internal, or external
// for customers (R54).
type Review struct {
	IncidentID  string     `json:"incident_id"`
	Kind        string     `json:"kind" enum:"review_kind"`
	DueAt       time.Time  `json:"due_at"`
	RequestedBy string     `json:"requested_by"` // empty when the policy made it due
	CompletedAt *time.Time `json:"completed_at"`
	Link        string     `json:"link,omitempty"`
	// State is due, draft, completed (internal), approved or published
	// (external): see ReviewState.
	State string `json:"state"`
	// ApprovedBy (user id) approved the external review's draft, at
	// ApprovedAt (R54).
	ApprovedBy     string     `json:"approved_by,omitempty"`
	ApprovedByName string     `json:"approved_by_name,omitempty"`
	ApprovedAt     *time.Time `json:"approved_at"`
	// PublishedAt is when the approved external review reached customers.
	PublishedAt     *time.Time `json:"published_at"`
	PublishedByName string     `json:"published_by_name,omitempty"`
}

// ReviewInput requests a review or records it as done.
type ReviewInput struct {
	Kind      string `json:"kind" required:"true" enum:"review_kind"`
	Completed bool   `json:"completed"`
	Link      string `json:"link"`
}

// Normalize validates the review request.
func (in *ReviewInput) Normalize() error {
	fe := FieldErrors{}
	in.Kind = strings.ToLower(strings.TrimSpace(in.Kind))
	if !slices.Contains(ReviewKinds, in.Kind) {
		fe.Add("kind", "must be internal or external")
	}
	in.Link = strings.TrimSpace(in.Link)
	if in.Link != "" {
		if err := CheckLink(in.Link); err != nil {
			fe.Add("link", err.Error())
		}
	}
	return fe.Err()
}

// RoleInput assigns an incident role to a user.
type RoleInput struct {
	User string `json:"user" required:"true"` // user id or e-mail
}
