package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func TestAPI_OnCallSchedules(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		for _, n := range []string{"Ann", "Bob", "Cy"} {
			e.token(t, n, herald.RoleViewer)
		}
		now := e.clock.Now()
		start := now.Add(-time.Hour)
		in := herald.ScheduleInput{Name: "Primary", TimeZone: "Europe/Berlin", Shadows: []string{"cy@example.com"},
			Layers: []herald.Layer{{Rotation: "custom", LengthHours: 12, Start: start, Users: []string{"ann@example.com", "bob@example.com"}}}}
		if _, err := e.admin.Schedules.CreateSchedule(ctx, in); err != nil {
			t.Fatal(err)
		}
		oc, err := e.admin.Schedules.OnCallAt(ctx, "Primary", time.Time{})
		if err != nil || oc.OnCall == nil || oc.OnCall.Name != "Ann" || !oc.Until.Equal(start.Add(12*time.Hour)) || len(oc.Shadows) != 1 || oc.Shadows[0].Name != "Cy" {
			t.Fatalf("on call now: %+v %v", oc, err)
		}
		oc, _ = e.admin.Schedules.OnCallAt(ctx, "Primary", now.Add(12*time.Hour))
		if oc.OnCall == nil || oc.OnCall.Name != "Bob" {
			t.Fatalf("in 12 h: %+v", oc)
		}
		// An override for the next two hours.
		if _, err := e.admin.Schedules.AddOverride(ctx, "Primary", "cy@example.com", now, now.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		oc, _ = e.admin.Schedules.OnCallAt(ctx, "Primary", now.Add(time.Hour))
		if oc.OnCall == nil || oc.OnCall.Name != "Cy" || !oc.Override {
			t.Fatalf("override: %+v", oc)
		}
		shifts, err := e.admin.Schedules.Shifts(ctx, "Primary", now, now.Add(24*time.Hour))
		if err != nil || len(shifts) != 4 || shifts[0].User.Name != "Cy" || shifts[1].User.Name != "Ann" || shifts[2].User.Name != "Bob" {
			t.Fatalf("shifts: %+v %v", shifts, err)
		}
		// Bad input changes nothing and says what is wrong.
		bad := herald.ScheduleInput{Name: "Bad", TimeZone: "Nowhere/Special", Layers: []herald.Layer{{Rotation: "daily", Start: now, Users: []string{"ghost@example.com"}}}}
		if _, err := e.admin.Schedules.CreateSchedule(ctx, bad); statusOf2(err) != 400 {
			t.Fatalf("bad schedule: %v", err)
		}
		bad.TimeZone = "UTC"
		if _, err := e.admin.Schedules.CreateSchedule(ctx, bad); statusOf2(err) != 400 {
			t.Fatalf("unknown user: %v", err)
		}
		if _, err := e.admin.Schedules.AddOverride(ctx, "Primary", "ann@example.com", now, now.Add(-time.Hour)); statusOf2(err) != 400 {
			t.Fatalf("backwards override: %v", err)
		}
		if list, _ := e.admin.Schedules.Schedules(ctx); len(list) != 1 {
			t.Fatalf("%d schedules", len(list))
		}

		// Each user's shifts as a calendar.
		users, _ := e.admin.People.Users(ctx)
		var ann string
		for _, u := range users {
			if u.Name == "Ann" {
				ann = u.ID
			}
		}
		req, _ := http.NewRequest("GET", e.http.URL+"/api/v1/users/"+ann+"/shifts.ics", nil)
		req.Header.Set("Authorization", "Bearer "+adminSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cal, err := ics.ParseCalendar(bytes.NewReader(body))
		if err != nil || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
			t.Fatalf("calendar: %v %s", err, body)
		}
		// Six months and more of 12-hour shifts alternating: Ann has one a
		// day, the first cut short by Cy's override; none marks her busy.
		events := cal.Events()
		if n := len(events); n < 183 || n > 200 {
			t.Fatalf("%d shifts for Ann", n)
		}
		for _, ev := range events {
			if p := ev.GetProperty(ics.ComponentPropertyTransp); p == nil || p.Value != "TRANSPARENT" {
				t.Fatalf("an event without TRANSP:TRANSPARENT:\n%s", ev.Serialize(nil))
			}
		}
		if end, err := events[len(events)-1].GetEndAt(); err != nil || end.Before(now.AddDate(0, 6, 0)) {
			t.Fatalf("the feed ends at %v (%v), before six months from now", end, err)
		}
	})
}

