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

func TestPages_SnoozeFromThePageScreen(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		svc := pagedService(t, e)
		p := trigger(t, e, svc, "db-down", "Database down")
		page := func() *herald.Page {
			t.Helper()
			got, err := e.db.Paging.Page(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		// A viewer sees no snooze form and cannot snooze.
		v := e.browser(t)
		v.signIn("viewer@example.com")
		if _, body := v.get("/app/pages/" + p.ID); strings.Contains(body, ">Snooze</button>") {
			t.Error("a viewer is offered snooze")
		}
		if res, _ := v.post("/app/pages/"+p.ID+"/snooze", url.Values{"for": {"1h"}}); res.StatusCode != http.StatusForbidden || page().Status != herald.PageTriggered {
			t.Fatalf("viewer snooze: %d, page %s", res.StatusCode, page().Status)
		}

		b := e.browser(t)
		b.signIn("responder@example.com")
		_, body := b.get("/app/pages/" + p.ID)
		if !strings.Contains(body, `<label for="snooze-for">Snooze for</label>`) || !strings.Contains(body, ">Snooze</button>") {
			t.Fatalf("no snooze form:\n%s", body)
		}
		// A length that is no duration is shown again with the reason.
		res, body := b.post("/app/pages/"+p.ID+"/snooze", url.Values{"for": {"soon"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "give until") || page().Status != herald.PageTriggered {
			t.Fatalf("bad length: %d %s", res.StatusCode, page().Status)
		}
		res, _ = b.post("/app/pages/"+p.ID+"/snooze", url.Values{"for": {"2h"}})
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "flash=") {
			t.Fatalf("snooze: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		end := e.clock.Now().Add(2 * time.Hour)
		if got := page(); got.Status != herald.PageAcknowledged || got.SnoozedUntil == nil || !got.SnoozedUntil.Equal(end) {
			t.Fatalf("after snooze: %+v", got)
		}
		_, body = b.get("/app/pages/" + p.ID)
		if !strings.Contains(body, "<dt>Snoozed until</dt>") || !strings.Contains(body, `<time datetime="`+end.Format(time.RFC3339)+`">`) ||
			!strings.Contains(body, "Snoozed by responder person until") {
			t.Fatalf("the screen does not show the snooze:\n%s", body)
		}
		// The page list and Now say it too, in words.
		for _, path := range []string{"/app/pages?status=acknowledged", "/app"} {
			if _, body = b.get(path); !strings.Contains(body, `snoozed until <time datetime="`+end.Format(time.RFC3339)+`">`) {
				t.Errorf("%s does not show the snooze:\n%s", path, body)
			}
		}
		// When it ends, the page is triggered again and the log says so.
		e.clock.Advance(2 * time.Hour)
		if _, err := e.db.Work.RunEscalations(ctx); err != nil {
			t.Fatal(err)
		}
		_, body = b.get("/app/pages/" + p.ID)
		if page().Status != herald.PageTriggered || !strings.Contains(body, "escalation starts again from level 1") || strings.Contains(body, "<dt>Snoozed until</dt>") {
			t.Fatalf("after the snooze ended: %s\n%s", page().Status, body)
		}
	})
}

// The new-policy form takes "repeat from level", an acknowledgement
// expiry, and R07's targets: all managers, a colleague in a time zone.
func TestOncall_PolicyFormRepeatFromAckExpiryAndGroupTargets(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		s := dailySchedule(t, e)
		a := e.browser(t)
		a.signIn("admin@example.com")
		_, body := a.get("/app/oncall/policies")
		if !strings.Contains(body, `<option value="managers:">All managers</option>`) || !strings.Contains(body, `<label for="pol-ack-expiry">`) {
			t.Fatalf("form lacks the new fields:\n%s", body)
		}
		form := url.Values{"name": {"Tenant"}, "repeat": {"2"}, "repeat_from_level": {"2"}, "ack_expiry": {"soon"},
			"targets_1": {"schedule:" + s.ID}, "timeout_1": {"10"}, "targets_2": {"colleague:" + s.ID}, "timeout_2": {"10"}, "targets_3": {"managers:"}, "timeout_3": {"30"}}
		res, body := a.post("/app/oncall/policies", form)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="soon"`) || !strings.Contains(body, "a duration like 30m") {
			t.Fatalf("bad expiry: %d", res.StatusCode)
		}
		if list, _ := e.db.Paging.EscalationPolicies(ctx); len(list) != 0 {
			t.Fatalf("a refused form stored %+v", list)
		}
		form.Set("ack_expiry", "45m")
		if res, _ := a.post("/app/oncall/policies", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", res.StatusCode)
		}
		p, err := e.db.Paging.EscalationPolicy(ctx, "Tenant")
		if err != nil || p.RepeatFromLevel != 2 || p.AckExpiry != herald.Duration(45*time.Minute) ||
			p.Levels[1].Targets[0] != (herald.Target{Type: herald.TargetColleague, ID: s.ID}) || p.Levels[2].Targets[0] != (herald.Target{Type: herald.TargetManagers}) {
			t.Fatalf("stored %+v %v", p, err)
		}
		_, body = a.get("/app/oncall/policies/" + p.ID)
		for _, want := range []string{"pages another engineer in the time zone of Primary.", "pages all managers.", "level 2 again (repeats 2 more times)",
			"each time from level 2", "expires after <strong>45m0s</strong>"} {
			if !strings.Contains(body, want) {
				t.Errorf("policy view lacks %q", want)
			}
		}
	})
}

// The acknowledge link in a page notification (the phone at night) can
// snooze the page as the person it was sent to.
func TestAck_SnoozeFromTheNotificationLink(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		pg := newPager(t, e)
		p, paths := pg.page(t, "k1", "Checkout 5xx above 5%")
		b := e.browser(t) // never signed in
		res, body := b.get(paths[herald.RoleResponder])
		if res.StatusCode != 200 || !strings.Contains(body, `value="snooze"`) || !strings.Contains(body, `<label for="snooze-for">Snooze for</label>`) {
			t.Fatalf("no snooze on the link's page: %d\n%s", res.StatusCode, body)
		}
		// A viewer's link offers no snooze and cannot snooze.
		if _, body := b.get(paths[herald.RoleViewer]); strings.Contains(body, `value="snooze"`) {
			t.Error("a viewer's link offers snooze")
		}
		if res, _ := b.post(paths[herald.RoleViewer], url.Values{"action": {"snooze"}, "for": {"1h"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer snooze: %d", res.StatusCode)
		}
		res, _ = b.post(paths[herald.RoleResponder], url.Values{"action": {"snooze"}, "for": {"30m"}})
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "flash=Snoozed+until") {
			t.Fatalf("snooze: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		now, log := e.pageNow(t, p.ID)
		if now.Status != herald.PageAcknowledged || now.SnoozedUntil == nil || !now.SnoozedUntil.Equal(e.clock.Now().Add(30*time.Minute)) || !hasLog(log, "Snoozed by responder person") {
			t.Fatalf("after snooze: %+v", now)
		}
		if _, body := b.get(paths[herald.RoleResponder]); !strings.Contains(body, "<dt>Snoozed until</dt>") {
			t.Error("the link's page does not say until when")
		}
	})
}
