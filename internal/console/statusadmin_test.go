package console_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// upload posts a file in a multipart form, as a browser's file input does.
func (b *browser) upload(path, field, name, content string) (*http.Response, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		b.t.Fatal(err)
	}
	io.WriteString(fw, content)
	mw.Close()
	req, err := http.NewRequest("POST", b.base+path, &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, string(out)
}

// wantRedirect checks a form answered 303 back to a console path.
func wantRedirect(t *testing.T, what string, res *http.Response, body, to string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), to) {
		t.Fatalf("%s: %d to %q, want 303 to %s; %s", what, res.StatusCode, res.Header.Get("Location"), to, body)
	}
}

func componentNamed(t *testing.T, e *env, name string) (herald.Component, bool) {
	t.Helper()
	list, err := e.db.StatusPage.Components(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.Name == name {
			return c, true
		}
	}
	return herald.Component{}, false
}

func TestStatusAdmin_ComponentsThroughForms(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		b := e.browser(t)
		b.signIn("admin@example.com")

		// Create, in a group that the store creates.
		res, body := b.post("/app/status/components", url.Values{"name": {"API"}, "description": {"The public API"}, "group": {"Core"}, "position": {"2"}})
		wantRedirect(t, "create", res, body, "/app/status/components")
		api, ok := componentNamed(t, e, "API")
		core, gok := componentNamed(t, e, "Core")
		if !ok || !gok || api.GroupID != core.ID || !core.Group || api.Description != "The public API" || api.Position != 2 {
			t.Fatalf("created: %+v in %+v", api, core)
		}
		res, body = b.get("/app/status/components")
		if res.StatusCode != 200 || !strings.Contains(body, "API") || !strings.Contains(body, "Operational") || !strings.Contains(body, `href="/app/status"`) {
			t.Fatalf("list: %d %s", res.StatusCode, body)
		}

		// A bad form is shown again with the input and the reason; nothing is made.
		res, body = b.post("/app/status/components", url.Values{"name": {"Web"}, "position": {"first"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "must be a whole number") || !strings.Contains(body, `value="Web"`) {
			t.Fatalf("bad position: %d %s", res.StatusCode, body)
		}
		if _, ok := componentNamed(t, e, "Web"); ok {
			t.Fatal("a refused form created a component")
		}

		// Rename, describe and move (order), then take it out of the group.
		res, body = b.post("/app/status/components/"+api.ID, url.Values{"name": {"Public API"}, "description": {"REST"}, "group": {"Core"}, "position": {"7"}})
		wantRedirect(t, "rename", res, body, "/app/status/components")
		got, ok := componentNamed(t, e, "Public API")
		if !ok || got.ID != api.ID || got.Position != 7 || got.Description != "REST" || got.GroupID != core.ID {
			t.Fatalf("renamed: %+v", got)
		}
		res, body = b.post("/app/status/components/"+api.ID, url.Values{"name": {"Public API"}, "description": {"REST"}, "group": {""}, "position": {"1"}})
		wantRedirect(t, "regroup", res, body, "/app/status/components")
		if got, _ = componentNamed(t, e, "Public API"); got.GroupID != "" || got.Position != 1 {
			t.Fatalf("regrouped: %+v", got)
		}
		changes, err := e.db.StatusPage.ComponentChanges(ctx, 10)
		if err != nil || len(changes) < 3 || changes[0].Actor != "admin person" || changes[0].Action != "updated" {
			t.Fatalf("recorded changes: %+v %v", changes, err)
		}

		// Deleting a component a planned maintenance uses is refused with
		// the store's reason, and it stays.
		from := e.clock.Now().Add(24 * time.Hour)
		until := from.Add(time.Hour)
		lead := herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder}
		if _, err := e.db.Maintenances.CreateMaintenance(ctx, lead, herald.MaintenanceInput{Name: ptr("DB upgrade"), ScheduledFor: &from, ScheduledUntil: &until, Components: &[]string{api.ID}}); err != nil {
			t.Fatal(err)
		}
		res, body = b.post("/app/status/components/"+api.ID+"/delete", url.Values{})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Not deleted") || !strings.Contains(body, "still in use") {
			t.Fatalf("delete in use: %d %s", res.StatusCode, body)
		}
		if _, ok := componentNamed(t, e, "Public API"); !ok {
			t.Fatal("the refused delete removed the component")
		}

		// An unused one goes.
		res, body = b.post("/app/status/components/"+core.ID+"/delete", url.Values{})
		wantRedirect(t, "delete", res, body, "/app/status/components")
		if _, ok := componentNamed(t, e, "Core"); ok {
			t.Fatal("deleted group still listed")
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestStatusAdmin_MaintenanceScheduleUpdateComplete(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin := herald.Actor{User: e.people[herald.RoleAdmin], Role: herald.RoleAdmin}
		db, err := e.db.StatusPage.CreateComponent(ctx, admin, herald.ComponentInput{Name: ptr("Database")})
		if err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		b.signIn("responder@example.com")

		from := e.clock.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
		until := from.Add(2 * time.Hour)
		f := url.Values{"name": {"Database upgrade"}, "body": {"Writes pause for a minute."},
			"scheduled_for": {from.Format("2006-01-02T15:04")}, "scheduled_until": {until.Format("2006-01-02T15:04")},
			"components": {db.ID}, "reminders": {"24h, 1h"}, "auto_transition": {"on"}}

		// The end before the start is refused with the field's reason and the input kept.
		bad := url.Values{}
		for k, v := range f {
			bad[k] = v
		}
		bad.Set("scheduled_until", from.Add(-time.Hour).Format("2006-01-02T15:04"))
		res, body := b.post("/app/status/maintenances", bad)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "must be after scheduled_for") || !strings.Contains(body, `value="Database upgrade"`) {
			t.Fatalf("bad window: %d %s", res.StatusCode, body)
		}
		if ms, _ := e.db.Maintenances.Maintenances(ctx, 10); len(ms) != 0 {
			t.Fatalf("a refused form scheduled %d maintenances", len(ms))
		}

		res, body = b.post("/app/status/maintenances", f)
		wantRedirect(t, "schedule", res, body, "/app/status/maintenances/")
		ms, err := e.db.Maintenances.Maintenances(ctx, 10)
		if err != nil || len(ms) != 1 {
			t.Fatalf("maintenances: %v %v", ms, err)
		}
		m := ms[0]
		if !m.ScheduledFor.Equal(from) || !m.ScheduledUntil.Equal(until) || !m.AutoTransition || len(m.Components) != 1 || m.Components[0] != db.ID || len(m.Reminders) != 2 {
			t.Fatalf("scheduled: %+v", m)
		}
		page := "/app/status/maintenances/" + m.ID
		res, body = b.get("/app/status/maintenances")
		if res.StatusCode != 200 || !strings.Contains(body, "Upcoming") || !strings.Contains(body, "Database upgrade") {
			t.Fatalf("list: %d %s", res.StatusCode, body)
		}

		// Saving new text alone does not reschedule.
		res, body = b.get(page)
		if res.StatusCode != 200 || !strings.Contains(body, "24h before") || !strings.Contains(body, `value="`+from.Format("2006-01-02T15:04")+`"`) {
			t.Fatalf("maintenance page: %d %s", res.StatusCode, body)
		}
		edit := url.Values{"name": {"Database upgrade"}, "body": {"Writes pause for two minutes."}, "components": {db.ID},
			"scheduled_for": {from.Format("2006-01-02T15:04")}, "was_scheduled_for": {from.Format("2006-01-02T15:04")},
			"scheduled_until": {until.Format("2006-01-02T15:04")}, "was_scheduled_until": {until.Format("2006-01-02T15:04")},
			"reminders": {"24h, 1h"}, "was_reminders": {"24h, 1h"}}
		res, body = b.post(page, edit)
		wantRedirect(t, "edit", res, body, page)
		if m, _ = e.db.Maintenances.Maintenance(ctx, m.ID); m.Body != "Writes pause for two minutes." || m.Updates[0].Event != herald.EventScheduled {
			t.Fatalf("edited: %+v", m)
		}
		// A new window reschedules.
		later := from.Add(24 * time.Hour)
		edit.Set("scheduled_for", later.Format("2006-01-02T15:04"))
		edit.Set("scheduled_until", later.Add(time.Hour).Format("2006-01-02T15:04"))
		res, body = b.post(page, edit)
		wantRedirect(t, "reschedule", res, body, page)
		if m, _ = e.db.Maintenances.Maintenance(ctx, m.ID); !m.ScheduledFor.Equal(later) || m.Updates[0].Event != herald.EventRescheduled {
			t.Fatalf("rescheduled: %+v", m)
		}

		// Post an update, start by hand, complete by hand.
		res, body = b.post(page+"/updates", url.Values{"body": {"Backups are done."}, "status": {""}})
		wantRedirect(t, "update", res, body, page)
		if m, _ = e.db.Maintenances.Maintenance(ctx, m.ID); m.Status != herald.MaintenanceScheduled || m.Updates[0].Body != "Backups are done." || m.Updates[0].Actor != "responder person" {
			t.Fatalf("update: %+v", m.Updates[0])
		}
		// An update without text is refused and shown again.
		res, body = b.post(page+"/updates", url.Values{"body": {" "}, "status": {""}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "body") {
			t.Fatalf("empty update: %d %s", res.StatusCode, body)
		}
		// With automation on, starting by hand is refused (R30), and the
		// page offers to turn automation off.
		res, body = b.post(page+"/updates", url.Values{"body": {"Starting early."}, "status": {"in_progress"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "R30") || !strings.Contains(body, `action="`+page+`/automation-off"`) || !strings.Contains(body, "Starting early.") {
			t.Fatalf("start with automation on: %d %s", res.StatusCode, body)
		}
		if m, _ = e.db.Maintenances.Maintenance(ctx, m.ID); m.Status != herald.MaintenanceScheduled {
			t.Fatalf("started with automation on: %s", m.Status)
		}
		res, body = b.post(page+"/automation-off", url.Values{"confirm": {"yes"}})
		wantRedirect(t, "automation off", res, body, page)
		res, body = b.post(page+"/updates", url.Values{"body": {"Starting early."}, "status": {"in_progress"}})
		wantRedirect(t, "start", res, body, page)
		if m, _ = e.db.Maintenances.Maintenance(ctx, m.ID); m.Status != herald.MaintenanceInProgress {
			t.Fatalf("started: %s", m.Status)
		}
		if c, _ := componentNamed(t, e, "Database"); c.Status != herald.UnderMaintenance {
			t.Fatalf("component during maintenance: %s", c.Status)
		}
		res, body = b.post(page+"/updates", url.Values{"body": {"All done."}, "status": {"completed"}})
		wantRedirect(t, "complete", res, body, page)
		if m, _ = e.db.Maintenances.Maintenance(ctx, m.ID); m.Status != herald.MaintenanceCompleted || m.Updates[0].Event != herald.EventCompleted {
			t.Fatalf("completed: %+v", m)
		}
		res, body = b.get(page)
		if res.StatusCode != 200 || !strings.Contains(body, "Completed") || strings.Contains(body, `action="`+page+`/updates"`) {
			t.Fatalf("completed page still offers updates: %d %s", res.StatusCode, body)
		}
	})
}

func TestStatusAdmin_AutomationOffNeedsConfirmation(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		lead := herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder}
		from := e.clock.Now().Add(time.Hour)
		until := from.Add(time.Hour)
		m, err := e.db.Maintenances.CreateMaintenance(ctx, lead, herald.MaintenanceInput{Name: ptr("Switch upgrade"), ScheduledFor: &from, ScheduledUntil: &until})
		if err != nil {
			t.Fatal(err)
		}
		page := "/app/status/maintenances/" + m.ID
		b := e.browser(t)
		b.signIn("responder@example.com")
		res, body := b.get(page)
		if res.StatusCode != 200 || !strings.Contains(body, "cannot be undone") || !strings.Contains(body, `name="confirm"`) {
			t.Fatalf("page: %d %s", res.StatusCode, body)
		}

		// Without the ticked confirmation nothing changes.
		res, body = b.post(page+"/automation-off", url.Values{})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "tick the box") {
			t.Fatalf("unconfirmed: %d %s", res.StatusCode, body)
		}
		if m, _ = e.db.Maintenances.Maintenance(ctx, m.ID); !m.AutoTransition {
			t.Fatal("automation turned off without the confirmation")
		}

		res, body = b.post(page+"/automation-off", url.Values{"confirm": {"yes"}})
		wantRedirect(t, "automation off", res, body, page)
		if m, _ = e.db.Maintenances.Maintenance(ctx, m.ID); m.AutoTransition || !strings.Contains(m.Updates[0].Body, "Automation turned off") {
			t.Fatalf("after confirmation: %+v", m)
		}
		res, body = b.get(page)
		if strings.Contains(body, `name="confirm"`) || !strings.Contains(body, "by hand") {
			t.Fatalf("page after automation off: %d %s", res.StatusCode, body)
		}
		// What the page promised: the store does not turn it back on.
		on := true
		if _, err := e.db.Maintenances.UpdateMaintenance(ctx, lead, m.ID, herald.MaintenanceInput{AutoTransition: &on}); herald.ErrorCode(err) != herald.EUnprocessable {
			t.Fatalf("turning automation back on: %v", err)
		}
	})
}

