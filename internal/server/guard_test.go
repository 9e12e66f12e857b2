package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func TestRule45_APIRefusesWithPositionsAndOverrides(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		responder := e.token(t, "Rhea", herald.RoleResponder)
		viewer := e.token(t, "Vic", herald.RoleViewer)
		name := "API"
		api, err := e.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		in := herald.StatusIncidentInput{Name: "API errors", StatusUpdateInput: herald.StatusUpdateInput{
			Body: "Timeouts from 10.0.3.17 and db1.corp", Components: map[string]herald.ComponentStatus{api.ID: herald.PartialOutage}}}

		// Refused: 422 with each finding and its position in the error body.
		body, _ := json.Marshal(in)
		resp, eb := e.raw(t, "POST", "/api/v1/status-incidents", adminSecret, "application/json", string(body))
		if resp.StatusCode != 422 || eb.Error.Code != herald.EUnprocessable ||
			!strings.HasPrefix(eb.Error.Fields["body:1:15"], `ip_address "10.0.3.17" (byte 14)`) ||
			!strings.HasPrefix(eb.Error.Fields["body:1:29"], `internal_host "db1.corp" (byte 28)`) {
			t.Fatalf("refusal: %d %+v", resp.StatusCode, eb)
		}
		if list, _ := responder.StatusPage.StatusIncidents(ctx); len(list) != 0 {
			t.Fatal("a refused incident was published")
		}
		// A dry run shows the findings as checks and publishes nothing.
		p, err := responder.StatusPage.CreateStatusIncident(ctx, in, true)
		if err != nil || len(p.Findings) != 2 || p.Findings[0].Column != 15 || p.Findings[1].Offset != 28 {
			t.Fatalf("dry run: %+v %v", p, err)
		}
		if n := len(herald.FailedChecks(p.Checks)); n != 2 {
			t.Fatalf("dry run checks: %+v", p.Checks)
		}
		// The override publishes, with the findings recorded on the update.
		in.OverrideGuard, in.OverrideGuardReason = true, "the customer asked which address to allow"
		res, err := responder.StatusPage.CreateStatusIncident(ctx, in, false)
		if err != nil || res.Updates[0].GuardOverride == nil || len(res.Findings) != 2 {
			t.Fatalf("override: %+v %v", res, err)
		}
		got, _ := viewer.StatusPage.StatusIncident(ctx, res.ID)
		if o := got.Updates[0].GuardOverride; o == nil || o.Reason != in.OverrideGuardReason || o.Findings[0].Text != "10.0.3.17" {
			t.Fatalf("recorded override: %+v", o)
		}
		// The check endpoint, for the composer: any signed-in viewer.
		gc, err := viewer.StatusPage.GuardCheck(ctx, "See https://grafana.acme.com/d/x\npanic: boom")
		if err != nil || gc.OK || len(gc.Findings) != 2 || gc.Findings[0].Kind != herald.GuardDashboardLink || gc.Findings[1].Line != 2 {
			t.Fatalf("guard check: %+v %v", gc, err)
		}
		gc, err = viewer.StatusPage.GuardCheck(ctx, "Version 1.2.3 is out at 05:00 UTC: "+e.srv.cfg.Links.StatusIncident(res.ID))
		if err != nil || !gc.OK || len(gc.Findings) != 0 {
			t.Fatalf("clean guard check: %+v %v", gc, err)
		}
		resp, _ = e.raw(t, "POST", "/api/v1/guard/check", "", "application/json", `{"text":"x"}`)
		if resp.StatusCode != 401 {
			t.Fatalf("guard check without a token: %d", resp.StatusCode)
		}

		// A bad pattern in the settings is 400 naming it.
		st, err := e.admin.Settings.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.Guard.LogLines = append(st.Guard.LogLines, `(unclosed`)
		sb, _ := json.Marshal(st)
		resp, eb = e.raw(t, "PUT", "/api/v1/settings", adminSecret, "application/json", string(sb))
		if resp.StatusCode != 400 || !strings.Contains(eb.Error.Fields["guard"], `log_lines: "(unclosed" is not a regular expression`) {
			t.Fatalf("bad pattern: %d %+v", resp.StatusCode, eb)
		}
	})
}
