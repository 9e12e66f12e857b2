package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// A viewer makes their own calendar link on their account page, sees it
// once, and revokes it; an admin can do it for someone else, a viewer not.
func TestPeople_CalendarFeedLink(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		viewer := e.people[herald.RoleViewer]
		b := e.browser(t)
		b.signIn("viewer@example.com")
		_, body := b.get("/app/me")
		if !strings.Contains(body, "Make a calendar link") {
			t.Fatalf("own page without the calendar section:\n%s", body)
		}
		res, body := b.post("/app/me/calendar", url.Values{})
		mustStatus(t, "make link", res, body, http.StatusCreated)
		link := regexp.MustCompile(`/api/v1/calendars/(hcal_[A-Za-z0-9_-]+)/shifts\.ics`).FindStringSubmatch(body)
		if link == nil {
			t.Fatalf("no link shown:\n%s", body)
		}
		if u, err := e.db.People.CalendarFeedUser(ctx, link[1]); err != nil || u.ID != viewer.ID {
			t.Fatalf("the link shown is not the viewer's: %+v %v", u, err)
		}
		_, body = b.get("/app/me")
		if !strings.Contains(body, "Active since") || strings.Contains(body, link[1]) {
			t.Fatalf("the account page shows no feed, or the link again:\n%s", body)
		}
		// Someone else's link is an admin's to make.
		if res, _ := b.post("/app/people/"+e.people[herald.RoleAdmin].ID+"/calendar", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a viewer made an admin's link: %d", res.StatusCode)
		}
		res, body = b.post("/app/me/calendar/revoke", url.Values{})
		mustStatus(t, "revoke", res, body, http.StatusSeeOther)
		if _, err := e.db.People.CalendarFeedUser(ctx, link[1]); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("the revoked link still works: %v", err)
		}
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		res, body = admin.post("/app/people/"+viewer.ID+"/calendar", url.Values{})
		mustStatus(t, "admin makes a link", res, body, http.StatusCreated)
		if f, _ := e.db.People.CalendarFeed(ctx, viewer.ID); !f.Active {
			t.Fatal("the admin's link for the viewer is not active")
		}
	})
}
