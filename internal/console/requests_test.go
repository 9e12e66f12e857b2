package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// A responder opens a contact request in the console, it shows on Now
// until it is done, and the done request keeps what was sent (R61). A
// refused form keeps what was typed; a viewer reads but cannot act.
func TestRule61_ContactRequestsInTheConsole(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		b := e.browser(t)
		b.signIn("responder@example.com")
		form := url.Values{"from": {"security"}, "recipients": {"cust@example.org\nacme-admin"}, "reason": {"Exposed sessions"},
			"message": {"Please sign in again."}, "due_at": {"1999-01-01T00:00"}}
		res, body := b.post("/app/requests", form)
		mustStatus(t, "due in the past", res, body, http.StatusBadRequest)
		if !strings.Contains(body, "acme-admin") || !strings.Contains(body, "due_at") {
			t.Fatalf("the refused form lost its input or did not say why:\n%s", body)
		}
		form.Set("due_at", "")
		res, body = b.post("/app/requests", form)
		mustStatus(t, "open", res, body, http.StatusSeeOther)
		list, _ := e.db.Requests.ContactRequests(ctx, herald.ContactRequestFilter{Status: herald.RequestOpen})
		if len(list) != 1 || len(list[0].Recipients) != 2 || list[0].OwnerID != e.people[herald.RoleResponder].ID {
			t.Fatalf("stored: %+v", list)
		}
		id := list[0].ID
		if _, body := b.get("/app"); !strings.Contains(body, "Exposed sessions") {
			t.Fatalf("Now does not show the open request:\n%s", body)
		}

		viewer := e.browser(t)
		viewer.signIn("viewer@example.com")
		if _, body := viewer.get("/app/requests/" + id); !strings.Contains(body, "Please sign in again.") || strings.Contains(body, "Mark done") {
			t.Fatalf("viewer's view:\n%s", body)
		}
		if res, _ := viewer.post("/app/requests/"+id+"/complete", url.Values{"sent": {"x"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a viewer completed a request: %d", res.StatusCode)
		}

		res, body = b.post("/app/requests/"+id+"/notes", url.Values{"text": {"Waiting for approval."}})
		mustStatus(t, "note", res, body, http.StatusSeeOther)
		res, body = b.post("/app/requests/"+id+"/complete", url.Values{"sent": {""}})
		mustStatus(t, "done without the message", res, body, http.StatusBadRequest)
		res, body = b.post("/app/requests/"+id+"/complete", url.Values{"sent": {"Please sign in again."}, "reply": {"Done, thanks."}})
		mustStatus(t, "done", res, body, http.StatusSeeOther)
		cr, _ := e.db.Requests.ContactRequest(ctx, id)
		if cr.Status != herald.RequestDone || cr.Reply != "Done, thanks." || len(cr.Notes) != 2 {
			t.Fatalf("after done: %+v", cr)
		}
		if _, body := b.get("/app"); strings.Contains(body, "Exposed sessions") {
			t.Fatal("Now still shows the done request")
		}
		if _, body := b.get("/app/requests?show=closed"); !strings.Contains(body, "Exposed sessions") {
			t.Fatalf("closed list:\n%s", body)
		}
	})
}
