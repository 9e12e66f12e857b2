package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// TestRule08_ChecklistThroughTheAPI: GET shows both roles' lists with the
// automatic checks the record gives; a responder checks an item by hand
// (a viewer cannot); bad input is 400 naming the field; the
// communications page is refused (422, naming the open Engage tasks)
// until Engage is done; settings refuse an unknown rule by field.
func TestRule08_ChecklistThroughTheAPI(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		responder := e.token(t, "Rhea", herald.RoleResponder)
		viewer := e.token(t, "Vic", herald.RoleViewer)
		pol, err := e.db.Paging.CreateEscalationPolicy(ctx, herald.EscalationPolicyInput{Name: "comms", Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: "rhea@example.com"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "Communications", EscalationPolicyID: pol.ID}); err != nil {
			t.Fatal(err)
		}
		s, _ := e.db.Settings.Settings(ctx)
		s.RoleServices = map[string]string{herald.RoleCommunications: "Communications"}
		if _, err := e.db.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		inc, err := responder.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "API errors", Severity: herald.S1})
		if err != nil {
			t.Fatal(err)
		}
		pages, _ := e.db.Paging.Pages(ctx, "", "", 10)
		var comms *herald.Page
		for _, p := range pages {
			if p.IncidentID == inc.ID && p.IncidentRole == herald.RoleCommunications {
				comms = p
			}
		}
		if comms == nil {
			t.Fatalf("no communications page in %+v", pages)
		}
		e.clock.Advance(2 * time.Minute)
		if _, err := responder.Paging.AcknowledgePage(ctx, comms.ID); err != nil {
			t.Fatal(err)
		}

		c, err := viewer.Incidents.Checklist(ctx, inc.Reference)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Lists) != 2 || c.Reference != inc.Reference {
			t.Fatalf("checklist %+v", c)
		}
		find := func(c herald.Checklist, key string) herald.ChecklistItem {
			t.Helper()
			for _, l := range c.Lists {
				if l.Role != herald.RoleCommunications {
					continue
				}
				for _, st := range l.Stages {
					for _, it := range st.Items {
						if it.Key == key {
							return it
						}
					}
				}
			}
			t.Fatalf("no item %s", key)
			return herald.ChecklistItem{}
		}
		if it := find(c, "acknowledge_page"); !it.Checked || it.How != "auto" || it.By != "Rhea" {
			t.Fatalf("acknowledge_page %+v", it)
		}

		on := true
		in := herald.CheckInput{Role: herald.RoleCommunications, Item: "join_call", Checked: &on}
		if _, err := viewer.Incidents.CheckItem(ctx, inc.Reference, in); statusOf2(err) != 403 {
			t.Fatalf("viewer checks: %v", err)
		}
		c, err = responder.Incidents.CheckItem(ctx, inc.Reference, in)
		if err != nil {
			t.Fatal(err)
		}
		if it := find(c, "join_call"); !it.Checked || it.How != "manual" || it.By != "Rhea" || it.At == nil || !it.At.Equal(e.clock.Now()) {
			t.Fatalf("join_call %+v", it)
		}
		if _, err := responder.Incidents.CheckItem(ctx, inc.Reference, in); statusOf2(err) != 409 {
			t.Fatalf("checking twice: %v", err)
		}
		resp, eb := e.raw(t, "POST", "/api/v1/incidents/"+inc.Reference+"/checklist", adminSecret, "application/json", `{"item":"join_call"}`)
		if resp.StatusCode != 400 || eb.Error.Fields["checked"] == "" {
			t.Fatalf("no checked: %d %+v", resp.StatusCode, eb)
		}
		resp, eb = e.raw(t, "POST", "/api/v1/incidents/"+inc.Reference+"/checklist", adminSecret, "application/json", `{"role":"communications","item":"acknowledge_page","checked":false}`)
		if resp.StatusCode != 422 || !strings.Contains(eb.Error.Message, "checked by Herald") {
			t.Fatalf("unchecking an automatic item: %d %+v", resp.StatusCode, eb)
		}
		resp, eb = e.raw(t, "POST", "/api/v1/incidents/"+inc.Reference+"/checklist", adminSecret, "application/json", `{"item":"create_status_incident","checked":true}`)
		if resp.StatusCode != 400 || eb.Error.Fields["note"] == "" {
			t.Fatalf("automatic item by hand without a note: %d %+v", resp.StatusCode, eb)
		}

		// R08: the page waits for Engage.
		_, err = responder.Paging.ResolvePage(ctx, comms.ID)
		if statusOf2(err) != 422 || !strings.Contains(err.Error(), "Create the status incident") || !strings.Contains(err.Error(), "Notify internal stakeholders") {
			t.Fatalf("resolving the communications page early: %v", err)
		}
		for _, key := range []string{"create_status_incident", "notify_stakeholders", "label_incident"} {
			if _, err := responder.Incidents.CheckItem(ctx, inc.Reference, herald.CheckInput{Item: key, Checked: &on, Note: "no status page: the lead decided"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := responder.Paging.ResolvePage(ctx, comms.ID); err != nil {
			t.Fatal(err)
		}
		c, _ = viewer.Incidents.Checklist(ctx, inc.Reference)
		if it := find(c, "resolve_page"); !it.Checked || it.How != "auto" {
			t.Fatalf("resolve_page %+v", it)
		}
		if tl, _ := viewer.Incidents.Timeline(ctx, inc.Reference, herald.EntryChecklist); len(tl) != 4 {
			t.Fatalf("checklist timeline %+v", tl)
		}

		// Settings: the lists are edited through the settings document.
		s, _ = e.admin.Settings.Settings(ctx)
		s.Checklists[herald.RoleCommunications][0].Items[1].Rule = "joined_call"
		_, err = e.admin.Settings.SaveSettings(ctx, s)
		if statusOf2(err) != 400 || !strings.Contains(err.Error(), "joined_call") {
			t.Fatalf("unknown rule saved: %v", err)
		}
		resp, eb = e.raw(t, "PUT", "/api/v1/settings", adminSecret, "application/json", mustJSON(t, s))
		if resp.StatusCode != 400 || eb.Error.Fields["checklists.communications.engage.join_call.rule"] == "" {
			t.Fatalf("unknown rule: %d %+v", resp.StatusCode, eb)
		}
	})
}
