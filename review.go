package herald

import (
	"strings"
	"time"
)

// The states of a post-incident review (R54), as Review.State tells them.
//
// Both kinds start due (nothing written yet) and become a draft once the
// document's link is added. An internal review is then completed. An
// external review is written for customers, so the practice wants it
// reviewed and approved before it reaches them: an engineering manager or
// above approves the draft (CheckApproveReview), and only then is it
// published, as the post-mortem link on the status incidents of the
// incident (CheckPublishReview); publishing completes it. Changing an
// approved draft's link withdraws the approval: what was approved is a
// document, not a slot.
const (
	ReviewDue       = "due"
	ReviewDraft     = "draft"
	ReviewCompleted = "completed"
	ReviewApproved  = "approved"
	ReviewPublished = "published"
)

// ReviewState tells where a review stands from its recorded times.
func ReviewState(r Review) string {
	switch {
	case r.PublishedAt != nil:
		return ReviewPublished
	case r.Kind == ReviewExternal && r.ApprovedAt != nil:
		return ReviewApproved
	case r.Kind == ReviewInternal && r.CompletedAt != nil:
		return ReviewCompleted
	case r.Link != "":
		return ReviewDraft
	}
	return ReviewDue
}

// ReviewApprovalInput approves the external review's draft. Link, when
// given, is the document the approver read: if the draft's link has changed
// since, the approval is refused rather than given to a text nobody read.
type ReviewApprovalInput struct {
	Link string `json:"link,omitempty"`
}

// Normalize validates the approval.
func (in *ReviewApprovalInput) Normalize() error {
	in.Link = strings.TrimSpace(in.Link)
	if in.Link != "" {
		if err := CheckLink(in.Link); err != nil {
			return &Error{Code: EInvalid, Message: "link " + err.(*Error).Message, Fields: map[string]string{"link": err.(*Error).Message}}
		}
	}
	return nil
}

