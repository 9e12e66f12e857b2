package console_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// TestRule08_ChecklistOnTheIncidentScreen: the incident shows both roles'
// lists by stage with their state in words; a responder checks and
// unchecks an item with a plain form (recorded on the timeline), an
// automatic item by hand only with a note (refused without, the screen
// shown again); a viewer sees no buttons and is refused.
func TestRule08_ChecklistOnTheIncidentScreen(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		inc := e.declare(t, "Checkout fails", herald.S1)
		path := "/app/incidents/" + inc.Reference

		v := e.browser(t)
		v.signIn("viewer@example.com")
		res, body := v.get(path)
		for _, want := range []string{`id="h-checklist"`, "Communications Manager", "Incident Lead", "Engage", "Monitor", "Join the incident channel and call",
			"Herald checks this when it sees it done", "own page is resolved only once every other Engage task is done", "Inform the director"} {
			if res.StatusCode != 200 || !strings.Contains(body, want) {
				t.Fatalf("incident screen lacks %q: %d", want, res.StatusCode)
			}
		}
		if strings.Contains(body, `/checklist"`) {
			t.Fatal("a viewer sees checklist forms")
		}
		check := url.Values{"role": {"communications"}, "item": {"join_call"}, "checked": {"true"}}
		if res, _ := v.post(path+"/checklist", check); res.StatusCode != 403 {
			t.Fatalf("viewer checks: %d", res.StatusCode)
		}

		b := e.browser(t)
		b.signIn("responder@example.com")
		_, body = b.get(path)
		if !strings.Contains(body, `aria-label="Check: Join the incident channel and call`) || !strings.Contains(body, `<label for="cl-note-communications-create_status_incident">`) {
			t.Fatal("no check buttons for a responder")
		}
		res, _ = b.post(path+"/checklist", check)
		if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), path+"?flash=") {
			t.Fatalf("check: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		c, err := e.db.Incidents.Checklist(context.Background(), inc.Reference)
		if err != nil {
			t.Fatal(err)
		}
		it := c.Lists[1].Stages[0].Items[1]
		if it.Key != "join_call" || !it.Checked || it.How != herald.CheckedManual || it.By != "responder person" {
			t.Fatalf("after the form: %+v", it)
		}
		_, body = b.get(path)
		if !strings.Contains(body, `aria-label="Uncheck: Join the incident channel and call`) || !strings.Contains(body, "checked by hand · responder person") {
			t.Fatal("the checked item is not shown as checked by hand")
		}

		// An automatic item without a note: refused, shown again, nothing recorded.
		res, body = b.post(path+"/checklist", url.Values{"role": {"communications"}, "item": {"create_status_incident"}, "checked": {"true"}})
		if res.StatusCode != 400 || !strings.Contains(body, "Not done:") || !strings.Contains(body, "say in a note why") {
			t.Fatalf("automatic item without a note: %d", res.StatusCode)
		}
		if tl := e.timeline(t, inc.Reference, herald.EntryChecklist); len(tl) != 1 {
			t.Fatalf("timeline %+v", tl)
		}
		res, _ = b.post(path+"/checklist", url.Values{"role": {"communications"}, "item": {"create_status_incident"}, "checked": {"true"}, "note": {"the lead decided against a status page"}})
		if res.StatusCode != 303 {
			t.Fatalf("automatic item with a note: %d", res.StatusCode)
		}
		res, _ = b.post(path+"/checklist", url.Values{"role": {"communications"}, "item": {"join_call"}, "checked": {"false"}})
		if res.StatusCode != 303 {
			t.Fatalf("uncheck: %d", res.StatusCode)
		}
		tl := e.timeline(t, inc.Reference, herald.EntryChecklist)
		if len(tl) != 3 || !strings.HasPrefix(tl[2].Text, "Unchecked") || tl[2].Actor != "responder person" {
			t.Fatalf("timeline %+v", tl)
		}
	})
}

