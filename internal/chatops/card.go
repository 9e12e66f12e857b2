package chatops

import (
	"fmt"

	"github.com/heraldhq/herald"
)

// IncidentCard is the incident message a platform keeps and edits in
// place as the incident's state, severity and roles change: the same
// fields and buttons as the answer of a command that changed it.
func (e *Executor) IncidentCard(inc *herald.Incident) herald.ChatReply {
	return e.incidentReply(inc, fmt.Sprintf("%s (%s, %s): %s", inc.Reference, inc.Severity, inc.State.Title(), inc.Title))
}

// AnnouncementCard is the incident's message in the incident-management
// channel, posted when it is declared and edited in place as it changes
// (mention is its channel as the platform names it in a message,
// "#inc-12-...", or "" for an edit). A confidential incident's carries only its reference and its
// console link: the channel is read by more people than the incident's
// own, so neither its title, its people nor its channel's name (which
// holds the title) are shown there.
func (e *Executor) AnnouncementCard(inc *herald.Incident, mention string) herald.ChatReply {
	link := e.Links.Incident(inc.Reference)
	if inc.Confidential {
		return herald.ChatReply{Text: inc.Reference + " is a confidential incident: read it in Herald.", Incident: inc.Reference, Link: link,
			Actions: []herald.ChatAction{{ID: herald.ChatActionOpen, Label: "Open in Herald", URL: link}}}
	}
	r := e.IncidentCard(inc)
	if mention != "" {
		r.Text = fmt.Sprintf("%s declared: %s. Join %s.", inc.Reference, inc.Title, mention)
	}
	return r
}
