package console_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// actor is one of the env's people acting directly on the store.
func (e *env) actor(role herald.APIRole) herald.Actor {
	return herald.Actor{User: e.people[role], Role: role}
}

func (e *env) declare(t *testing.T, title string, sev herald.Severity) *herald.Incident {
	t.Helper()
	inc, err := e.db.Incidents.DeclareIncident(context.Background(), e.actor(herald.RoleResponder), herald.DeclareInput{Title: title, Severity: sev})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func (e *env) incident(t *testing.T, ref string) *herald.Incident {
	t.Helper()
	inc, err := e.db.Incidents.Incident(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func (e *env) timeline(t *testing.T, ref, kind string) []herald.TimelineEntry {
	t.Helper()
	tl, err := e.db.Incidents.Timeline(context.Background(), ref, kind)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// hidden reads a hidden input's value from a page.
func hidden(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no hidden input %q in the page", name)
	}
	return html.UnescapeString(m[1])
}

func TestIncidents_DeclareThroughTheForm(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")

		res, body := b.get("/app/incidents")
		if res.StatusCode != 200 || !strings.Contains(body, `href="/app/incidents/new"`) || !strings.Contains(body, "No active incidents") {
			t.Fatalf("list: %d %s", res.StatusCode, body)
		}
		res, body = b.get("/app/incidents/new")
		if res.StatusCode != 200 || !strings.Contains(body, `<label for="d-title">`) || !strings.Contains(body, `name="severity" value="S1"`) ||
			!strings.Contains(body, "Declaring S1 or S2 pages the incident roles.") {
			t.Fatalf("form: %d %s", res.StatusCode, body)
		}

		// Invalid input is shown again with what was typed; nothing is declared.
		bad := url.Values{"title": {""}, "severity": {"S2"}, "summary": {"Checkout answers 502"}, "services": {"checkout, payments"}, "chat_url": {"javascript:alert(1)"}}
		res, body = b.post("/app/incidents", bad)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Checkout answers 502") || !strings.Contains(body, `value="checkout, payments"`) ||
			!strings.Contains(body, "Title is required") || !strings.Contains(body, "Chat link must be an http or https URL") || !strings.Contains(body, `value="S2" required checked`) {
			t.Fatalf("invalid declare: %d %s", res.StatusCode, body)
		}
		if list, _ := e.db.Incidents.Incidents(context.Background(), herald.ListFilter{}); len(list) != 0 {
			t.Fatalf("an invalid form declared %d incidents", len(list))
		}

		good := url.Values{"title": {"Checkout fails"}, "severity": {"S2"}, "summary": {"Checkout answers 502"}, "services": {"checkout, payments"},
			"chat_url": {"https://chat.example.com/inc"}, "bridge_url": {""}}
		res, _ = b.post("/app/incidents", good)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/app/incidents/INC-1?flash=") {
			t.Fatalf("declare: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		inc := e.incident(t, "INC-1")
		if inc.Title != "Checkout fails" || inc.Severity != herald.S2 || inc.State != herald.Investigating || strings.Join(inc.Services, ",") != "checkout,payments" ||
			inc.ChatURL != "https://chat.example.com/inc" || inc.DeclaredBy != "responder person" {
			t.Fatalf("declared: %+v", inc)
		}
		res, body = b.get(res.Header.Get("Location"))
		if res.StatusCode != 200 || !strings.Contains(body, "INC-1 declared.") || !strings.Contains(body, "Checkout fails") || !strings.Contains(body, "Severity S2") ||
			!strings.Contains(body, "Investigating") || !strings.Contains(body, `href="https://chat.example.com/inc"`) {
			t.Fatalf("incident page: %d %s", res.StatusCode, body)
		}
		if _, body = b.get("/app/incidents"); !strings.Contains(body, `href="/app/incidents/INC-1"`) {
			t.Fatalf("list after declaring: %s", body)
		}
	})
}

func TestIncidents_ChangeStateWithReason(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		e.declare(t, "Checkout fails", herald.S3)
		b := e.browser(t)
		b.signIn("responder@example.com")
		_, body := b.get("/app/incidents/INC-1")
		form := url.Values{"version": {hidden(t, body, "version")}, "from_state": {hidden(t, body, "from_state")}, "from_severity": {hidden(t, body, "from_severity")},
			"state": {"identified"}, "severity": {"S3"}}

		// Without a reason nothing changes and the choice is kept.
		res, body := b.post("/app/incidents/INC-1/change", form)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Reason is required") || !strings.Contains(body, `<option value="identified" selected>`) {
			t.Fatalf("no reason: %d %s", res.StatusCode, body)
		}
		if inc := e.incident(t, "INC-1"); inc.State != herald.Investigating || inc.Version != 1 {
			t.Fatalf("changed without a reason: %+v", inc)
		}

		form.Set("reason", "The 14:02 deploy broke the payment client")
		res, _ = b.post("/app/incidents/INC-1/change", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("change: %d", res.StatusCode)
		}
		if inc := e.incident(t, "INC-1"); inc.State != herald.Identified || inc.Severity != herald.S3 {
			t.Fatalf("after change: %+v", inc)
		}
		tl := e.timeline(t, "INC-1", "")
		last, prev := tl[len(tl)-1], tl[len(tl)-2]
		if prev.Kind != herald.EntryStateChange || prev.Text != "State changed from Investigating to Identified" || prev.Actor != "responder person" ||
			last.Kind != herald.EntryNote || last.Text != "The 14:02 deploy broke the payment client" {
			t.Fatalf("timeline: %+v", tl)
		}

		// A severity change carries the reason in its own entry.
		_, body = b.get("/app/incidents/INC-1")
		form = url.Values{"version": {hidden(t, body, "version")}, "from_state": {"identified"}, "from_severity": {"S3"},
			"state": {"identified"}, "severity": {"S2"}, "reason": {"Every customer is affected"}}
		if res, body = b.post("/app/incidents/INC-1/change", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("severity: %d %s", res.StatusCode, body)
		}
		sev := e.timeline(t, "INC-1", herald.EntrySeverityChange)
		if len(sev) != 1 || sev[0].Text != "Severity changed from S3 to S2: Every customer is affected" {
			t.Fatalf("severity entry: %+v", sev)
		}
		_, body = b.get("/app/incidents/INC-1?live=1")
		if !strings.Contains(body, "The 14:02 deploy broke the payment client") || !strings.Contains(body, "Every customer is affected") || strings.Contains(body, "<html") {
			t.Fatalf("live timeline: %s", body)
		}
	})
}

