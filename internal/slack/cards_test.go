package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/slack"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
	"github.com/heraldhq/herald/internal/worker"
)

// updates are the chat.update calls fakeSlack received for a channel.
func (f *fakeSlack) updates(channel string) []call {
	var out []call
	for _, c := range f.called("chat.update") {
		if c.Args["channel"] == channel {
			out = append(out, c)
		}
	}
	return out
}

func blocksOf(c call) string {
	b, _ := json.Marshal(c.Args["blocks"])
	return string(b)
}

// refresh runs the worker's chat loop once on n instances, each with the
// Slack flow registered as serve does, then sends what was queued.
func (e *env) refresh(t *testing.T, instances int) {
	t.Helper()
	for range instances {
		// A new App per instance: nothing is shared but the database.
		app := &slack.App{Exec: e.app.Exec, Store: e.db.Chat, API: e.app.API, Now: e.clock.Now}
		w := &worker.Worker{Work: e.db.Work, Log: slog.New(slog.DiscardHandler), Chat: map[string]worker.ChatSender{herald.ChatSlack: app},
			Flows: map[string]worker.ChatFlow{herald.ChatSlack: app.Flow()}}
		if err := w.Tick(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	e.drain(t)
}

// The incident card follows every change, whatever made it: a severity,
// a state and a role changed through the store (as the console, the API
// and the CLI do) edit the card in the incident's channel and in the
// announcement once, on Slack's chat.update, however many instances look;
// the new role holder, who has a Slack identity, is invited into the
// channel; a change the card does not show (a note) sends nothing; a role
// handed on and back edits the card back.
func TestChannelFlow_CardFollowsEveryChange(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		e.slash(t, "U1", "CGENERAL", "declare S2 Search is slow")
		e.drain(t)
		ch, err := e.db.Chat.ChatResult(e.ctx, "slack:channel:INC-1")
		if err != nil {
			t.Fatal(err)
		}
		// Bob has linked his Slack identity (U2) before.
		if _, err := e.db.Chat.ChatUser(e.ctx, herald.ChatSlack, "T1", "U2", "bob@example.com"); err != nil {
			t.Fatal(err)
		}
		// Nothing changed since the declaration: nothing is sent.
		e.refresh(t, 2)
		if ups := e.slack.called("chat.update"); len(ups) != 0 {
			t.Fatalf("edits with nothing changed: %+v", ups)
		}

		e.clock.Advance(time.Minute)
		inc, _ := e.db.Incidents.Incident(e.ctx, "INC-1")
		s1, identified := herald.S1, herald.Identified
		if _, err := e.db.Incidents.UpdateIncident(e.ctx, e.alice, "INC-1", herald.UpdateInput{Version: inc.Version, Severity: &s1, SeverityReason: "all users", State: &identified}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
		if _, err := e.db.Incidents.AssignRole(e.ctx, e.alice, "INC-1", "eoc", herald.RoleInput{User: "bob@example.com"}); err != nil {
			t.Fatal(err)
		}
		e.refresh(t, 2)
		for _, channel := range []string{ch, "CANNOUNCE"} {
			ups := e.slack.updates(channel)
			if len(ups) != 1 {
				t.Fatalf("edits in %s: %d, want 1: %+v", channel, len(ups), ups)
			}
			if b := blocksOf(ups[0]); !strings.Contains(b, "S1") || !strings.Contains(b, "Identified") || !strings.Contains(b, "Bob") || ups[0].Args["ts"] == "" {
				t.Fatalf("edit in %s: %s", channel, b)
			}
		}
		if b := blocksOf(e.slack.updates("CANNOUNCE")[0]); !strings.Contains(b, "Join #inc-1-search-is-slow") {
			t.Fatalf("the announcement lost its way to the channel: %s", b)
		}
		var invitedBob []call
		for _, c := range e.slack.called("conversations.invite") {
			if c.Args["channel"] == ch && strings.Contains(fmt.Sprint(c.Args["users"]), "U2") {
				invitedBob = append(invitedBob, c)
			}
		}
		if len(invitedBob) != 1 || strings.Contains(fmt.Sprint(invitedBob[0].Args["users"]), "U1") {
			t.Fatalf("invitations of the new role holder: %+v", invitedBob)
		}

		// A note changes the incident, not its card.
		e.clock.Advance(time.Second)
		if _, err := e.db.Incidents.AddNote(e.ctx, e.alice, "INC-1", herald.NoteInput{Text: "the index is rebuilding"}); err != nil {
			t.Fatal(err)
		}
		e.refresh(t, 1)
		if n := len(e.slack.called("chat.update")); n != 2 {
			t.Fatalf("a note edited the cards: %d edits", n)
		}

		// Bob -> Alice -> Bob: the card ends with Bob, though it showed
		// Bob before.
		for _, who := range []string{"alice@example.com", "bob@example.com"} {
			e.clock.Advance(time.Second)
			if _, err := e.db.Incidents.AssignRole(e.ctx, e.alice, "INC-1", "eoc", herald.RoleInput{User: who}); err != nil {
				t.Fatal(err)
			}
			e.refresh(t, 1)
		}
		ups := e.slack.updates(ch)
		if len(ups) != 3 || !strings.Contains(blocksOf(ups[1]), "Alice") || strings.Contains(blocksOf(ups[1]), "Bob") ||
			!strings.Contains(blocksOf(ups[2]), "Bob") || strings.Contains(blocksOf(ups[2]), "Alice") {
			t.Fatalf("edits back and forth: %+v", ups)
		}
	})
}

// notConnected is the store of an instance where Slack is not connected.
type notConnected struct{ *store.ChatService }

func (notConnected) SlackCredentials(context.Context) (herald.SlackCredentials, error) {
	return herald.SlackCredentials{}, herald.Errorf(herald.ENotFound, "Slack is not connected")
}

// Slack not connected: the worker renders no card (nothing would send
// it); the card stays due and is rendered once Slack is connected.
func TestChannelFlow_NoCardsWhileNotConnected(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		e.slash(t, "U1", "CGENERAL", "declare S2 Search is slow")
		e.drain(t)
		e.clock.Advance(time.Minute)
		if _, err := e.db.Incidents.AssignRole(e.ctx, e.alice, "INC-1", "eoc", herald.RoleInput{User: "bob@example.com"}); err != nil {
			t.Fatal(err)
		}
		off := &slack.App{Exec: e.app.Exec, Store: notConnected{e.db.Chat}, API: e.app.API, Now: e.clock.Now}
		if err := off.Flow().RefreshCards(e.ctx); err != nil {
			t.Fatal(err)
		}
		if o, err := e.db.Work.Claim(e.ctx, store.LaneChat); err != nil || o != nil {
			t.Fatalf("queued while Slack is not connected: %+v %v", o, err)
		}
		if due, err := e.db.Chat.ChatCardsDue(e.ctx, herald.ChatSlack, 10); err != nil || len(due) != 2 {
			t.Fatalf("due cards: %+v %v", due, err)
		}
		e.refresh(t, 1)
		if n := len(e.slack.called("chat.update")); n != 2 {
			t.Fatalf("edits once connected: %d", n)
		}
	})
}

