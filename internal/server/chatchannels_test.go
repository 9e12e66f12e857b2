package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// An incident's chat channels through the API: a responder binds an
// existing channel (recorded on the timeline, its card due to be posted
// by the worker), everyone lists them, a viewer may not bind, an unknown
// platform or an empty channel id is refused with 422 naming the field
// and changes nothing, and unbinding stops the card.
func TestAPI_ChatChannelsBindListUnbind(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		vera := e.token(t, "Vera", herald.RoleViewer)
		rita := e.token(t, "Rita", herald.RoleResponder)
		if _, err := rita.Chat.Run(ctx, herald.ChatCommandInput{Text: "declare S3 Search is slow"}); err != nil {
			t.Fatal(err)
		}
		var ce *client.Error
		for _, c := range []struct {
			in    herald.ChatChannelInput
			field string
		}{
			{herald.ChatChannelInput{Platform: "irc", ChannelID: "C123"}, "platform"},
			{herald.ChatChannelInput{Platform: herald.ChatTeams, ChannelID: "C123"}, "platform"},
			{herald.ChatChannelInput{Platform: herald.ChatSlack, ChannelID: "  "}, "channel_id"},
		} {
			_, err := rita.Chat.Bind(ctx, "INC-1", c.in)
			if !errors.As(err, &ce) || ce.Status != http.StatusUnprocessableEntity || ce.Fields[c.field] == "" {
				t.Fatalf("bind %+v: %v", c.in, err)
			}
		}
		if _, err := vera.Chat.Bind(ctx, "INC-1", herald.ChatChannelInput{Platform: herald.ChatSlack, ChannelID: "C123"}); !errors.As(err, &ce) || ce.Status != http.StatusForbidden {
			t.Fatalf("viewer binds: %v", err)
		}
		if list, err := vera.Chat.Channels(ctx, "INC-1"); err != nil || len(list) != 0 {
			t.Fatalf("bound after refusals: %+v %v", list, err)
		}
		ch, err := rita.Chat.Bind(ctx, "INC-1", herald.ChatChannelInput{Platform: herald.ChatSlack, ChannelID: " C123 "})
		if err != nil || ch.ChannelID != "C123" || ch.Incident != "INC-1" || ch.CreatedAt.IsZero() {
			t.Fatalf("bind: %+v %v", ch, err)
		}
		if _, err := rita.Chat.Bind(ctx, "INC-1", herald.ChatChannelInput{Platform: herald.ChatSlack, ChannelID: "C123"}); !errors.As(err, &ce) || ce.Status != http.StatusConflict {
			t.Fatalf("bound twice: %v", err)
		}
		list, err := vera.Chat.Channels(ctx, "INC-1")
		if err != nil || len(list) != 1 || list[0].Platform != herald.ChatSlack || list[0].ChannelID != "C123" {
			t.Fatalf("list: %+v %v", list, err)
		}
		if ref, err := e.db.Chat.ChannelIncident(ctx, herald.ChatSlack, "C123"); err != nil || ref != "INC-1" {
			t.Fatalf("commands there: %q %v", ref, err)
		}
		if due, err := e.db.Chat.ChatCardsDue(ctx, herald.ChatSlack, 10); err != nil || len(due) != 1 || due[0].Channel != "C123" || !due[0].Invite {
			t.Fatalf("the card to post: %+v %v", due, err)
		}
		notes, _ := e.db.Incidents.Timeline(ctx, "INC-1", herald.EntryNote)
		if len(notes) != 1 || !strings.Contains(notes[0].Text, "Rita bound the slack channel C123") {
			t.Fatalf("timeline: %+v", notes)
		}
		if err := vera.Chat.Unbind(ctx, "INC-1", herald.ChatSlack, "C123"); !errors.As(err, &ce) || ce.Status != http.StatusForbidden {
			t.Fatalf("viewer unbinds: %v", err)
		}
		if err := rita.Chat.Unbind(ctx, "INC-1", herald.ChatSlack, "C123"); err != nil {
			t.Fatal(err)
		}
		if err := rita.Chat.Unbind(ctx, "INC-1", herald.ChatSlack, "C123"); !errors.As(err, &ce) || ce.Status != http.StatusNotFound {
			t.Fatalf("unbound twice: %v", err)
		}
		if list, _ := vera.Chat.Channels(ctx, "INC-1"); len(list) != 0 {
			t.Fatalf("after unbinding: %+v", list)
		}
		if due, _ := e.db.Chat.ChatCardsDue(ctx, herald.ChatSlack, 10); len(due) != 0 {
			t.Fatalf("a card kept after unbinding: %+v", due)
		}
	})
}
