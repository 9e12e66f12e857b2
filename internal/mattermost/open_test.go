package mattermost_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// An incident declared outside chat (the API, the console, an alert)
// gets its channel, its card and its announcement on the platforms the
// settings list, for the severities they list (R01): once, however often
// the worker looks; not for a lower severity, not for an incident
// declared before the window, nothing while the setting is off.
func TestRule01_IncidentDeclaredElsewhereGetsItsChannelAndAnnouncement(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		flow := e.app.Flow()
		declare := func(title string, sev herald.Severity) {
			t.Helper()
			if _, err := e.db.Incidents.DeclareIncident(e.ctx, e.alice, herald.DeclareInput{Title: title, Severity: sev}); err != nil {
				t.Fatal(err)
			}
		}
		look := func() {
			t.Helper()
			for range 2 {
				if err := flow.OpenChannels(e.ctx); err != nil {
					t.Fatal(err)
				}
			}
			e.drain(t)
		}
		declare("Old outage", herald.S1) // INC-1, declared before the window
		e.clock.Advance(2 * time.Hour)
		declare("Logins fail", herald.S1) // INC-2, while the setting is off
		look()
		if ch := e.mm.ChannelNames(); len(ch) != 2 {
			t.Fatalf("channels opened with the setting off: %v", ch)
		}

		s, err := e.db.Settings.Settings(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.Chat.Channels = herald.ChannelSettings{Platforms: []string{herald.ChatMattermost}}
		if _, err := e.db.Settings.SaveSettings(e.ctx, s); err != nil {
			t.Fatal(err)
		}
		declare("Exports are slow", herald.S3) // INC-3: S3 gets none by default
		look()
		names := e.mm.ChannelNames()
		if len(names) != 3 || !strings.Contains(strings.Join(names, " "), "inc-2-logins-fail") {
			t.Fatalf("channels: %v", names)
		}
		ch, err := e.db.Chat.ChatResult(e.ctx, "mattermost:channel:INC-2")
		if err != nil {
			t.Fatal(err)
		}
		if posts := e.mm.Posts(ch); len(posts) != 1 || !strings.Contains(posts[0].Message+jsonOf(posts[0].Props), "Logins fail") {
			t.Fatalf("the card in the channel: %+v", posts)
		}
		ann := e.mm.Posts(e.announce)
		if len(ann) != 1 || !strings.Contains(ann[0].Message, "INC-2 declared: Logins fail. Join ~inc-2-logins-fail") {
			t.Fatalf("the announcement: %+v", ann)
		}
		if got, _ := e.db.Chat.IncidentChannels(e.ctx, "INC-2"); len(got) != 1 {
			t.Fatalf("INC-2's channels: %+v", got)
		}
		for _, ref := range []string{"INC-1", "INC-3"} {
			if got, _ := e.db.Chat.IncidentChannels(e.ctx, ref); len(got) != 0 {
				t.Fatalf("%s got a channel: %+v", ref, got)
			}
		}
	})
}

// The channel settings are checked, each problem named at its place.
func TestRule01_ChannelSettingsNameTheField(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		s, err := e.db.Settings.Settings(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.Chat.Channels = herald.ChannelSettings{Platforms: []string{"teams", herald.ChatSlack, herald.ChatSlack}, Severities: []herald.Severity{"S9"}}
		_, err = e.db.Settings.SaveSettings(e.ctx, s)
		var he *herald.Error
		if !errors.As(err, &he) || he.Fields["chat.channels.platforms[0]"] == "" || he.Fields["chat.channels.platforms[2]"] == "" || he.Fields["chat.channels.severities[0]"] == "" {
			t.Fatalf("bad channel settings: %v", err)
		}
		if got, _ := e.db.Settings.Settings(e.ctx); len(got.Chat.Channels.Platforms) != 0 {
			t.Fatalf("bad settings were saved: %+v", got.Chat.Channels)
		}
	})
}
