package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The chat lane: a message is queued once per key, paced a second apart
// per channel, sent with its result kept, an edit waits for its post, and
// a rate limit moves the row and the rest of its channel without counting
// as a failure.
func TestChatLane_QueuePaceSendEditRateLimit(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S2)
		q := func(key, kind, channel, ref string) {
			t.Helper()
			if err := f.db.Chat.QueueChat(f.ctx, herald.ChatMessage{Key: key, Platform: herald.ChatSlack, Kind: kind, Channel: channel, Incident: inc.Reference, Ref: ref,
				Reply: herald.ChatReply{Text: key}}); err != nil {
				t.Fatal(err)
			}
		}
		q("post", herald.ChatPost, "C1", "")
		q("post", herald.ChatPost, "C1", "") // the same key: one message
		q("edit", herald.ChatUpdate, "C1", "post")
		q("other", herald.ChatPost, "C2", "")
		claim := func() *store.Outgoing {
			t.Helper()
			o, err := f.db.Work.Claim(f.ctx, store.LaneChat)
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		o := claim()
		if o == nil || o.ID != "post" || o.Chat.Reply.Text != "post" || o.Target != "C1" || o.Chat.Incident == "" || o.Err != nil {
			t.Fatalf("first claim: %+v", o)
		}
		o2 := claim()
		if o2 == nil || o2.ID != "other" {
			t.Fatalf("C2 is not paced behind C1: %+v", o2)
		}
		if o3 := claim(); o3 != nil {
			t.Fatalf("the edit of C1 is due before the channel's second: %+v", o3)
		}
		f.clock.Advance(time.Second)
		// The edit is due, but its post is not sent: it waits (fails this attempt).
		e := claim()
		if e == nil || e.ID != "edit" || e.Err == nil || !strings.Contains(e.Err.Error(), "not sent yet") {
			t.Fatalf("edit before its post: %+v", e)
		}
		if err := f.db.Work.Complete(f.ctx, e, store.Result{Err: e.Err}); err != nil {
			t.Fatal(err)
		}
		if err := f.db.Work.Complete(f.ctx, o, store.Result{Value: "1700000000.000100"}); err != nil {
			t.Fatal(err)
		}
		if ts, err := f.db.Chat.ChatResult(f.ctx, "post"); err != nil || ts != "1700000000.000100" {
			t.Fatalf("result: %q %v", ts, err)
		}
		// A rate limit: the row and the rest of C2 wait 30 s; the attempt does not count.
		q("other2", herald.ChatPost, "C2", "")
		if err := f.db.Work.Complete(f.ctx, o2, store.Result{Err: &herald.ChatRateLimited{After: 30 * time.Second}}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute) // the edit's backoff too
		e = claim()
		if e == nil || e.ID != "edit" || e.Err != nil || e.Chat.Target != "1700000000.000100" {
			t.Fatalf("edit after its post: %+v", e)
		}
		// What is due next on C2 after 30 s: "other" again, with attempt 1.
		r := claim()
		if r == nil || r.ID != "other" || r.Attempt != 1 {
			t.Fatalf("after the rate limit: %+v", r)
		}
		if _, err := f.db.Chat.ChatResult(f.ctx, "nope"); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("unknown key: %v", err)
		}
		wantCode(t, f.db.Chat.QueueChat(f.ctx, herald.ChatMessage{Key: "x", Platform: "irc", Kind: herald.ChatPost, Channel: "C"}), herald.EInvalid)
		wantCode(t, f.db.Chat.QueueChat(f.ctx, herald.ChatMessage{Key: "x", Platform: herald.ChatSlack, Kind: "shout", Channel: "C"}), herald.EInvalid)
		wantCode(t, f.db.Chat.QueueChat(f.ctx, herald.ChatMessage{Key: "", Platform: herald.ChatSlack, Kind: herald.ChatPost, Channel: "C"}), herald.EInvalid)
	})
}

// R63: a practice incident's chat messages go to no real channel: held
// back at the claim, with the reason on the row and the run's timeline.
func TestRule63_PracticeChatMessagesGoNowhere(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.withoutTimeRules(t)
		f.service(t, "API", "", nil)
		run, err := f.db.Practice.StartPractice(f.ctx, f.alice, herald.PracticeStartInput{Scenario: drill})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.Chat.QueueChat(f.ctx, herald.ChatMessage{Key: "p", Platform: herald.ChatSlack, Kind: herald.ChatPost, Channel: "C1", Incident: run.IncidentID,
			Reply: herald.ChatReply{Text: "real?"}}); err != nil {
			t.Fatal(err)
		}
		if o, err := f.db.Work.Claim(f.ctx, store.LaneChat); err != nil || o != nil {
			t.Fatalf("a practice's chat message was handed to a sender: %+v %v", o, err)
		}
		if _, err := f.db.Chat.ChatResult(f.ctx, "p"); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("held back message: %v", err)
		}
	})
}
