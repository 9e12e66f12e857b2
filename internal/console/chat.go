package console

import (
	"net/http"
	"strings"

	"github.com/heraldhq/herald"
)

// The chat linking screen: a chat user Herald does not know is answered
// by the bot with /app/chat/link?code=... (a one-time code, valid 15
// minutes). Whoever signs in there and confirms becomes that chat user's
// Herald account, so commands typed in chat act as them, with their role.
// The code is spent by the POST only: a link preview that fetches the
// URL (chat clients unfurl links) links nobody.
func (c *Console) chatRoutes() []route {
	return []route{
		{method: "GET", path: "/app/chat/link", role: herald.RoleViewer, serve: c.chatLink},
		{method: "POST", path: "/app/chat/link", role: herald.RoleViewer, serve: c.chatLinkConfirm},
	}
}

type chatLinkView struct {
	Code       string
	Link       herald.ChatLink
	Identities []herald.ChatIdentity
}

func (c *Console) chatLink(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	code := strings.TrimSpace(r.URL.Query().Get("code"))
	v := chatLinkView{Code: code}
	var err error
	if code != "" { // without a code: the chat identities linked so far
		if v.Link, err = c.cfg.Services.Chat.ChatLinkCode(r.Context(), code); err != nil {
			return err
		}
	}
	if v.Identities, err = c.cfg.Services.Chat.ChatIdentities(r.Context(), a.User.ID); err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "chat-link", a, v)
	return nil
}

func (c *Console) chatLinkConfirm(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id, err := c.cfg.Services.Chat.ConfirmChatLink(r.Context(), a, r.PostFormValue("code"))
	if err != nil {
		return err
	}
	redirect(w, r, "/app/chat/link", "Linked: commands you type in "+id.Platform+" now act as "+a.User.Name+".")
	return nil
}