func TestIncidents_StaleVersionConflictKeepsTheInput(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		e.declare(t, "Checkout fails", herald.S3)
		b := e.browser(t)
		b.signIn("responder@example.com")
		_, body := b.get("/app/incidents/INC-1")
		stale := hidden(t, body, "version")

		// Someone else moves it meanwhile.
		st := herald.Identified
		if _, err := e.db.Incidents.UpdateIncident(context.Background(), e.actor(herald.RoleAdmin), "INC-1", herald.UpdateInput{Version: 1, State: &st, Note: "admin found it"}); err != nil {
			t.Fatal(err)
		}
		form := url.Values{"version": {stale}, "from_state": {"investigating"}, "from_severity": {"S3"}, "state": {"monitoring"}, "severity": {"S3"}, "reason": {"Rolled back; watching the error rate"}}
		res, body := b.post("/app/incidents/INC-1/change", form)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "INC-1 changed since you read it") ||
			!strings.Contains(body, "Rolled back; watching the error rate") || !strings.Contains(body, `<option value="monitoring" selected>`) ||
			!strings.Contains(body, `<span class="state state-identified">Identified</span>`) || !strings.Contains(body, "admin found it") {
			t.Fatalf("conflict: %d %s", res.StatusCode, body)
		}
		if inc := e.incident(t, "INC-1"); inc.State != herald.Identified || inc.Version != 2 {
			t.Fatalf("the stale form changed the incident: %+v", inc)
		}
		// The form now carries the current version: sending it again applies
		// the same change to what is there now.
		if v := hidden(t, body, "version"); v != "2" {
			t.Fatalf("version in the form after the conflict: %s", v)
		}
		again := url.Values{"version": {hidden(t, body, "version")}, "from_state": {hidden(t, body, "from_state")}, "from_severity": {hidden(t, body, "from_severity")},
			"state": {"monitoring"}, "severity": {"S3"}, "reason": {"Rolled back; watching the error rate"}}
		if res, body = b.post("/app/incidents/INC-1/change", again); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("resend: %d %s", res.StatusCode, body)
		}
		if inc := e.incident(t, "INC-1"); inc.State != herald.Monitoring {
			t.Fatalf("after resending: %+v", inc)
		}
	})
}