// Times are bounded everywhere a schedule is asked about: a query for the
// year 9999 is refused naming the parameter (it answered 200 with an empty
// body), and a layer from 1700 already stored is answered at once (it
// spun a core for ever).
func TestAPI_OnCallTimesAreBounded(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		e.token(t, "Ann", herald.RoleViewer)
		viewer := e.token(t, "Bob", herald.RoleViewer)
		now := e.clock.Now()
		in := herald.ScheduleInput{Name: "Primary", Layers: []herald.Layer{{Rotation: "custom", LengthHours: 12, Start: now, Users: []string{"ann@example.com", "bob@example.com"}}}}
		if _, err := e.admin.Schedules.CreateSchedule(ctx, in); err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct{ path, field string }{
			{"/oncall?at=9999-12-31T23:59:59Z", "at"},
			{"/oncall?at=1700-01-01T00:00:00Z", "at"},
			{"/shifts?from=2199-12-31T00:00:00Z&to=2200-01-02T00:00:00Z", "to"},
			{"/shifts?from=0001-01-01T00:00:00Z", "from"},
		} {
			resp, eb := e.raw(t, "GET", "/api/v1/schedules/Primary"+q.path, adminSecret, "", "")
			if resp.StatusCode != 400 || eb.Error.Fields[q.field] == "" {
				t.Errorf("%s: %d %+v", q.path, resp.StatusCode, eb)
			}
		}
		in.Layers[0].Start = time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)
		resp, eb := e.raw(t, "PUT", "/api/v1/schedules/Primary", adminSecret, "application/json", mustJSON(t, in))
		if resp.StatusCode != 400 || !strings.Contains(eb.Error.Fields["layers"], "start must be between") {
			t.Fatalf("a layer from 1700: %d %+v", resp.StatusCode, eb)
		}
		resp, eb = e.raw(t, "POST", "/api/v1/schedules/Primary/overrides", adminSecret, "application/json",
			`{"user":"ann@example.com","start":"2026-11-23T10:00:00Z","end":"9999-01-01T00:00:00Z"}`)
		if resp.StatusCode != 400 || eb.Error.Fields["end"] == "" {
			t.Fatalf("an override until 9999: %d %+v", resp.StatusCode, eb)
		}

		// A row an older version wrote: the viewer's question is answered.
		b, _ := json.Marshal(in.Layers)
		if _, err := e.db.SQL().ExecContext(ctx, `UPDATE schedules SET layers = $1`, string(b)); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			oc, err := viewer.Schedules.OnCallAt(ctx, "Primary", time.Time{})
			if err != nil || oc.OnCall == nil {
				t.Errorf("on call with a layer from 1700: %+v %v", oc, err)
			}
			if _, err := viewer.Schedules.Shifts(ctx, "Primary", now, now.Add(92*24*time.Hour)); err != nil {
				t.Errorf("shifts with a layer from 1700: %v", err)
			}
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("the on-call question did not return")
		}
		// And the repair goes through.
		in.Layers[0].Start = now
		if resp, eb := e.raw(t, "PUT", "/api/v1/schedules/Primary", adminSecret, "application/json", mustJSON(t, in)); resp.StatusCode != 200 {
			t.Fatalf("the repair: %d %+v", resp.StatusCode, eb)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
