package main

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// herald status update --monitor-for (R16): the incident lead's call.
// The administrator, who does not lead the incident, is refused naming
// the rule; Lea, the lead, sets it.
func TestRule16_CLIMonitorForIsTheLeads(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		ctx := context.Background()
		c := client.New(url, testAdminToken)
		lea, err := c.People.CreateUser(ctx, herald.UserInput{Name: "Lea", Email: "lea@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := c.People.CreateToken(ctx, herald.TokenInput{Name: "lea", Role: herald.RoleResponder, UserID: lea.ID})
		if err != nil {
			t.Fatal(err)
		}
		inc, err := c.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Search is slow", Severity: herald.S3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Incidents.AssignRole(ctx, inc.Reference, herald.RoleIncidentLead, "lea@example.com"); err != nil {
			t.Fatal(err)
		}
		lc := client.New(url, tok.Secret)
		if _, err := lc.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "Post it", Rationale: "visible"}); err != nil {
			t.Fatal(err)
		}
		res, err := c.StatusPage.CreateStatusIncident(ctx, herald.StatusIncidentInput{Name: "Search is slow", IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating."}}, false)
		if err != nil {
			t.Fatal(err)
		}
		args := []string{"status", "update", res.ID, "--status", "monitoring", "--body", "A fix is out.", "--monitor-for", "90"}
		if out, err := cli(t, url, args...); err == nil || !strings.Contains(out+err.Error(), "R16") {
			t.Fatalf("the administrator lengthens monitoring: %v %s", err, out)
		}
		if si, _ := c.StatusPage.StatusIncident(ctx, res.ID); si.Status != herald.Investigating {
			t.Fatalf("refused but now %s", si.Status)
		}
		if out, err := cliAs(t, url, tok.Secret, args...); err != nil {
			t.Fatalf("the lead: %v %s", err, out)
		}
		si, _ := c.StatusPage.StatusIncident(ctx, res.ID)
		if si.Status != herald.Monitoring || si.MonitoringUntil == nil || si.MonitoringUntil.Sub(si.UpdatedAt).Minutes() != 90 {
			t.Fatalf("monitoring until %v (updated %v)", si.MonitoringUntil, si.UpdatedAt)
		}
	})
}
