package slack_test

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R60's live handover from Slack: in the incident's channel (the incident
// implied), "handover <role> <@U..> <note>" hands the caller's role to
// the person mentioned, through the API's HandOverRole; the timeline
// records both people and the note, the incident message is edited; a
// person who does not hold the role is refused as the API refuses them.
func TestRule60_SlackHandoverHandsTheCallersRoleOver(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		e.slash(t, "U1", "CGENERAL", "declare S2 Search is slow")
		e.drain(t)
		ch, err := e.db.Chat.ChatResult(e.ctx, "slack:channel:INC-1")
		if err != nil {
			t.Fatal(err)
		}
		e.slash(t, "U1", ch, "role communications <@U1>")
		e.drain(t)
		updates := len(e.slack.called("chat.update"))
		a := e.slash(t, "U1", ch, "handover Communications Manager <@U2|bob> the 14:30 update is drafted, send it")
		if a.ResponseType != "in_channel" || !strings.Contains(a.Text, "Alice handed the Communications Manager role of INC-1 over to Bob: the 14:30 update is drafted, send it") {
			t.Fatalf("handover: %+v", a)
		}
		inc, _ := e.db.Incidents.Incident(e.ctx, "INC-1")
		if h, ok := inc.Role(herald.RoleCommunications); !ok || h.UserName != "Bob" {
			t.Fatalf("roles: %+v", inc.Roles)
		}
		tl, _ := e.db.Incidents.Timeline(e.ctx, "INC-1", "")
		found := 0
		for _, en := range tl {
			if strings.Contains(en.Text, "Live handover: Alice handed the Communications Manager role over to Bob: the 14:30 update is drafted, send it") && en.Actor == "Alice" {
				found++
			}
		}
		if found != 1 {
			t.Fatalf("timeline: %+v", tl)
		}
		e.drain(t)
		if n := len(e.slack.called("chat.update")); n <= updates {
			t.Fatalf("the incident message was not edited: %d updates", n)
		}
		// Alice no longer holds it: refused, nothing moves.
		a = e.slash(t, "U1", ch, "handover communications <@U1> back to me")
		if a.ResponseType != "ephemeral" || !strings.Contains(a.Text, "only the Communications Manager, Bob, or an admin") {
			t.Fatalf("non-holder: %+v", a)
		}
		if a = e.slash(t, "U1", ch, "handover communications <@U2>"); a.ResponseType != "ephemeral" || !strings.Contains(a.Text, "add a short note") {
			t.Fatalf("no note: %+v", a)
		}
		if a = e.slash(t, "U1", ch, "handover"); !strings.Contains(a.Text, "Handover of INC-1") || a.ResponseType != "ephemeral" {
			t.Fatalf("summary: %+v", a)
		}
		if inc, _ := e.db.Incidents.Incident(e.ctx, "INC-1"); len(inc.Roles) == 0 {
			t.Fatalf("roles: %+v", inc.Roles)
		} else if h, _ := inc.Role(herald.RoleCommunications); h.UserName != "Bob" {
			t.Fatalf("the refused handover moved the role: %+v", inc.Roles)
		}
	})
}
