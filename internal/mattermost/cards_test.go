package mattermost_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The incident card in a Mattermost channel follows a change made outside
// chat (here the store, as the API and the console make it), through the
// worker's look at the cards; once the incident is confidential, the
// announcement in the incident-management channel carries only its
// reference and link.
func TestChannelFlow_MattermostCardFollowsChangesMadeElsewhere(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		e.slash(t, e.mmAlice, e.town, "declare S2 Payroll export fails")
		e.app.Drain()
		e.drain(t)
		ch, err := e.db.Chat.ChatResult(e.ctx, "mattermost:channel:INC-1")
		if err != nil {
			t.Fatal(err)
		}
		card := func(channel string) (string, int) {
			t.Helper()
			posts := e.mm.Posts(channel)
			if len(posts) == 0 {
				t.Fatalf("no post in %s", channel)
			}
			p := posts[0]
			return p.Message + " " + strings.ToLower(strings.Join(strings.Fields(jsonOf(p.Props)), " ")), p.Edits
		}
		if _, edits := card(ch); edits != 0 {
			t.Fatalf("edited before any change: %d", edits)
		}
		inc, _ := e.db.Incidents.Incident(e.ctx, "INC-1")
		sev := herald.S1
		inc, err = e.db.Incidents.UpdateIncident(e.ctx, e.alice, "INC-1", herald.UpdateInput{Version: inc.Version, Severity: &sev, SeverityReason: "every customer"})
		if err != nil {
			t.Fatal(err)
		}
		flow := e.app.Flow()
		for range 2 { // a second look finds nothing new
			if err := flow.RefreshCards(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
		e.drain(t)
		if text, edits := card(ch); edits != 1 || !strings.Contains(text, "s1") {
			t.Fatalf("the card after the severity changed (%d edits): %s", edits, text)
		}
		if text, _ := card(e.announce); !strings.Contains(text, "Payroll export fails") {
			t.Fatalf("the announcement: %s", text)
		}
		yes := true
		if _, err := e.db.Incidents.UpdateIncident(e.ctx, e.alice, "INC-1", herald.UpdateInput{Version: inc.Version, Confidential: &yes}); err != nil {
			t.Fatal(err)
		}
		if err := flow.RefreshCards(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		text, edits := card(e.announce)
		if edits == 0 || strings.Contains(text, "Payroll") || !strings.Contains(text, "INC-1 is a confidential incident") {
			t.Fatalf("a confidential incident's announcement (%d edits): %s", edits, text)
		}
	})
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