// Herald made the channel and crashed before it was recorded: the retry
// gets name_taken, and the channel of that name (found on a later page of
// conversations.list) is the incident's, bound and given its card.
func TestChannelFlow_CreateAfterCrashFindsTheChannel(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		e.slack.mu.Lock()
		for i, name := range []string{"general", "random", "alerts", "inc-0-old", "ops", "inc-1-search-is-slow", "zeta"} {
			e.slack.channels[name] = fmt.Sprintf("CX%d", i)
		}
		e.slack.mu.Unlock()
		e.slash(t, "U1", "CGENERAL", "declare S2 Search is slow")
		e.drain(t)
		ch, err := e.db.Chat.ChatResult(e.ctx, "slack:channel:INC-1")
		if err != nil || ch != "CX5" {
			t.Fatalf("channel: %q %v (calls %+v)", ch, err, e.slack.calls)
		}
		if ref, err := e.db.Chat.ChannelIncident(e.ctx, herald.ChatSlack, "CX5"); err != nil || ref != "INC-1" {
			t.Fatalf("binding: %q %v", ref, err)
		}
		lists := e.slack.called("conversations.list")
		if len(lists) < 2 || lists[len(lists)-1].Args["cursor"] == nil {
			t.Fatalf("conversations.list was not paged: %+v", lists)
		}
		posted := false
		for _, p := range e.slack.called("chat.postMessage") {
			posted = posted || p.Args["channel"] == "CX5"
		}
		if !posted {
			t.Fatal("no card in the channel found")
		}
	})
}

