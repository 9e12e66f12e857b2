package console_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// The core flows of the console in a real Chromium, as a person does them:
// declaring an S1, composing a status update (a failed check first), acting
// on a page from the notification's link on a phone, a viewer's screens,
// and the same work with JavaScript off. Each also runs axe-core over the
// states only a flow reaches (a form shown again with its errors, the
// failed checks).

// write types value into a textarea, replacing what it held (chromedp's
// Clear and SetValue want a text node in it already).
func (c *chrome) write(sel, value string) {
	c.t.Helper()
	eval[any](c, fmt.Sprintf("document.querySelector(%q).value = ''", sel))
	runIn(c, chromedp.SendKeys(chromedp.CSS(sel), value))
}

// choose picks an option of a select, or ticks a radio button or checkbox,
// as a click would.
func (c *chrome) choose(sel, value string) {
	c.t.Helper()
	runIn(c, chromedp.SetValue(chromedp.CSS(sel), value))
}

func TestBrowser_DeclareAnS1AndLandOnIt(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.chrome(t)
	c.signIn(herald.RoleResponder)
	c.open("/app/incidents")
	if st := c.submit(`a[href="/app/incidents/new"]`); st != 200 || c.pathname() != "/app/incidents/new" {
		t.Fatalf("declare link: %d at %s", st, c.url())
	}

	// A link the server refuses: the form comes back with the field's
	// reason and everything typed, and nothing is declared.
	c.fill("#d-title", "Checkout fails for every card")
	runIn(c, chromedp.Click(chromedp.CSS(`input[name="severity"][value="S1"]`)))
	c.write("#d-summary", "Every card payment answers 502.")
	c.fill("#d-services", "checkout, payments")
	c.fill("#d-chat", "javascript:alert(1)")
	if st := c.submit(`form[action="/app/incidents"] button.primary`); st != http.StatusBadRequest {
		t.Fatalf("declare with a bad link: %d, want 400", st)
	}
	if got := c.text("#e-chat"); !strings.Contains(got, "http or https") {
		t.Errorf("chat link error: %q", got)
	}
	if !eval[bool](c, `document.querySelector('input[name="severity"][value="S1"]').checked`) {
		t.Error("the refused form lost the severity")
	}
	for sel, want := range map[string]string{"#d-title": "Checkout fails for every card", "#d-summary": "Every card payment answers 502.", "#d-services": "checkout, payments"} {
		if got := eval[string](c, fmt.Sprintf("document.querySelector(%q).value", sel)); got != want {
			t.Errorf("the refused form lost %s: %q", sel, got)
		}
	}
	c.axe("declare form with an error")
	if list, _ := e.db.Incidents.Incidents(context.Background(), herald.ListFilter{}); len(list) != 0 {
		t.Fatalf("a refused form declared %d incidents", len(list))
	}

	c.fill("#d-chat", "https://chat.example.com/checkout")
	if st := c.submit(`form[action="/app/incidents"] button.primary`); st != 200 || c.pathname() != "/app/incidents/INC-1" {
		t.Fatalf("declare: %d at %s", st, c.url())
	}
	if got := c.text(".flash"); !strings.Contains(got, "INC-1 declared.") {
		t.Errorf("flash: %q", got)
	}
	if got := c.text("h1"); got != "INC-1 Checkout fails for every card" {
		t.Errorf("heading: %q", got)
	}
	if got := c.text(".inc-badges"); !strings.Contains(got, "Severity S1") || !strings.Contains(got, "Investigating") {
		t.Errorf("badges: %q", got)
	}
	inc := e.incident(t, "INC-1")
	if inc.Severity != herald.S1 || inc.State != herald.Investigating || inc.DeclaredBy != "responder person" || inc.ChatURL != "https://chat.example.com/checkout" ||
		strings.Join(inc.Services, ",") != "checkout,payments" {
		t.Errorf("declared: %+v", inc)
	}
}

