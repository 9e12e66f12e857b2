package console_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The console in a real Chromium: each test starts the whole HTTP stack
// over a real store (newEnv) and drives it as a person would. A screen's
// test is a few lines: c := e.chrome(t); c.signIn(herald.RoleResponder);
// c.open("/app/x"); c.fill("#title", "..."); c.submit("button.primary");
// c.text("h1"). Every screen is also in the screens table below, which the
// accessibility test (axe-core, light and dark, desktop and 375 px) and the
// viewer test walk.

// screen is one console screen as a person reaches it.
type screen struct {
	name string
	// as is who is signed in to see it ("" nobody).
	as herald.APIRole
	// open makes what the screen shows (through the store) and returns its
	// path.
	open func(t *testing.T, e *env) string
	// status is the HTTP status it answers with (0: 200).
	status int
}

// screens lists every console screen; a new screen adds a row.
var screens = []screen{
	{name: "sign-in", open: path("/login")},
	{name: "now", as: herald.RoleViewer, open: func(t *testing.T, e *env) string { seedNow(t, e); return "/app" }},
	{name: "error", as: herald.RoleViewer, open: path("/app/no-such-screen"), status: http.StatusNotFound},
	// The screens with actions, as the least role that sees all of them
	// (the viewer test walks each again as a viewer); browser_screens_test.go
	// seeds what they show.
	{name: "incidents", as: herald.RoleResponder, open: in(func(*world) string { return "/app/incidents" })},
	{name: "declare", as: herald.RoleResponder, open: path("/app/incidents/new")},
	{name: "incident", as: herald.RoleResponder, open: in(func(w *world) string { return "/app/incidents/" + w.incident.Reference })},
	{name: "no material updates", as: herald.RoleResponder, open: in(func(w *world) string { return "/app/incidents/" + w.incident.Reference + "/no-material-updates" })},
	{name: "internal update", as: herald.RoleResponder, open: in(func(w *world) string { return "/app/incidents/" + w.incident.Reference + "/internal-update" })},
	{name: "follow-ups", as: herald.RoleResponder, open: in(func(*world) string { return "/app/follow-ups" })},
	{name: "contact requests", as: herald.RoleResponder, open: in(func(*world) string { return "/app/requests" })},
	{name: "contact request", as: herald.RoleResponder, open: in(func(w *world) string { return "/app/requests/" + w.request })},
	{name: "status", as: herald.RoleResponder, open: in(func(*world) string { return "/app/status" })},
	{name: "status incident new", as: herald.RoleResponder, open: in(func(w *world) string { return "/app/status/incidents/new?incident=" + w.incident.Reference })},
	{name: "status incident (composer)", as: herald.RoleResponder, open: in(func(w *world) string { return "/app/status/incidents/" + w.status })},
	{name: "maintenances", as: herald.RoleResponder, open: in(func(*world) string { return "/app/status/maintenances" })},
	{name: "maintenance", as: herald.RoleResponder, open: in(func(w *world) string { return "/app/status/maintenances/" + w.maintenance })},
	{name: "on call", as: herald.RoleResponder, open: in(func(*world) string { return "/app/oncall" })},
	{name: "schedule", as: herald.RoleResponder, open: in(func(w *world) string { return "/app/oncall/schedules/" + w.schedule })},
	{name: "pages", as: herald.RoleResponder, open: in(func(*world) string { return "/app/pages" })},
	{name: "page", as: herald.RoleResponder, open: in(func(w *world) string { return "/app/pages/" + w.page })},
	{name: "me", as: herald.RoleResponder, open: in(func(*world) string { return "/app/me" })},
	{name: "components", as: herald.RoleAdmin, open: in(func(*world) string { return "/app/status/components" })},
	{name: "subscribers", as: herald.RoleAdmin, open: in(func(*world) string { return "/app/status/subscribers" })},
	{name: "policies", as: herald.RoleAdmin, open: in(func(*world) string { return "/app/oncall/policies" })},
	{name: "policy", as: herald.RoleAdmin, open: in(func(w *world) string { return "/app/oncall/policies/" + w.policy })},
	{name: "services", as: herald.RoleAdmin, open: in(func(*world) string { return "/app/oncall/services" })},
	{name: "people", as: herald.RoleAdmin, open: in(func(*world) string { return "/app/people" })},
	{name: "person", as: herald.RoleAdmin, open: in(func(w *world) string { return "/app/people/" + w.person })},
	{name: "settings", as: herald.RoleAdmin, open: in(func(*world) string { return "/app/settings" })},
	{name: "checklists", as: herald.RoleAdmin, open: in(func(*world) string { return "/app/settings/checklists" })},
	{name: "password reset", open: path("/login/reset")},
	{name: "acknowledge link", open: ackLink},
	{name: "chat link", as: herald.RoleViewer, open: func(t *testing.T, e *env) string {
		code, _, err := e.db.Chat.NewChatLink(context.Background(), herald.ChatSlack, "T1", "U1", "ada")
		if err != nil {
			t.Fatal(err)
		}
		return "/app/chat/link?code=" + code
	}},
}