// TestRule08_ChecklistsInTheSettings: an admin sees the lists and saves
// edited ones; invalid ones are shown again as typed with the field that
// is wrong, and change nothing; others are refused.
func TestRule08_ChecklistsInTheSettings(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		r := e.browser(t)
		r.signIn("responder@example.com")
		if res, _ := r.get("/app/settings/checklists"); res.StatusCode != 403 {
			t.Fatalf("responder reads: %d", res.StatusCode)
		}
		if res, _ := r.post("/app/settings/checklists", url.Values{"checklists": {"{}"}}); res.StatusCode != 403 {
			t.Fatalf("responder saves: %d", res.StatusCode)
		}

		b := e.browser(t)
		b.signIn("admin@example.com")
		_, body := b.get("/app/settings")
		if !strings.Contains(body, `href="/app/settings/checklists"`) {
			t.Fatal("settings do not link the checklists")
		}
		res, body := b.get("/app/settings/checklists")
		if res.StatusCode != 200 || !strings.Contains(body, "<code>page_acknowledged</code>") || !strings.Contains(body, "(holds the page)") || !strings.Contains(body, `<label for="cl-json">`) {
			t.Fatalf("checklists screen: %d", res.StatusCode)
		}
		doc := `{"communications": [{"key": "engage", "name": "Engage", "gates_page": true, "items": [{"key": "say_hello", "text": "Say hello on the call"}, {"key": "bad", "text": "Bad", "rule": "joined_call"}]}]}`
		res, body = b.post("/app/settings/checklists", url.Values{"checklists": {doc}})
		if res.StatusCode != 400 || !strings.Contains(body, "checklists.communications.engage.bad.rule") || !strings.Contains(body, "say_hello") {
			t.Fatalf("invalid lists: %d", res.StatusCode)
		}
		if res, body = b.post("/app/settings/checklists", url.Values{"checklists": {"{not json"}}); res.StatusCode != 400 || !strings.Contains(body, "not valid JSON") {
			t.Fatalf("not JSON: %d", res.StatusCode)
		}
		s, _ := e.db.Settings.Settings(context.Background())
		if len(s.Checklists[herald.RoleCommunications]) != 4 {
			t.Fatalf("a refused save changed the lists: %+v", s.Checklists)
		}
		res, _ = b.post("/app/settings/checklists", url.Values{"checklists": {strings.Replace(doc, `, "rule": "joined_call"`, "", 1)}})
		if res.StatusCode != 303 {
			t.Fatalf("save: %d", res.StatusCode)
		}
		s, _ = e.db.Settings.Settings(context.Background())
		if got := s.Checklists[herald.RoleCommunications]; len(got) != 1 || got[0].Items[0].Key != "say_hello" || len(s.Checklists[herald.RoleIncidentLead]) == 0 {
			t.Fatalf("saved lists %+v", s.Checklists)
		}
		_, body = b.get("/app/settings/checklists")
		if !strings.Contains(body, "Say hello on the call") || !strings.Contains(body, `aria-current="page">Settings`) {
			t.Fatal("saved lists not shown")
		}
	})
}

// TestRule08_CommunicationsPageWaitsForEngageOnThePageScreen: resolving
// the communications manager's page from its screen while Engage is open
// shows the page again with the refusal (422) naming the open tasks, and
// the page stays as it was.
func TestRule08_CommunicationsPageWaitsForEngageOnThePageScreen(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		pol, err := e.db.Paging.CreateEscalationPolicy(ctx, herald.EscalationPolicyInput{Name: "comms", Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: "responder@example.com"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "Communications", EscalationPolicyID: pol.ID}); err != nil {
			t.Fatal(err)
		}
		s, _ := e.db.Settings.Settings(ctx)
		s.RoleServices = map[string]string{herald.RoleCommunications: "Communications"}
		if _, err := e.db.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		inc := e.declare(t, "Checkout fails", herald.S1)
		pages, _ := e.db.Paging.Pages(ctx, "", "", 10)
		if len(pages) != 1 || pages[0].IncidentID != inc.ID {
			t.Fatalf("pages %+v", pages)
		}
		p := pages[0]
		b := e.browser(t)
		b.signIn("responder@example.com")
		if res, _ := b.post("/app/pages/"+p.ID+"/acknowledge", url.Values{}); res.StatusCode != 303 {
			t.Fatalf("acknowledge: %d", res.StatusCode)
		}
		res, body := b.post("/app/pages/"+p.ID+"/resolve", url.Values{})
		if res.StatusCode != 422 || !strings.Contains(body, "R08") || !strings.Contains(body, "Join the incident channel and call") {
			t.Fatalf("resolve with Engage open: %d", res.StatusCode)
		}
		if got, _ := e.db.Paging.Page(ctx, p.ID); got.Status != herald.PageAcknowledged {
			t.Fatalf("page %s after the refusal", got.Status)
		}
	})
}
