package console_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/console"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/server"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// composeEnv is newEnv with the public status page served by the same
// server (its cache re-renders after every change the store commits), a
// page with two components, an S1 incident and its status incident,
// published through the console.
type composeEnv struct {
	*env
	ctx      context.Context
	lead     herald.Actor
	api, web herald.Component
	inc      *herald.Incident
	// si is the status incident's id.
	si string
}

func newComposeEnv(t *testing.T, d store.Dialect) *composeEnv {
	t.Helper()
	e := &composeEnv{env: newEnv(t, d), ctx: context.Background()}
	e.http.Close()
	pages := statuspage.NewCache(e.db.Services(), e.clock, links.Links{}, nil)
	if err := pages.Rebuild(e.ctx); err != nil {
		t.Fatal(err)
	}
	cons, err := console.New(console.Config{Services: e.db.Services(), Auth: e.db.Auth, Links: e.db.Links(), Clock: e.clock, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e.http = httptest.NewServer(server.New(server.Config{Services: e.db.Services(), Database: e.db, Version: "test", Console: cons, Pages: pages}))
	t.Cleanup(e.http.Close)

	admin := herald.Actor{User: e.people[herald.RoleAdmin], Role: herald.RoleAdmin}
	e.lead = herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder}
	for name, c := range map[string]*herald.Component{"API": &e.api, "Web": &e.web} {
		if *c, err = e.db.StatusPage.CreateComponent(e.ctx, admin, herald.ComponentInput{Name: &name}); err != nil {
			t.Fatal(err)
		}
	}
	if e.inc, err = e.db.Incidents.DeclareIncident(e.ctx, e.lead, herald.DeclareInput{Title: "Checkout fails", Severity: herald.S1}); err != nil {
		t.Fatal(err)
	}
	decideStatusPage(t, e.db, e.lead, e.inc.ID)
	return e
}

// create publishes the status incident for e.inc through the console's
// new-incident form, prefilled from the incident.
func (e *composeEnv) create(t *testing.T, b *browser) {
	t.Helper()
	res, body := b.get("/app/status/incidents/new?incident=" + e.inc.Reference)
	if res.StatusCode != 200 || !strings.Contains(body, `value="Checkout fails"`) || !strings.Contains(body, `value="`+e.inc.Reference+`"`) {
		t.Fatalf("new status incident form, prefilled: %d %s", res.StatusCode, body)
	}
	res, body = b.post("/app/status/incidents", url.Values{"name": {"Checkout fails"}, "incident": {e.inc.Reference}, "impact": {"auto"},
		"status": {"investigating"}, "body": {"We are looking into failed payments."}, "component." + e.api.ID: {"partial_outage"}, "action": {"publish"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	loc, _ := url.Parse(res.Header.Get("Location"))
	id, ok := strings.CutPrefix(loc.Path, "/app/status/incidents/")
	if !ok {
		t.Fatalf("create went to %s", loc)
	}
	e.si = id
}

func (e *composeEnv) statusIncident(t *testing.T) *herald.StatusIncident {
	t.Helper()
	si, err := e.db.StatusPage.StatusIncident(e.ctx, e.si)
	if err != nil {
		t.Fatal(err)
	}
	return si
}

func (e *composeEnv) broadcasts(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.db.SQL().QueryRowContext(e.ctx, `SELECT count(*) FROM broadcasts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *composeEnv) updatePath() string { return "/app/status/incidents/" + e.si + "/updates" }

func TestCompose_NewStatusIncidentFromAnIncident(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")
		e.create(t, b)
		si := e.statusIncident(t)
		if si.IncidentID != e.inc.ID || si.Name != "Checkout fails" || si.Components[e.api.ID] != herald.PartialOutage || len(si.Updates) != 1 {
			t.Fatalf("status incident %+v", si)
		}
		res, body := b.get("/app/status")
		if res.StatusCode != 200 || !strings.Contains(body, "/app/status/incidents/"+e.si) || !strings.Contains(body, "New status incident") ||
			!strings.Contains(body, `class="countdown`) || !strings.Contains(body, "/app/status/components") {
			t.Fatalf("overview: %d %s", res.StatusCode, body)
		}
		res, body = b.get("/app/status/incidents/" + e.si)
		if res.StatusCode != 200 || !strings.Contains(body, "We are looking into failed payments.") || !strings.Contains(body, e.inc.Reference) ||
			!strings.Contains(body, "Partial Service Disruption") || !strings.Contains(body, `value="publish"`) {
			t.Fatalf("status incident screen: %d %s", res.StatusCode, body)
		}
	})
}

// Too long: the check fails, the form comes back with the text and the
// failure, and nothing is published or sent.
func TestCompose_TooLongUpdateShowsTheFailedCheckAndPublishesNothing(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")
		e.create(t, b)
		before, sent := e.statusIncident(t), e.broadcasts(t)
		long := strings.Repeat("Payments fail for some cards. ", 10)
		for _, action := range []string{"check", "publish"} {
			res, body := b.post(e.updatePath(), url.Values{"status": {"identified"}, "body": {long}, "component." + e.web.ID: {"major_outage"}, "action": {action}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Failed</strong> body_length") || !strings.Contains(body, "nothing was published or sent") ||
				!strings.Contains(body, "Payments fail for some cards.") || !strings.Contains(body, `value="major_outage" selected`) {
				t.Fatalf("%s a too-long update: %d %s", action, res.StatusCode, body)
			}
		}
		after := e.statusIncident(t)
		if len(after.Updates) != len(before.Updates) || after.Status != herald.Investigating || after.Components[e.web.ID] != "" || e.broadcasts(t) != sent {
			t.Fatalf("a refused update changed the store: %d updates, %s, %v, %d broadcasts", len(after.Updates), after.Status, after.Components, e.broadcasts(t))
		}
	})
}

// A good update: Check shows every check passed, the exact text and the
// e-mail; Publish publishes it and the public page shows it.
func TestCompose_GoodUpdatePublishesAndShowsOnThePublicPage(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")
		e.create(t, b)
		sent := e.broadcasts(t)
		form := url.Values{"status": {"identified"}, "body": {"A card processor fails; we are switching to another."}, "action": {"check"}}
		res, body := b.post(e.updatePath(), form)
		link := e.db.Links().StatusIncident(e.si)
		if res.StatusCode != 200 || !strings.Contains(body, "all passed") || !strings.Contains(body, "A card processor fails; we are switching to another. "+link) ||
			!strings.Contains(body, "[Service Status] Identified: Checkout fails") || !strings.Contains(body, "Unsubscribe:") {
			t.Fatalf("check: %d %s", res.StatusCode, body)
		}
		if n := len(e.statusIncident(t).Updates); n != 1 || e.broadcasts(t) != sent {
			t.Fatalf("a check published: %d updates", n)
		}
		form.Set("action", "publish")
		res, body = b.post(e.updatePath(), form)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/app/status/incidents/"+e.si) {
			t.Fatalf("publish: %d %s", res.StatusCode, body)
		}
		si := e.statusIncident(t)
		if len(si.Updates) != 2 || si.Status != herald.Identified || si.Updates[0].ChecksOverridden || e.broadcasts(t) != sent+1 {
			t.Fatalf("after publishing: %+v, %d broadcasts", si, e.broadcasts(t))
		}
		res, body = b.get("/")
		if res.StatusCode != 200 || !strings.Contains(body, "A card processor fails; we are switching to another.") {
			t.Fatalf("public page: %d %s", res.StatusCode, body)
		}
	})
}