func path(p string) func(*testing.T, *env) string { return func(*testing.T, *env) string { return p } }

// chrome is a headless Chromium with its own profile (cookies) driving the
// console of one env.
type chrome struct {
	t   *testing.T
	e   *env
	ctx context.Context
}

// chrome starts Chromium, or skips the test when there is none
// (testdb.NeedChromium: scripts/test requires it).
func (e *env) chrome(t *testing.T) *chrome {
	t.Helper()
	ctx := testdb.Chrome(t)
	return &chrome{t: t, e: e, ctx: ctx}
}

// runIn runs one action with a time limit.
func runIn[T any](c *chrome, a chromedp.Action[T]) T {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		c.t.Fatal(err)
	}
	return v
}

// eval evaluates JavaScript in the page through DevTools.
func eval[T any](c *chrome, js string) T {
	c.t.Helper()
	return runIn(c, chromedp.Evaluate[T](js))
}

// open loads a console path (or a full URL) and returns the HTTP status of
// the document, after redirects.
func (c *chrome) open(p string) int {
	c.t.Helper()
	if strings.HasPrefix(p, "/") {
		p = c.e.http.URL + p
	}
	res := runIn(c, chromedp.NavigateResponse(p))
	return int(res.Status)
}

// reload loads the current page again.
func (c *chrome) reload() int { c.t.Helper(); return c.open(c.url()) }

// submit clicks a button (or link) that loads a page, waits for it, and
// returns its HTTP status.
func (c *chrome) submit(sel string) int {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		c.t.Fatalf("click %s: %v", sel, err)
	}
	return int(res.Status)
}

// fill types value into the field sel, replacing what it held.
func (c *chrome) fill(sel, value string) {
	c.t.Helper()
	runIn(c, chromedp.Steps(chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), value)))
}

// text is the visible text of the first element sel matches.
func (c *chrome) text(sel string) string {
	c.t.Helper()
	return strings.TrimSpace(runIn(c, chromedp.Text(chromedp.CSS(sel))))
}

// count is how many elements sel matches.
func (c *chrome) count(sel string) int {
	c.t.Helper()
	return eval[int](c, fmt.Sprintf("document.querySelectorAll(%q).length", sel))
}

// url is the page's address; pathname its path.
func (c *chrome) url() string { c.t.Helper(); return runIn(c, chromedp.Location()) }
func (c *chrome) pathname() string {
	c.t.Helper()
	return strings.TrimPrefix(strings.SplitN(c.url(), "?", 2)[0], c.e.http.URL)
}

// signIn signs in as the person of role with the sign-in form, and lands
// on Now.
func (c *chrome) signIn(role herald.APIRole) {
	c.t.Helper()
	c.open("/login")
	c.fill("#email", string(role)+"@example.com")
	c.fill("#password", pw)
	if st := c.submit(`form[action="/login"] button[type="submit"]`); st != http.StatusOK || c.pathname() != "/app" {
		c.t.Fatalf("sign in as %s: %d at %s", role, st, c.url())
	}
}