// The composer, with the public page in the same server: a too-long update
// fails its check before anything is sent; the person sees why, shortens
// it, publishes, and the public page shows it.
func TestBrowser_ComposeFailsTheCheckThenPublishesToThePublicPage(t *testing.T) {
	e := newComposeEnv(t, store.SQLite)
	pv, err := e.db.StatusPage.CreateStatusIncident(e.ctx, e.lead, herald.StatusIncidentInput{Name: "Checkout fails", IncidentID: e.inc.ID,
		StatusUpdateInput: herald.StatusUpdateInput{Status: herald.Investigating, Body: "We are looking into failed payments."}}, false)
	if err != nil {
		t.Fatal(err)
	}
	e.si = pv.Incident.ID
	sent := e.broadcasts(t)
	c := e.chrome(t)
	c.signIn(herald.RoleResponder)
	if st := c.open("/app/status/incidents/" + e.si); st != 200 {
		t.Fatalf("status incident: %d", st)
	}

	long := strings.Repeat("Payments fail for some cards. ", 10)
	c.choose("#status", "identified")
	c.write("#body", long)
	// The counter says so as it is typed, before any check.
	if got := c.text(`[data-counter="before"]`); !strings.Contains(got, "too long") {
		t.Errorf("the counter while typing: %q", got)
	}
	for _, button := range []string{"check", "publish"} {
		if st := c.submit(`button[value="` + button + `"]`); st != http.StatusUnprocessableEntity {
			t.Fatalf("%s a too-long update: %d, want 422", button, st)
		}
		if got := c.text("#h-checks"); !strings.Contains(got, "failed: body_length") {
			t.Errorf("%s: checks heading %q", button, got)
		}
		if got := c.text("#compose-error"); !strings.Contains(got, "nothing was published or sent") {
			t.Errorf("%s: error %q", button, got)
		}
		if got := eval[string](c, `document.querySelector('#body').value`); got != strings.TrimSpace(long) && got != long {
			t.Errorf("%s: the text was not kept: %q", button, got)
		}
	}
	c.axe("composer with a failed check")
	if si := e.statusIncident(t); len(si.Updates) != 1 || si.Status != herald.Investigating || e.broadcasts(t) != sent {
		t.Fatalf("a failed check published: %d updates, %s, %d broadcasts", len(si.Updates), si.Status, e.broadcasts(t))
	}

	good := "A card processor fails; we are switching to another."
	c.write("#body", good)
	if got := c.text(`[data-counter="before"]`); strings.Contains(got, "too long") {
		t.Errorf("the counter after shortening: %q", got)
	}
	if st := c.submit(`button[value="publish"]`); st != 200 || c.pathname() != "/app/status/incidents/"+e.si {
		t.Fatalf("publish: %d at %s", st, c.url())
	}
	if got := c.text(".flash"); !strings.Contains(got, "Update published") {
		t.Errorf("flash: %q", got)
	}
	if got := c.text("ol.updates li"); !strings.Contains(got, good) || !strings.Contains(got, "Identified") {
		t.Errorf("newest update on the screen: %q", got)
	}
	if si := e.statusIncident(t); len(si.Updates) != 2 || si.Status != herald.Identified || si.Updates[0].ChecksOverridden || e.broadcasts(t) != sent+1 {
		t.Fatalf("after publishing: %d updates, %s, %d broadcasts", len(si.Updates), si.Status, e.broadcasts(t))
	}

	// The public page, in the same browser.
	if st := c.open("/"); st != 200 {
		t.Fatalf("public page: %d", st)
	}
	if got := c.text("body"); !strings.Contains(got, good) || !strings.Contains(got, "Checkout fails") || strings.Contains(got, "Payments fail for some cards.") {
		t.Errorf("the public page shows: %q", got)
	}
}

// The link a page notification carried (delivered by the real worker),
// opened on a phone without signing in: one tap acknowledges.
func TestBrowser_AcknowledgeFromTheNotificationLinkAt375px(t *testing.T) {
	e := newEnv(t, store.SQLite)
	pg := newPager(t, e)
	p, paths := pg.page(t, "k1", "Checkout 5xx above 5%")
	link := e.http.URL + paths[herald.RoleResponder] // as the worker built it
	c := e.chrome(t)
	c.width(375)
	if st := c.open(link); st != 200 {
		t.Fatalf("open the link: %d", st)
	}
	if got := c.text("h1"); got != "Checkout 5xx above 5%" {
		t.Errorf("heading: %q", got)
	}
	if got := c.text(".ack-facts"); !strings.Contains(got, "Checkout API") || !strings.Contains(got, "triggered") {
		t.Errorf("facts: %q", got)
	}
	if c.scrollsSideways() {
		t.Error("the acknowledge page scrolls sideways at 375 px")
	}
	// The button is big enough for a thumb (WCAG 2.5.8: 24 px at least).
	if h := eval[float64](c, `document.querySelector('button[value="acknowledge"]').getBoundingClientRect().height`); h < 24 {
		t.Errorf("the Acknowledge button is %.0f px high", h)
	}
	c.axe("acknowledge link at 375 px")
	if now, _ := e.pageNow(t, p.ID); now.Status != herald.PageTriggered {
		t.Fatalf("opening the link changed the page: %s", now.Status)
	}

	if st := c.submit(`button[value="acknowledge"]`); st != 200 || c.pathname() != paths[herald.RoleResponder] {
		t.Fatalf("acknowledge: %d at %s", st, c.url())
	}
	if got := c.text(".flash"); !strings.Contains(got, "Acknowledged") {
		t.Errorf("flash: %q", got)
	}
	if got := c.text(".ack-facts"); !strings.Contains(got, "acknowledged by responder person") {
		t.Errorf("facts after acknowledging: %q", got)
	}
	if c.count(`button[value="acknowledge"]`) != 0 || c.count(`button[value="resolve"]`) != 1 {
		t.Error("after acknowledging, the page still offers Acknowledge (or no longer Resolve)")
	}
	if now, log := e.pageNow(t, p.ID); now.Status != herald.PageAcknowledged || now.AckedBy != "responder person" || !hasLog(log, "responder person") {
		t.Errorf("the store: %s by %q, log %+v", now.Status, now.AckedBy, log)
	}
	if c.scrollsSideways() {
		t.Error("the acknowledged page scrolls sideways at 375 px")
	}
}