func TestRule51_DecisionRefusedWithTheReasonOnThePage(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		e.declare(t, "Primary database down", herald.S3)
		if _, err := e.db.Incidents.AssignRole(ctx, e.actor(herald.RoleAdmin), "INC-1", herald.RoleIncidentLead, herald.RoleInput{User: "admin@example.com"}); err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		b.signIn("responder@example.com")
		form := url.Values{"kind": {herald.DecisionFailover}, "what": {"Fail over to the replica"}, "rationale": {"30-45 minutes to recover against 2-4 hours to restore"}}
		res, body := b.post("/app/incidents/INC-1/decisions", form)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "a failover is decided by the Incident Lead of this incident; responder person does not hold that role") ||
			!strings.Contains(body, "30-45 minutes to recover against 2-4 hours to restore") || !strings.Contains(body, `value="Fail over to the replica"`) ||
			!strings.Contains(body, `<option value="failover" selected>`) {
			t.Fatalf("refused decision: %d %s", res.StatusCode, body)
		}
		if ds := e.timeline(t, "INC-1", herald.EntryDecision); len(ds) != 0 {
			t.Fatalf("a refused decision was recorded: %+v", ds)
		}

		// A severity change is the lead's or the engineer's on call once
		// one is assigned (R51): refused with the reason, nothing changes.
		_, page := b.get("/app/incidents/INC-1")
		sev := url.Values{"version": {hidden(t, page, "version")}, "from_state": {"investigating"}, "from_severity": {"S3"}, "state": {"investigating"}, "severity": {"S1"}, "reason": {"It is worse"}}
		res, body = b.post("/app/incidents/INC-1/change", sev)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "a severity change is decided by the Incident Lead or Engineer on Call of this incident") ||
			!strings.Contains(body, "It is worse") || !strings.Contains(body, `href="#form-change"`) {
			t.Fatalf("refused severity change: %d %s", res.StatusCode, body)
		}
		if inc := e.incident(t, "INC-1"); inc.Severity != herald.S3 {
			t.Fatalf("severity changed by someone without the authority: %s", inc.Severity)
		}

		// The lead may, trained for failover (R56).
		if _, err := e.db.People.SetQualification(ctx, e.actor(herald.RoleAdmin), "admin@example.com", herald.QualificationFailover, herald.QualificationInput{}); err != nil {
			t.Fatal(err)
		}
		lead := e.browser(t)
		lead.signIn("admin@example.com")
		if res, body = lead.post("/app/incidents/INC-1/decisions", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("lead's decision: %d %s", res.StatusCode, body)
		}
		ds := e.timeline(t, "INC-1", herald.EntryDecision)
		if len(ds) != 1 || !strings.Contains(ds[0].Text, "Fail over to the replica") || ds[0].Actor != "admin person" {
			t.Fatalf("decision log: %+v", ds)
		}
		if _, body = b.get("/app/incidents/INC-1"); !strings.Contains(body, "Rationale: 30-45 minutes to recover") {
			t.Fatalf("the decision is not on the page: %s", body)
		}
	})
}