// width sets the viewport's width in CSS pixels (375: a phone).
func (c *chrome) width(px int64) {
	c.t.Helper()
	runIn(c, chromedp.EmulateViewport(px, 800))
}

// scheme emulates the browser's colour scheme preference.
func (c *chrome) scheme(dark bool) {
	c.t.Helper()
	v := "light"
	if dark {
		v = "dark"
	}
	if _, err := chromedp.Call(c.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v}}}); err != nil {
		c.t.Fatal(err)
	}
}

// scriptsOff turns JavaScript off in the page, as a person may.
func (c *chrome) scriptsOff() {
	c.t.Helper()
	if _, err := chromedp.Call(c.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		c.t.Fatal(err)
	}
}

// scrollsSideways reports whether the page is wider than the window.
func (c *chrome) scrollsSideways() bool {
	c.t.Helper()
	return eval[bool](c, "document.documentElement.scrollWidth > window.innerWidth")
}

// writeForms lists the forms on the page that change something (method
// post), other than signing out, by their action.
func (c *chrome) writeForms() []string {
	c.t.Helper()
	return eval[[]string](c, `[...document.querySelectorAll('form')].filter(f => f.method === 'post' && f.getAttribute('action') !== '/logout').map(f => f.getAttribute('action'))`)
}

// post sends a form from the page the browser is on, as a button in the
// page would (same origin, the browser's cookies), and returns the status.
func (c *chrome) post(action string, fields map[string]string) int {
	c.t.Helper()
	if fields == nil {
		fields = map[string]string{}
	}
	b, _ := json.Marshal(fields)
	ctx, cancel := context.WithTimeout(c.ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](fmt.Sprintf(`(() => { const f = document.createElement('form'); f.method = 'post'; f.action = %q;
			for (const [k, v] of Object.entries(%s)) { const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.append(i); }
			document.body.append(f); f.submit(); })()`, action, b))(ctx, t)
		return err
	}))
	if err != nil {
		c.t.Fatalf("post %s: %v", action, err)
	}
	return int(res.Status)
}

// axeSource is axe-core's script (HERALD_AXE), read once.
var axeSource string

// axe runs axe-core over the page and fails the test on serious or
// critical violations; the others are logged. axe is injected through
// DevTools (Runtime.evaluate), which the page's Content-Security-Policy
// does not govern: the policy still refuses the page's own inline scripts,
// as the check before the run shows.
func (c *chrome) axe(what string) {
	c.t.Helper()
	if axeSource == "" {
		p := os.Getenv("HERALD_AXE")
		if p == "" {
			testdb.Missing(c.t, testdb.NeedAxe)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			c.t.Fatalf("HERALD_AXE: %v", err)
		}
		axeSource = string(b)
	}
	if inline := eval[bool](c, `(() => { const s = document.createElement('script'); s.textContent = 'window.__heraldInline = true'; document.head.append(s); s.remove(); return window.__heraldInline === true; })()`); inline {
		c.t.Errorf("%s: an inline script ran: the Content-Security-Policy is not in force", what)
	}
	if !eval[bool](c, "typeof axe === 'object'") {
		runIn(c, chromedp.Evaluate[any](axeSource+"\n;undefined"))
	}
	type node struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	}
	type violation struct {
		ID, Impact, Help string
		Nodes            []node
	}
	js := `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary}))})))`
	vs := runIn(c, chromedp.Evaluate[[]violation](js, chromedp.EvalAwaitPromise))
	for _, v := range vs {
		msg := fmt.Sprintf("%s: axe %s (%s): %s", what, v.ID, v.Impact, v.Help)
		for _, n := range v.Nodes {
			msg += fmt.Sprintf("\n    %v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " "))
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			c.t.Error(msg)
		} else {
			c.t.Log(msg)
		}
	}
}

