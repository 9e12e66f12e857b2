package console

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// The incident screen's "Chat channels" section: the channels bound to
// the incident (its own, made by the flow, and those bound by hand), and
// a form to bind an existing one, whose card the worker then posts and
// keeps up to date.
func (c *Console) chatChannelsRoutes() []route {
	const inc = "/app/incidents/{ref}/chat-channels"
	return []route{
		{method: "POST", path: inc, role: herald.RoleResponder, serve: c.incidentAction("chat-bind", c.bindChatChannel)},
		{method: "POST", path: inc + "/unbind", role: herald.RoleResponder, serve: c.incidentAction("chat-unbind", c.unbindChatChannel)},
	}
}

func (c *Console) bindChatChannel(r *http.Request, a herald.Actor, ref string) (string, error) {
	ch, err := c.cfg.Services.Chat.BindIncidentChannel(r.Context(), a, herald.ChatChannel{Platform: r.PostForm.Get("platform"),
		ChannelID: r.PostForm.Get("channel_id"), Incident: ref})
	return "Bound the " + ch.Platform + " channel " + ch.ChannelID + ": the incident card is posted there and kept up to date.", err
}

func (c *Console) unbindChatChannel(r *http.Request, a herald.Actor, ref string) (string, error) {
	platform, channel := r.PostForm.Get("platform"), r.PostForm.Get("channel_id")
	err := c.cfg.Services.Chat.UnbindIncidentChannel(r.Context(), a, herald.ChatChannel{Platform: platform, ChannelID: channel, Incident: ref})
	return "Unbound the " + platform + " channel " + channel + ".", err
}
