package server

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// ChatChannels is the list of an incident's chat channels.
type ChatChannels struct {
	Channels []herald.ChatChannel `json:"channels"`
}

func (s *Server) listChatChannels(r *http.Request, a herald.Actor, _ noBody) (ChatChannels, error) {
	list, err := s.app.Chat.IncidentChannels(r.Context(), r.PathValue("id"))
	return ChatChannels{Channels: list}, err
}

// bindChatChannel binds an existing channel to an incident by hand: the
// worker posts the incident card there through the chat lane and keeps it
// up to date from then on.
func (s *Server) bindChatChannel(r *http.Request, a herald.Actor, in herald.ChatChannelInput) (herald.ChatChannel, error) {
	return s.app.Chat.BindIncidentChannel(r.Context(), a, herald.ChatChannel{Platform: in.Platform, ChannelID: in.ChannelID, Incident: r.PathValue("id")})
}

func (s *Server) unbindChatChannel(r *http.Request, a herald.Actor, _ noBody) (noBody, error) {
	return noBody{}, s.app.Chat.UnbindIncidentChannel(r.Context(), a, herald.ChatChannel{Platform: r.PathValue("platform"), ChannelID: r.PathValue("channel"),
		Incident: r.PathValue("id")})
}