// A viewer sees the incident, the status incident (where the composer is)
// and a page without one write button; posting anyway is refused and
// changes nothing.
func TestBrowser_ViewerHasNoButtonsOnIncidentComposerAndPage(t *testing.T) {
	e := newEnv(t, store.SQLite)
	w := e.world(t)
	ctx := context.Background()
	c := e.chrome(t)
	c.signIn(herald.RoleViewer)
	for _, p := range []string{"/app/incidents/" + w.incident.Reference, "/app/status/incidents/" + w.status, "/app/pages/" + w.page} {
		if st := c.open(p); st != 200 {
			t.Fatalf("viewer opens %s: %d", p, st)
		}
		if n := c.count("main button, main form[method=post], main textarea"); n != 0 {
			t.Errorf("%s: a viewer sees %d buttons or forms", p, n)
		}
	}

	notes := len(e.timeline(t, w.incident.Reference, "note"))
	before, err := e.db.StatusPage.StatusIncident(ctx, w.status)
	if err != nil {
		t.Fatal(err)
	}
	c.open("/app/incidents/" + w.incident.Reference)
	for _, post := range []struct {
		path   string
		fields map[string]string
	}{
		{"/app/incidents/" + w.incident.Reference + "/notes", map[string]string{"text": "A viewer's note"}},
		{"/app/status/incidents/" + w.status + "/updates", map[string]string{"status": "identified", "body": "A viewer's update", "action": "publish"}},
		{"/app/pages/" + w.page + "/resolve", nil},
	} {
		if st := c.post(post.path, post.fields); st != http.StatusForbidden || c.text("h1") != "Not allowed" {
			t.Errorf("viewer posts %s: %d %q, want 403 Not allowed", post.path, st, c.text("h1"))
		}
	}
	if n := len(e.timeline(t, w.incident.Reference, "note")); n != notes {
		t.Errorf("notes: %d -> %d", notes, n)
	}
	if after, _ := e.db.StatusPage.StatusIncident(ctx, w.status); len(after.Updates) != len(before.Updates) || after.Status != before.Status {
		t.Errorf("status incident changed: %d -> %d updates", len(before.Updates), len(after.Updates))
	}
	if p, _ := e.pageNow(t, w.page); p.Status != herald.PageAcknowledged {
		t.Errorf("page: %s", p.Status)
	}
}