func TestStatusAdmin_SubscriberImportExport(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		b := e.browser(t)
		b.signIn("admin@example.com")

		// A bad row refuses the whole file, names its line, and changes nothing.
		res, body := b.upload("/app/status/subscribers/import", "file", "subs.csv",
			"kind,target\nemail,ann@example.com\nemail,not-an-address\nemail,bob@example.com\n")
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Nothing was imported") || !strings.Contains(body, "Line 3") {
			t.Fatalf("bad import: %d %s", res.StatusCode, body)
		}
		if counts, _ := e.db.Subscribers.SubscriberCounts(ctx); len(counts) != 0 {
			t.Fatalf("a refused import added %v", counts)
		}
		res, body = b.upload("/app/status/subscribers/import", "file", "subs.csv", "kind,target\nemail,ann@example.com\nfax,123\n")
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "line 3: kind must be") {
			t.Fatalf("bad kind: %d %s", res.StatusCode, body)
		}

		res, body = b.upload("/app/status/subscribers/import", "file", "subs.csv",
			"kind,target,components\nemail,ann@example.com,\nemail,bob@example.com,\n")
		wantRedirect(t, "import", res, body, "/app/status/subscribers")
		if !strings.Contains(res.Header.Get("Location"), "Imported+2") {
			t.Fatalf("flash: %s", res.Header.Get("Location"))
		}
		counts, err := e.db.Subscribers.SubscriberCounts(ctx)
		if err != nil || counts["email"]["confirmed"] != 2 {
			t.Fatalf("counts: %v %v", counts, err)
		}
		res, body = b.get("/app/status/subscribers")
		if res.StatusCode != 200 || !strings.Contains(body, `<th scope="row">email</th><td>2</td>`) {
			t.Fatalf("counts page: %d %s", res.StatusCode, body)
		}

		res, body = b.get("/app/status/subscribers/export.csv")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %v", res.StatusCode, res.Header)
		}
		lines := strings.Split(strings.TrimSpace(body), "\n")
		if len(lines) != 3 || lines[0] != "kind,target,components,confirmed,created_at" ||
			!strings.HasPrefix(lines[1], "email,") || !strings.Contains(body, "email,ann@example.com,,true,") || !strings.Contains(body, "email,bob@example.com,,true,") {
			t.Fatalf("export body:\n%s", body)
		}
	})
}

