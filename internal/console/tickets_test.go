package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Support tickets in the console (R20): an admin connects the desk (the
// token is never shown again, a refused form keeps the rest), the
// incident shows its tag, keywords and window, a responder sweeps and
// tags the picked tickets, a confidential incident gets its tag by hand;
// a viewer sees no buttons and is refused.
func TestRule20_TicketsInTheConsole(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		const token = "zd-console-token-9f8e7d6c"
		e := newEnv(t, d)
		ctx := context.Background()
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		viewer := e.browser(t)
		viewer.signIn("viewer@example.com")
		b := e.browser(t)
		b.signIn("responder@example.com")

		if res, _ := viewer.get("/app/settings/tickets"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a viewer opened the ticket settings: %d", res.StatusCode)
		}
		form := url.Values{"kind": {"zendesk"}, "url": {"https://example.zendesk.com"}, "email": {"not an address"}, "token": {token}}
		res, body := admin.post("/app/settings/tickets/connection", form)
		mustStatus(t, "bad e-mail", res, body, http.StatusBadRequest)
		if !strings.Contains(body, "https://example.zendesk.com") || !strings.Contains(body, "email") || strings.Contains(body, token) {
			t.Fatalf("refused connection form:\n%s", body)
		}
		if _, err := e.db.Tickets.TicketConnection(ctx); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("a refused connection was stored: %v", err)
		}
		form.Set("email", "agent@example.com")
		res, body = admin.post("/app/settings/tickets/connection", form)
		mustStatus(t, "connect", res, body, http.StatusSeeOther)
		if _, body := admin.get("/app/settings/tickets"); strings.Contains(body, token) || !strings.Contains(body, "Set (never shown again)") {
			t.Fatalf("settings after connecting:\n%s", body)
		}

		inc, err := e.db.Incidents.DeclareIncident(ctx, herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder},
			herald.DeclareInput{Title: "Checkout errors", Severity: herald.S2, Services: []string{"checkout"}})
		if err != nil {
			t.Fatal(err)
		}
		path := "/app/incidents/" + inc.Reference
		tag := "incident_" + strings.TrimPrefix(inc.Reference, "INC-")
		if _, body := viewer.get(path); !strings.Contains(body, tag) || !strings.Contains(body, "checkout") || strings.Contains(body, "Sweep tickets") {
			t.Fatalf("viewer's incident view:\n%s", body)
		}
		if res, _ := viewer.post(path+"/tickets/sweep", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a viewer swept: %d", res.StatusCode)
		}
		res, body = b.post(path+"/tickets/sweep", url.Values{})
		mustStatus(t, "sweep", res, body, http.StatusSeeOther)

		// The worker's part, done here: the desk found two untagged tickets.
		job, err := e.db.Work.ClaimTicketSweep(ctx)
		if err != nil || job == nil || job.Credentials.Token != token {
			t.Fatalf("claim: %v %v", job, err)
		}
		found := []herald.Ticket{{ID: "41", Subject: "Checkout broken", CreatedAt: e.clock.Now()}, {ID: "42", Subject: "Cannot pay", CreatedAt: e.clock.Now()}}
		if err := e.db.Work.FinishTicketSweep(ctx, job, found, nil, nil); err != nil {
			t.Fatal(err)
		}
		_, body = b.get(path)
		if !strings.Contains(body, "Checkout broken") || !strings.Contains(body, `value="42"`) || !strings.Contains(body, "2 untagged tickets found") {
			t.Fatalf("sweep result on the incident:\n%s", body)
		}
		res, body = b.post(path+"/tickets/tag", url.Values{"ticket": {"99"}})
		mustStatus(t, "tag a ticket not found", res, body, http.StatusBadRequest)
		res, body = b.post(path+"/tickets/tag", url.Values{"ticket": {"42"}})
		mustStatus(t, "tag", res, body, http.StatusSeeOther)
		c, _ := e.db.Tickets.IncidentTickets(ctx, inc.Reference)
		if len(c.Sweeps) != 2 || c.Sweeps[0].Kind != herald.SweepTag || len(c.Sweeps[0].TicketIDs) != 1 || c.Sweeps[0].TicketIDs[0] != "42" {
			t.Fatalf("sweeps after tagging %+v", c.Sweeps)
		}

		// A confidential incident's tag by hand.
		e.clock.Advance(time.Minute)
		conf, err := e.db.Incidents.DeclareIncident(ctx, herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder},
			herald.DeclareInput{Title: "Data exposure", Severity: herald.S2, Confidential: true})
		if err != nil {
			t.Fatal(err)
		}
		cpath := "/app/incidents/" + conf.Reference
		suggested := "com_incident_" + strings.TrimPrefix(conf.Reference, "INC-")
		if _, body := b.get(cpath); !strings.Contains(body, "None yet") || !strings.Contains(body, suggested) {
			t.Fatalf("confidential incident view:\n%s", body)
		}
		res, body = b.post(cpath+"/tickets", url.Values{"tag": {"Has Spaces"}, "keywords": {"export, data"}})
		mustStatus(t, "bad tag", res, body, http.StatusBadRequest)
		if !strings.Contains(body, "Has Spaces") {
			t.Fatalf("the refused form lost its input:\n%s", body)
		}
		if c, _ := e.db.Tickets.IncidentTickets(ctx, conf.Reference); c.Tag != "" {
			t.Fatalf("a refused tag was stored: %+v", c)
		}
		res, body = b.post(cpath+"/tickets", url.Values{"tag": {suggested}, "keywords": {"export, data"}})
		mustStatus(t, "tag by hand", res, body, http.StatusSeeOther)
		if c, _ := e.db.Tickets.IncidentTickets(ctx, conf.Reference); c.Tag != suggested || !c.Manual || len(c.Keywords) != 2 {
			t.Fatalf("after setting the tag %+v", c)
		}

		res, body = admin.post("/app/settings/tickets", url.Values{"tag_prefix": {"Bad Prefix"}, "confidential_prefix": {"com_incident"}, "window_margin": {"24h"}})
		mustStatus(t, "bad prefix", res, body, http.StatusBadRequest)
		res, body = admin.post("/app/settings/tickets/disconnect", url.Values{})
		mustStatus(t, "disconnect", res, body, http.StatusSeeOther)
		if _, err := e.db.Tickets.TicketConnection(ctx); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("still connected: %v", err)
		}
	})
}