// CheckApproveReview says whether user may approve the review now (R54).
//
// Who approves: an engineering manager or above (User.Manager), the same
// people who approve emergency maintenance. The external review speaks to
// customers for the company, and it is usually written by the incident lead,
// so the lead approving it would be approving their own text; a manager
// answers for what the company tells its customers. A manager who is also
// the lead may approve.
func CheckApproveReview(r Review, user *User, link string) error {
	if r.Kind != ReviewExternal {
		return Errorf(EUnprocessable, "only the external review is approved (R54): the internal review stays inside the company")
	}
	if r.PublishedAt != nil {
		return Errorf(EConflict, "the external review was already published on %s", r.PublishedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if r.Link == "" {
		return Errorf(EUnprocessable, "nothing to approve yet: add the external review's draft (its link) first (R54)")
	}
	if link != "" && link != r.Link {
		return &Error{Code: EConflict, Message: "the external review's draft is now " + r.Link + ", not the document you approved; read it and approve again",
			Fields: map[string]string{"link": "is not the current draft"}}
	}
	if !user.Manager {
		return Errorf(EForbidden, "R54: the external review is approved by an engineering manager or above before it reaches customers; %s is not marked as one", user.Name)
	}
	if r.ApprovedAt != nil {
		return Errorf(EConflict, "the external review was already approved by %s", r.ApprovedByName)
	}
	return nil
}

// CheckPublishReview refuses to publish an external review to customers
// before it is approved (R54).
func CheckPublishReview(r Review) error {
	if r.Kind != ReviewExternal {
		return Errorf(EUnprocessable, "only the external review is published to customers (R54)")
	}
	if r.PublishedAt != nil {
		return Errorf(EConflict, "the external review was already published on %s", r.PublishedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if r.Link == "" {
		return Errorf(EUnprocessable, "R54: there is no external review to publish yet: add its draft, have it approved by an engineering manager, then publish")
	}
	if r.ApprovedAt == nil {
		return Errorf(EUnprocessable, "R54: the external review must be approved by an engineering manager or above before it is published to customers; it is still a draft")
	}
	return nil
}

// IsOverdue reports whether an open follow-up's due date has passed at now.
// A follow-up due on a day is on time all that day (UTC): it is overdue
// from the next midnight.
func (f FollowUp) IsOverdue(now time.Time) bool {
	if f.Done || f.DueDate == "" {
		return false
	}
	due, err := time.Parse(time.DateOnly, f.DueDate)
	return err == nil && !now.Before(due.AddDate(0, 0, 1))
}

// FollowUpFilter selects follow-ups across incidents.
type FollowUpFilter struct {
	// Overdue keeps only open follow-ups whose due date has passed.
	Overdue bool
	// Open keeps only follow-ups not done.
	Open bool
	// Owner keeps only the follow-ups a user owns (id or e-mail).
	Owner string
	// Limit caps the list (1 to 500, default 200).
	Limit int
}

// Normalize validates the filter.
func (f *FollowUpFilter) Normalize() error {
	f.Owner = strings.TrimSpace(f.Owner)
	if f.Limit == 0 {
		f.Limit = 200
	}
	if f.Limit < 1 || f.Limit > 500 {
		return &Error{Code: EInvalid, Message: "limit must be between 1 and 500", Fields: map[string]string{"limit": "must be between 1 and 500"}}
	}
	return nil
}

// Prompt kinds of R54.
const (
	// PromptReviewDue reminds the incident lead that a post-incident review
	// is due soon, or now.
	PromptReviewDue = "review_due"
	// PromptFollowUpOverdue tells a follow-up's owner it is overdue.
	PromptFollowUpOverdue = "follow_up_overdue"
)

// ReviewReminders say when the incident lead is reminded of a review that
// is not completed yet (R54), and whether follow-ups' owners are told when
// theirs become overdue.
type ReviewReminders struct {
	// Off turns review reminders off.
	Off bool `json:"off,omitempty"`
	// Before lists how long before a review's due time the lead is
	// reminded; "0s" is at the due time. Default: two days before, and at
	// the due time.
	Before []Duration `json:"before"`
	// FollowUpOwners tells a follow-up's owner (when the owner is a user)
	// once, when it becomes overdue.
	FollowUpOwners bool `json:"follow_up_owners"`
}

// ReviewReminderGrace is how long after a review's due time its last
// reminder may still go: a review long overdue when Herald starts again (or
// is upgraded) is not reminded out of the blue.
const ReviewReminderGrace = 24 * time.Hour

// FollowUpReminderWindow is how many days after becoming overdue a
// follow-up's owner may still be told, for the same reason.
const FollowUpReminderWindow = 7

// DefaultReviewReminders is the practice's timing: two days before a review
// is due, and at the due time.
func DefaultReviewReminders() ReviewReminders {
	return ReviewReminders{Before: []Duration{Duration(48 * time.Hour), 0}, FollowUpOwners: true}
}

func (r *ReviewReminders) validate(fe FieldErrors) {
	if len(r.Before) > 10 {
		fe.Add("playbook", "review_reminders.before takes at most 10 durations")
	}
	for _, d := range r.Before {
		if d < 0 || time.Duration(d) > 365*24*time.Hour {
			fe.Add("playbook", "review_reminders.before must be durations between 0s and 8760h")
			break
		}
	}
}

// Earliest is the longest lead time: a review is looked at from its due
// time minus this.
func (r ReviewReminders) Earliest() time.Duration {
	var max time.Duration
	for _, d := range r.Before {
		max = maxDuration(max, time.Duration(d))
	}
	return max
}

func maxDuration(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}

// At is the reminder of a review due at due that applies at now: the lead
// time it belongs to (ok false when none does). Only the latest reminder
// counts: after a pause one reminder says where things stand, not every one
// that was missed; none goes later than ReviewReminderGrace after the due
// time.
func (r ReviewReminders) At(now, due time.Time) (before time.Duration, ok bool) {
	if r.Off || now.Sub(due) >= ReviewReminderGrace {
		return 0, false
	}
	for _, d := range r.Before {
		b := time.Duration(d)
		if !now.Before(due.Add(-b)) && (!ok || b < before) {
			before, ok = b, true
		}
	}
	return before, ok
}
