package store_test

import (
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// A card's renderings: posted when it has no post, not due while its
// post waits to go (and left as it is if rendered then), unchanged when the content is the same, edited when it
// differs, left due (stale) when rendered from an incident that changed
// since; due again when a page acknowledged gives a role (the path that
// wrote the role without marking the incident changed); gone once
// unbound.
func TestChatCards_RenderingAndWhatMakesThemDue(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		rolePaging(t, f)
		inc := f.declare(t, herald.S1)
		ch := herald.ChatChannel{Platform: herald.ChatSlack, ChannelID: "CWAR", Incident: inc.Reference}
		if _, err := f.db.Chat.BindIncidentChannel(f.ctx, f.alice, ch); err != nil {
			t.Fatal(err)
		}
		due := func(want int) []herald.ChatCard {
			t.Helper()
			cards, err := f.db.Chat.ChatCardsDue(f.ctx, herald.ChatSlack, 10)
			if err != nil || len(cards) != want {
				t.Fatalf("due: %+v %v, want %d", cards, err, want)
			}
			return cards
		}
		key := due(1)[0].Key
		cur, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
		do := func(inc *herald.Incident, content, want string) {
			t.Helper()
			got, err := f.db.Chat.RenderChatCard(f.ctx, key, inc, herald.ChatReply{Text: content})
			if err != nil || got != want {
				t.Fatalf("render %q: %q %v, want %q", content, got, err, want)
			}
		}
		do(cur, "v1", herald.CardPosted)
		due(0)
		// The post is not sent yet: a change waits for it.
		f.clock.Advance(time.Second)
		if _, err := f.db.Incidents.AddNote(f.ctx, f.alice, inc.ID, herald.NoteInput{Text: "looking"}); err != nil {
			t.Fatal(err)
		}
		due(0) // not while its post waits to go
		cur, _ = f.db.Incidents.Incident(f.ctx, inc.ID)
		do(cur, "v2", herald.CardWaiting)
		o, err := f.db.Work.Claim(f.ctx, store.LaneChat)
		if err != nil || o == nil || o.ID != key {
			t.Fatalf("claim the post: %+v %v", o, err)
		}
		if err := f.db.Work.Complete(f.ctx, o, store.Result{Value: "1700.1"}); err != nil {
			t.Fatal(err)
		}
		due(1) // sent: rendered again
		do(cur, "v1", herald.CardUnchanged)
		due(0)
		// A page acknowledged gives the acknowledger the role: due again.
		pages, _ := f.db.Paging.Pages(f.ctx, "", "", 50)
		var lead string
		for _, p := range pages {
			if p.IncidentRole == herald.RoleIncidentLead {
				lead = p.ID
			}
		}
		f.clock.Advance(time.Minute)
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.bob, lead); err != nil {
			t.Fatal(err)
		}
		due(1)
		// Rendered from the incident before the acknowledgement: stale,
		// nothing queued, still due.
		do(cur, "v-old", herald.CardStale)
		due(1)
		cur, _ = f.db.Incidents.Incident(f.ctx, inc.ID)
		do(cur, "v3", herald.CardEdited)
		due(0)
		if o, err := f.db.Work.Claim(f.ctx, store.LaneChat); err != nil || o == nil || o.Chat.Kind != herald.ChatUpdate || o.Chat.Reply.Text != "v3" {
			t.Fatalf("the edit: %+v %v", o, err)
		}
		if err := f.db.Chat.UnbindIncidentChannel(f.ctx, f.alice, ch); err != nil {
			t.Fatal(err)
		}
		do(cur, "v4", herald.CardGone)
	})
}