func TestStatusAdmin_StakeholderChannels(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		b := e.browser(t)
		b.signIn("admin@example.com")
		res, body := b.post("/app/status/subscribers/channels", url.Values{"kind": {"email"}, "target": {"Exec-List@example.com"}})
		wantRedirect(t, "add channel", res, body, "/app/status/subscribers")
		chs, err := e.db.Subscribers.StakeholderChannels(ctx)
		if err != nil || len(chs) != 1 || chs[0].Target != "exec-list@example.com" {
			t.Fatalf("channels: %+v %v", chs, err)
		}
		// A target that is not a URL is shown again with the reason.
		res, body = b.post("/app/status/subscribers/channels", url.Values{"kind": {"slack"}, "target": {"ftp://chat.example.com/hook"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="ftp://chat.example.com/hook"`) || !strings.Contains(body, "must be an http or https URL") {
			t.Fatalf("private URL: %d %s", res.StatusCode, body)
		}
		if chs, _ = e.db.Subscribers.StakeholderChannels(ctx); len(chs) != 1 {
			t.Fatalf("a refused channel was added: %+v", chs)
		}
		res, body = b.get("/app/status/subscribers")
		if res.StatusCode != 200 || !strings.Contains(body, "exec-list@example.com") {
			t.Fatalf("list: %d %s", res.StatusCode, body)
		}
	})
}

// A viewer reads every screen, sees no form that changes anything, and is
// refused (403) when posting anyway; a responder may not change components
// or subscribers (admin only, as the API).
func TestStatusAdmin_ViewerSeesNoFormsAndGets403(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin := herald.Actor{User: e.people[herald.RoleAdmin], Role: herald.RoleAdmin}
		c, err := e.db.StatusPage.CreateComponent(ctx, admin, herald.ComponentInput{Name: ptr("API")})
		if err != nil {
			t.Fatal(err)
		}
		from := e.clock.Now().Add(time.Hour)
		until := from.Add(time.Hour)
		m, err := e.db.Maintenances.CreateMaintenance(ctx, admin, herald.MaintenanceInput{Name: ptr("Patch"), ScheduledFor: &from, ScheduledUntil: &until})
		if err != nil {
			t.Fatal(err)
		}
		mpage := "/app/status/maintenances/" + m.ID

		v := e.browser(t)
		v.signIn("viewer@example.com")
		for _, p := range []string{"/app/status/components", "/app/status/maintenances", mpage, "/app/status/subscribers"} {
			res, body := v.get(p)
			if res.StatusCode != 200 || strings.Contains(body, `<form method="post" action="/app/status`) || strings.Contains(body, "<button") && strings.Contains(body, `class="primary"`) {
				t.Errorf("viewer on %s: %d, or a write form shown", p, res.StatusCode)
			}
		}
		posts := []struct {
			path string
			form url.Values
		}{
			{"/app/status/components", url.Values{"name": {"Web"}}},
			{"/app/status/components/" + c.ID, url.Values{"name": {"Renamed"}}},
			{"/app/status/components/" + c.ID + "/delete", url.Values{}},
			{"/app/status/maintenances", url.Values{"name": {"X"}}},
			{mpage, url.Values{"name": {"Renamed"}}},
			{mpage + "/updates", url.Values{"body": {"hello"}, "status": {"in_progress"}}},
			{mpage + "/automation-off", url.Values{"confirm": {"yes"}}},
			{"/app/status/subscribers/channels", url.Values{"kind": {"email"}, "target": {"x@example.com"}}},
		}
		for _, p := range posts {
			if res, _ := v.post(p.path, p.form); res.StatusCode != http.StatusForbidden {
				t.Errorf("viewer POST %s: %d, want 403", p.path, res.StatusCode)
			}
		}
		if res, _ := v.upload("/app/status/subscribers/import", "file", "s.csv", "kind,target\nemail,a@example.com\n"); res.StatusCode != http.StatusForbidden {
			t.Errorf("viewer import: %d", res.StatusCode)
		}
		if res, _ := v.get("/app/status/subscribers/export.csv"); res.StatusCode != http.StatusForbidden {
			t.Errorf("viewer export: %d", res.StatusCode)
		}

		// A responder works on maintenances but not on components or subscribers.
		r := e.browser(t)
		r.signIn("responder@example.com")
		if res, _ := r.post("/app/status/components/"+c.ID+"/delete", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Errorf("responder delete component: %d", res.StatusCode)
		}
		if _, body := r.get("/app/status/components"); strings.Contains(body, `<form method="post" action="/app/status/components`) {
			t.Error("responder sees component forms")
		}
		if _, body := r.get(mpage); !strings.Contains(body, `action="`+mpage+`/updates"`) {
			t.Error("responder sees no maintenance update form")
		}

		// Nothing changed.
		if got, _ := componentNamed(t, e, "API"); got.ID != c.ID {
			t.Error("component changed by refused posts")
		}
		if got, _ := e.db.Maintenances.Maintenance(ctx, m.ID); got.Name != "Patch" || got.Status != herald.MaintenanceScheduled || !got.AutoTransition || len(got.Updates) != 1 {
			t.Errorf("maintenance changed by refused posts: %+v", got)
		}
		if chs, _ := e.db.Subscribers.StakeholderChannels(ctx); len(chs) != 0 {
			t.Errorf("channel added by a viewer: %+v", chs)
		}
		if counts, _ := e.db.Subscribers.SubscriberCounts(ctx); len(counts) != 0 {
			t.Errorf("import by a viewer: %v", counts)
		}
	})
}

