package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The chat linking screen: signed out, the code's URL asks to sign in and
// comes back; the GET shows whom it links and changes nothing (chat
// clients fetch links to preview them); the POST links, once.
func TestConsole_ChatLink(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		code, _, err := e.db.Chat.NewChatLink(ctx, herald.ChatMattermost, "", "mm-42", "vee")
		if err != nil {
			t.Fatal(err)
		}
		path := "/app/chat/link?code=" + url.QueryEscape(code)
		b := e.browser(t)
		if res, _ := b.get(path); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
			t.Fatalf("signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		b.signIn("viewer@example.com")
		res, body := b.get(path)
		if res.StatusCode != 200 || !strings.Contains(body, "mattermost") || !strings.Contains(body, "vee") || !strings.Contains(body, `value="`+code+`"`) {
			t.Fatalf("confirm screen: %d %s", res.StatusCode, body)
		}
		if _, err := e.db.Chat.ChatUser(ctx, herald.ChatMattermost, "", "mm-42", ""); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("linked by a GET: %v", err)
		}
		res, _ = b.post("/app/chat/link", url.Values{"code": {code}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d", res.StatusCode)
		}
		u, err := e.db.Chat.ChatUser(ctx, herald.ChatMattermost, "", "mm-42", "")
		if err != nil || u.ID != e.people[herald.RoleViewer].ID {
			t.Fatalf("linked to %+v %v", u, err)
		}
		res, body = b.get(res.Header.Get("Location"))
		if res.StatusCode != 200 || !strings.Contains(body, "mm-42") || !strings.Contains(body, "Linked") {
			t.Fatalf("after: %d %s", res.StatusCode, body)
		}
		// Once only, for anyone.
		r := e.browser(t)
		r.signIn("responder@example.com")
		if res, _ = r.post("/app/chat/link", url.Values{"code": {code}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("second use: %d", res.StatusCode)
		}
		if res, _ = r.get(path); res.StatusCode != http.StatusNotFound {
			t.Fatalf("spent code shown: %d", res.StatusCode)
		}
	})
}