// A template is filled in by the dry run, and the filled text is what the
// person edits next.
func TestCompose_TemplateIsFilledByTheCheck(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")
		e.create(t, b)
		res, body := b.post(e.updatePath(), url.Values{"status": {"investigating"}, "template": {"no_material_updates"}, "body": {""}, "action": {"check"}})
		if res.StatusCode != 200 || !strings.Contains(body, "No material updates: we are still working on Checkout fails. Next update in 10 minutes.") ||
			!strings.Contains(body, `name="applied_template" value="no_material_updates"`) ||
			!strings.Contains(body, "Next update in 10 minutes.</textarea>") {
			t.Fatalf("template check: %d %s", res.StatusCode, body)
		}
		if n := len(e.statusIncident(t).Updates); n != 1 {
			t.Fatalf("a check published: %d updates", n)
		}
	})
}

// Failed checks are overridden only with the box ticked, and the override
// is recorded on the update and the incident's timeline.
func TestCompose_OverrideIsRecorded(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")
		e.create(t, b)
		long := strings.Repeat("Payments fail for some cards. ", 10)
		res, body := b.post(e.updatePath(), url.Values{"status": {"investigating"}, "body": {long}, "override": {"1"}, "action": {"publish"}})
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "override") {
			t.Fatalf("publish with override: %d %s %s", res.StatusCode, res.Header.Get("Location"), body)
		}
		si := e.statusIncident(t)
		if len(si.Updates) != 2 || !si.Updates[0].ChecksOverridden {
			t.Fatalf("the override is not on the update: %+v", si.Updates)
		}
		tl, err := e.db.Incidents.Timeline(e.ctx, e.inc.Reference, "")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, en := range tl {
			found = found || (strings.Contains(en.Text, "Payments fail") && strings.Contains(string(en.Data), `"checks_overridden":true`))
		}
		if !found {
			t.Fatalf("the override is not on the timeline: %+v", tl)
		}
		if _, body = b.get("/app/status/incidents/" + e.si); !strings.Contains(body, "checks overridden") {
			t.Fatalf("the screen does not show the override: %s", body)
		}
	})
}

