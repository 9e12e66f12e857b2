package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/testdb"
)

// BenchmarkPlaybookTick is one tick of the playbook's rules (what each
// instance does every --tick) with nothing to prompt, for 0 and 50 open S1
// incidents that each have a status incident and all three roles held:
// the cost the loop adds to an idle and to a busy Herald.
//
//	go test -run '^$' -bench PlaybookTick -benchtime 200x ./internal/store/
func BenchmarkPlaybookTick(b *testing.B) {
	for _, d := range testdb.Dialects {
		for _, open := range []int{0, 50} {
			b.Run(fmt.Sprintf("%s/open=%d", d, open), func(b *testing.B) {
				clock := testdb.NewClock()
				db := testdb.Open(b, d, clock)
				ctx := context.Background()
				u, err := db.People.CreateUser(ctx, herald.UserInput{Name: "Lead", Email: "lead@example.com"})
				if err != nil {
					b.Fatal(err)
				}
				actor := herald.Actor{User: u, Role: herald.RoleResponder}
				for i := range open {
					inc, err := db.Incidents.DeclareIncident(ctx, actor, herald.DeclareInput{Title: fmt.Sprintf("Outage %d", i), Severity: herald.S1})
					if err != nil {
						b.Fatal(err)
					}
					for _, role := range []string{herald.RoleIncidentLead, herald.RoleEngineerOnCall, herald.RoleCommunications} {
						if _, err := db.Incidents.AssignRole(ctx, actor, inc.ID, role, herald.RoleInput{User: u.ID}); err != nil {
							b.Fatal(err)
						}
					}
					for _, kind := range []string{herald.DecisionStatusPage, "general"} {
						what := "Status page needed"
						if kind == "general" {
							what = "Mitigated: rolled back"
						}
						if _, err := db.Incidents.RecordDecision(ctx, actor, inc.ID, herald.DecisionInput{Kind: kind, What: what, Rationale: "bench"}); err != nil {
							b.Fatal(err)
						}
					}
					if _, err := db.StatusPage.CreateStatusIncident(ctx, actor, herald.StatusIncidentInput{Name: "Outage", IncidentID: inc.ID,
						StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating."}}, false); err != nil {
						b.Fatal(err)
					}
				}
				if err := db.Work.RunPlaybook(ctx); err != nil { // whatever is due at the start
					b.Fatal(err)
				}
				done := cpuPerOp(b)
				b.ResetTimer()
				for range b.N {
					if err := db.Work.RunPlaybook(ctx); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				done()
			})
		}
	}
}