// With JavaScript off the plain forms do it all: declare an incident,
// publish it on the status page, then publish an update.
func TestBrowser_DeclareAndPublishWithJavaScriptOff(t *testing.T) {
	e := newComposeEnv(t, store.SQLite)
	c := e.chrome(t)
	c.scriptsOff()
	c.signIn(herald.RoleResponder)
	c.open("/app/incidents/new")
	c.fill("#d-title", "Search returns nothing")
	runIn(c, chromedp.Click(chromedp.CSS(`input[name="severity"][value="S2"]`)))
	if st := c.submit(`form[action="/app/incidents"] button.primary`); st != 200 || c.pathname() != "/app/incidents/INC-2" {
		t.Fatalf("declare: %d at %s", st, c.url())
	}
	if got := c.text(".inc-badges"); !strings.Contains(got, "Severity S2") {
		t.Errorf("badges: %q", got)
	}
	decideStatusPage(t, e.db, e.lead, "INC-2") // R10

	if st := c.submit(`a[href="/app/status/incidents/new?incident=INC-2"]`); st != 200 {
		t.Fatalf("publish on the status page: %d", st)
	}
	// No script ran: the live counters stay hidden.
	if !eval[bool](c, `document.querySelector('#counters').hidden`) {
		t.Fatal("the composer's script ran with JavaScript off")
	}
	if got := eval[string](c, `document.querySelector('#name').value`); got != "Search returns nothing" {
		t.Errorf("prefilled name: %q", got)
	}
	c.write("#body", "Search returns no results; we are looking into it.")
	c.choose("#c-"+e.api.ID, "degraded_performance")
	if st := c.submit(`button[value="publish"]`); st != 200 || !strings.HasPrefix(c.pathname(), "/app/status/incidents/") {
		t.Fatalf("publish the status incident: %d at %s", st, c.url())
	}
	e.si = strings.TrimPrefix(c.pathname(), "/app/status/incidents/")

	c.choose("#status", "identified")
	c.write("#body", "A bad index; we are rebuilding it.")
	if st := c.submit(`button[value="publish"]`); st != 200 || c.pathname() != "/app/status/incidents/"+e.si {
		t.Fatalf("publish an update: %d at %s", st, c.url())
	}
	si := e.statusIncident(t)
	if si.IncidentID != e.incident(t, "INC-2").ID || len(si.Updates) != 2 || si.Status != herald.Identified || si.Components[e.api.ID] != herald.DegradedPerformance {
		t.Fatalf("published: %+v", si)
	}
	if st := c.open("/"); st != 200 || !strings.Contains(c.text("body"), "A bad index; we are rebuilding it.") {
		t.Errorf("public page: %d %q", st, c.text("body"))
	}
}

// press sends one key to the focused element.
func (c *chrome) press(key string) {
	c.t.Helper()
	runIn(c, chromedp.KeyEvent(key))
}

// pressLoads sends one key that loads a page (Enter on a button), waits
// for it and returns its HTTP status.
func (c *chrome) pressLoads(key string) int {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(key))
	if err != nil {
		c.t.Fatalf("press %q: %v", key, err)
	}
	return int(res.Status)
}

// focused describes the focused element, and whether it shows a focus
// outline.
func (c *chrome) focused() (desc string, outlined bool) {
	c.t.Helper()
	v := eval[[]any](c, `(() => { const el = document.activeElement, s = getComputedStyle(el);
		return [el.outerHTML.slice(0, 80), s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0]; })()`)
	return v[0].(string), v[1].(bool)
}

// tabTo presses Tab until the element sel has the focus, checking every
// control on the way shows where the focus is.
func (c *chrome) tabTo(sel string) {
	c.t.Helper()
	for range 80 {
		c.press(kb.Tab)
		desc, outlined := c.focused()
		if !outlined {
			c.t.Errorf("focus without an outline: %s", desc)
		}
		if eval[bool](c, fmt.Sprintf("document.activeElement.matches(%q)", sel)) {
			return
		}
	}
	c.t.Fatalf("Tab never reached %s", sel)
}

