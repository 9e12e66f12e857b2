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

// dailySchedule is a schedule in Europe/Berlin handing over every day at
// 09:00 local time, starting on the test clock's first day (Monday 23
// November 2026, 09:00 Berlin = 08:00 UTC): the responder first, then the
// admin, turn about.
func dailySchedule(t *testing.T, e *env) *herald.Schedule {
	t.Helper()
	s, err := e.db.Schedules.CreateSchedule(context.Background(), herald.ScheduleInput{Name: "Primary", TimeZone: "Europe/Berlin",
		Layers: []herald.Layer{{Name: "Weekdays", Rotation: herald.RotationDaily, HandoffTime: "09:00",
			Start: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), Users: []string{e.people[herald.RoleResponder].ID, e.people[herald.RoleAdmin].ID}}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// day returns the timeline's entry for one day ("Tuesday 24 November").
func day(t *testing.T, body, label string) string {
	t.Helper()
	i := strings.Index(body, ">"+label+"</time></h3>")
	if i < 0 {
		t.Fatalf("no day %q in the timeline", label)
	}
	j := strings.Index(body[i:], `<li class="day">`)
	if j < 0 {
		j = strings.Index(body[i:], "</ol>")
	}
	return body[i : i+j]
}

func TestOncall_ScheduleShowsWhoIsOnCallForAKnownWindow(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		s := dailySchedule(t, e)
		e.clock.Advance(2 * time.Hour) // Monday 11:00 Berlin
		b := e.browser(t)
		b.signIn("viewer@example.com")

		res, body := b.get("/app/oncall")
		if res.StatusCode != 200 || !strings.Contains(body, `<strong>responder person</strong> until <time datetime="2026-11-24T08:00:00Z">`) ||
			!strings.Contains(body, `<strong>admin person</strong> from <time datetime="2026-11-24T08:00:00Z">`) {
			t.Fatalf("on call now and next: %d %s", res.StatusCode, body)
		}

		res, body = b.get("/app/oncall/schedules/" + s.ID)
		if res.StatusCode != 200 || !strings.Contains(body, "Times are in <strong>Europe/Berlin</strong>") {
			t.Fatalf("schedule: %d %s", res.StatusCode, body)
		}
		if n := strings.Count(body, `<li class="day">`); n != 14 {
			t.Errorf("%d days in the timeline, want 14", n)
		}
		// Tuesday, in Berlin: the responder until 09:00, then the admin;
		// in UTC that is 08:00.
		tue := day(t, body, "Tuesday 24 November")
		for _, want := range []string{
			`<time datetime="2026-11-23T23:00:00Z">00:00</time>–<time datetime="2026-11-24T08:00:00Z">09:00</time></span> <strong>responder person</strong>`,
			`(Nov 23 23:00–Nov 24 08:00 UTC)`,
			`<time datetime="2026-11-24T08:00:00Z">09:00</time>–<time datetime="2026-11-24T23:00:00Z">24:00</time></span> <strong>admin person</strong>`,
			`(Nov 24 08:00–Nov 24 23:00 UTC)`,
			`<dt>Layer: Weekdays</dt>`,
		} {
			if !strings.Contains(tue, want) {
				t.Errorf("Tuesday lacks %s:\n%s", want, tue)
			}
		}
		// A viewer sees no way to change it.
		if strings.Contains(body, "Take this shift") || strings.Contains(body, "Add an override") {
			t.Error("a viewer is offered write buttons")
		}

		// The same day drawn in UTC.
		_, body = b.get("/app/oncall/schedules/" + s.ID + "?tz=UTC")
		tue = day(t, body, "Tuesday 24 November")
		if !strings.Contains(tue, `>00:00</time>–<time datetime="2026-11-24T08:00:00Z">08:00</time></span> <strong>responder person</strong>`) ||
			!strings.Contains(tue, `>08:00</time>–<time datetime="2026-11-25T00:00:00Z">24:00</time></span> <strong>admin person</strong>`) {
			t.Errorf("Tuesday in UTC:\n%s", tue)
		}
		// An unknown zone falls back to the schedule's and says so.
		_, body = b.get("/app/oncall/schedules/" + s.ID + "?tz=Mars/Olympus")
		if !strings.Contains(body, "is not a known time zone") || !strings.Contains(body, "Times are in <strong>Europe/Berlin</strong>") {
			t.Error("an unknown zone is not reported")
		}
	})
}

func TestOncall_TakeThisShiftOverridesExactlyThatWindowAndDeleteRemovesIt(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		s := dailySchedule(t, e)
		responder := e.people[herald.RoleResponder]
		overrides := func() []herald.Override {
			t.Helper()
			got, err := e.db.Schedules.Schedule(ctx, s.ID, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			return got.Overrides
		}

		// A viewer cannot take a shift, even by posting the form.
		v := e.browser(t)
		v.signIn("viewer@example.com")
		take := url.Values{"start": {"2026-11-24T08:00:00Z"}, "end": {"2026-11-25T08:00:00Z"}, "tz": {"Europe/Berlin"}}
		if res, _ := v.post("/app/oncall/schedules/"+s.ID+"/take", take); res.StatusCode != http.StatusForbidden || len(overrides()) != 0 {
			t.Fatalf("viewer takes a shift: %d, overrides %v", res.StatusCode, overrides())
		}

		b := e.browser(t)
		b.signIn("responder@example.com")
		_, body := b.get("/app/oncall/schedules/" + s.ID)
		// The admin's Tuesday shift is offered, with its whole window.
		tue := day(t, body, "Tuesday 24 November")
		if !strings.Contains(tue, `name="start" value="2026-11-24T08:00:00Z"><input type="hidden" name="end" value="2026-11-25T08:00:00Z">`) {
			t.Fatalf("no take form for the admin's shift:\n%s", tue)
		}
		res, _ := b.post("/app/oncall/schedules/"+s.ID+"/take", take)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/app/oncall/schedules/"+s.ID+"?tz=Europe%2FBerlin") {
			t.Fatalf("take: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		os := overrides()
		if len(os) != 1 || os[0].UserID != responder.ID || !os[0].Start.Equal(time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)) || !os[0].End.Equal(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)) {
			t.Fatalf("override after take: %+v", os)
		}
		_, body = b.get("/app/oncall/schedules/" + s.ID)
		// Who is actually on call (before the layers) is the responder;
		// the layer still shows the admin's turn beneath.
		tue = day(t, body, "Tuesday 24 November")
		final, layer, _ := strings.Cut(tue, "<dt>Layer: Weekdays</dt>")
		if !strings.Contains(final, `<strong>responder person</strong> <span class="tag">override</span>`) || strings.Contains(final, "admin person") || !strings.Contains(layer, "admin person") {
			t.Errorf("Tuesday after take:\n%s", tue)
		}

		// The shift under way is taken from now, not from its start: an
		// override in the past would rewrite who was on call.
		a := e.browser(t)
		a.signIn("admin@example.com")
		_, body = a.get("/app/oncall/schedules/" + s.ID)
		mon := day(t, body, "Monday 23 November")
		if !strings.Contains(mon, `name="start" value="2026-11-23T09:00:00Z"><input type="hidden" name="end" value="2026-11-24T08:00:00Z">`) {
			t.Fatalf("the current shift is not offered from now:\n%s", mon)
		}
		if res, _ := a.post("/app/oncall/schedules/"+s.ID+"/take", url.Values{"start": {"2026-11-23T08:00:00Z"}, "end": {"2026-11-24T08:00:00Z"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin takes the current shift: %d", res.StatusCode)
		}
		os = overrides()
		if len(os) != 2 || os[0].UserID != e.people[herald.RoleAdmin].ID || !os[0].Start.Equal(e.clock.Now()) || !os[0].End.Equal(time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)) {
			t.Fatalf("current shift taken as %+v", os)
		}
		if err := e.db.Schedules.DeleteOverride(ctx, s.ID, os[0].ID); err != nil {
			t.Fatal(err)
		}
		os = overrides()

		// Delete: a viewer cannot; the responder can.
		del := "/app/oncall/schedules/" + s.ID + "/overrides/" + os[0].ID + "/delete"
		if res, _ := v.post(del, url.Values{}); res.StatusCode != http.StatusForbidden || len(overrides()) != 1 {
			t.Fatalf("viewer deletes: %d", res.StatusCode)
		}
		if res, _ := b.post(del, url.Values{}); res.StatusCode != http.StatusSeeOther || len(overrides()) != 0 {
			t.Fatalf("delete: %d, left %v", res.StatusCode, overrides())
		}
	})
}

