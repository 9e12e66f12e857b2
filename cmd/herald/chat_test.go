package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The chat grammar from the shell: the same words as in chat, through
// POST /api/v1/chat/commands; the incident named by --incident or in the
// line; a mistake names what is wrong with the usage line.
func TestCLI_ChatRun(t *testing.T) {
	srv, _ := startServer(t, store.SQLite)
	out := mustCLI(t, srv, "chat", "run", "declare S3 Search is slow", "-o", "json")
	var r struct {
		Text, Incident string
		Actions        []struct{ Command string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Incident != "INC-1" || len(r.Actions) == 0 || r.Actions[0].Command != "ack INC-1" {
		t.Fatalf("%v: %s", err, out)
	}
	mustCLI(t, srv, "chat", "run", "note", "the index rebuild started", "--incident", "INC-1")
	mustCLI(t, srv, "chat", "run", "decision INC-1 rebuild the index because it is corrupt")
	out = mustCLI(t, srv, "incident", "show", "INC-1")
	if !strings.Contains(out, "the index rebuild started") || !strings.Contains(out, "rebuild the index") {
		t.Fatalf("timeline:\n%s", out)
	}
	out = mustCLI(t, srv, "chat", "run", "status INC-1")
	if !strings.Contains(out, "Template investigating") || !strings.Contains(out, "220") {
		t.Fatalf("status composer:\n%s", out)
	}
	out = mustCLI(t, srv, "chat", "run", "status INC-1 We are looking into slow searches.")
	if !strings.Contains(out, "--confirm") || !strings.Contains(out, "Check body_length") {
		t.Fatalf("status preview:\n%s", out)
	}
	if _, err := cli(t, srv, "chat", "run", "note hello"); err == nil || !strings.Contains(err.Error(), "which incident?") {
		t.Fatalf("note without an incident: %v", err)
	}
	if _, err := cli(t, srv, "chat", "run", "severity INC-1 S2"); err == nil || !strings.Contains(err.Error(), "Usage: severity") {
		t.Fatalf("severity without a reason: %v", err)
	}
}

// handover <role> @person <note> from the shell: the live handover (R60)
// through the API's own service call. Only the role's holder (or an
// admin) hands it over; the timeline records both people and the note;
// handover with no arguments is still the summary.
func TestRule60_CLIChatHandoverHandsTheRoleOver(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		ctx := context.Background()
		c := client.New(url, testAdminToken)
		tokens := map[string]string{}
		for _, name := range []string{"Sam", "Bob"} {
			u, err := c.People.CreateUser(ctx, herald.UserInput{Name: name, Email: strings.ToLower(name) + "@example.com", Role: herald.RoleResponder})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := c.People.CreateToken(ctx, herald.TokenInput{Name: name, Role: herald.RoleResponder, UserID: u.ID})
			if err != nil {
				t.Fatal(err)
			}
			tokens[name] = tok.Secret
		}
		mustCLI(t, url, "chat", "run", "declare S2 Search is slow")
		mustCLI(t, url, "chat", "run", "role INC-1 communications sam@example.com")
		if out, err := cliAs(t, url, tokens["Bob"], "chat", "run", "handover INC-1 communications @bob I take it"); err == nil || !strings.Contains(out+err.Error(), "only the Communications Manager") {
			t.Fatalf("a non-holder handed the role over: %v %s", err, out)
		}
		out, err := cliAs(t, url, tokens["Sam"], "chat", "run", "handover INC-1 communications @bob the 14:30 update is drafted")
		if err != nil || !strings.Contains(out, "Sam handed the Communications Manager role of INC-1 over to Bob") {
			t.Fatalf("handover: %v %s", err, out)
		}
		inc, err := c.Incidents.Incident(ctx, "INC-1")
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := inc.Role(herald.RoleCommunications); !ok || h.UserName != "Bob" {
			t.Fatalf("roles: %+v", inc.Roles)
		}
		tl, _ := c.Incidents.Timeline(ctx, "INC-1", "")
		found := false
		for _, e := range tl {
			found = found || strings.Contains(e.Text, "Live handover: Sam handed the Communications Manager role over to Bob: the 14:30 update is drafted")
		}
		if !found {
			t.Fatalf("timeline: %+v", tl)
		}
		if out := mustCLI(t, url, "chat", "run", "handover INC-1"); !strings.Contains(out, "Handover of INC-1") || !strings.Contains(out, "Bob") {
			t.Fatalf("summary: %s", out)
		}
	})
}
