package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The shift swap screen: the responder offers a window of their shift
// with a note (a window outside it is refused with the input kept and
// nothing stored), a viewer sees the offer but cannot take it, the admin
// takes it, which makes an override recorded as a swap on the schedule's
// screen; an offer is withdrawn by its offerer.
func TestOffers_OfferTakeAndWithdrawAShift(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		s := dailySchedule(t, e) // the responder until Tuesday 08:00 UTC, then the admin
		offers := func(status string) []herald.ShiftOffer {
			t.Helper()
			list, err := e.db.Schedules.ShiftOffers(ctx, herald.ShiftOfferFilter{Status: status})
			if err != nil {
				t.Fatal(err)
			}
			return list
		}

		viewer := e.browser(t)
		viewer.signIn("viewer@example.com")
		res, body := viewer.get("/app/oncall/offers")
		if res.StatusCode != 200 || !strings.Contains(body, "<h1>Shift swaps</h1>") || strings.Contains(body, `action="/app/oncall/offers"`) {
			t.Fatalf("viewer: %d %s", res.StatusCode, body)
		}

		resp := e.browser(t)
		resp.signIn("responder@example.com")
		_, body = resp.get("/app/oncall/offers")
		if !strings.Contains(body, `Primary: <time datetime="2026-11-23T09:00:00Z">`) || !strings.Contains(body, `value="2026-11-24T08:00"`) {
			t.Fatalf("the responder's shifts: %s", body)
		}
		key := fmt.Sprintf("%s-%d", s.ID, e.clock.Now().Unix()) // the shift's form: schedule and its start (from now)
		bad := url.Values{"schedule": {s.ID}, "key": {key}, "start": {"2026-11-24T10:00"}, "end": {"2026-11-24T12:00"}, "note": {"dentist"}}
		res, body = resp.post("/app/oncall/offers", bad)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "must lie inside one of your shifts") || !strings.Contains(body, `value="2026-11-24T10:00"`) ||
			!strings.Contains(body, `value="dentist"`) {
			t.Fatalf("a window outside the shift: %d %s", res.StatusCode, body)
		}
		bad.Set("end", "2026-11-24T09:00")
		bad.Set("start", "2026-11-24T10:00")
		if res, _ = resp.post("/app/oncall/offers", bad); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("end before start: %d", res.StatusCode)
		}
		if n := len(offers("")); n != 0 {
			t.Fatalf("%d offers stored from refused forms", n)
		}
		res, _ = resp.post("/app/oncall/offers", url.Values{"schedule": {s.ID}, "key": {key}, "start": {"2026-11-23T12:00"}, "end": {"2026-11-23T14:00"}, "note": {"dentist"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("offer: %d", res.StatusCode)
		}
		open := offers("open")
		if len(open) != 1 || open[0].Note != "dentist" || !open[0].Start.Equal(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)) {
			t.Fatalf("open offers: %+v", open)
		}
		_, body = resp.get("/app/oncall/offers")
		if !strings.Contains(body, "/app/oncall/offers/"+open[0].ID+"/withdraw") || strings.Contains(body, "/app/oncall/offers/"+open[0].ID+"/take") {
			t.Fatalf("the offerer sees Withdraw, not Take: %s", body)
		}
		_, body = viewer.get("/app/oncall/offers")
		if !strings.Contains(body, "dentist") || strings.Contains(body, "/take") {
			t.Fatalf("the viewer sees the offer and no button: %s", body)
		}
		if res, _ = viewer.post("/app/oncall/offers/"+open[0].ID+"/take", url.Values{}); res.StatusCode != http.StatusForbidden || len(offers("open")) != 1 {
			t.Fatalf("a viewer took an offer: %d", res.StatusCode)
		}

		admin := e.browser(t)
		admin.signIn("admin@example.com")
		if res, _ = admin.post("/app/oncall/offers/"+open[0].ID+"/take", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("take: %d", res.StatusCode)
		}
		taken := offers("taken")
		if len(taken) != 1 || taken[0].TakenBy != e.people[herald.RoleAdmin].ID {
			t.Fatalf("taken: %+v", taken)
		}
		if res, _ = resp.post("/app/oncall/offers/"+open[0].ID+"/withdraw", url.Values{}); res.StatusCode != http.StatusConflict {
			t.Fatalf("withdrawing a taken offer: %d", res.StatusCode)
		}
		got, _ := e.db.Schedules.Schedule(ctx, s.ID, time.Time{})
		if len(got.Overrides) != 1 || got.Overrides[0].UserID != e.people[herald.RoleAdmin].ID || got.Overrides[0].Swap == nil {
			t.Fatalf("overrides: %+v", got.Overrides)
		}
		_, body = admin.get("/app/oncall/schedules/" + s.ID)
		if !strings.Contains(body, "admin person <span class=\"muted\">(took the shift responder person offered)</span>") {
			t.Fatalf("the schedule's overrides do not show the swap: %s", body)
		}
		_, body = admin.get("/app/oncall/offers")
		if !strings.Contains(body, "Recent swaps <span class=\"count\">1</span>") {
			t.Fatalf("recent swaps: %s", body)
		}

		res, _ = resp.post("/app/oncall/offers", url.Values{"schedule": {s.ID}, "start": {"2026-11-23T16:00"}, "end": {"2026-11-23T17:00"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("second offer: %d", res.StatusCode)
		}
		w := offers("open")
		if res, _ = resp.post("/app/oncall/offers/"+w[0].ID+"/withdraw", url.Values{}); res.StatusCode != http.StatusSeeOther || len(offers("withdrawn")) != 1 {
			t.Fatalf("withdraw: %d", res.StatusCode)
		}
	})
}