// A taken name that no listed channel has (an archived channel) is an
// error that says so, not some other channel's id.
func TestClient_CreateChannelNameTakenButNotListed(t *testing.T) {
	f := newFakeSlack(t)
	f.listPage = 1
	c := &slack.Client{API: f.srv.URL + "/api/", Token: "xoxb-test"}
	id, err := c.CreateChannel(context.Background(), "inc-3-y")
	if err != nil || id == "" {
		t.Fatalf("new name: %q %v", id, err)
	}
	f.mu.Lock()
	f.channels["a"], f.channels["b"] = "CA", "CB"
	f.mu.Unlock()
	if again, err := c.CreateChannel(context.Background(), "inc-3-y"); err != nil || again != id {
		t.Fatalf("taken name: %q %v, want %q", again, err, id)
	}
	f.mu.Lock()
	f.archived = map[string]bool{"inc-4-z": true}
	f.mu.Unlock()
	if got, err := c.CreateChannel(context.Background(), "inc-4-z"); err == nil || !strings.Contains(err.Error(), "no unarchived public channel") {
		t.Fatalf("archived name: %q %v", got, err)
	}
}

// A channel bound by hand gets the incident card, posted by the worker on
// the chat lane, with the role holders invited, and the card is edited
// there on the next change; once unbound, it is left as it is.
func TestChannelFlow_BoundByHandGetsTheCard(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		if _, err := e.db.Chat.ChatUser(e.ctx, herald.ChatSlack, "T1", "U2", "bob@example.com"); err != nil {
			t.Fatal(err)
		}
		inc, err := e.db.Incidents.DeclareIncident(e.ctx, e.alice, herald.DeclareInput{Title: "Search is slow", Severity: herald.S3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Incidents.AssignRole(e.ctx, e.alice, inc.Reference, "eoc", herald.RoleInput{User: "bob@example.com"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Chat.BindIncidentChannel(e.ctx, e.alice, herald.ChatChannel{Platform: herald.ChatSlack, ChannelID: "CWAR", Incident: inc.Reference}); err != nil {
			t.Fatal(err)
		}
		e.refresh(t, 2)
		var posts []call
		for _, p := range e.slack.called("chat.postMessage") {
			if p.Args["channel"] == "CWAR" {
				posts = append(posts, p)
			}
		}
		if len(posts) != 1 || !strings.Contains(blocksOf(posts[0]), "S3") || !strings.Contains(blocksOf(posts[0]), "Bob") {
			t.Fatalf("card posted: %+v", posts)
		}
		inv := e.slack.called("conversations.invite")
		if len(inv) != 1 || inv[0].Args["channel"] != "CWAR" || inv[0].Args["users"] != "U2" {
			t.Fatalf("invitations: %+v", inv)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.db.Incidents.UnassignRole(e.ctx, e.alice, inc.Reference, "eoc"); err != nil {
			t.Fatal(err)
		}
		e.refresh(t, 1)
		ups := e.slack.updates("CWAR")
		if len(ups) != 1 || strings.Contains(blocksOf(ups[0]), "Bob") {
			t.Fatalf("edits: %+v", ups)
		}
		if err := e.db.Chat.UnbindIncidentChannel(e.ctx, e.alice, herald.ChatChannel{Platform: herald.ChatSlack, ChannelID: "CWAR", Incident: inc.Reference}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.db.Incidents.AssignRole(e.ctx, e.alice, inc.Reference, "eoc", herald.RoleInput{User: "bob@example.com"}); err != nil {
			t.Fatal(err)
		}
		e.refresh(t, 1)
		if n := len(e.slack.updates("CWAR")); n != 1 {
			t.Fatalf("edited after unbinding: %d", n)
		}
	})
}
