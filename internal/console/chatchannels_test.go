package console_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The incident screen's "Chat channels": a responder binds a channel (the
// store binds it, the timeline says so, the card is due to be posted, the
// page lists it) and unbinds it; a bad channel id is shown again with the
// field's error and binds nothing; a viewer sees no form and gets 403.
func TestChatChannels_BindAndUnbindOnTheIncidentScreen(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		inc := e.declare(t, "Search is slow", herald.S3)
		path := "/app/incidents/" + inc.Reference
		b := e.browser(t)
		b.signIn("responder@example.com")

		res, body := b.get(path)
		if res.StatusCode != 200 || !strings.Contains(body, `id="h-chat-channels"`) || !strings.Contains(body, `<label for="chat-channel-id">`) {
			t.Fatalf("incident page: %d %s", res.StatusCode, body)
		}
		res, body = b.post(path+"/chat-channels", url.Values{"platform": {"slack"}, "channel_id": {"C12 3"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "must be a channel id") || !strings.Contains(body, `value="C12 3"`) {
			t.Fatalf("bad channel id: %d %s", res.StatusCode, body)
		}
		if list, _ := e.db.Chat.IncidentChannels(ctx, inc.Reference); len(list) != 0 {
			t.Fatalf("bound by a refused form: %+v", list)
		}
		res, _ = b.post(path+"/chat-channels", url.Values{"platform": {"slack"}, "channel_id": {"C0123ABCD"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("bind: %d", res.StatusCode)
		}
		if list, _ := e.db.Chat.IncidentChannels(ctx, inc.Reference); len(list) != 1 || list[0].ChannelID != "C0123ABCD" {
			t.Fatalf("bound: %+v", list)
		}
		if due, _ := e.db.Chat.ChatCardsDue(ctx, herald.ChatSlack, 10); len(due) != 1 {
			t.Fatalf("no card to post: %+v", due)
		}
		if tl := e.timeline(t, inc.Reference, herald.EntryNote); len(tl) != 1 || !strings.Contains(tl[0].Text, "bound the slack channel C0123ABCD") {
			t.Fatalf("timeline: %+v", tl)
		}
		_, body = b.get(res.Header.Get("Location"))
		if !strings.Contains(body, "<code>C0123ABCD</code>") || !strings.Contains(body, "the incident card is posted there") {
			t.Fatalf("page after binding: %s", body)
		}

		v := e.browser(t)
		v.signIn("viewer@example.com")
		_, body = v.get(path)
		if !strings.Contains(body, "<code>C0123ABCD</code>") || strings.Contains(body, `id="form-chat-bind"`) || strings.Contains(body, "Unbind C0123ABCD") {
			t.Fatalf("viewer's page: %s", body)
		}
		if res, _ := v.post(path+"/chat-channels", url.Values{"platform": {"slack"}, "channel_id": {"C999"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer binds: %d", res.StatusCode)
		}

		res, _ = b.post(path+"/chat-channels/unbind", url.Values{"platform": {"slack"}, "channel_id": {"C0123ABCD"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("unbind: %d", res.StatusCode)
		}
		if list, _ := e.db.Chat.IncidentChannels(ctx, inc.Reference); len(list) != 0 {
			t.Fatalf("after unbinding: %+v", list)
		}
	})
}

// The settings screen turns on channels for incidents declared outside
// chat (R01): the platforms and severities ticked are saved, shown ticked
// again, and a settings form without the section keeps them.
func TestRule01_SettingsScreenOpensChannelsForIncidentsDeclaredElsewhere(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		_, page := admin.get("/app/settings")
		if !strings.Contains(page, `name="chat_channels_severity" value="S1" checked`) || strings.Contains(page, `name="chat_channels_platform" value="slack" checked`) {
			t.Fatal("the defaults are not shown: S1 and S2 ticked, no platform")
		}
		form := formValues(t, page, `action="/app/settings"`)
		form["chat_channels_platform"] = []string{herald.ChatMattermost}
		form["chat_channels_severity"] = []string{"S1", "S3"}
		res, body := admin.post("/app/settings", form)
		mustStatus(t, "save", res, body, http.StatusSeeOther)
		s, _ := e.db.Settings.Settings(context.Background())
		if c := s.Chat.Channels; !slices.Equal(c.Platforms, []string{herald.ChatMattermost}) || !slices.Equal(c.For(), []herald.Severity{herald.S1, herald.S3}) {
			t.Fatalf("saved: %+v", c)
		}
		_, page = admin.get("/app/settings")
		if !strings.Contains(page, `name="chat_channels_platform" value="mattermost" checked`) || strings.Contains(page, `name="chat_channels_severity" value="S2" checked`) {
			t.Fatal("the saved choice is not shown")
		}
		form = formValues(t, page, `action="/app/settings"`)
		delete(form, "chat_channels_form")
		delete(form, "chat_channels_platform")
		res, body = admin.post("/app/settings", form)
		mustStatus(t, "save without the section", res, body, http.StatusSeeOther)
		if s, _ := e.db.Settings.Settings(context.Background()); len(s.Chat.Channels.Platforms) != 1 {
			t.Fatalf("a form without the section changed it: %+v", s.Chat.Channels)
		}
	})
}
