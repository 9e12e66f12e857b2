package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// An admin adds a team, changes its members and removes it; bad input is
// shown again with what was typed and changes nothing; a responder is
// refused.
func TestConsole_Teams(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		b := e.browser(t)
		b.signIn("admin@example.com")

		res, body := b.get("/app/teams")
		if res.StatusCode != 200 || !strings.Contains(body, "No teams yet") || !strings.Contains(body, `aria-current="page">People`) {
			t.Fatalf("empty teams: %d\n%s", res.StatusCode, body)
		}
		res, body = b.post("/app/teams", url.Values{"name": {"Payments"}, "members": {"viewer@example.com, nobody@example.com"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "nobody@example.com") || !strings.Contains(body, `value="Payments"`) {
			t.Fatalf("unknown member: %d\n%s", res.StatusCode, body)
		}
		if list, _ := e.db.Teams.Teams(ctx); len(list) != 0 {
			t.Fatalf("a refused team was added: %+v", list)
		}
		res, _ = b.post("/app/teams", url.Values{"name": {"Payments"}, "members": {"viewer@example.com\nresponder@example.com"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add: %d", res.StatusCode)
		}
		team, err := e.db.Teams.Team(ctx, "Payments")
		if err != nil || len(team.Members) != 2 {
			t.Fatalf("team: %+v %v", team, err)
		}
		_, body = b.get("/app/teams")
		if !strings.Contains(body, "responder person &lt;responder@example.com&gt;") {
			t.Fatalf("team not shown:\n%s", body)
		}
		if res, _ = b.post("/app/teams/"+team.ID+"/members", url.Values{"members": {"admin@example.com"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("members: %d", res.StatusCode)
		}
		if team, _ = e.db.Teams.Team(ctx, "Payments"); len(team.Members) != 1 || team.Members[0].Email != "admin@example.com" {
			t.Fatalf("members: %+v", team.Members)
		}

		r := e.browser(t)
		r.signIn("responder@example.com")
		if res, _ := r.get("/app/teams"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("responder sees teams: %d", res.StatusCode)
		}
		if res, _ := r.post("/app/teams/"+team.ID+"/delete", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("responder deletes a team: %d", res.StatusCode)
		}

		if res, _ = b.post("/app/teams/"+team.ID+"/delete", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		if _, err := e.db.Teams.Team(ctx, "Payments"); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("deleted team: %v", err)
		}
	})
}
