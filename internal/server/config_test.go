package server

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The configuration routes are an admin's: a plan changes nothing, an
// apply answers what it did, a bad document is 400 naming each place, and
// the export names secrets without giving them.
func TestAPI_ConfigPlanApplyExport(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		responder := e.token(t, "Rex", herald.RoleResponder)
		doc := &config.Document{Version: config.Version,
			Users: []config.User{{Email: "ada@example.com", Name: "Ada", Contacts: []config.Contact{
				{Kind: "webhook", Target: "https://hooks.example.com/ada", TargetEnv: "ADA_HOOK"}}}},
			Teams: []config.Team{{Name: "Payments", Members: []string{"ada@example.com"}}},
		}
		if _, err := responder.Config.Plan(ctx, doc, false); statusOf2(err) != 403 {
			t.Fatalf("a responder plans: %v", err)
		}
		if _, err := responder.Config.Export(ctx); statusOf2(err) != 403 {
			t.Fatalf("a responder exports: %v", err)
		}
		plan, err := e.admin.Config.Plan(ctx, doc, false)
		if err != nil || len(plan.Changes) != 2 || plan.Applied {
			t.Fatalf("plan: %+v %v", plan, err)
		}
		if teams, _ := e.admin.Teams.List(ctx); len(teams) != 0 {
			t.Fatalf("the plan changed Herald: %+v", teams)
		}
		bad := *doc
		bad.Teams = []config.Team{{Name: "Payments", Members: []string{"eve@example.com"}}}
		_, err = e.admin.Config.Apply(ctx, &bad, false)
		if statusOf2(err) != 400 || !strings.Contains(err.Error(), "teams[0].members[0]: no user eve@example.com in the document or in Herald") {
			t.Fatalf("bad document: %v", err)
		}
		if _, err := e.db.People.User(ctx, "ada@example.com"); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("a refused document added a user: %v", err)
		}
		unresolved := *doc
		unresolved.Users = []config.User{{Email: "ada@example.com", Name: "Ada", Contacts: []config.Contact{{Kind: "webhook", TargetEnv: "ADA_HOOK"}}}}
		if _, err := e.admin.Config.Plan(ctx, &unresolved, false); statusOf2(err) != 400 || !strings.Contains(err.Error(), "ADA_HOOK was not resolved") {
			t.Fatalf("unresolved secret: %v", err)
		}
		done, err := e.admin.Config.Apply(ctx, doc, false)
		if err != nil || !done.Applied || len(done.Changes) != 2 {
			t.Fatalf("apply: %+v %v", done, err)
		}
		team, err := e.admin.Teams.Get(ctx, "Payments")
		if err != nil || len(team.Members) != 1 || team.Members[0].Email != "ada@example.com" {
			t.Fatalf("team: %+v %v", team, err)
		}
		out, err := e.admin.Config.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c := out.Users[0].Contacts[0]
		if c.Target != "" || c.TargetEnv != "HERALD_ADA_EXAMPLE_COM_WEBHOOK" {
			t.Fatalf("exported contact: %+v", c)
		}
		// Pruning Rex, whose token is Herald's record, is refused naming
		// him, already in the plan.
		if _, err := e.admin.Config.Plan(ctx, doc, true); statusOf2(err) != 422 || !strings.Contains(err.Error(), "user rex@example.com") {
			t.Fatalf("plan with prune: %v", err)
		}
	})
}
