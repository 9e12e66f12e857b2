package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Calendar apps subscribe to a link and send nothing else, so the link's
// token is the credential: one of its own (never the API token), made by
// the person or an admin, replaced or revoked at once, with events whose
// UIDs stay the same from one fetch to the next and which never mark the
// person busy.
func TestAPI_CalendarFeeds(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		ann := e.token(t, "Ann", herald.RoleViewer)
		bob := e.token(t, "Bob", herald.RoleViewer)
		now := e.clock.Now()
		long := "Primary on-call rotation for the payments platform in the European region, weekdays and weekends"
		in := herald.ScheduleInput{Name: long, Layers: []herald.Layer{{Rotation: "custom", LengthHours: 12, Start: now.Add(-time.Hour),
			Users: []string{"ann@example.com", "bob@example.com"}}}}
		sch, err := e.admin.Schedules.CreateSchedule(ctx, in)
		if err != nil {
			t.Fatal(err)
		}

		if _, err := bob.People.NewCalendarFeed(ctx, "ann@example.com"); statusOf2(err) != 403 {
			t.Fatalf("Bob made Ann's feed: %v", err)
		}
		if f, err := ann.People.CalendarFeed(ctx, "ann@example.com"); err != nil || f.Active {
			t.Fatalf("before: %+v %v", f, err)
		}
		feed, err := ann.People.NewCalendarFeed(ctx, "ann@example.com")
		if err != nil || !strings.Contains(feed.URL, herald.CalendarTokenPrefix) || feed.SchedulesURL == "" {
			t.Fatalf("feed: %+v %v", feed, err)
		}
		if f, err := ann.People.CalendarFeed(ctx, "ann@example.com"); err != nil || !f.Active || f.URL != "" {
			t.Fatalf("reading the feed shows %+v %v: active, and never the link again", f, err)
		}

		get := func(link string) (int, string) {
			t.Helper()
			u, err := url.Parse(link)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(e.http.URL + u.Path) // no credentials, as a calendar app
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		uids := func(body string) []string {
			t.Helper()
			cal, err := ics.ParseCalendar(bytes.NewReader([]byte(body)))
			if err != nil {
				t.Fatalf("not iCalendar: %v\n%s", err, body)
			}
			var out []string
			for _, ev := range cal.Events() {
				if p := ev.GetProperty(ics.ComponentPropertyTransp); p == nil || p.Value != "TRANSPARENT" {
					t.Fatalf("an event marks the person busy:\n%s", ev.Serialize(nil))
				}
				out = append(out, ev.Id())
			}
			return out
		}
		code, first := get(feed.URL)
		if code != 200 {
			t.Fatalf("feed: %d %s", code, first)
		}
		for _, l := range strings.Split(first, "\r\n") {
			if len(l) > 75 {
				t.Fatalf("a line of %d octets, over the 75 iCalendar allows: %q", len(l), l)
			}
		}
		mine := uids(first)
		if n := len(mine); n < 183 {
			t.Fatalf("Ann's feed has %d shifts, fewer than six months of them", n)
		}
		// Fetched again the same day: the same document. A day later: the
		// shifts still ahead keep their UIDs.
		if _, again := get(feed.URL); again != first {
			t.Fatal("a second fetch changed the feed")
		}
		e.clock.Advance(24 * time.Hour)
		_, later := get(feed.URL)
		next := uids(later)
		for _, uid := range mine[2 : len(mine)-2] {
			if !slices.Contains(next, uid) {
				t.Fatalf("the shift %s lost its UID a day later", uid)
			}
		}

		// The schedule's final rotation: everyone's shifts, by name.
		code, all := get(feed.SchedulesURL + sch.ID + "/shifts.ics")
		if code != 200 || !strings.Contains(all, "Bob") || len(uids(all)) < 2*len(mine)-2 {
			t.Fatalf("schedule feed: %d\n%.600s", code, all)
		}
		if code, _ := get(feed.SchedulesURL + "no-such-schedule/shifts.ics"); code != 404 {
			t.Fatalf("an unknown schedule: %d", code)
		}

		// A new link replaces the old; a revoked one stops at once.
		renewed, err := ann.People.NewCalendarFeed(ctx, "ann@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := get(feed.URL); code != 404 {
			t.Fatalf("the replaced link answers %d", code)
		}
		if code, _ := get(renewed.URL); code != 200 {
			t.Fatalf("the new link answers %d", code)
		}
		if err := e.admin.People.RevokeCalendarFeed(ctx, "ann@example.com"); err != nil {
			t.Fatal(err)
		}
		for _, link := range []string{renewed.URL, renewed.SchedulesURL + sch.ID + "/shifts.ics"} {
			if code, _ := get(link); code != 404 {
				t.Fatalf("the revoked link %s answers %d", link, code)
			}
		}
		if err := ann.People.RevokeCalendarFeed(ctx, "ann@example.com"); statusOf2(err) != 404 {
			t.Fatalf("revoking twice: %v", err)
		}
		// The API token is not a feed token.
		if code, _ := get(e.http.URL + "/api/v1/calendars/" + adminSecret + "/shifts.ics"); code != 404 {
			t.Fatalf("the API token opened a feed: %d", code)
		}
	})
}