func TestRule31_ConsoleMaintenanceUpdateSkipsChannels(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		lead := herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder}
		if _, err := e.db.Subscribers.Subscribe(ctx, herald.SubscriberInput{Email: "reader@example.com", Confirmed: true}, true); err != nil {
			t.Fatal(err)
		}
		from := e.clock.Now().Add(48 * time.Hour)
		until := from.Add(time.Hour)
		m, err := e.db.Maintenances.CreateMaintenance(ctx, lead, herald.MaintenanceInput{Name: ptr("Switch upgrade"), ScheduledFor: &from, ScheduledUntil: &until})
		if err != nil {
			t.Fatal(err)
		}
		page := "/app/status/maintenances/" + m.ID
		b := e.browser(t)
		b.signIn("responder@example.com")
		if _, body := b.get(page); !strings.Contains(body, `name="skip" value="email"`) {
			t.Fatalf("no channel choice on the update form: %s", body)
		}
		mails := func() int {
			t.Helper()
			if _, err := e.db.Work.PlanBroadcasts(ctx); err != nil {
				t.Fatal(err)
			}
			c, err := e.db.Subscribers.BroadcastCounts(ctx, "maintenance.update")
			if err != nil {
				t.Fatal(err)
			}
			return c["pending"] + c["sent"]
		}
		res, body := b.post(page+"/updates", url.Values{"body": {"Webhooks only."}, "status": {""}, "skip": {"email"}})
		wantRedirect(t, "update without e-mail", res, body, page)
		if n := mails(); n != 0 {
			t.Fatalf("an unchecked channel got %d mails", n)
		}
		res, body = b.post(page+"/updates", url.Values{"body": {"To everyone."}, "status": {""}})
		wantRedirect(t, "update", res, body, page)
		if n := mails(); n != 1 {
			t.Fatalf("%d mails, want 1", n)
		}
	})
}
