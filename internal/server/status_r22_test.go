package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R22: while open, a status incident's title and affected components can be
// corrected. The correction is recorded at once (the status incident's
// pending fields, the internal incident's timeline) and published with the
// next update, as the source says: the public page keeps the published title
// until then, even when it is rendered anew. A resolved one refuses (422),
// and a viewer may not correct (403).
func TestRule22_TitleAndComponentsChangeWhileOpen(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		clock := testdb.NewClock()
		db := testdb.Open(t, d, clock)
		p := startPublic(t, db, clock, nil)
		ctx := context.Background()
		page := func(path string) string { _, b := p.do(t, "GET", path, ""); return string(b) }

		checkout, err := p.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: ptr("Checkout")})
		if err != nil {
			t.Fatal(err)
		}
		search, err := p.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: ptr("Search")})
		if err != nil {
			t.Fatal(err)
		}
		inc, err := p.admin.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Payments down", Severity: herald.S2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.admin.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "Post it", Rationale: "payments fail"}); err != nil {
			t.Fatal(err)
		}
		res, err := p.admin.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: "Payments fail", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Card payments fail.", Components: map[string]herald.ComponentStatus{checkout.ID: herald.MajorOutage}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		id := res.ID

		// A viewer may not correct it.
		u, err := p.admin.People.CreateUser(ctx, herald.UserInput{Name: "Vera", Email: "vera@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := p.admin.People.CreateToken(ctx, herald.TokenInput{Name: "vera", Role: herald.RoleViewer, UserID: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		viewer := client.New(p.http.URL, tok.Secret)
		if _, err := viewer.StatusPage.EditStatusIncident(ctx, id, herald.StatusIncidentEdit{Name: "Viewer's title"}); statusOf2(err) != http.StatusForbidden {
			t.Fatalf("viewer corrects: %v", err)
		}
		// Nothing to change is bad input.
		if _, err := p.admin.StatusPage.EditStatusIncident(ctx, id, herald.StatusIncidentEdit{}); statusOf2(err) != http.StatusBadRequest {
			t.Fatalf("empty correction: %v", err)
		}
		if _, err := p.admin.StatusPage.EditStatusIncident(ctx, id, herald.StatusIncidentEdit{Components: &[]string{"ghost"}}); statusOf2(err) != http.StatusBadRequest {
			t.Fatalf("unknown component: %v", err)
		}

		// The correction is recorded...
		s, err := p.admin.StatusPage.EditStatusIncident(ctx, id, herald.StatusIncidentEdit{Name: "Search slows payments", Components: &[]string{search.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != "Payments fail" || s.PendingName != "Search slows payments" || !slices.Equal(s.PendingComponents, []string{search.ID}) {
			t.Fatalf("after the correction: name %q pending %q %v", s.Name, s.PendingName, s.PendingComponents)
		}
		got, err := p.admin.StatusPage.StatusIncident(ctx, id)
		if err != nil || got.PendingName != "Search slows payments" || !slices.Equal(got.PendingComponents, []string{search.ID}) {
			t.Fatalf("read back: %+v %v", got, err)
		}
		tl, err := p.admin.Incidents.Timeline(ctx, inc.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(tl, func(e herald.TimelineEntry) bool {
			return strings.Contains(e.Text, "Status page correction") && strings.Contains(e.Text, "Search slows payments") && strings.Contains(e.Text, "Search")
		}) {
			t.Fatalf("timeline does not record the correction: %+v", tl)
		}

		// ...but not published: the public page keeps the title and
		// components of the last update, also when rendered anew.
		for _, rebuild := range []bool{false, true} {
			if rebuild {
				if err := p.pages.Rebuild(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if b := page("/incidents/" + id); !strings.Contains(b, "Payments fail") || strings.Contains(b, "Search slows payments") {
				t.Fatalf("rebuilt %v: the incident page shows the correction before an update: %.3000s", rebuild, b)
			}
			if b := page("/api/v2/incidents/unresolved.json"); strings.Contains(b, "Search slows payments") {
				t.Fatalf("rebuilt %v: the API shows the correction before an update", rebuild)
			}
			comps, _ := p.admin.StatusPage.Components(ctx)
			for _, c := range comps {
				if c.ID == checkout.ID && c.Status != herald.MajorOutage || c.ID == search.ID && c.Status != herald.Operational {
					t.Fatalf("components changed before an update: %+v", comps)
				}
			}
		}

		// The next update publishes it, and records what it changed.
		pub, err := p.admin.StatusPage.PublishUpdate(ctx, id, herald.StatusUpdateInput{Status: herald.Identified, Body: "The search index feeds checkout; rebuilding it."}, false)
		if err != nil {
			t.Fatal(err)
		}
		u0 := pub.Updates[0]
		if pub.Name != "Search slows payments" || pub.PendingName != "" || pub.PendingComponents != nil || u0.Name != "Search slows payments" {
			t.Fatalf("published: name %q pending %q %v, update name %q", pub.Name, pub.PendingName, pub.PendingComponents, u0.Name)
		}
		if len(pub.Components) != 1 || pub.Components[search.ID] != herald.MajorOutage {
			t.Fatalf("components after the update: %+v", pub.Components)
		}
		changes := map[string]herald.ComponentChange{}
		for _, c := range u0.Components {
			changes[c.ID] = c
		}
		if c := changes[checkout.ID]; c.OldStatus != herald.MajorOutage || c.NewStatus != herald.Operational {
			t.Fatalf("the update does not record Checkout leaving: %+v", u0.Components)
		}
		if c := changes[search.ID]; c.NewStatus != herald.MajorOutage {
			t.Fatalf("the update does not record Search joining: %+v", u0.Components)
		}
		if b := page("/incidents/" + id); !strings.Contains(b, "Search slows payments") {
			t.Fatal("the incident page does not show the new title after the update")
		}
		if b := page("/api/v2/incidents/unresolved.json"); !strings.Contains(b, "Search slows payments") {
			t.Fatal("the API does not show the new title after the update")
		}
		comps, _ := p.admin.StatusPage.Components(ctx)
		for _, c := range comps {
			if c.ID == checkout.ID && c.Status != herald.Operational || c.ID == search.ID && c.Status != herald.MajorOutage {
				t.Fatalf("components after the update: %+v", comps)
			}
		}

		// Resolved: refused, naming the rule.
		if _, err := p.admin.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionAllClear, What: "All clear", Rationale: "fixed"}); err != nil { // R17
			t.Fatal(err)
		}
		if _, err := p.admin.StatusPage.PublishUpdate(ctx, id, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}, false); err != nil {
			t.Fatal(err)
		}
		_, err = p.admin.StatusPage.EditStatusIncident(ctx, id, herald.StatusIncidentEdit{Name: "Too late"})
		if ce, _ := err.(*client.Error); ce == nil || ce.Status != http.StatusUnprocessableEntity || !strings.Contains(ce.Message, "R22") {
			t.Fatalf("correcting a resolved incident: %v", err)
		}
		if got, _ := p.admin.StatusPage.StatusIncident(ctx, id); got.Name != "Search slows payments" || got.PendingName != "" {
			t.Fatalf("the refused correction changed something: %+v", got)
		}
	})
}
