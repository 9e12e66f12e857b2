package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// A FedRAMP tenant's page and incident are shown only to people signed in
// (R46): the public status page, its feeds and its JSON carry only what
// was published for the public, and the page's details come from the API
// with a token and from nowhere without one.
func TestRule46_FedRAMPTenantsDetailsOnlyForSignedInUsers(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		clock := testdb.NewClock()
		db := testdb.Open(t, d, clock)
		admin, err := db.People.CreateUser(ctx, herald.UserInput{Name: "Ada", Email: "ada@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		ada := herald.Actor{User: admin, Role: herald.RoleAdmin}
		svc, err := db.Paging.CreateService(ctx, herald.ServiceInput{Name: "ledger"})
		if err != nil {
			t.Fatal(err)
		}
		tenant, err := db.Tenants.CreateTenant(ctx, ada, herald.TenantInput{Name: "Zephyr Gov", PrimaryRegion: "us-east-1",
			Compliance: herald.ComplianceFedRAMP, Services: []string{svc.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Paging.Enqueue(ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger", DedupKey: "k",
			Payload: &herald.EventPayload{Summary: "quartz-otter replica lag", Source: "prometheus", Severity: "critical",
				CustomDetails: json.RawMessage(`{"note":"marigold-falcon"}`)}}); err != nil {
			t.Fatal(err)
		}
		pages, _ := db.Paging.Pages(ctx, svc.ID, herald.PageTriggered, 1)
		inc, err := db.Incidents.DeclareIncident(ctx, ada, herald.DeclareInput{Title: "Zephyr ledger down", Severity: herald.S1, Summary: "Kestrel shards unreachable."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Tenants.SetIncidentTenants(ctx, ada, inc.ID, herald.TenantLinksInput{Tenants: []string{tenant.ID}}); err != nil {
			t.Fatal(err)
		}
		name := "Ledger"
		comp, err := db.StatusPage.CreateComponent(ctx, ada, herald.ComponentInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Incidents.RecordDecision(ctx, ada, inc.ID, herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "Status page needed", Rationale: "customers"}); err != nil {
			t.Fatal(err)
		}
		si, err := db.StatusPage.CreateStatusIncident(ctx, ada, herald.StatusIncidentInput{Name: "Elevated errors", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating.", Components: map[string]herald.ComponentStatus{comp.ID: herald.PartialOutage}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		e := serve(t, db, clock, nil)
		get := func(path, token string) (int, string) {
			req, _ := http.NewRequest("GET", e.http.URL+path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		secrets := []string{"Zephyr", "quartz-otter", "marigold-falcon", "Kestrel"}
		public := []string{"/", "/history", "/history.rss", "/history.atom", "/api/v2/summary.json", "/incidents/" + si.Incident.ID}
		for _, path := range public {
			status, body := get(path, "")
			if status != 200 {
				t.Fatalf("GET %s: %d %s", path, status, body)
			}
			for _, w := range secrets {
				if strings.Contains(body, w) {
					t.Errorf("the public %s shows %q", path, w)
				}
			}
		}
		if _, body := get("/incidents/"+si.Incident.ID, ""); !strings.Contains(body, "Elevated errors") {
			t.Fatalf("the public incident lacks what was published: %s", body)
		}
		// Stored payloads: not without a token, whole with one.
		for _, path := range []string{"/api/v1/pages/" + pages[0].ID, "/api/v1/pages", "/api/v1/incidents/" + inc.Reference, "/api/v1/incidents/" + inc.Reference + "/tenants"} {
			if status, body := get(path, ""); status != http.StatusUnauthorized || containsAny(body, secrets) {
				t.Errorf("GET %s without a token: %d %s", path, status, body)
			}
		}
		if status, body := get("/api/v1/pages/"+pages[0].ID, adminSecret); status != 200 || !strings.Contains(body, "marigold-falcon") || !strings.Contains(body, `"restricted":true`) {
			t.Fatalf("GET the page signed in: %d %s", status, body)
		}
	})
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
