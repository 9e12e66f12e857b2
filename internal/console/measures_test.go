package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The incident screen shows the measures: an S1 whose second update came
// 13 minutes after the first, where 10 were allowed.
func TestRule62_IncidentScreenShowsMeasures(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		inc := e.declare(t, "Checkout fails", herald.S1)
		name := "Checkout"
		comp, err := e.db.StatusPage.CreateComponent(ctx, e.actor(herald.RoleAdmin), herald.ComponentInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		decideStatusPage(t, e.db, e.actor(herald.RoleResponder), inc.ID)
		p, err := e.db.StatusPage.CreateStatusIncident(ctx, e.actor(herald.RoleResponder), herald.StatusIncidentInput{Name: "Checkout fails", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Checkout fails.", Components: map[string]herald.ComponentStatus{comp.ID: herald.MajorOutage}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(13 * time.Minute)
		if _, err := e.db.StatusPage.PublishUpdate(ctx, e.actor(herald.RoleResponder), p.Incident.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "Found it."}, false); err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		b.signIn("viewer@example.com")
		res, body := b.get("/app/incidents/" + inc.Reference)
		if res.StatusCode != 200 || !strings.Contains(body, `<h2 id="h-measures">Measures</h2>`) ||
			!strings.Contains(body, "Public updates: 2 intervals, 1 late, 3 minutes late in total") || !strings.Contains(body, "Stakeholder notices: 0") {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
	})
}
