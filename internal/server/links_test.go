package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Every link Herald builds, for real objects, is served: each route of the
// link table (internal/links) gets a link made by the builder the store and
// server share, and a GET of it through the real server answers 200 (the
// API's with a token). The URLs the store and server write into objects
// (a status incident's, a maintenance's, an incident's) are the builder's
// and are served too. A route added to the table without a case here
// fails the test.
func TestLinks_EveryLinkIsServed(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		const base = "http://herald.test"
		lk := links.New(base)
		clock := testdb.NewClock()
		e := serve(t, testdb.Open(t, d, clock, func(c *store.Config) { c.Links = lk }), clock, nil)
		ctx := context.Background()

		comp, err := e.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: ptr("API")})
		if err != nil {
			t.Fatal(err)
		}
		var si herald.StatusIncident
		for i := range statuspage.HistoryPageSize + 1 { // one more than a history page holds
			res, err := e.admin.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: fmt.Sprintf("Outage %d", i),
				StatusUpdateInput: herald.StatusUpdateInput{Body: "Investigating.", Components: map[string]herald.ComponentStatus{comp.ID: herald.PartialOutage}}}, false)
			if err != nil {
				t.Fatal(err)
			}
			si = res.StatusIncident
		}
		from, until := clock.Now().Add(time.Hour), clock.Now().Add(2*time.Hour)
		m, err := e.admin.Maintenances.CreateMaintenance(ctx, herald.MaintenanceInput{Name: ptr("Upgrade"), ScheduledFor: &from, ScheduledUntil: &until, Components: &[]string{comp.ID}})
		if err != nil {
			t.Fatal(err)
		}
		inc, err := e.admin.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Checkout down", Severity: herald.S2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.Paging.CreateService(ctx, herald.ServiceInput{Name: "Checkout"}); err != nil {
			t.Fatal(err)
		}
		page, err := e.admin.Paging.Page(ctx, "Checkout", "Checkout errors", "")
		if err != nil {
			t.Fatal(err)
		}
		sub, err := e.db.Subscribers.Subscribe(ctx, herald.SubscriberInput{Email: "reader@example.com"}, false)
		if err != nil {
			t.Fatal(err)
		}
		confirm, err := e.db.Subscribers.SubscriberLink("confirm", sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		unsubscribe, err := e.db.Subscribers.SubscriberLink("unsubscribe", sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.Tenants.CreateTenant(ctx, herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1", Components: []string{comp.ID}}); err != nil {
			t.Fatal(err)
		}
		private, err := e.db.Tenants.RotateTenantPage(ctx, herald.Actor{}, "Acme")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.srv.cfg.Pages.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}

		get := func(link string, auth bool) (int, string) {
			t.Helper()
			if !strings.HasPrefix(link, base+"/") {
				t.Fatalf("%q is not under %s", link, base)
			}
			req, _ := http.NewRequest("GET", e.http.URL+strings.TrimPrefix(link, base), nil)
			if auth {
				req.Header.Set("Authorization", "Bearer "+adminSecret)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		for _, r := range links.Routes {
			var link string
			auth := false
			switch r.Pattern {
			case links.Home:
				link = lk.Home()
			case links.History:
				link = lk.History(1)
			case links.HistoryPage:
				link = lk.History(2)
			case links.HistoryRSS:
				link = lk.HistoryRSS()
			case links.HistoryAtom:
				link = lk.HistoryAtom()
			case links.MaintenancesCalendar:
				link = lk.MaintenancesCalendar()
			case links.StatusIncident:
				link = lk.StatusIncident(si.ID)
			case links.MaintenanceCalendar:
				link = lk.MaintenanceCalendar(m.ID)
			case links.Maintenance:
				link = lk.Maintenance(m.ID)
			case links.ComponentCalendar:
				link = lk.ComponentCalendar(comp.ID)
			case links.StatusJSON:
				link = lk.StatusJSON()
			case links.Stylesheet:
				link = lk.Stylesheet()
			case links.PrivatePage:
				link = private.URL
				// Every page of the public one is below it.
				token := strings.TrimSuffix(strings.TrimPrefix(link, base+links.PrivatePrefix), "/")
				pl := lk.Private(token)
				for _, l := range []string{pl.History(1), pl.History(2), pl.HistoryRSS(), pl.StatusIncident(si.ID), pl.Maintenance(m.ID), pl.MaintenanceCalendar(m.ID),
					pl.ComponentCalendar(comp.ID), pl.StatusJSON(), pl.Stylesheet()} {
					if code, body := get(l, false); code != 200 {
						t.Errorf("private page: GET %s: %d %.200s", l, code, body)
					}
				}
			case links.Subscribe:
				// The form's target takes POST only; the front page shows it.
				resp, err := http.PostForm(e.http.URL+strings.TrimPrefix(lk.Subscribe(), base), url.Values{"email": {"other@example.com"}})
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("POST %s: %d", lk.Subscribe(), resp.StatusCode)
				}
				if _, body := get(lk.Home(), false); !strings.Contains(body, `action="/subscribe"`) {
					t.Error("the front page has no form posting to the subscribe route")
				}
				continue
			case links.SubscribeConfirm:
				link = confirm
			case links.Unsubscribe:
				link = unsubscribe
			case links.Page:
				// Console screens: signed out, they lead to the sign-in
				// page (followed here) and back.
				link = lk.Page(page.ID)
			case links.Incident:
				link = lk.Incident(inc.Reference)
			case links.NoMaterialUpdates:
				link = lk.NoMaterialUpdates(inc.Reference)
			case links.InternalUpdate:
				link = lk.InternalUpdate(inc.Reference)
			case links.Console:
				// Signed out, it leads to the sign-in page (followed here).
				link = lk.Console()
			case links.SignIn:
				link = lk.SignIn()
			default:
				t.Errorf("route %q (%s) has no case here: add one", r.Pattern, r.Name)
				continue
			}
			if code, body := get(link, auth); code != 200 {
				t.Errorf("%s: GET %s: %d %.200s", r.Name, link, code, body)
			}
		}

		// The subscription links carry valid tokens: their own query
		// confirms and unsubscribes.
		for _, link := range []string{confirm, unsubscribe} {
			u, _ := url.Parse(link)
			resp, err := http.PostForm(e.http.URL+u.Path, u.Query())
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || strings.Contains(string(b), "not valid") {
				t.Errorf("POST %s: %d %.200s", link, resp.StatusCode, b)
			}
		}

		// What the store and server write into objects is the builder's.
		for got, want := range map[string]string{si.URL: lk.StatusIncident(si.ID), m.URL: lk.Maintenance(m.ID), inc.URL: lk.Incident(inc.Reference)} {
			if got != want {
				t.Errorf("object URL %q, builder %q", got, want)
			}
		}
	})
}