// seedNow fills what the Now screen shows: an S1 with its status incident,
// roles, open pages with the people paged, a schedule and maintenance.
func seedNow(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	lead := herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder}
	inc, err := e.db.Incidents.DeclareIncident(ctx, lead, herald.DeclareInput{Title: "Checkout fails", Severity: herald.S1})
	if err != nil {
		t.Fatal(err)
	}
	decideStatusPage(t, e.db, lead, inc.ID)
	if _, err := e.db.StatusPage.CreateStatusIncident(ctx, lead, herald.StatusIncidentInput{Name: "Checkout errors", IncidentID: inc.ID,
		StatusUpdateInput: herald.StatusUpdateInput{Status: herald.Investigating, Body: "We are looking into failed checkouts."}}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Incidents.DeclareIncident(ctx, lead, herald.DeclareInput{Title: "Search is slow", Severity: herald.S3}); err != nil {
		t.Fatal(err)
	}
	seedPages(t, e.db, 3, []string{e.people[herald.RoleResponder].ID, e.people[herald.RoleAdmin].ID}, e.clock.Now())
	if _, err := e.db.Schedules.CreateSchedule(ctx, herald.ScheduleInput{Name: "Primary", Layers: []herald.Layer{{Rotation: "daily", HandoffTime: "09:00",
		Start: e.clock.Now().Add(-48 * time.Hour), Users: []string{e.people[herald.RoleResponder].ID, e.people[herald.RoleAdmin].ID}}}}); err != nil {
		t.Fatal(err)
	}
	from, until, name := e.clock.Now().Add(2*time.Hour), e.clock.Now().Add(4*time.Hour), "Database upgrade"
	if _, err := e.db.Maintenances.CreateMaintenance(ctx, lead, herald.MaintenanceInput{Name: &name, ScheduledFor: &from, ScheduledUntil: &until}); err != nil {
		t.Fatal(err)
	}
}

func TestBrowser_SignInSeeTheS1CountdownTurnOverdueAndSignOut(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.chrome(t)
	if st := c.open("/app"); st != 200 || c.pathname() != "/login" {
		t.Fatalf("signed out, /app: %d at %s", st, c.url())
	}

	// The browser counts down with its own clock: the status incident is
	// published (by the test clock) 10 minutes less 15 seconds before the
	// real time, and an S1 under investigation owes an update every 10
	// minutes (R13), so it is due 15 seconds from now; then the test clock
	// moves to the real time.
	published := time.Now().Add(-10*time.Minute + 15*time.Second)
	e.clock.Advance(published.Sub(e.clock.Now()))
	ctx := context.Background()
	lead := herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder}
	inc, err := e.db.Incidents.DeclareIncident(ctx, lead, herald.DeclareInput{Title: "Checkout fails", Severity: herald.S1})
	if err != nil {
		t.Fatal(err)
	}
	decideStatusPage(t, e.db, lead, inc.ID)
	if _, err := e.db.StatusPage.CreateStatusIncident(ctx, lead, herald.StatusIncidentInput{Name: "Checkout errors", IncidentID: inc.ID,
		StatusUpdateInput: herald.StatusUpdateInput{Status: herald.Investigating, Body: "We are looking into failed checkouts."}}, false); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Since(e.clock.Now()))
	c.signIn(herald.RoleResponder)
	row := `#live tbody tr`
	if got := c.text(row); !strings.Contains(got, "Checkout fails") || !strings.Contains(got, "S1") || !strings.Contains(got, "Investigating") {
		t.Fatalf("Now row: %q", got)
	}
	if got := c.text("time.countdown"); !strings.HasPrefix(got, "in ") {
		t.Fatalf("countdown before due: %q", got)
	}
	// The script turns it to words (and red) once due, without a reload.
	runIn(c, chromedp.Poll[bool](`document.querySelector('time.countdown').textContent.startsWith('overdue by')`, chromedp.WithPollingTimeout(25*time.Second)))
	if c.count("time.countdown.overdue") != 1 {
		t.Error("the overdue countdown is not marked overdue")
	}
	// The server says the same once its clock passes the due time (asked
	// without the script, which would rewrite it).
	e.clock.Advance(2 * time.Minute)
	b := e.browser(t)
	b.signIn("responder@example.com")
	if _, body := b.get("/app?live=1"); !strings.Contains(body, `class="countdown overdue"`) || !strings.Contains(body, ">overdue by 1 min<") {
		t.Errorf("server-rendered countdown after due:\n%s", body)
	}

	if st := c.submit(`form[action="/logout"] button`); st != 200 || c.pathname() != "/login" || !strings.Contains(c.text(".flash"), "signed out") {
		t.Fatalf("sign out: %d at %s", st, c.url())
	}
	if c.open("/app"); c.pathname() != "/login" {
		t.Errorf("after sign-out /app shows %s", c.url())
	}
}