// Unticked channels go to the store as unchecked (R11).
func TestCompose_ChannelSkipIsPassedThrough(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")
		e.create(t, b)
		form := url.Values{"status": {"identified"}, "body": {"Found it."}, "skip": {"email", "slack"}, "action": {"check"}}
		if res, body := b.post(e.updatePath(), form); res.StatusCode != 200 || !strings.Contains(body, `name="skip" value="email" checked`) ||
			strings.Contains(body, `name="skip" value="webhook" checked`) {
			t.Fatalf("check keeps the skipped channels: %d %s", res.StatusCode, body)
		}
		form.Set("action", "publish")
		if res, body := b.post(e.updatePath(), form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d %s", res.StatusCode, body)
		}
		ch := e.statusIncident(t).Updates[0].Channels
		if len(ch) != 2 || ch["email"] || ch["slack"] {
			t.Fatalf("channels %v; want email and slack unchecked", ch)
		}
		var chans string
		if err := e.db.SQL().QueryRowContext(e.ctx, `SELECT channels FROM broadcasts ORDER BY created_at DESC, id DESC LIMIT 1`).Scan(&chans); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(chans, `"email":false`) || !strings.Contains(chans, `"slack":false`) {
			t.Fatalf("broadcast channels %s", chans)
		}
	})
}