func TestOncall_AddOverrideInTheShownZoneAndBadInputIsKept(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		s := dailySchedule(t, e)
		admin := e.people[herald.RoleAdmin]
		b := e.browser(t)
		b.signIn("responder@example.com")

		// End before start: shown again with what was typed, nothing stored.
		res, body := b.post("/app/oncall/schedules/"+s.ID+"/overrides", url.Values{"user": {admin.ID}, "start": {"2026-11-26T18:00"}, "end": {"2026-11-26T12:00"}, "tz": {"Europe/Berlin"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="2026-11-26T18:00"`) || !strings.Contains(body, "end after start") {
			t.Fatalf("bad override: %d %s", res.StatusCode, body)
		}
		if got, _ := e.db.Schedules.Schedule(ctx, s.ID, time.Time{}); len(got.Overrides) != 0 {
			t.Fatalf("a refused override was stored: %+v", got.Overrides)
		}
		// A time that is not one.
		if res, body := b.post("/app/oncall/schedules/"+s.ID+"/overrides", url.Values{"user": {admin.ID}, "start": {"tomorrow"}, "end": {"2026-11-26T12:00"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="tomorrow"`) {
			t.Fatalf("unparsable start: %d", res.StatusCode)
		}

		// Thursday 12:00 to 18:00 in Berlin is 11:00 to 17:00 UTC.
		res, _ = b.post("/app/oncall/schedules/"+s.ID+"/overrides", url.Values{"user": {admin.ID}, "start": {"2026-11-26T12:00"}, "end": {"2026-11-26T18:00"}, "tz": {"Europe/Berlin"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add override: %d", res.StatusCode)
		}
		got, err := e.db.Schedules.Schedule(ctx, s.ID, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Overrides) != 1 || got.Overrides[0].UserID != admin.ID || !got.Overrides[0].Start.Equal(time.Date(2026, 11, 26, 11, 0, 0, 0, time.UTC)) ||
			!got.Overrides[0].End.Equal(time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC)) {
			t.Fatalf("override: %+v", got.Overrides)
		}
		_, body = b.get("/app/oncall/schedules/" + s.ID)
		if !strings.Contains(body, `Thu 26 Nov 12:00</time> <span class="utc">(Thu 26 Nov 11:00 UTC)</span>`) {
			t.Error("the override list does not show the override in both zones")
		}
	})
}

func TestOncall_ServiceKeyShownToAdminsOnly(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		svc, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "Checkout"})
		if err != nil {
			t.Fatal(err)
		}
		key := svc.IntegrationKey
		for _, who := range []string{"viewer", "responder"} {
			b := e.browser(t)
			b.signIn(who + "@example.com")
			res, body := b.get("/app/oncall/services")
			if res.StatusCode != 200 || !strings.Contains(body, "Checkout") || !strings.Contains(body, "shown to admins only") {
				t.Fatalf("%s: services %d %s", who, res.StatusCode, body)
			}
			if strings.Contains(body, key) || strings.Contains(body, "••••"+key[len(key)-4:]) {
				t.Errorf("%s sees the integration key", who)
			}
			if strings.Contains(body, "New service") {
				t.Errorf("%s is offered the new service form", who)
			}
			if res, _ := b.post("/app/oncall/services", url.Values{"name": {"Search"}}); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s creates a service: %d", who, res.StatusCode)
			}
		}
		a := e.browser(t)
		a.signIn("admin@example.com")
		if _, body := a.get("/app/oncall/services"); !strings.Contains(body, `<code class="key">`+key+`</code>`) {
			t.Error("the admin does not see the integration key")
		}

		// The admin adds a service; a duplicate name is refused with the
		// form kept.
		if res, _ := a.post("/app/oncall/services", url.Values{"name": {"Search"}, "description": {"the search box"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create service: %d", res.StatusCode)
		}
		if _, err := e.db.Paging.Service(ctx, "Search"); err != nil {
			t.Fatalf("service not stored: %v", err)
		}
		res, body := a.post("/app/oncall/services", url.Values{"name": {"Search"}, "description": {"again"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, `value="again"`) {
			t.Errorf("duplicate service: %d", res.StatusCode)
		}
		if list, _ := e.db.Paging.Services(ctx); len(list) != 2 {
			t.Errorf("%d services, want 2", len(list))
		}
	})
}

func TestOncall_EscalationPoliciesListViewAndCreate(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		s := dailySchedule(t, e)
		admin := e.people[herald.RoleAdmin]

		v := e.browser(t)
		v.signIn("viewer@example.com")
		if _, body := v.get("/app/oncall/policies"); strings.Contains(body, "New escalation policy") {
			t.Error("a viewer is offered the new policy form")
		}
		form := url.Values{"name": {"Checkout"}, "repeat": {"1"}, "targets_1": {"schedule:" + s.ID}, "timeout_1": {"10"},
			"targets_2": {"user:" + admin.ID}, "timeout_2": {"20"}, "timeout_3": {""}}
		if res, _ := v.post("/app/oncall/policies", form); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer creates a policy: %d", res.StatusCode)
		}

		a := e.browser(t)
		a.signIn("admin@example.com")
		// A level with a timeout and nobody to page is refused, the form kept.
		bad := url.Values{"name": {"Broken"}, "timeout_1": {"10"}}
		res, body := a.post("/app/oncall/policies", bad)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="Broken"`) || !strings.Contains(body, "at least one target") {
			t.Fatalf("bad policy: %d %s", res.StatusCode, body)
		}
		res, _ = a.post("/app/oncall/policies", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create policy: %d", res.StatusCode)
		}
		list, err := e.db.Paging.EscalationPolicies(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("policies %v %v", list, err)
		}
		p := list[0]
		if p.Name != "Checkout" || p.Repeat != 1 || len(p.Levels) != 2 || p.Levels[0].TimeoutMinutes != 10 || p.Levels[0].Targets[0] != (herald.Target{Type: "schedule", ID: s.ID}) ||
			p.Levels[1].Targets[0] != (herald.Target{Type: "user", ID: admin.ID}) {
			t.Fatalf("policy stored as %+v", p)
		}
		if res.Header.Get("Location") != "/app/oncall/policies/"+p.ID+"?flash=Escalation+policy+Checkout+created." {
			t.Errorf("redirect to %s", res.Header.Get("Location"))
		}
		res, body = v.get("/app/oncall/policies/" + p.ID)
		for _, want := range []string{"<strong>Level 1</strong> pages whoever is on call on Primary.", "After <strong>10 min</strong> with nobody acknowledging: level 2.",
			"<strong>Level 2</strong> pages admin person.", "level 1 again (repeats 1 more times)"} {
			if !strings.Contains(body, want) {
				t.Errorf("policy view lacks %q: %d", want, res.StatusCode)
			}
		}
		if _, body := v.get("/app/oncall/policies"); !strings.Contains(body, `<a href="/app/oncall/policies/`+p.ID+`">Checkout</a>`) {
			t.Error("the list does not link the policy")
		}
	})
}

func TestOncall_CoverAGapNobodyIsOnCallFor(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		// The rotation starts on Wednesday at 09:00 Berlin: nobody is on
		// call before.
		s, err := e.db.Schedules.CreateSchedule(ctx, herald.ScheduleInput{Name: "Later", TimeZone: "Europe/Berlin",
			Layers: []herald.Layer{{Rotation: herald.RotationDaily, Start: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), Users: []string{e.people[herald.RoleAdmin].ID}}}})
		if err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		b.signIn("responder@example.com")
		_, body := b.get("/app/oncall/schedules/" + s.ID)
		tue := day(t, body, "Tuesday 24 November")
		if !strings.Contains(tue, `<strong class="gap">nobody on call</strong>`) || !strings.Contains(tue, "Cover this gap") ||
			!strings.Contains(tue, `name="start" value="2026-11-23T23:00:00Z"><input type="hidden" name="end" value="2026-11-24T23:00:00Z">`) {
			t.Fatalf("the gap is not written out:\n%s", tue)
		}
		if res, _ := b.post("/app/oncall/schedules/"+s.ID+"/take", url.Values{"start": {"2026-11-23T23:00:00Z"}, "end": {"2026-11-24T23:00:00Z"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("cover: %d", res.StatusCode)
		}
		got, err := e.db.Schedules.Schedule(ctx, s.ID, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Overrides) != 1 || got.Overrides[0].UserID != e.people[herald.RoleResponder].ID || !got.Overrides[0].Start.Equal(time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC)) {
			t.Fatalf("overrides %+v", got.Overrides)
		}
	})
}