func TestBrowser_CrossOriginFormIsRefusedAndChangesNothing(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.chrome(t)
	c.signIn(herald.RoleResponder)
	// Another site (another port: another origin, the same "site", so the
	// browser sends the SameSite=Lax cookie with it) with a form that signs
	// the person out of the console.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Win a prize</title><form method="post" action="%s/logout"><button type="submit">Claim</button></form>`, e.http.URL)
	}))
	defer evil.Close()
	c.open(evil.URL + "/")
	if st := c.submit("button"); st != http.StatusForbidden {
		t.Fatalf("cross-origin post: %d, want 403", st)
	}
	if got := c.text(".error"); !strings.Contains(got, "another site") {
		t.Errorf("refusal says %q", got)
	}
	if st := c.open("/app"); st != 200 || c.pathname() != "/app" {
		t.Errorf("after the refused sign-out: %d at %s, want still signed in", st, c.url())
	}
}

func TestBrowser_IdleSessionEnds(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.chrome(t)
	c.signIn(herald.RoleViewer)
	settings, err := e.db.Settings.Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	idle := time.Duration(settings.Sessions.Idle)
	e.clock.Advance(idle - time.Minute)
	if c.reload(); c.pathname() != "/app" {
		t.Fatalf("signed out before the idle time: at %s", c.url())
	}
	e.clock.Advance(idle)
	if st := c.reload(); st != 200 || c.pathname() != "/login" || c.count("#password") != 1 {
		t.Fatalf("after the idle time: %d at %s, want the sign-in page", st, c.url())
	}
	// Signing in again goes back to where the person was.
	c.fill("#email", "viewer@example.com")
	c.fill("#password", pw)
	if c.submit(`form[action="/login"] button[type="submit"]`); c.pathname() != "/app" {
		t.Errorf("signed in again: at %s", c.url())
	}
}

