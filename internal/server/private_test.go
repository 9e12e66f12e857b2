package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Two tenants, each with a component of its own and one they share, with
// incidents and maintenances on each and linked to each: every route of
// each private page (every page the public one has, for every incident,
// maintenance and component id there is) shows nothing of the other
// tenant, neither its name nor its components nor its incidents and
// maintenances. An unknown token and a rotated one are 404.
func TestPrivatePages_NothingOfAnotherTenant(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		e := serve(t, testdb.Open(t, d, clock, func(c *store.Config) { c.Links = links.New("http://herald.test") }), clock, nil)
		ctx := context.Background()
		comp := func(name string) herald.Component {
			c, err := e.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: ptr(name)})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		road, hammock, dns := comp("Roadrunner API"), comp("Hammock Ledger"), comp("Shared DNS")
		tenant := func(name, email string, comps ...string) herald.Tenant {
			tn, err := e.admin.Tenants.CreateTenant(ctx, herald.TenantInput{Name: name, PrimaryRegion: "us-east-1", Emails: []string{email}, Components: comps})
			if err != nil {
				t.Fatal(err)
			}
			return tn
		}
		acme := tenant("Acme Corp", "ops@acme.example", road.ID, dns.ID)
		globex := tenant("Globex Inc", "it@globex.example", hammock.ID, dns.ID)
		status := func(name, incidentID string, comps ...string) herald.StatusIncident {
			m := map[string]herald.ComponentStatus{}
			for _, c := range comps {
				m[c] = herald.PartialOutage
			}
			res, err := e.admin.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: name, IncidentID: incidentID,
				StatusUpdateInput: herald.StatusUpdateInput{Body: "Investigating " + name + ".", Components: m}}, false)
			if err != nil {
				t.Fatal(err)
			}
			return res.StatusIncident
		}
		linked := func(title, tenantID string) string {
			inc, err := e.admin.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: title, Severity: herald.S2})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.admin.Tenants.SetIncidentTenants(ctx, inc.ID, []string{tenantID}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.admin.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "Post it", Rationale: "the customer sees errors"}); err != nil {
				t.Fatal(err)
			}
			return inc.ID
		}
		status("Roadrunner latency", "", road.ID)
		status("Hammock stalls", "", hammock.ID)
		both := status("Resolver errors", "", dns.ID, hammock.ID) // on both pages; Acme's must not name Hammock Ledger
		status("Wile notice", linked("Acme-only", acme.ID))
		status("Spacely notice", linked("Globex-only", globex.ID))
		from, until := clock.Now().Add(time.Hour), clock.Now().Add(2*time.Hour)
		maint := func(name string, comps ...string) herald.Maintenance {
			m, err := e.admin.Maintenances.CreateMaintenance(ctx, herald.MaintenanceInput{Name: ptr(name), ScheduledFor: &from, ScheduledUntil: &until, Components: &comps})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		maint("Roadrunner upgrade", road.ID)
		hm := maint("Hammock migration")
		if _, err := e.admin.Tenants.SetMaintenanceTenants(ctx, hm.ID, []string{globex.ID}); err != nil {
			t.Fatal(err)
		}

		words := map[string][]string{
			acme.ID:   {"Acme Corp", "Roadrunner", "Wile", "acme.example"},
			globex.ID: {"Globex Inc", "Hammock", "Spacely", "globex.example"},
		}
		other := map[string]string{acme.ID: globex.ID, globex.ID: acme.ID}
		pages := map[string]herald.TenantPage{}
		for _, id := range []string{acme.ID, globex.ID} {
			p, err := e.admin.Tenants.RotateTenantPage(ctx, id)
			if err != nil || !strings.HasPrefix(p.URL, "http://herald.test/p/") {
				t.Fatalf("rotate: %+v %v", p, err)
			}
			pages[id] = p
		}

		snap := e.srv.cfg.Pages.Snapshot()
		get := func(path string) (*http.Response, string) {
			t.Helper()
			resp, err := http.Get(e.http.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, string(b)
		}
		for id, p := range pages {
			token := strings.TrimSuffix(strings.TrimPrefix(p.URL, "http://herald.test/p/"), "/")
			lk := links.Links{}.Private(token)
			paths := []string{lk.Home(), strings.TrimSuffix(lk.Home(), "/"), lk.History(1), lk.History(2), lk.HistoryRSS(), lk.HistoryAtom(),
				lk.MaintenancesCalendar(), lk.Stylesheet(), lk.Home() + "no-such-page"}
			for _, v2 := range slices.Sorted(maps.Keys(statuspage.V2Documents())) {
				paths = append(paths, lk.Base()+v2)
			}
			for _, i := range snap.Incidents {
				paths = append(paths, lk.StatusIncident(i.ID))
			}
			for _, m := range snap.Maintenances {
				paths = append(paths, lk.Maintenance(m.ID), lk.MaintenanceCalendar(m.ID))
			}
			for _, c := range snap.Components {
				paths = append(paths, lk.ComponentCalendar(c.ID))
			}
			seen := ""
			for _, path := range paths {
				resp, body := get(path)
				if resp.StatusCode != 200 && resp.StatusCode != 404 {
					t.Errorf("%s: %d", path, resp.StatusCode)
				}
				for _, w := range words[other[id]] {
					if strings.Contains(body, w) {
						t.Errorf("%s page %s shows %q of the other tenant", p.TenantName, path, w)
					}
				}
				if resp.StatusCode == 200 && !strings.HasPrefix(resp.Header.Get("Cache-Control"), "private,") {
					t.Errorf("%s: Cache-Control %q", path, resp.Header.Get("Cache-Control"))
				}
				if resp.Header.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("%s: readable by other sites", path)
				}
				seen += body
			}
			for _, w := range words[id] {
				if w != words[id][3] && !strings.Contains(seen, w) {
					t.Errorf("%s's page never shows its own %q", p.TenantName, w)
				}
			}
			if !strings.Contains(seen, "Resolver errors") {
				t.Errorf("%s's page misses the incident on its shared component", p.TenantName)
			}
			if resp, body := get(lk.Home()); resp.StatusCode != 200 || !strings.Contains(body, `href="`+lk.StatusIncident(both.ID)+`"`) {
				t.Errorf("%s: the front page does not link below its own path: %d", p.TenantName, resp.StatusCode)
			}
			if resp, _ := get(lk.StatusIncident(both.ID)); resp.StatusCode != 200 {
				t.Errorf("%s: shared incident %d", p.TenantName, resp.StatusCode)
			}
		}

		// Unknown and rotated tokens are the public 404.
		raw := make([]byte, 32)
		rand.Read(raw)
		_, notFound := get("/no-such-page")
		for _, path := range []string{"/p/" + base64.RawURLEncoding.EncodeToString(raw) + "/", "/p/x/", "/p/", "/p//api/v2/summary.json"} {
			if resp, body := get(path); resp.StatusCode != 404 || body != notFound {
				t.Errorf("%s: %d %q", path, resp.StatusCode, body)
			}
		}
		old := strings.TrimPrefix(pages[acme.ID].URL, "http://herald.test")
		if resp, _ := get(old); resp.StatusCode != 200 {
			t.Fatalf("before rotating: %d", resp.StatusCode)
		}
		np, err := e.admin.Tenants.RotateTenantPage(ctx, "Acme Corp")
		if err != nil {
			t.Fatal(err)
		}
		if resp, body := get(old); resp.StatusCode != 404 || strings.Contains(body, "Acme") {
			t.Errorf("the rotated URL: %d", resp.StatusCode)
		}
		if resp, body := get(strings.TrimPrefix(np.URL, "http://herald.test")); resp.StatusCode != 200 || !strings.Contains(body, "Acme Corp") {
			t.Errorf("the new URL: %d", resp.StatusCode)
		}
		if resp, _ := get(strings.TrimPrefix(pages[globex.ID].URL, "http://herald.test")); resp.StatusCode != 200 {
			t.Errorf("the other tenant's URL changed: %d", resp.StatusCode)
		}
	})
}
