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

// reminderLinks runs the playbook and returns the link of every prompt
// sent, as the person reminded would receive it.
func (e *env) reminderLinks(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	if err := e.db.Work.RunPlaybook(ctx); err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		o, err := e.db.Work.Claim(ctx, store.LanePrompt)
		if err != nil {
			t.Fatal(err)
		}
		if o == nil {
			return out
		}
		out = append(out, o.Prompt.URL)
		if err := e.db.Work.Complete(ctx, o, store.Result{}); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *env) statusUpdates(t *testing.T, id string) []herald.StatusUpdate {
	t.Helper()
	s, err := e.db.StatusPage.StatusIncident(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s.Updates
}

// The reminder of an overdue update links to a screen that shows the
// "no material updates" text and publishes it with one button (R15); the
// incident and Now screens say in words how late the update is (R13).
func TestRule15_ConsoleNoMaterialUpdatesFromTheReminder(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin, responder := e.actor(herald.RoleAdmin), e.actor(herald.RoleResponder)
		name := "API"
		api, err := e.db.StatusPage.CreateComponent(ctx, admin, herald.ComponentInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		inc := e.declare(t, "API errors", herald.S1)
		if _, err := e.db.Incidents.AssignRole(ctx, responder, inc.Reference, herald.RoleCommunications, herald.RoleInput{User: responder.User.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.People.CreateContactMethod(ctx, responder.User.ID, herald.ContactMethodInput{Kind: "email", Target: responder.User.Email}); err != nil {
			t.Fatal(err)
		}
		decideStatusPage(t, e.db, responder, inc.Reference) // R10
		pv, err := e.db.StatusPage.CreateStatusIncident(ctx, responder, herald.StatusIncidentInput{Name: "API errors", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Errors on the API.", Components: map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		sid := pv.Incident.ID
		path := "/app/incidents/" + inc.Reference + "/no-material-updates"

		b := e.browser(t)
		b.signIn("responder@example.com")
		_, body := b.get("/app/incidents/" + inc.Reference)
		for _, want := range []string{"Updates due", "Next public update", "in 10 min", `href="` + path + `"`, `href="/app/incidents/` + inc.Reference + `/internal-update"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the incident screen lacks %q", want)
			}
		}

		e.clock.Advance(11 * time.Minute)
		links := e.reminderLinks(t)
		if len(links) != 1 || !strings.HasSuffix(links[0], path) {
			t.Fatalf("reminders link %q", links)
		}
		for _, p := range []string{"/app/incidents/" + inc.Reference, "/app"} {
			if _, body := b.get(p); !strings.Contains(body, "overdue by 1 min") {
				t.Errorf("%s does not say the update is overdue, in words", p)
			}
		}

		// The viewer sees the text, no button, and cannot publish.
		v := e.browser(t)
		v.signIn("viewer@example.com")
		res, body := v.get(path)
		if res.StatusCode != 200 || !strings.Contains(body, "No material updates: we are still working on API errors.") || strings.Contains(body, `action="`+path+`"`) {
			t.Fatalf("viewer: %d %s", res.StatusCode, body)
		}
		if res, _ := v.post(path, url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer publishes: %d", res.StatusCode)
		}
		if n := len(e.statusUpdates(t, sid)); n != 1 {
			t.Fatalf("%d updates after the viewer's try", n)
		}

		// The responder opens the link and publishes with one button.
		link, err := url.Parse(links[0])
		if err != nil {
			t.Fatal(err)
		}
		res, body = b.get(link.Path)
		if res.StatusCode != 200 || !strings.Contains(body, "No material updates: we are still working on API errors. Next update in 10 minutes.") ||
			!strings.Contains(body, `<form method="post" action="`+path+`"`) || !strings.Contains(body, ">Publish</button>") {
			t.Fatalf("responder: %d %s", res.StatusCode, body)
		}
		res, _ = b.post(path, url.Values{})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/app/incidents/"+inc.Reference+"?flash=") {
			t.Fatalf("publish: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		ups := e.statusUpdates(t, sid)
		if len(ups) != 2 || !strings.HasPrefix(ups[0].Body, "No material updates") || ups[0].Status != herald.Investigating || ups[0].Actor != "responder person" {
			t.Fatalf("updates: %+v", ups)
		}
		if got := e.incident(t, inc.Reference); got.Overdue || !got.NextUpdateDue.Equal(e.clock.Now().Add(10*time.Minute)) {
			t.Fatalf("after: due %v overdue %v", got.NextUpdateDue, got.Overdue)
		}
		tl := e.timeline(t, inc.Reference, herald.EntryNote)
		if last := tl[len(tl)-1]; !strings.Contains(last.Text, "No material updates") || last.Actor != "responder person" {
			t.Fatalf("timeline: %+v", last)
		}

		// Without a status incident there is nothing to publish.
		other := e.declare(t, "Slow search", herald.S2)
		p2 := "/app/incidents/" + other.Reference + "/no-material-updates"
		if _, body := b.get(p2); !strings.Contains(body, "has no open status page incident") || strings.Contains(body, ">Publish</button>") {
			t.Fatalf("no status incident: %s", body)
		}
		if res, body := b.post(p2, url.Values{}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Not published") {
			t.Fatalf("publish without a status incident: %d", res.StatusCode)
		}
	})
}

// The internal update screen sends to the stakeholder channels, keeps the
// text when refused, and the incident shows when the next is due.
func TestRule19_ConsoleInternalUpdate(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		inc := e.declare(t, "API errors", herald.S1)
		path := "/app/incidents/" + inc.Reference + "/internal-update"
		b := e.browser(t)
		b.signIn("responder@example.com")

		// No channel yet: refused with the text kept, nothing recorded.
		res, body := b.post(path, url.Values{"body": {"Rollback under way."}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "no stakeholder channel") || !strings.Contains(body, ">Rollback under way.</textarea>") {
			t.Fatalf("no channel: %d %s", res.StatusCode, body)
		}
		if _, err := e.db.Subscribers.AddStakeholderChannel(ctx, herald.SubscriberInput{Email: "leadership@example.com"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Subscribers.NotifyStakeholders(ctx, e.actor(herald.RoleResponder), inc.Reference); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(31 * time.Minute)
		if _, body := b.get("/app/incidents/" + inc.Reference); !strings.Contains(body, "Next internal update") || !strings.Contains(body, "overdue by 1 min") {
			t.Fatalf("the incident does not say the internal update is overdue")
		}
		if _, body := b.get("/app"); !strings.Contains(body, "Internal update") {
			t.Fatalf("Now does not show the internal update due")
		}

		res, body = b.get(path)
		if res.StatusCode != 200 || !strings.Contains(body, "Goes to 1 stakeholder channel,") || !strings.Contains(body, "Stakeholder notice") {
			t.Fatalf("form: %d %s", res.StatusCode, body)
		}
		if res, _ := b.post(path, url.Values{"body": {"  "}}); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("an empty update: %d", res.StatusCode)
		}
		v := e.browser(t)
		v.signIn("viewer@example.com")
		if _, body := v.get(path); strings.Contains(body, `action="`+path+`"`) {
			t.Fatal("a viewer sees the form")
		}
		if res, _ := v.post(path, url.Values{"body": {"From the viewer."}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer sends: %d", res.StatusCode)
		}
		if list, _ := e.db.Subscribers.InternalUpdates(ctx, inc.Reference); len(list) != 1 {
			t.Fatalf("refused updates were recorded: %+v", list)
		}

		res, _ = b.post(path, url.Values{"body": {"Rollback under way."}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("send: %d", res.StatusCode)
		}
		list, _ := e.db.Subscribers.InternalUpdates(ctx, inc.Reference)
		if len(list) != 2 || list[1].Body != "Rollback under way." || list[1].Actor != "responder person" {
			t.Fatalf("internal updates: %+v", list)
		}
		if got := e.incident(t, inc.Reference); got.InternalUpdateOverdue {
			t.Fatal("still overdue after the update")
		}
		tl := e.timeline(t, inc.Reference, herald.EntryNote)
		if last := tl[len(tl)-1]; last.Text != "Internal update sent to the stakeholder channels: Rollback under way." {
			t.Fatalf("timeline: %+v", last)
		}
	})
}

// The settings screen shows the reminder timings and the internal cadence
// as durations, and saves them; a bad duration is refused with the input
// kept and nothing changed.
func TestRule13_SettingsScreenEditsTheReminders(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		_, page := admin.get("/app/settings")
		form := formValues(t, page, `action="/app/settings"`)
		if form.Get("pb.updates.before") != "2m" || form.Get("pb.internal.S1") != "30m" || form.Get("pb.internal.S2") != "" {
			t.Fatalf("shown: %v", form)
		}
		form.Set("pb.updates.before", "5m")
		form.Set("pb.updates.every", "3m")
		form.Set("pb.internal.S1", "")
		form.Set("pb.internal.S2", "1h")
		form.Set("pb.internal.off", "on")
		form.Del("pb.updates.off") // unchecked: a browser sends nothing (formValues reads every input)
		if form.Get("pb.engage.communications_within") != "10m" || form.Get("pb.engage.director_after") != "1h" || form.Get("pb.require_all_clear") != "on" {
			t.Fatalf("time rules shown: %v", form)
		}
		form.Set("pb.engage.director_after", "45m")
		form.Set("pb.engage.director_service", "Directors")
		form.Del("pb.require_all_clear")
		if strings.Contains(page, `name="pb.updates.off" value="on" checked`) {
			t.Fatal("update reminders shown as off")
		}
		res, body := admin.post("/app/settings", form)
		mustStatus(t, "save", res, body, http.StatusSeeOther)
		s, _ := e.db.Settings.Settings(ctx)
		pb := s.Playbook
		if time.Duration(pb.Updates.Before) != 5*time.Minute || time.Duration(pb.Updates.Every) != 3*time.Minute || pb.Updates.Off ||
			pb.Internal.IntervalFor(herald.S1) != 0 || pb.Internal.IntervalFor(herald.S2) != time.Hour || !pb.Internal.Reminders.Off {
			t.Fatalf("saved: %+v", pb)
		}
		if time.Duration(pb.Engagement.DirectorAfter) != 45*time.Minute || pb.Engagement.DirectorService != "Directors" ||
			time.Duration(pb.Engagement.CommunicationsWithin) != 10*time.Minute || s.RequireAllClear {
			t.Fatalf("time rules saved: %+v, all-clear required %v", pb.Engagement, s.RequireAllClear)
		}
		_, page = admin.get("/app/settings")
		if form = formValues(t, page, `action="/app/settings"`); form.Get("pb.internal.S2") != "1h" || form.Get("pb.updates.every") != "3m" {
			t.Fatalf("shown after saving: %v", form)
		}

		form.Del("pb.updates.off")
		form.Set("pb.updates.before", "soon")
		res, body = admin.post("/app/settings", form)
		mustStatus(t, "bad duration", res, body, http.StatusBadRequest)
		if !strings.Contains(body, `value="soon"`) || !strings.Contains(body, "pb.updates.before") {
			t.Fatalf("refused form:\n%s", body)
		}
		form.Set("pb.updates.before", "25h") // the store's own bound
		res, body = admin.post("/app/settings", form)
		mustStatus(t, "over a day", res, body, http.StatusBadRequest)
		if after, _ := e.db.Settings.Settings(ctx); time.Duration(after.Playbook.Updates.Before) != 5*time.Minute {
			t.Fatalf("a refused form changed the settings: %+v", after.Playbook)
		}
	})
}
