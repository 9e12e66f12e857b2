package slack_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R15 from chat: when the playbook reminds that a public update is due,
// every channel bound to the incident (any platform) gets one post with
// "Publish update" and "No material updates", however often the playbook
// runs and whichever stage finds it (due, then overdue); not the early
// reminder. "No material updates", pressed in Slack (a signed interactive
// payload), publishes it and moves the due time; "Publish update" opens
// the composer's modal.
func TestRule15_CadenceReminderInTheIncidentChannels(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		e.slash(t, "U1", "CGENERAL", "declare S2 Search is slow")
		e.drain(t)
		ch, err := e.db.Chat.ChatResult(e.ctx, "slack:channel:INC-1")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.Chat.BindChannel(e.ctx, herald.ChatChannel{Platform: herald.ChatMattermost, ChannelID: "mm-inc-1", Incident: "INC-1"}); err != nil {
			t.Fatal(err)
		}
		if got, err := e.db.Chat.IncidentChannels(e.ctx, "INC-1"); err != nil || len(got) != 2 || got[0].ChannelID != ch || got[1].Platform != herald.ChatMattermost {
			t.Fatalf("channels: %+v %v", got, err)
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
		due := *pv.Incident.NextUpdateDue

		// reminders runs the playbook as often as asked and claims what the
		// chat lane holds: the reminders by platform and channel.
		reminders := func(runs int) map[string]herald.ChatMessage {
			t.Helper()
			for range runs {
				if err := e.db.Work.RunPlaybook(e.ctx); err != nil {
					t.Fatal(err)
				}
			}
			got := map[string]herald.ChatMessage{}
			for {
				o, err := e.db.Work.Claim(e.ctx, store.LaneChat)
				if err != nil {
					t.Fatal(err)
				}
				if o == nil {
					e.clock.Advance(2 * time.Second)
					if o, _ = e.db.Work.Claim(e.ctx, store.LaneChat); o == nil {
						return got
					}
				}
				m := o.Chat.ChatMessage
				res := store.Result{Value: "1700000009.000100"}
				if strings.HasPrefix(m.Key, "update-due:") {
					got[m.Platform+" "+m.Channel] = m
				}
				if m.Platform == herald.ChatSlack {
					res.Value, res.Err = e.app.SendChat(e.ctx, m)
				}
				if err := e.db.Work.Complete(e.ctx, o, res); err != nil {
					t.Fatal(err)
				}
			}
		}
		e.clock.Advance(due.Sub(e.clock.Now()) - time.Minute) // the early reminder's time
		if got := reminders(2); len(got) != 0 {
			t.Fatalf("the early reminder went to the channels: %+v", got)
		}
		e.clock.Advance(time.Minute)
		got := reminders(3)
		if len(got) != 2 {
			t.Fatalf("reminders at the due time: %+v", got)
		}
		for _, k := range []string{"slack " + ch, "mattermost mm-inc-1"} {
			m, ok := got[k]
			if !ok || m.Kind != herald.ChatPost || !strings.Contains(m.Reply.Text, "INC-1: public update due now") || len(m.Reply.Actions) != 2 ||
				m.Reply.Actions[0].Label != "Publish update" || m.Reply.Actions[0].Command != "status INC-1" ||
				m.Reply.Actions[1].Label != "No material updates" || m.Reply.Actions[1].Command != herald.NoMaterialCommand+"INC-1" {
				t.Fatalf("%s: %+v", k, m)
			}
		}
		posted := 0
		for _, p := range e.slack.called("chat.postMessage") {
			if b, _ := json.Marshal(p.Args["blocks"]); p.Args["channel"] == ch && strings.Contains(string(b), "no-material-updates INC-1") && strings.Contains(string(b), "Publish update") {
				posted++
			}
		}
		if posted != 1 {
			t.Fatalf("posted in the Slack channel %d times", posted)
		}
		// Overdue, the same due time: no second post.
		e.clock.Advance(20 * time.Minute)
		if got := reminders(2); len(got) != 0 {
			t.Fatalf("a second reminder of the same due time: %+v", got)
		}

		// No material updates, pressed in the channel.
		code, _ := e.interact(t, map[string]any{"type": "block_actions", "user": slackUser("U1"), "team": map[string]any{"id": "T1"}, "channel": map[string]any{"id": ch},
			"response_url": e.slack.srv.URL + "/respond", "trigger_id": "trigger-3",
			"actions": []any{map[string]any{"action_id": "no_material_updates-1", "value": herald.NoMaterialCommand + "INC-1"}}})
		if code != 200 {
			t.Fatalf("button: %d", code)
		}
		e.drain(t)
		si, err := e.db.StatusPage.StatusIncident(e.ctx, pv.Incident.ID)
		if err != nil || len(si.Updates) != 2 || !strings.Contains(si.Updates[0].Body, "No material updates") || si.NextUpdateDue == nil || !si.NextUpdateDue.After(e.clock.Now()) {
			t.Fatalf("status incident after the button: %+v %v", si, err)
		}
		e.slack.mu.Lock()
		answers := fmt.Sprint(e.slack.responses)
		e.slack.mu.Unlock()
		if !strings.Contains(answers, "Alice published on the status page for INC-1") {
			t.Fatalf("answer: %s", answers)
		}
		// Publish update opens the composer.
		e.interact(t, map[string]any{"type": "block_actions", "user": slackUser("U1"), "team": map[string]any{"id": "T1"}, "channel": map[string]any{"id": ch},
			"response_url": e.slack.srv.URL + "/respond", "trigger_id": "trigger-4",
			"actions": []any{map[string]any{"action_id": "publish-0", "value": "status INC-1"}}})
		e.app.Drain()
		if v := e.lastView(t, "views.open"); !strings.Contains(fmt.Sprint(v["private_metadata"]), "INC-1") {
			t.Fatalf("modal: %v", v)
		}
	})
}