// With the keyboard alone: declare an S1 from the form (the title has the
// focus, Space picks the severity, Enter on the button declares), then
// skip to the content of a page's screen and acknowledge it; every stop on
// the way shows a focus outline.
func TestBrowser_KeyboardOnlyDeclareAndAcknowledge(t *testing.T) {
	e := newEnv(t, store.SQLite)
	p := trigger(t, e, pagedService(t, e), "disk", "Disk full on db-1")
	c := e.chrome(t)
	c.signIn(herald.RoleResponder)

	c.open("/app/incidents/new")
	// The browser applies autofocus at its next rendering opportunity,
	// which may come after the load event: give it a moment.
	var desc string
	for range 30 {
		if desc, _ = c.focused(); strings.Contains(desc, `id="d-title"`) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(desc, `id="d-title"`) {
		t.Fatalf("the declare form opens with the focus on %s", desc)
	}
	runIn(c, chromedp.KeyEvent("Disk full on db-1"))
	c.tabTo(`input[name="severity"]`)
	if !eval[bool](c, `document.activeElement.value === 'S1'`) {
		t.Fatalf("Tab reached the severity at %s", eval[string](c, `document.activeElement.value`))
	}
	c.press(" ")
	c.tabTo(`form[action="/app/incidents"] button.primary`)
	if st := c.pressLoads(kb.Enter); st != 200 || c.pathname() != "/app/incidents/INC-1" {
		t.Fatalf("declare by keyboard: %d at %s", st, c.url())
	}
	if inc := e.incident(t, "INC-1"); inc.Title != "Disk full on db-1" || inc.Severity != herald.S1 {
		t.Fatalf("declared: %q %s", inc.Title, inc.Severity)
	}

	c.open("/app/pages/" + p.ID)
	c.press(kb.Tab)
	if desc, outlined := c.focused(); !strings.Contains(desc, `class="skip"`) || !outlined || c.text(".skip") != "Skip to content" {
		t.Fatalf("the first Tab reaches %s (outlined %v), want the skip link", desc, outlined)
	}
	if c.press(kb.Enter); !eval[bool](c, `document.activeElement.id === 'main'`) {
		t.Fatalf("the skip link left the focus on %s", eval[string](c, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	c.tabTo(`form[action$="/acknowledge"] button`)
	if st := c.pressLoads(kb.Enter); st != 200 || !strings.Contains(c.text(".flash"), "cknowledged") {
		t.Fatalf("acknowledge by keyboard: %d %q", st, c.text(".flash"))
	}
	if now, _ := e.pageNow(t, p.ID); now.Status != herald.PageAcknowledged || now.AckedBy != "responder person" {
		t.Errorf("page: %s by %q", now.Status, now.AckedBy)
	}
}

// Every form the server shows again with its errors (the state only a
// refused post reaches) passes axe-core: light at 1280 px, dark at 375 px
// without sideways scrolling.
func TestBrowser_FormsShownAgainWithErrorsPassAxe(t *testing.T) {
	e := newEnv(t, store.SQLite)
	w := e.world(t)
	inc := "/app/incidents/" + w.incident.Reference
	forms := []struct {
		as     herald.APIRole
		screen string
		action string
		fields map[string]string
	}{
		{herald.RoleResponder, inc, inc + "/change", map[string]string{"version": "1", "state": "identified", "severity": "S1", "reason": ""}},
		{herald.RoleResponder, inc, inc + "/decisions", map[string]string{"kind": "failover", "what": "Fail over", "rationale": ""}},
		{herald.RoleResponder, "/app/status/incidents/new", "/app/status/incidents", map[string]string{"name": "", "status": "investigating", "body": "x", "action": "check"}},
		{herald.RoleResponder, "/app/status/maintenances", "/app/status/maintenances", map[string]string{"name": "Upgrade", "scheduled_for": "2026-12-01T10:00", "scheduled_until": "2026-12-01T09:00"}},
		{herald.RoleResponder, "/app/status/maintenances/" + w.maintenance, "/app/status/maintenances/" + w.maintenance + "/automation-off", nil},
		{herald.RoleResponder, "/app/oncall/schedules/" + w.schedule, "/app/oncall/schedules/" + w.schedule + "/overrides", map[string]string{"user": e.people[herald.RoleAdmin].ID, "start": "2026-11-26T18:00", "end": "2026-11-26T12:00", "tz": "Europe/Berlin"}},
		{herald.RoleResponder, "/app/me", "/app/me/methods", map[string]string{"kind": "sms", "target": "call me"}},
		{herald.RoleAdmin, "/app/status/components", "/app/status/components", map[string]string{"name": "Web", "position": "first"}},
		{herald.RoleAdmin, "/app/oncall/policies", "/app/oncall/policies", map[string]string{"name": "Broken", "timeout_1": "10"}},
		{herald.RoleAdmin, "/app/people", "/app/people", map[string]string{"name": "Ann Example", "email": "not an address", "role": "viewer"}},
		{herald.RoleAdmin, "/app/settings", "/app/settings", map[string]string{"page_name": "Status", "session_idle": "soon"}},
		{"", "/login", "/login", map[string]string{"email": "responder@example.com", "password": "wrong wrong wrong"}},
	}
	var c *chrome
	signedIn := herald.APIRole("-")
	for _, f := range forms {
		if f.as != signedIn {
			c = e.chrome(t)
			if f.as != "" {
				c.signIn(f.as)
			}
			signedIn = f.as
		}
		c.width(1280)
		c.scheme(false)
		c.open(f.screen)
		st := c.post(f.action, f.fields)
		if st != http.StatusBadRequest && st != http.StatusUnprocessableEntity && st != http.StatusUnauthorized {
			t.Errorf("%s: %d, want the form again with its errors", f.action, st)
			continue
		}
		if c.count(".error, .field-error, [aria-invalid=true]") == 0 {
			t.Errorf("%s (%d): no error shown", f.action, st)
		}
		c.axe(f.action + " with errors, light, 1280 px")
		c.width(375)
		c.scheme(true)
		c.axe(f.action + " with errors, dark, 375 px")
		if c.scrollsSideways() {
			t.Errorf("%s with errors scrolls sideways at 375 px", f.action)
		}
	}
}