// A viewer reads but sees no composer, and posting anyway is refused and
// changes nothing.
func TestCompose_ViewerGets403(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		lead := e.browser(t)
		lead.signIn("responder@example.com")
		e.create(t, lead)
		b := e.browser(t)
		b.signIn("viewer@example.com")
		res, body := b.get("/app/status")
		if res.StatusCode != 200 || strings.Contains(body, "New status incident") || !strings.Contains(body, "Checkout fails") {
			t.Fatalf("viewer overview: %d %s", res.StatusCode, body)
		}
		res, body = b.get("/app/status/incidents/" + e.si)
		if res.StatusCode != 200 || strings.Contains(body, `value="publish"`) || strings.Contains(body, "<textarea") {
			t.Fatalf("viewer status incident: %d %s", res.StatusCode, body)
		}
		if res, _ = b.get("/app/status/incidents/new"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer new form: %d", res.StatusCode)
		}
		sent := e.broadcasts(t)
		if res, _ = b.post(e.updatePath(), url.Values{"status": {"identified"}, "body": {"Found it."}, "action": {"publish"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer publish: %d", res.StatusCode)
		}
		if res, _ = b.post("/app/status/incidents", url.Values{"name": {"Other"}, "status": {"investigating"}, "body": {"Hm."}, "action": {"publish"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer create: %d", res.StatusCode)
		}
		if si := e.statusIncident(t); len(si.Updates) != 1 || e.broadcasts(t) != sent {
			t.Fatalf("a viewer's post changed the store: %d updates", len(si.Updates))
		}
		if list, _ := e.db.StatusPage.StatusIncidents(e.ctx, 10); len(list) != 1 {
			t.Fatalf("a viewer created a status incident: %d", len(list))
		}
	})
}

// textarea returns what the composer's text box holds.
func textarea(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `name="body"`)
	if i < 0 {
		t.Fatalf("no text box in %s", page)
	}
	page = page[i:]
	page = page[strings.IndexByte(page, '>')+1:]
	return html.UnescapeString(page[:strings.Index(page, "</textarea>")])
}

// A new incident's check runs on an incident that is rolled back: its
// link must not stay in the text box, or publishing would carry a link to
// nothing beside the real one.
func TestCompose_CheckingANewIncidentLeavesNoDryRunLinkInTheText(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")
		form := url.Values{"name": {"Slow search"}, "impact": {"auto"}, "status": {"investigating"}, "body": {"Search is slow."}, "action": {"check"}}
		res, page := b.post("/app/status/incidents", form)
		if res.StatusCode != 200 || !strings.Contains(page, "all passed") {
			t.Fatalf("check: %d %s", res.StatusCode, page)
		}
		if got := textarea(t, page); got != "Search is slow." {
			t.Fatalf("text box after the check: %q", got)
		}
		form.Set("body", textarea(t, page))
		form.Set("action", "publish")
		if res, page = b.post("/app/status/incidents", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d %s", res.StatusCode, page)
		}
		list, err := e.db.StatusPage.StatusIncidents(e.ctx, 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("status incidents: %v %d", err, len(list))
		}
		si, _ := e.db.StatusPage.StatusIncident(e.ctx, list[0].ID)
		if want := "Search is slow. " + e.db.Links().StatusIncident(si.ID); si.Updates[0].Body != want {
			t.Fatalf("published %q; want %q", si.Updates[0].Body, want)
		}
	})
}

// Resolving puts every component back, and the post-mortem is linked once
// resolved; a bad link is refused with what was typed kept.
func TestCompose_ResolveAndLinkThePostmortem(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")
		e.create(t, b)
		pm := "/app/status/incidents/" + e.si + "/postmortem"
		if res, _ := b.post(pm, url.Values{"postmortem_url": {"https://docs.example.com/pm/1"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("post-mortem before resolving: %d", res.StatusCode)
		}
		allClear(t, e.db, e.lead, e.inc.ID) // R17
		if res, page := b.post(e.updatePath(), url.Values{"status": {"resolved"}, "template": {"resolved"}, "action": {"publish"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("resolve: %d %s", res.StatusCode, page)
		}
		si := e.statusIncident(t)
		if si.Status != herald.Resolved || si.Components[e.api.ID] != herald.Operational || !strings.HasPrefix(si.Updates[0].Body, "This incident is resolved: API work normally again.") {
			t.Fatalf("resolved: %s %v %q", si.Status, si.Components, si.Updates[0].Body)
		}
		res, page := b.post(pm, url.Values{"postmortem_url": {"javascript:alert(1)"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, `value="javascript:alert(1)"`) || !strings.Contains(page, `id="postmortem-error"`) {
			t.Fatalf("a bad link: %d %s", res.StatusCode, page)
		}
		// R54: an S1's post-mortem is its external review, approved first.
		if res, page = b.post(pm, url.Values{"postmortem_url": {"https://docs.example.com/pm/1"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "R54") {
			t.Fatalf("an unapproved post-mortem: %d", res.StatusCode)
		}
		approveExternalReview(t, e.env, e.inc.Reference, "https://docs.example.com/pm/1")
		if res, _ = b.post(pm, url.Values{"postmortem_url": {"https://docs.example.com/pm/1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("post-mortem: %d", res.StatusCode)
		}
		if si := e.statusIncident(t); si.PostmortemURL != "https://docs.example.com/pm/1" {
			t.Fatalf("post-mortem %q", si.PostmortemURL)
		}
		if _, page = b.get("/app/status/incidents/" + e.si); !strings.Contains(page, `href="https://docs.example.com/pm/1"`) {
			t.Fatalf("the screen lacks the post-mortem link: %s", page)
		}
	})
}
