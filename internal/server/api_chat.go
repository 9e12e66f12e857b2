package server

import (
	"net/http"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/chatops"
)

// chatCommand runs one command of the chat grammar for the token's
// person: what `herald chat run` calls, so the CLI and chat use the same
// words. The route needs a viewer (help, oncall, handover and the status
// composer read); the executor asks a responder for every command that
// changes something, as those commands' own routes do.
func (s *Server) chatCommand(r *http.Request, a herald.Actor, in herald.ChatCommandInput) (herald.ChatReply, error) {
	x := chatops.Executor{Services: s.app, Links: s.cfg.Links, Now: s.db.Now}
	return x.Run(r.Context(), a, chatops.Request{Text: in.Text, Incident: in.Incident, Confirm: in.Confirm,
		Resolver: chatops.UserResolver{People: s.app.People}})
}
