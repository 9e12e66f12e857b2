package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const zendeskToken = "zd-api-token-R2kq9VvX0aLm4sTq8wEe"

// TestRule20_TicketTagsWindowAndConnectionThroughTheAPI: a public
// incident's tag is <prefix>_<N>, on the incident's JSON and its tickets
// route; a confidential incident has none until set by hand (the
// suggestion is com_incident_<N>), and then the checklist's tag item is
// checked; the window starts at the incident's start and ends the margin
// after the resolution; the desk's token is stored but never answered nor
// logged; bad input is 400 naming the field and changes nothing.
func TestRule20_TicketTagsWindowAndConnectionThroughTheAPI(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		var logs bytes.Buffer
		clock := testdb.NewClock()
		e := serve(t, testdb.Open(t, d, clock), clock, logTo(&logs))
		ctx := context.Background()
		responder := e.token(t, "Rhea", herald.RoleResponder)

		// The connection: admins only, token never shown again.
		in := herald.TicketConnectionInput{Kind: "zendesk", URL: "http://127.0.0.1:1/", Email: "agent@example.com", Token: zendeskToken}
		if _, err := responder.Tickets.ConnectTicketSystem(ctx, in); code(err) != "forbidden" {
			t.Fatalf("a responder connected the desk: %v", err)
		}
		bad := in
		bad.Kind, bad.Email = "jira", "not an address"
		_, err := e.admin.Tickets.ConnectTicketSystem(ctx, bad)
		if ce, _ := err.(*client.Error); ce == nil || ce.Status != 400 || ce.Fields["kind"] == "" || ce.Fields["email"] == "" {
			t.Fatalf("bad connection: %v", err)
		}
		if _, err := e.admin.Tickets.TicketConnection(ctx); code(err) != "not_found" {
			t.Fatalf("a refused connection was stored: %v", err)
		}
		conn, err := e.admin.Tickets.ConnectTicketSystem(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if !conn.TokenSet || conn.URL != "http://127.0.0.1:1" || conn.Kind != "zendesk" {
			t.Fatalf("connection %+v", conn)
		}
		// Saving again without a token keeps the stored one.
		in.Token, in.Email = "", "lead@example.com"
		if conn, err = e.admin.Tickets.ConnectTicketSystem(ctx, in); err != nil || !conn.TokenSet || conn.Email != "lead@example.com" {
			t.Fatalf("reconnect without token: %+v %v", conn, err)
		}
		req, _ := http.NewRequest("GET", e.http.URL+"/api/v1/tickets/connection", nil)
		req.Header.Set("Authorization", "Bearer "+adminSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.Contains(string(body), zendeskToken) || !strings.Contains(string(body), `"token_set":true`) {
			t.Fatalf("GET connection %d %s", resp.StatusCode, body)
		}

		// A public incident: its tag and window.
		pub, err := responder.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Checkout errors", Severity: herald.S2, Services: []string{"checkout"}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := responder.Incidents.Incident(ctx, pub.Reference)
		if err != nil {
			t.Fatal(err)
		}
		want := "incident_" + itoaN(pub.Number)
		if got.Tickets == nil || got.Tickets.Tag != want || got.Tickets.Manual || !got.Tickets.Window.Start.Equal(pub.DeclaredAt) || got.Tickets.Window.End != nil ||
			!got.Tickets.Connected || len(got.Tickets.Keywords) != 1 || got.Tickets.Keywords[0] != "checkout" {
			t.Fatalf("public incident's tickets %+v", got.Tickets)
		}
		tag := "my_tag"
		if _, err := responder.Tickets.SetIncidentTickets(ctx, pub.Reference, herald.TicketCouplingInput{Tag: &tag}); code(err) != "unprocessable" {
			t.Fatalf("a public incident's tag set by hand: %v", err)
		}
		sw, err := responder.Tickets.Sweep(ctx, pub.Reference, herald.SweepInput{})
		if err != nil || sw.State != herald.SweepQueued || sw.Tag != want {
			t.Fatalf("sweep %+v %v", sw, err)
		}
		if back, err := responder.Tickets.TicketSweep(ctx, pub.Reference, sw.ID); err != nil || back.ID != sw.ID {
			t.Fatalf("sweep read back %+v %v", back, err)
		}
		if _, err := responder.Tickets.TagTickets(ctx, pub.Reference, herald.TagTicketsInput{}); code(err) != "invalid" {
			t.Fatalf("tagging nothing: %v", err)
		}
		clock.Advance(time.Hour)
		resolved := herald.Resolved
		if _, err := responder.Incidents.UpdateIncident(ctx, pub.Reference, herald.UpdateInput{Version: got.Version, State: &resolved}); err != nil {
			t.Fatal(err)
		}
		c, _ := responder.Tickets.IncidentTickets(ctx, pub.Reference)
		if c.Window.End == nil || !c.Window.End.Equal(clock.Now().Add(24*time.Hour)) {
			t.Fatalf("window after resolution %+v, want the end 24h after", c.Window)
		}

		// A confidential incident: a manual tag.
		conf, err := responder.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Data exposure", Severity: herald.S2, Confidential: true, Services: []string{"api"}})
		if err != nil {
			t.Fatal(err)
		}
		c, _ = responder.Tickets.IncidentTickets(ctx, conf.Reference)
		if c.Tag != "" || c.Suggested != "com_incident_"+itoaN(conf.Number) {
			t.Fatalf("confidential incident's tickets %+v", c)
		}
		if _, err := responder.Tickets.Sweep(ctx, conf.Reference, herald.SweepInput{}); code(err) != "unprocessable" {
			t.Fatalf("sweep without a tag: %v", err)
		}
		cl, _ := responder.Incidents.Checklist(ctx, conf.Reference)
		if _, it, _ := cl.Find(herald.RoleCommunications, "ticket_tag"); it.Checked {
			t.Fatal("the tag item is checked before a confidential incident has a tag")
		}
		badTag := "Has Spaces"
		if _, err := responder.Tickets.SetIncidentTickets(ctx, conf.Reference, herald.TicketCouplingInput{Tag: &badTag}); code(err) != "invalid" {
			t.Fatalf("bad tag: %v", err)
		}
		tag = c.Suggested
		if c, err = responder.Tickets.SetIncidentTickets(ctx, conf.Reference, herald.TicketCouplingInput{Tag: &tag, Keywords: []string{"export", "export"}}); err != nil {
			t.Fatal(err)
		}
		if c.Tag != tag || !c.Manual || len(c.Keywords) != 1 {
			t.Fatalf("after setting the tag %+v", c)
		}
		cl, _ = responder.Incidents.Checklist(ctx, conf.Reference)
		if _, it, _ := cl.Find(herald.RoleCommunications, "ticket_tag"); !it.Checked || it.By != "Rhea" {
			t.Fatalf("tag item after the manual tag: %+v", it)
		}
		tl, _ := responder.Incidents.Timeline(ctx, conf.Reference, herald.EntryTickets)
		if len(tl) != 2 || tl[0].Text != "Support ticket tag set to "+tag {
			t.Fatalf("timeline %+v", tl)
		}

		if err := e.admin.Tickets.DisconnectTicketSystem(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := responder.Tickets.Sweep(ctx, conf.Reference, herald.SweepInput{}); code(err) != "unprocessable" {
			t.Fatalf("sweep without a connection: %v", err)
		}
		if strings.Contains(logs.String(), zendeskToken) {
			t.Fatal("the desk's token is in the server log")
		}
	})
}

func code(err error) string {
	if ce, ok := err.(*client.Error); ok {
		return ce.Code
	}
	return ""
}

func itoaN(n int64) string { return strconv.FormatInt(n, 10) }