func TestIncidents_ViewerSeesNoFormsAndPostsAre403(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		e.declare(t, "Checkout fails", herald.S3)
		fu, err := e.db.Incidents.AddFollowUp(ctx, e.actor(herald.RoleResponder), "INC-1", herald.FollowUpInput{Title: ptr("Alert on 502s")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Incidents.Label(ctx, e.actor(herald.RoleResponder), "INC-1", herald.LabelInput{Add: []string{"customer-facing"}}); err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		b.signIn("viewer@example.com")
		for _, path := range []string{"/app/incidents", "/app/incidents/INC-1"} {
			res, body := b.get(path)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d", path, res.StatusCode)
			}
			if strings.Contains(body, `method="post" action="/app/incidents`) || strings.Contains(body, "Declare incident") || strings.Contains(body, "<details") ||
				strings.Contains(body, "Publish on the status page") {
				t.Errorf("%s shows a viewer a form or the declare button", path)
			}
		}
		if res, body := b.get("/app/incidents/INC-1"); !strings.Contains(body, "Alert on 502s") || !strings.Contains(body, "customer-facing") || !strings.Contains(body, "Timeline") {
			t.Errorf("the viewer does not see everything: %d %s", res.StatusCode, body)
		}
		if res, _ := b.get("/app/incidents/new"); res.StatusCode != http.StatusForbidden {
			t.Errorf("declare form for a viewer: %d", res.StatusCode)
		}
		before := e.incident(t, "INC-1")
		entries := len(e.timeline(t, "INC-1", ""))
		posts := map[string]url.Values{
			"/app/incidents":                                     {"title": {"Another"}, "severity": {"S1"}},
			"/app/incidents/INC-1/change":                        {"version": {"1"}, "from_state": {"investigating"}, "from_severity": {"S3"}, "state": {"resolved"}, "severity": {"S3"}, "reason": {"x"}},
			"/app/incidents/INC-1/roles":                         {"role": {herald.RoleIncidentLead}, "user": {"viewer@example.com"}},
			"/app/incidents/INC-1/notes":                         {"text": {"a viewer's note"}},
			"/app/incidents/INC-1/decisions":                     {"what": {"x"}, "rationale": {"y"}},
			"/app/incidents/INC-1/labels":                        {"remove": {"customer-facing"}},
			"/app/incidents/INC-1/follow-ups":                    {"title": {"x"}},
			"/app/incidents/INC-1/follow-ups/" + fu.ID + "/done": {"done": {"true"}},
			"/app/incidents/INC-1/reviews":                       {"kind": {"internal"}},
		}
		for path, form := range posts {
			if res, _ := b.post(path, form); res.StatusCode != http.StatusForbidden {
				t.Errorf("viewer POST %s: %d, want 403", path, res.StatusCode)
			}
		}
		after := e.incident(t, "INC-1")
		if after.Version != before.Version || len(e.timeline(t, "INC-1", "")) != entries {
			t.Fatalf("a viewer's posts changed the incident: version %d -> %d", before.Version, after.Version)
		}
		if list, _ := e.db.Incidents.Incidents(ctx, herald.ListFilter{}); len(list) != 1 {
			t.Fatalf("a viewer declared an incident")
		}
		if rv, _ := e.db.Incidents.Reviews(ctx, "INC-1"); len(rv) != 0 {
			t.Fatalf("a viewer requested a review")
		}
	})
}

