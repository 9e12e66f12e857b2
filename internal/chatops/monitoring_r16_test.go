package chatops_test

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/chatops"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R16 from chat: resolving without monitoring skips it, which is the
// incident lead's call. Alice, who is not the lead, is refused naming the
// rule and the incident stays open; Bob, the lead, resolves.
func TestRule16_ChatResolveIsTheLeadsCall(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		r := e.run(t, e.alice, "declare S3 Search is slow")
		if _, err := e.db.Incidents.AssignRole(e.ctx, e.alice, r.Incident, herald.RoleIncidentLead, herald.RoleInput{User: "bob@example.com"}); err != nil {
			t.Fatal(err)
		}
		_, err := e.x.Run(e.ctx, e.alice, chatops.Request{Text: "resolve", Incident: r.Incident})
		if herald.ErrorCode(err) != herald.EForbidden || !strings.Contains(err.Error(), "R16") {
			t.Fatalf("Alice resolves without monitoring: %v", err)
		}
		if inc, _ := e.db.Incidents.Incident(e.ctx, r.Incident); inc.State == herald.Resolved {
			t.Fatal("resolved despite the refusal")
		}
		if _, err := e.x.Run(e.ctx, e.bob, chatops.Request{Text: "resolve", Incident: r.Incident}); err != nil {
			t.Fatalf("the lead resolves: %v", err)
		}
		if inc, _ := e.db.Incidents.Incident(e.ctx, r.Incident); inc.State != herald.Resolved {
			t.Fatalf("state %s", inc.State)
		}
	})
}
