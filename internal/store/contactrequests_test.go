package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// A contact request is tracked from the request to done, with what was
// sent and the reply, on its incident's timeline; it stays with its owner
// and shows as overdue past its due time (R61).
func TestRule61_ContactRequestsAreTrackedToCompletion(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc, err := f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: "Leaked session tokens", Severity: herald.S1})
		if err != nil {
			t.Fatal(err)
		}
		due := f.clock.Now().Add(2 * time.Hour)
		in := herald.ContactRequestInput{From: "security", Recipients: []string{"cust-1@example.org", " acme-admin ", "cust-1@example.org"},
			Reason: "Their sessions were exposed", Message: "Please sign in again and rotate your API keys.", DueAt: &due,
			Incident: inc.Reference, Owner: "bob@example.com"}
		req, err := f.db.Requests.OpenContactRequest(f.ctx, f.alice, in)
		if err != nil {
			t.Fatal(err)
		}
		if req.Status != herald.RequestOpen || req.OwnerID != f.bob.User.ID || strings.Join(req.Recipients, ",") != "cust-1@example.org,acme-admin" ||
			req.IncidentReference != inc.Reference || req.Overdue {
			t.Fatalf("opened: %+v", req)
		}
		if _, err := f.db.Requests.NoteContactRequest(f.ctx, f.bob, req.ID, "Drafted; waiting for the security team's approval."); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(3 * time.Hour)
		open, err := f.db.Requests.ContactRequests(f.ctx, herald.ContactRequestFilter{Status: herald.RequestOpen, Owner: "bob@example.com"})
		if err != nil || len(open) != 1 || !open[0].Overdue {
			t.Fatalf("Bob's open requests: %+v %v", open, err)
		}
		if mine, _ := f.db.Requests.ContactRequests(f.ctx, herald.ContactRequestFilter{Owner: "alice@example.com"}); len(mine) != 0 {
			t.Fatalf("the request moved to who opened it: %+v", mine)
		}

		if _, err := f.db.Requests.CompleteContactRequest(f.ctx, f.bob, req.ID, herald.ContactRequestClose{}); herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("done without saying what was sent: %v", err)
		}
		done, err := f.db.Requests.CompleteContactRequest(f.ctx, f.bob, req.ID, herald.ContactRequestClose{Sent: in.Message, Reply: "Rotated, thanks."})
		if err != nil || done.Status != herald.RequestDone || done.Reply != "Rotated, thanks." || done.ClosedAt == nil || done.Overdue || len(done.Notes) != 2 {
			t.Fatalf("done: %+v %v", done, err)
		}
		if _, err := f.db.Requests.CancelContactRequest(f.ctx, f.bob, req.ID, herald.ContactRequestClose{Reason: "late"}); herald.ErrorCode(err) != herald.EConflict {
			t.Fatalf("cancelling a done request: %v", err)
		}
		if _, err := f.db.Requests.NoteContactRequest(f.ctx, f.bob, req.ID, "more"); herald.ErrorCode(err) != herald.EConflict {
			t.Fatalf("a note on a done request: %v", err)
		}
		tl, err := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryContactRequest)
		if err != nil || len(tl) != 2 || !strings.Contains(tl[0].Text, "owned by Bob") || !strings.Contains(tl[1].Text, "is done") {
			t.Fatalf("timeline: %+v %v", tl, err)
		}

		// Cancelled with a reason; without an incident nothing is on a timeline.
		other, err := f.db.Requests.OpenContactRequest(f.ctx, f.carol, herald.ContactRequestInput{From: "infrastructure", Recipients: []string{"big-customer"},
			Reason: "Their runner fleet hits a rate limit", Message: "We will raise your limit tonight."})
		if err != nil || other.OwnerID != f.carol.User.ID {
			t.Fatalf("open without owner: %+v %v", other, err)
		}
		if _, err := f.db.Requests.CancelContactRequest(f.ctx, f.carol, other.ID, herald.ContactRequestClose{}); herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("cancel without a reason: %v", err)
		}
		if c, err := f.db.Requests.CancelContactRequest(f.ctx, f.carol, other.ID, herald.ContactRequestClose{Reason: "The limit was raised by the platform team."}); err != nil || c.Status != herald.RequestCancelled {
			t.Fatalf("cancel: %+v %v", c, err)
		}
	})
}

// Bad input names the field and changes nothing.
func TestContactRequests_BadInput(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		past := f.clock.Now().Add(-time.Minute)
		ok := herald.ContactRequestInput{From: "security", Recipients: []string{"a@example.org"}, Reason: "r", Message: "m"}
		for _, tc := range []struct {
			name, field, code string
			mod               func(*herald.ContactRequestInput)
		}{
			{"no from", "from", herald.EInvalid, func(in *herald.ContactRequestInput) { in.From = " " }},
			{"no recipients", "recipients", herald.EInvalid, func(in *herald.ContactRequestInput) { in.Recipients = []string{" "} }},
			{"bad address", "recipients", herald.EInvalid, func(in *herald.ContactRequestInput) { in.Recipients = []string{"bob@@example"} }},
			{"no message", "message", herald.EInvalid, func(in *herald.ContactRequestInput) { in.Message = "" }},
			{"due in the past", "due_at", herald.EInvalid, func(in *herald.ContactRequestInput) { in.DueAt = &past }},
			{"unknown owner", "owner", herald.EInvalid, func(in *herald.ContactRequestInput) { in.Owner = "ghost@example.com" }},
			{"unknown incident", "", herald.ENotFound, func(in *herald.ContactRequestInput) { in.Incident = "INC-404" }},
		} {
			in := ok
			tc.mod(&in)
			_, err := f.db.Requests.OpenContactRequest(f.ctx, f.alice, in)
			var he *herald.Error
			if !asError(err, &he) || he.Code != tc.code || (tc.field != "" && he.Fields[tc.field] == "") {
				t.Errorf("%s: %v, want %s naming %q", tc.name, err, tc.code, tc.field)
			}
		}
		if all, _ := f.db.Requests.ContactRequests(f.ctx, herald.ContactRequestFilter{}); len(all) != 0 {
			t.Fatalf("refused requests were stored: %+v", all)
		}
		if _, err := f.db.Requests.ContactRequests(f.ctx, herald.ContactRequestFilter{Status: "pending"}); herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("unknown status filter: %v", err)
		}
	})
}
