package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// wantRule is wantCode for a refusal that must name its rule.
func wantRule(t *testing.T, err error, code, rule string) {
	t.Helper()
	wantCode(t, err, code)
	if !strings.Contains(err.Error(), rule) {
		t.Fatalf("error %q does not name %s", err, rule)
	}
}

// R54: the external review reaches customers only once an engineering
// manager has approved it; publishing links it on the status page.
func TestRule54_ExternalReviewIsApprovedBeforeItIsPublished(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		inc := f.declare(t, herald.S1)
		si := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, inc.ID)
		external := func() herald.Review {
			t.Helper()
			rs, err := f.db.Incidents.Reviews(f.ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if r.Kind == herald.ReviewExternal {
					return r
				}
			}
			t.Fatalf("no external review in %+v", rs)
			return herald.Review{}
		}
		postmortem := func() string {
			t.Helper()
			s, err := f.db.StatusPage.StatusIncident(f.ctx, si.ID)
			if err != nil {
				t.Fatal(err)
			}
			return s.PostmortemURL
		}
		f.clock.Advance(time.Hour)
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: inc.Version, State: ptr(herald.Resolved)}); err != nil {
			t.Fatal(err)
		}
		if r := external(); r.State != herald.ReviewDue {
			t.Fatalf("scheduled review: %+v", r)
		}
		_, err := f.db.Incidents.PublishReview(f.ctx, f.alice, inc.ID)
		wantRule(t, err, herald.EUnprocessable, "R54")

		draft := "https://docs.example.com/pm/1"
		r, err := f.db.Incidents.Review(f.ctx, f.alice, inc.ID, herald.ReviewInput{Kind: "external", Link: draft})
		if err != nil || r.State != herald.ReviewDraft || r.Link != draft {
			t.Fatalf("draft: %+v %v", r, err)
		}
		// A draft reaches nobody: not by publishing, not through the status
		// page's post-mortem form, not by calling it completed.
		_, err = f.db.Incidents.PublishReview(f.ctx, f.alice, inc.ID)
		wantRule(t, err, herald.EUnprocessable, "R54")
		_, err = f.db.Incidents.Review(f.ctx, f.alice, inc.ID, herald.ReviewInput{Kind: "external", Completed: true})
		wantRule(t, err, herald.EUnprocessable, "R54")
		f.update(t, si.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."})
		_, err = f.db.StatusPage.SetPostmortem(f.ctx, f.alice, si.ID, draft)
		wantRule(t, err, herald.EUnprocessable, "R54")
		if got := postmortem(); got != "" {
			t.Fatalf("an unapproved post-mortem reached the page: %q", got)
		}

		// Only an engineering manager approves, and only what they read.
		_, err = f.db.Incidents.ApproveReview(f.ctx, f.alice, inc.ID, herald.ReviewApprovalInput{})
		wantRule(t, err, herald.EForbidden, "R54")
		_, err = f.db.Incidents.ApproveReview(f.ctx, f.carol, inc.ID, herald.ReviewApprovalInput{Link: "https://docs.example.com/pm/old"})
		wantCode(t, err, herald.EConflict)
		if r := external(); r.State != herald.ReviewDraft || r.ApprovedAt != nil {
			t.Fatalf("refused approvals changed the review: %+v", r)
		}
		r, err = f.db.Incidents.ApproveReview(f.ctx, f.carol, inc.ID, herald.ReviewApprovalInput{Link: draft})
		if err != nil || r.State != herald.ReviewApproved || r.ApprovedBy != f.carol.User.ID || r.ApprovedByName != "Carol" || !r.ApprovedAt.Equal(f.clock.Now()) {
			t.Fatalf("approved: %+v %v", r, err)
		}

		// A new draft needs a new approval.
		f.clock.Advance(time.Hour)
		second := "https://docs.example.com/pm/2"
		if r, err = f.db.Incidents.Review(f.ctx, f.alice, inc.ID, herald.ReviewInput{Kind: "external", Link: second}); err != nil || r.State != herald.ReviewDraft || r.ApprovedAt != nil {
			t.Fatalf("changed draft: %+v %v", r, err)
		}
		_, err = f.db.Incidents.PublishReview(f.ctx, f.alice, inc.ID)
		wantRule(t, err, herald.EUnprocessable, "R54")
		if _, err = f.db.Incidents.ApproveReview(f.ctx, f.carol, inc.ID, herald.ReviewApprovalInput{}); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.StatusPage.SetPostmortem(f.ctx, f.alice, si.ID, draft)
		wantRule(t, err, herald.EUnprocessable, "R54")

		f.clock.Advance(time.Hour)
		r, err = f.db.Incidents.PublishReview(f.ctx, f.alice, inc.ID)
		if err != nil || r.State != herald.ReviewPublished || !r.PublishedAt.Equal(f.clock.Now()) || r.CompletedAt == nil || r.PublishedByName != "Alice" {
			t.Fatalf("published: %+v %v", r, err)
		}
		if got := postmortem(); got != second {
			t.Fatalf("post-mortem on the page %q, want %q", got, second)
		}
		_, err = f.db.Incidents.PublishReview(f.ctx, f.alice, inc.ID)
		wantCode(t, err, herald.EConflict)
		_, err = f.db.Incidents.Review(f.ctx, f.alice, inc.ID, herald.ReviewInput{Kind: "external", Link: draft})
		wantCode(t, err, herald.EConflict)

		rec, _ := f.db.Incidents.Export(f.ctx, inc.ID)
		if md := rec.Markdown(); !strings.Contains(md, "- External review: published to customers "+f.clock.Now().Format("2006-01-02 15:04")) || !strings.Contains(md, "approved by Carol <"+second+">") {
			t.Fatalf("export:\n%s", md)
		}
		// Completing the internal review with its link is one entry, not a
		// draft and a completion.
		if _, err := f.db.Incidents.Review(f.ctx, f.alice, inc.ID, herald.ReviewInput{Kind: "internal", Completed: true, Link: "https://docs.example.com/rca"}); err != nil {
			t.Fatal(err)
		}
		entries, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryReview)
		if last := entries[len(entries)-1].Text; last != "Internal review completed: https://docs.example.com/rca" || strings.Contains(entries[len(entries)-2].Text, "Internal review draft") {
			t.Fatalf("completing with a link: %q", last)
		}
		var texts []string
		for _, e := range entries {
			texts = append(texts, e.Text)
		}
		all := strings.Join(texts, "\n")
		for _, want := range []string{"External review draft: " + draft, "External review approved by Carol", "approval by Carol is withdrawn",
			"External review published to customers: " + second + ` (post-mortem link on the status page: "API errors")`} {
			if !strings.Contains(all, want) {
				t.Fatalf("timeline lacks %q:\n%s", want, all)
			}
		}
	})
}

