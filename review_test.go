package herald

import (
	"testing"
	"time"
)

func TestRule54_ReviewReminderAt(t *testing.T) {
	due := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	r := DefaultReviewReminders()
	for _, c := range []struct {
		now    time.Time
		before time.Duration
		ok     bool
	}{
		{due.Add(-49 * time.Hour), 0, false},
		{due.Add(-48 * time.Hour), 48 * time.Hour, true},
		{due.Add(-time.Second), 48 * time.Hour, true},
		{due, 0, true},
		// After a pause only the latest reminder, and none a day late.
		{due.Add(23 * time.Hour), 0, true},
		{due.Add(ReviewReminderGrace), 0, false},
	} {
		before, ok := r.At(c.now, due)
		if before != c.before || ok != c.ok {
			t.Errorf("at %v: %v %v, want %v %v", c.now.Sub(due), before, ok, c.before, c.ok)
		}
	}
	r.Off = true
	if _, ok := r.At(due, due); ok {
		t.Error("off reminds")
	}
	s := DefaultSettings()
	s.Playbook.Reviews.Before = []Duration{-1}
	if err := s.Validate(); err == nil {
		t.Error("a negative lead time is accepted")
	}
}

func TestRule54_WhoApprovesAndWhenItMayBePublished(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	draft := Review{Kind: ReviewExternal, Link: "https://docs.example.com/pm"}
	manager, lead := &User{Name: "Grace", Manager: true}, &User{Name: "Lee"}
	for name, c := range map[string]struct {
		r    Review
		u    *User
		link string
		code string
	}{
		"a manager approves the draft":   {draft, manager, "", ""},
		"the lead is no manager":         {draft, lead, "", EForbidden},
		"nothing to approve":             {Review{Kind: ReviewExternal}, manager, "", EUnprocessable},
		"not the draft the manager read": {draft, manager, "https://docs.example.com/old", EConflict},
		"the internal review stays home": {Review{Kind: ReviewInternal, Link: "https://x.example.com"}, manager, "", EUnprocessable},
		"already published":              {Review{Kind: ReviewExternal, Link: "https://x.example.com", PublishedAt: &now}, manager, "", EConflict},
	} {
		if got := ErrorCode(CheckApproveReview(c.r, c.u, c.link)); got != c.code {
			t.Errorf("%s: %q, want %q", name, got, c.code)
		}
	}
	if err := CheckPublishReview(draft); ErrorCode(err) != EUnprocessable {
		t.Errorf("publishing a draft: %v", err)
	}
	approved := draft
	approved.ApprovedAt = &now
	if err := CheckPublishReview(approved); err != nil {
		t.Errorf("publishing the approved review: %v", err)
	}
	if ReviewState(approved) != ReviewApproved || ReviewState(draft) != ReviewDraft || ReviewState(Review{Kind: ReviewInternal}) != ReviewDue {
		t.Error("states")
	}
}
