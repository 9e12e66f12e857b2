package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func TestAPI_StatusPage(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		responder := e.token(t, "Rhea", herald.RoleResponder)

		// Components are the admin's (R21).
		name := "API"
		if _, err := responder.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: &name}); statusOf2(err) != 403 {
			t.Fatalf("responder adds a component: %v", err)
		}
		api, err := e.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		resp0, _ := e.raw(t, "GET", "/api/v1/components/changes", adminSecret, "", "")
		if resp0.StatusCode != 200 {
			t.Fatalf("component changes: %d", resp0.StatusCode)
		}
		// A component's status is not set directly (R12).
		resp, eb := e.raw(t, "PATCH", "/api/v1/components/"+api.ID, adminSecret, "application/json", `{"status":"major_outage"}`)
		if resp.StatusCode != 400 || eb.Error.Fields["status"] == "" {
			t.Fatalf("setting a status directly: %d %+v", resp.StatusCode, eb)
		}

		in := herald.StatusIncidentInput{Name: "API errors", StatusUpdateInput: herald.StatusUpdateInput{
			Body: "We see errors on the API.", Components: map[string]herald.ComponentStatus{api.ID: herald.PartialOutage}}}
		preview, err := responder.StatusPage.CreateStatusIncident(ctx, in, true)
		if err != nil || !preview.DryRun || len(preview.Checks) != 3 || preview.Text != "We see errors on the API. "+e.db.Links().StatusIncident(preview.ID) {
			t.Fatalf("dry run: %+v %v", preview, err)
		}
		if list, _ := responder.StatusPage.StatusIncidents(ctx); len(list) != 0 {
			t.Fatal("the dry run published")
		}
		res, err := responder.StatusPage.CreateStatusIncident(ctx, in, false)
		if err != nil || res.DryRun || res.ID == "" || res.Status != herald.Investigating {
			t.Fatalf("publish: %+v %v", res, err)
		}
		comps, _ := responder.StatusPage.Components(ctx)
		if comps[0].Status != herald.PartialOutage {
			t.Fatalf("component after publishing: %+v", comps)
		}

		long := strings.Repeat("x", 300)
		_, err = responder.StatusPage.PublishUpdate(ctx, res.ID, herald.StatusUpdateInput{Status: "identified", Body: long}, false)
		ce, _ := err.(*client.Error)
		if ce == nil || ce.Status != 422 || ce.Fields["body_length"] == "" || ce.Fields["total_length"] == "" {
			t.Fatalf("too long: %v", err)
		}
		res2, err := responder.StatusPage.PublishUpdate(ctx, res.ID, herald.StatusUpdateInput{Status: "identified", Body: long, OverrideChecks: true}, false)
		if err != nil || !res2.Updates[0].ChecksOverridden {
			t.Fatalf("override: %v", err)
		}
		_, err = responder.StatusPage.PublishUpdate(ctx, res.ID, herald.StatusUpdateInput{Status: "resolved", Body: "ok", Components: map[string]herald.ComponentStatus{"ghost": herald.Operational}}, false)
		if statusOf2(err) != 400 {
			t.Fatalf("unknown component: %v", err)
		}
		if _, err := responder.StatusPage.PublishUpdate(ctx, res.ID, herald.StatusUpdateInput{Status: "resolved", Body: "Fixed."}, false); err != nil {
			t.Fatal(err)
		}
		if _, err := responder.StatusPage.SetPostmortem(ctx, res.ID, "https://example.com/pm/1"); err != nil {
			t.Fatal(err)
		}
		if _, err := responder.StatusPage.PublishUpdate(ctx, res.ID, herald.StatusUpdateInput{Status: "monitoring", Body: "x"}, false); statusOf2(err) != 422 {
			t.Fatalf("resolved -> monitoring: %v", err)
		}
	})
}

func TestRule21_ComponentChangesAreListed(t *testing.T) {
	e := setup(t, store.SQLite, 0)
	name := "Search"
	if _, err := e.admin.StatusPage.CreateComponent(context.Background(), herald.ComponentInput{Name: &name}); err != nil {
		t.Fatal(err)
	}
	var out ComponentChanges
	req, _ := http.NewRequest("GET", e.http.URL+"/api/v1/components/changes", nil)
	req.Header.Set("Authorization", "Bearer "+adminSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(&out)
	if len(out.Changes) != 1 || out.Changes[0].Action != "created" || out.Changes[0].Actor != "Administrator" {
		t.Fatalf("changes %+v", out.Changes)
	}
}

func TestAPI_SubscribersImportExportAndCounts(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		csvBody := "kind,target,components\nemail,a@example.com,\nemail,B@example.com,\nwebhook,https://hooks.example.com/x,\n"
		resp, _ := e.raw(t, "POST", "/api/v1/subscribers/import", adminSecret, "text/csv", csvBody)
		if resp.StatusCode != 200 {
			t.Fatalf("import: %d", resp.StatusCode)
		}
		// A bad row fails the whole import.
		resp, eb := e.raw(t, "POST", "/api/v1/subscribers/import", adminSecret, "text/csv", "kind,target\nemail,c@example.com\nemail,not-an-address\n")
		if resp.StatusCode != 400 || eb.Error.Fields["line 3"] == "" {
			t.Fatalf("bad import: %d %+v", resp.StatusCode, eb)
		}
		req, _ := http.NewRequest("GET", e.http.URL+"/api/v1/subscribers/export.csv", nil)
		req.Header.Set("Authorization", "Bearer "+adminSecret)
		r2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r2.Body)
		r2.Body.Close()
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 4 || !strings.Contains(string(b), "b@example.com") || strings.Contains(string(b), "c@example.com") {
			t.Fatalf("export:\n%s", b)
		}
		var counts SubscriberCounts
		req, _ = http.NewRequest("GET", e.http.URL+"/api/v1/subscribers/counts", nil)
		req.Header.Set("Authorization", "Bearer "+adminSecret)
		r3, _ := http.DefaultClient.Do(req)
		json.NewDecoder(r3.Body).Decode(&counts)
		r3.Body.Close()
		if counts.Counts["email"]["confirmed"] != 2 || counts.Counts["webhook"]["confirmed"] != 1 {
			t.Fatalf("counts %v", counts.Counts)
		}
		// Public sign-ups through the API answer the same either way.
		for range 2 {
			resp, _ := e.raw(t, "POST", "/api/v1/subscribers", "", "application/json", `{"email":"a@example.com"}`)
			if resp.StatusCode != 202 {
				t.Fatalf("public sign-up: %d", resp.StatusCode)
			}
		}
		resp, _ = e.raw(t, "POST", "/api/v1/subscribers", "", "application/json", `{"email":"x@example.com","confirmed":true}`)
		if resp.StatusCode != 403 {
			t.Fatalf("confirmed without admin: %d", resp.StatusCode)
		}
	})
}