func TestBrowser_ViewerSeesNoWriteButtonsAndIsRefused(t *testing.T) {
	e := newEnv(t, store.SQLite)
	// Besides every real route (from the route table), a test route that
	// needs the responder role (and one the admin role): a responder's
	// post to it passes below, so the viewer's refusal is the role's.
	e.console.AddTestRoute("POST", "/app/test/responder-action/{id}", herald.RoleResponder)
	e.console.AddTestRoute("GET", "/app/test/admin-screen", herald.RoleAdmin)
	guarded := e.console.Guarded()
	// needsMore says whether a request goes to a route above the viewer.
	above := http.NewServeMux()
	for _, g := range guarded {
		above.Handle(g.Method+" "+g.Path, http.NotFoundHandler())
	}
	needsMore := func(method, p string) bool {
		_, pattern := above.Handler(httptest.NewRequest(method, p, nil))
		return pattern != ""
	}
	// Every screen a person signs in for, as a viewer: refused if it needs
	// more, else shown without a form that posts to a route above the
	// viewer (their own password and sessions remain theirs).
	c := e.chrome(t)
	c.signIn(herald.RoleViewer)
	for _, s := range screens {
		if s.as == "" {
			continue
		}
		p := s.open(t, e)
		st := c.open(p)
		if needsMore("GET", p) {
			if st != http.StatusForbidden {
				t.Errorf("%s: a viewer opens %s: %d, want 403", s.name, p, st)
			}
			continue
		}
		if want := cmp.Or(s.status, http.StatusOK); st != want {
			t.Errorf("%s: a viewer opens %s: %d, want %d", s.name, p, st, want)
		}
		for _, f := range c.writeForms() {
			if needsMore("POST", f) {
				t.Errorf("%s: a viewer sees a form that posts to %s", s.name, f)
			}
		}
	}
	if len(guarded) < 2 {
		t.Fatalf("guarded routes: %v", guarded)
	}
	for _, g := range guarded {
		p := fillPath(g.Path)
		var st int
		if g.Method == "GET" {
			st = c.open(p)
		} else {
			c.open("/app")
			st = c.post(p, map[string]string{"reason": "because"})
		}
		if st != http.StatusForbidden || c.text("h1") != "Not allowed" {
			t.Errorf("viewer %s %s: %d %q, want 403 Not allowed", g.Method, p, st, c.text("h1"))
		}
	}
	// The stand-in works for the role it needs: the refusal was the role's.
	r := e.chrome(t)
	r.signIn(herald.RoleResponder)
	r.open("/app")
	if st := r.post("/app/test/responder-action/x", nil); st != 200 || !strings.Contains(r.text(".flash"), "test route") {
		t.Errorf("responder post: %d %s", st, r.url())
	}
}

// fillPath puts a value in each {wildcard} of a route pattern.
func fillPath(p string) string {
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			return p
		}
		j := strings.IndexByte(p[i:], '}')
		p = p[:i] + "x" + p[i+j+1:]
	}
}

func TestBrowser_WorksWithJavaScriptOff(t *testing.T) {
	e := newEnv(t, store.SQLite)
	seedNow(t, e)
	e.clock.Advance(11 * time.Minute) // the S1's update is overdue
	c := e.chrome(t)
	c.scriptsOff()
	c.signIn(herald.RoleResponder)
	// The script would count from the browser's clock (days past the test
	// clock): "1 min" is the server's words, so no script ran.
	if got := c.text("#live table"); !strings.Contains(got, "Checkout fails") || !strings.Contains(got, "overdue by 1 min") {
		t.Errorf("Now without JavaScript: %q", got)
	}
	if got := c.text("#h-pages"); !strings.Contains(got, "3") {
		t.Errorf("open pages heading: %q", got)
	}
	if st := c.submit(`form[action="/logout"] button`); st != 200 || c.pathname() != "/login" {
		t.Errorf("sign out without JavaScript: %d at %s", st, c.url())
	}
}

func TestBrowser_EveryScreenPassesAxeLightDarkAndPhone(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.chrome(t)
	signedIn := herald.APIRole("")
	for _, s := range screens {
		if s.as != signedIn {
			c = e.chrome(t)
			if s.as != "" {
				c.signIn(s.as)
			}
			signedIn = s.as
		}
		p := s.open(t, e)
		want := s.status
		if want == 0 {
			want = 200
		}
		for _, width := range []int64{1280, 375} {
			c.width(width)
			for _, dark := range []bool{false, true} {
				c.scheme(dark)
				what := fmt.Sprintf("%s at %d px, dark %v", s.name, width, dark)
				if st := c.open(p); st != want {
					t.Fatalf("%s: %d, want %d", what, st, want)
				}
				if bg := eval[string](c, "getComputedStyle(document.body).backgroundColor"); (bg == "rgb(13, 17, 23)") != dark {
					t.Errorf("%s: background %s", what, bg)
				}
				c.axe(what)
				if width == 375 && c.scrollsSideways() {
					t.Errorf("%s: the page scrolls sideways", what)
				}
			}
		}
	}
}