// The status page's own post-mortem form is held to R54 too: for an S1 (its
// external review is required) the link must be the approved review, and
// linking it publishes the review; a severity without an external review
// links freely; an open status incident waits for resolution (R17).
func TestRule54_PostmortemLinkIsTheApprovedExternalReview(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		s1 := f.declare(t, herald.S1)
		s3 := f.declare(t, herald.S3)
		a := f.statusIncident(t, "Errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, s1.ID)
		b := f.statusIncident(t, "Slowness", map[string]herald.ComponentStatus{api.ID: herald.DegradedPerformance}, s3.ID)
		link := "https://docs.example.com/pm/9"
		f.update(t, a.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."})
		// Not resolved internally yet, so no review is scheduled: still R54.
		_, err := f.db.StatusPage.SetPostmortem(f.ctx, f.alice, a.ID, link)
		wantRule(t, err, herald.EUnprocessable, "R54")
		if _, err := f.db.Incidents.Review(f.ctx, f.alice, s1.ID, herald.ReviewInput{Kind: "external", Link: link}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Incidents.ApproveReview(f.ctx, f.carol, s1.ID, herald.ReviewApprovalInput{Link: link}); err != nil {
			t.Fatal(err)
		}
		s, err := f.db.StatusPage.SetPostmortem(f.ctx, f.alice, a.ID, link)
		if err != nil || s.PostmortemURL != link {
			t.Fatalf("approved post-mortem: %+v %v", s, err)
		}
		rs, _ := f.db.Incidents.Reviews(f.ctx, s1.ID)
		if len(rs) != 1 || rs[0].State != herald.ReviewPublished {
			t.Fatalf("linking the approved review publishes it: %+v", rs)
		}

		// S3: no external review by the policy.
		f.update(t, b.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."})
		if _, err := f.db.StatusPage.SetPostmortem(f.ctx, f.alice, b.ID, "https://docs.example.com/pm/10"); err != nil {
			t.Fatal(err)
		}

		// Publishing waits for every status incident of the incident to be
		// resolved (R17).
		s1b := f.declare(t, herald.S1)
		c := f.statusIncident(t, "Outage", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, s1b.ID)
		f.db.Incidents.Review(f.ctx, f.alice, s1b.ID, herald.ReviewInput{Kind: "external", Link: link})
		if _, err := f.db.Incidents.ApproveReview(f.ctx, f.carol, s1b.ID, herald.ReviewApprovalInput{}); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Incidents.PublishReview(f.ctx, f.alice, s1b.ID)
		wantRule(t, err, herald.EUnprocessable, "R17")
		f.update(t, c.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."})
		if _, err := f.db.Incidents.PublishReview(f.ctx, f.alice, s1b.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// R54: follow-ups have owners who can be reached (a user by id or e-mail)
// and due dates; the overdue ones are listed across incidents, by the
// injected clock.
func TestRule54_FollowUpOwnersAndOverdueList(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		one, two := f.declare(t, herald.S1), f.declare(t, herald.S2)
		today := f.clock.Now().Format(time.DateOnly)
		tomorrow := f.clock.Now().AddDate(0, 0, 1).Format(time.DateOnly)
		add := func(inc *herald.Incident, title, owner, due string) herald.FollowUp {
			t.Helper()
			fu, err := f.db.Incidents.AddFollowUp(f.ctx, f.alice, inc.ID, herald.FollowUpInput{Title: &title, Owner: &owner, DueDate: &due})
			if err != nil {
				t.Fatal(err)
			}
			return fu
		}
		byBob := add(one, "Add an index", "bob@example.com", tomorrow)
		if byBob.OwnerID != f.bob.User.ID || byBob.Owner != "Bob" || byBob.IncidentReference != one.Reference {
			t.Fatalf("owner by e-mail: %+v", byBob)
		}
		byTeam := add(two, "Alert on latency", "Platform team", today)
		if byTeam.OwnerID != "" || byTeam.Owner != "Platform team" {
			t.Fatalf("owner by name: %+v", byTeam)
		}
		byID := add(two, "Runbook", f.carol.User.ID, "")
		if byID.OwnerID != f.carol.User.ID || byID.Owner != "Carol" {
			t.Fatalf("owner by id: %+v", byID)
		}
		title, nobody := "x", "nobody@example.com"
		_, err := f.db.Incidents.AddFollowUp(f.ctx, f.alice, one.ID, herald.FollowUpInput{Title: &title, Owner: &nobody})
		wantCode(t, err, herald.EInvalid)

		overdue := func() []string {
			t.Helper()
			list, err := f.db.Incidents.ListFollowUps(f.ctx, herald.FollowUpFilter{Overdue: true})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, fu := range list {
				if !fu.Overdue {
					t.Fatalf("listed as overdue but not marked: %+v", fu)
				}
				out = append(out, fu.IncidentReference+" "+fu.Title)
			}
			return out
		}
		if got := overdue(); len(got) != 0 {
			t.Fatalf("nothing is overdue yet: %v", got)
		}
		// Due today is on time all day (UTC).
		f.clock.Advance(14*time.Hour + 59*time.Minute)
		if got := overdue(); len(got) != 0 {
			t.Fatalf("due today, at 23:59: %v", got)
		}
		f.clock.Advance(time.Minute)
		if got := strings.Join(overdue(), ","); got != two.Reference+" Alert on latency" {
			t.Fatalf("overdue after midnight: %q", got)
		}
		f.clock.Advance(24 * time.Hour)
		if got := strings.Join(overdue(), ","); got != two.Reference+" Alert on latency,"+one.Reference+" Add an index" {
			t.Fatalf("overdue a day later, by due date: %q", got)
		}
		fus, _ := f.db.Incidents.FollowUps(f.ctx, one.ID)
		if len(fus) != 1 || !fus[0].Overdue {
			t.Fatalf("the incident's list marks it overdue: %+v", fus)
		}
		rec, _ := f.db.Incidents.Export(f.ctx, one.ID)
		if md := rec.Markdown(); !strings.Contains(md, "- [ ] Add an index (owner: Bob, due: "+tomorrow+", overdue)") {
			t.Fatalf("export:\n%s", md)
		}
		// Done is not overdue; the owner filter takes a user.
		if _, err := f.db.Incidents.UpdateFollowUp(f.ctx, f.alice, two.ID, byTeam.ID, herald.FollowUpInput{Done: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(overdue(), ","); got != one.Reference+" Add an index" {
			t.Fatalf("after done: %q", got)
		}
		mine, err := f.db.Incidents.ListFollowUps(f.ctx, herald.FollowUpFilter{Owner: "carol@example.com"})
		if err != nil || len(mine) != 1 || mine[0].ID != byID.ID {
			t.Fatalf("carol's: %+v %v", mine, err)
		}
		// Handing it to a user is recorded, and reaches them.
		fu, err := f.db.Incidents.UpdateFollowUp(f.ctx, f.alice, one.ID, byBob.ID, herald.FollowUpInput{Owner: ptr("carol@example.com")})
		if err != nil || fu.OwnerID != f.carol.User.ID || fu.Owner != "Carol" {
			t.Fatalf("new owner: %+v %v", fu, err)
		}
		open, _ := f.db.Incidents.ListFollowUps(f.ctx, herald.FollowUpFilter{Open: true})
		if len(open) != 2 {
			t.Fatalf("open follow-ups: %+v", open)
		}
	})
}