func TestIncidents_ExportIsTheAPIMarkdown(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		e.declare(t, "Checkout *fails* | badly", herald.S2)
		r := e.actor(herald.RoleResponder)
		if _, err := e.db.Incidents.AddNote(ctx, r, "INC-1", herald.NoteInput{Text: "Looking at the payment client"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Incidents.RecordDecision(ctx, r, "INC-1", herald.DecisionInput{What: "Roll back", Rationale: "Fastest way out"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Incidents.AddFollowUp(ctx, r, "INC-1", herald.FollowUpInput{Title: ptr("Alert on 502s")}); err != nil {
			t.Fatal(err)
		}
		const token = "console-test-admin-token-0123456789"
		if err := e.db.People.EnsureAdminToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		api, err := client.New(e.http.URL, token).Incidents.ExportMarkdown(ctx, "INC-1")
		if err != nil {
			t.Fatal(err)
		}

		b := e.browser(t)
		b.signIn("viewer@example.com")
		_, page := b.get("/app/incidents/INC-1")
		if !strings.Contains(page, `href="/app/incidents/INC-1/export.md"`) {
			t.Fatal("no export link")
		}
		res, md := b.get("/app/incidents/INC-1/export.md")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/markdown; charset=utf-8" ||
			res.Header.Get("Content-Disposition") != `attachment; filename="INC-1.md"` {
			t.Fatalf("export: %d %v", res.StatusCode, res.Header)
		}
		if md != api || !strings.Contains(md, "# INC-1: Checkout \\*fails\\* \\| badly") || !strings.Contains(md, "Rationale: Fastest way out") {
			t.Fatalf("console export differs from the API's:\n--- console\n%s\n--- API\n%s", md, api)
		}
	})
}

func TestIncidents_FormsActThroughTheStore(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		e.declare(t, "Checkout fails", herald.S3)
		b := e.browser(t)
		b.signIn("responder@example.com")
		post := func(path string, form url.Values) string {
			t.Helper()
			res, body := b.post(path, form)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST %s: %d %s", path, res.StatusCode, body)
			}
			return res.Header.Get("Location")
		}
		lead := e.people[herald.RoleResponder]
		post("/app/incidents/INC-1/roles", url.Values{"role": {herald.RoleIncidentLead}, "user": {lead.ID}})
		if ra, ok := e.incident(t, "INC-1").Role(herald.RoleIncidentLead); !ok || ra.UserID != lead.ID {
			t.Fatalf("assign: %+v", e.incident(t, "INC-1").Roles)
		}
		admin := e.people[herald.RoleAdmin]
		loc := post("/app/incidents/INC-1/roles", url.Values{"role": {herald.RoleIncidentLead}, "user": {admin.ID}})
		if ra, _ := e.incident(t, "INC-1").Role(herald.RoleIncidentLead); ra.UserID != admin.ID {
			t.Fatalf("hand over: %+v", e.incident(t, "INC-1").Roles)
		}
		if _, body := b.get(loc); !strings.Contains(body, "admin person holds the role now.") || !strings.Contains(body, "Hand over") {
			t.Fatalf("after hand-over: %s", body)
		}
		post("/app/incidents/INC-1/roles", url.Values{"role": {herald.RoleIncidentLead}, "user": {""}})
		if _, body := b.get(loc); !strings.Contains(body, `href="/app/status/incidents/new?incident=INC-1"`) {
			t.Fatalf("no way to publish the incident on the status page: %s", body)
		}
		if _, held := e.incident(t, "INC-1").Role(herald.RoleIncidentLead); held {
			t.Fatal("unassign left the role held")
		}

		post("/app/incidents/INC-1/notes", url.Values{"text": {"Customers report 502s"}})
		if notes := e.timeline(t, "INC-1", herald.EntryNote); len(notes) == 0 || notes[len(notes)-1].Text != "Customers report 502s" {
			t.Fatalf("note: %+v", notes)
		}
		res, body := b.post("/app/incidents/INC-1/notes", url.Values{"text": {"  "}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "text") {
			t.Fatalf("empty note: %d", res.StatusCode)
		}

		post("/app/incidents/INC-1/labels", url.Values{"add": {"customer-facing, Team::Payments"}})
		if l := e.incident(t, "INC-1").Labels; !slices.Equal(l, []string{"Team::Payments", "customer-facing"}) {
			t.Fatalf("labels: %v", l)
		}
		post("/app/incidents/INC-1/labels", url.Values{"remove": {"customer-facing"}})
		if l := e.incident(t, "INC-1").Labels; strings.Join(l, ",") != "Team::Payments" {
			t.Fatalf("label removed: %v", l)
		}

		post("/app/incidents/INC-1/follow-ups", url.Values{"title": {"Alert on 502s"}, "owner": {"payments team"}, "due_date": {"2030-01-15"}, "link": {""}})
		fus, _ := e.db.Incidents.FollowUps(ctx, "INC-1")
		if len(fus) != 1 || fus[0].Owner != "payments team" || fus[0].DueDate != "2030-01-15" || fus[0].Done {
			t.Fatalf("follow-up: %+v", fus)
		}
		res, body = b.post("/app/incidents/INC-1/follow-ups", url.Values{"title": {"Bad date"}, "due_date": {"next week"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="next week"`) || !strings.Contains(body, `value="Bad date"`) {
			t.Fatalf("bad follow-up: %d %s", res.StatusCode, body)
		}
		post("/app/incidents/INC-1/follow-ups/"+fus[0].ID+"/done", url.Values{"done": {"true"}})
		if fus, _ = e.db.Incidents.FollowUps(ctx, "INC-1"); !fus[0].Done {
			t.Fatal("follow-up not done")
		}

		// S3 has no external review by the default policy: it is not offered.
		if _, body = b.get("/app/incidents/INC-1"); strings.Contains(body, `<option value="external">`) || !strings.Contains(body, `<option value="internal">`) {
			t.Fatalf("review kinds offered for S3: %s", body)
		}
		post("/app/incidents/INC-1/reviews", url.Values{"kind": {"internal"}, "completed": {"false"}})
		rvs, _ := e.db.Incidents.Reviews(ctx, "INC-1")
		if len(rvs) != 1 || rvs[0].Kind != "internal" || rvs[0].CompletedAt != nil {
			t.Fatalf("review requested: %+v", rvs)
		}
		post("/app/incidents/INC-1/reviews", url.Values{"kind": {"internal"}, "completed": {"true"}, "link": {"https://docs.example.com/rca"}})
		if rvs, _ = e.db.Incidents.Reviews(ctx, "INC-1"); rvs[0].CompletedAt == nil || rvs[0].Link != "https://docs.example.com/rca" {
			t.Fatalf("review completed: %+v", rvs)
		}
		_, body = b.get("/app/incidents/INC-1")
		for _, want := range []string{"Team::Payments", "Alert on 502s", "payments team", "Internal review", "Completed", "Customers report 502s"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
	})
}

func TestIncidents_StatusIncidentPagesAndWarnings(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		// The lead's role pages a service; the others are bound to nothing,
		// which the incident shows as warnings.
		svc, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "Leads"})
		if err != nil {
			t.Fatal(err)
		}
		s, err := e.db.Settings.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.RoleServices = map[string]string{herald.RoleIncidentLead: svc.Name}
		if _, err := e.db.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		inc := e.declare(t, "Checkout fails", herald.S1)
		decideStatusPage(t, e.db, e.actor(herald.RoleResponder), inc.ID)
		if _, err := e.db.StatusPage.CreateStatusIncident(ctx, e.actor(herald.RoleResponder), herald.StatusIncidentInput{Name: "Checkout is failing", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Status: herald.Investigating, Body: "We are looking into failed payments.", OverrideChecks: true}}, false); err != nil {
			t.Fatal(err)
		}
		sis, _ := e.db.StatusPage.StatusIncidents(ctx, 10)
		if len(sis) != 1 {
			t.Fatalf("status incidents: %d", len(sis))
		}
		pages, _ := e.db.Paging.Pages(ctx, svc.ID, "", 10)
		if len(pages) != 1 {
			t.Fatalf("pages: %d", len(pages))
		}

		b := e.browser(t)
		b.signIn("viewer@example.com")
		_, body := b.get("/app/incidents/INC-1")
		for _, want := range []string{
			fmt.Sprintf(`href="/app/status/incidents/%s"`, sis[0].ID), "Checkout is failing", "We are looking into failed payments.",
			fmt.Sprintf(`href="/app/pages/%s"`, pages[0].ID), "You are paged as Incident Lead",
			"Paging warnings", "Nobody was paged as Communications Manager",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the incident page lacks %q", want)
			}
		}
	})
}

func TestIncidents_ListFiltersActiveFirstAndPages(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		for i := 1; i <= 53; i++ {
			inc := e.declare(t, fmt.Sprintf("Incident number %d.", i), herald.S3)
			if i == 2 || i == 53 {
				continue // these two stay active
			}
			st := herald.Resolved
			if _, err := e.db.Incidents.UpdateIncident(ctx, e.actor(herald.RoleResponder), inc.Reference, herald.UpdateInput{Version: inc.Version, State: &st}); err != nil {
				t.Fatal(err)
			}
		}
		b := e.browser(t)
		b.signIn("viewer@example.com")
		_, body := b.get("/app/incidents")
		active, resolved, _ := strings.Cut(body, `id="h-list"`)
		if !strings.Contains(active, "Incident number 2.") || !strings.Contains(active, "Incident number 53.") || strings.Contains(active, "Incident number 52.") {
			t.Fatalf("active section: %s", active)
		}
		if strings.Contains(resolved, "Incident number 2.") || !strings.Contains(resolved, "Incident number 52.") || !strings.Contains(resolved, "Incident number 3.") ||
			strings.Contains(resolved, "Incident number 1.") || !strings.Contains(resolved, `href="/app/incidents?before=3"`) {
			t.Fatalf("resolved section: %s", resolved)
		}
		_, body = b.get("/app/incidents?before=3")
		if !strings.Contains(body, "Incident number 1.") || strings.Contains(body, "Incident number 53.") || strings.Contains(body, "Older incidents") ||
			!strings.Contains(body, `<a href="/app/incidents">Newest incidents</a>`) {
			t.Fatalf("second page: %s", body)
		}
		_, body = b.get("/app/incidents?active=true&severity=S3&before=53")
		if !strings.Contains(body, "Incident number 2.") || strings.Contains(body, "Incident number 52.") || strings.Contains(body, "Incident number 53.") ||
			!strings.Contains(body, `href="/app/incidents?active=true&amp;severity=S3">Newest incidents</a>`) {
			t.Fatalf("active only: %s", body)
		}
		if _, body = b.get("/app/incidents?severity=S1"); strings.Contains(body, "Incident number") {
			t.Fatalf("S1 filter shows S3 incidents")
		}
		if res, body := b.get("/app/incidents?state=burning"); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "state: must be") {
			t.Fatalf("bad filter: %d", res.StatusCode)
		}
	})
}
