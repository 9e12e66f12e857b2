package slack_test

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R46 for what Slack is answered directly: a slash command's answer about
// an incident of a FedRAMP tenant, written straight into the HTTP
// response (not through the chat lane), carries only the reference and
// the console link, as the lane's messages do; status opens no modal for
// it (the modal would show its title and templates). Another incident's
// answers keep their details.
func TestRule46_SlashCommandAnswersAreRestrictedForFedRAMPTenants(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		e.slash(t, "U1", "CGENERAL", "declare S2 Acme exports are failing")
		e.slash(t, "U1", "CGENERAL", "declare S3 Search is slow")
		if _, err := e.db.Tenants.CreateTenant(e.ctx, e.alice, herald.TenantInput{Name: "Acme Gov", PrimaryRegion: "us-east-1", Compliance: herald.ComplianceFedRAMP}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Tenants.SetIncidentTenants(e.ctx, e.alice, "INC-1", herald.TenantLinksInput{Tenants: []string{"Acme Gov"}}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ text, typ string }{
			{"severity INC-1 S1 because exports fail for everyone", "in_channel"},
			{"handover INC-1", "ephemeral"},
			{"role INC-1 eoc <@U1>", "in_channel"},
			{"status INC-1", "ephemeral"},
		} {
			a := e.slash(t, "U1", "CGENERAL", c.text)
			all := blocksText(a)
			if a.ResponseType != c.typ || !strings.Contains(all, "INC-1") || !strings.Contains(all, herald.RestrictedText) || !strings.Contains(all, "/app/incidents/INC-1") {
				t.Fatalf("%q: not restricted: %s %s", c.text, a.ResponseType, all)
			}
			for _, secret := range []string{"Acme exports", "Alice", "everyone", "Investigating", "Template"} {
				if strings.Contains(all, secret) {
					t.Fatalf("%q: the answer carries %q: %s", c.text, secret, all)
				}
			}
		}
		if n := len(e.slack.called("views.open")); n != 0 {
			t.Fatalf("a modal opened for a FedRAMP tenant's incident: %d", n)
		}
		// The command did its work all the same.
		if inc, _ := e.db.Incidents.Incident(e.ctx, "INC-1"); inc.Severity != herald.S1 {
			t.Fatalf("severity: %s", inc.Severity)
		}
		if a := e.slash(t, "U1", "CGENERAL", "handover INC-2"); !strings.Contains(blocksText(a), "Search is slow") || strings.Contains(blocksText(a), herald.RestrictedText) {
			t.Fatalf("another incident is restricted: %s", blocksText(a))
		}
	})
}
