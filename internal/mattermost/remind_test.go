package mattermost_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The cadence reminder reaches an incident's Mattermost channel once, with
// its two buttons, and "No material updates" pressed there publishes it
// as the one who pressed it and moves the due time (R15), as on Slack.
func TestRule15_CadenceReminderInTheMattermostChannel(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		e.slash(t, e.mmAlice, e.town, "declare S2 Search is slow")
		e.app.Drain()
		e.drain(t)
		ch, err := e.db.Chat.ChatResult(e.ctx, "mattermost:channel:INC-1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Incidents.RecordDecision(e.ctx, e.alice, "INC-1", herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "status page", Rationale: "customers see it"}); err != nil {
			t.Fatal(err)
		}
		inc, _ := e.db.Incidents.Incident(e.ctx, "INC-1")
		pv, err := e.db.StatusPage.CreateStatusIncident(e.ctx, e.alice, herald.StatusIncidentInput{Name: inc.Title, IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Status: herald.Investigating, Body: "Searches are slow."}}, false)
		if err != nil {
			t.Fatal(err)
		}
		reminders := func() []string {
			var out []string
			for _, p := range e.mm.Posts(ch) {
				if strings.Contains(p.Message, "public update due") {
					out = append(out, p.ID)
				}
			}
			return out
		}
		e.clock.Advance(pv.Incident.NextUpdateDue.Sub(e.clock.Now()))
		for range 3 {
			if err := e.db.Work.RunPlaybook(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
		e.drain(t)
		got := reminders()
		if len(got) != 1 {
			t.Fatalf("reminders in the channel: %d", len(got))
		}
		code, m := e.mm.Click(t, got[0], "No material updates", e.mmBob)
		e.app.Drain()
		e.drain(t)
		if code != 200 {
			t.Fatalf("button: %d %v", code, m)
		}
		si, err := e.db.StatusPage.StatusIncident(e.ctx, pv.Incident.ID)
		if err != nil || len(si.Updates) != 2 || !strings.Contains(si.Updates[0].Body, "No material updates") || si.NextUpdateDue == nil || !si.NextUpdateDue.After(e.clock.Now()) {
			t.Fatalf("status incident after the button: %+v %v", si, err)
		}
		if !strings.Contains(fmt.Sprint(m)+fmt.Sprint(e.mm.Posts(ch)), "Bob published on the status page for INC-1") {
			t.Fatalf("answer: %v", m)
		}
		// Overdue, the same due time: no second post.
		e.clock.Advance(20 * time.Minute)
		if err := e.db.Work.RunPlaybook(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		if got := reminders(); len(got) != 1 {
			t.Fatalf("reminders after the update: %d", len(got))
		}
	})
}
