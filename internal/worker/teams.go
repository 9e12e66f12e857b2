package worker

import (
	"strconv"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
)

// composeTeams adds a Teams card's FactSet and buttons to a message
// already composed (after the FedRAMP restriction and the practice mark):
// the buttons are console links, and for a page the person's signed
// acknowledge link, so a page is acknowledged from the card on a phone
// without signing in. A restricted message (R46) gets the reference as its
// only fact and the links RestrictedNotice gives, nothing else.
func composeTeams(m *notify.Message, lk links.Links, o *store.Outgoing) {
	d := o.Page
	ackURL := ""
	if d != nil && d.AckToken != "" {
		ackURL = lk.Ack(d.AckToken)
	}
	ack := func() {
		if ackURL == "" {
			return
		}
		if d.Shadow {
			m.Links = append(m.Links, notify.Link{Title: "See the page", URL: ackURL})
			return
		}
		m.Links = append(m.Links, notify.Link{Title: "Acknowledge", URL: ackURL, Primary: true})
	}
	if r := o.Restricted; r != nil {
		m.Facts = []notify.Fact{{Title: "Reference", Value: r.Reference}}
		ack()
		u := r.URL
		if d != nil {
			u = lk.Page(d.Page.ID)
		}
		m.Links = append(m.Links, notify.Link{Title: "Open in Herald", URL: u})
		return
	}
	if o.Practice != "" {
		m.Facts = append(m.Facts, notify.Fact{Title: "Practice", Value: herald.PracticeMark})
	}
	if d != nil {
		m.Facts = append(m.Facts, notify.Fact{Title: "Service", Value: d.Service})
		if d.Page.Severity != "" {
			m.Facts = append(m.Facts, notify.Fact{Title: "Alert severity", Value: d.Page.Severity})
		}
		level := "level " + strconv.Itoa(d.Level+1)
		if d.Shadow {
			level += " (shadowing)"
		}
		m.Facts = append(m.Facts, notify.Fact{Title: "Escalation", Value: level})
		if d.Page.IncidentRole != "" {
			m.Facts = append(m.Facts, notify.Fact{Title: "Role asked", Value: d.Page.IncidentRole})
		}
	}
	if inc := o.Incident; inc != nil {
		m.Facts = append(m.Facts,
			notify.Fact{Title: "Incident", Value: inc.Reference},
			notify.Fact{Title: "Severity", Value: inc.Severity},
			notify.Fact{Title: "State", Value: inc.State})
		for _, h := range inc.Roles {
			m.Facts = append(m.Facts, notify.Fact{Title: h.Role, Value: h.Name})
		}
	}
	ack()
	if d != nil {
		m.Links = append(m.Links, notify.Link{Title: "Open the page", URL: lk.Page(d.Page.ID)})
	}
	switch {
	case o.Broadcast != nil && o.Broadcast.URL != "":
		m.Links = append(m.Links, notify.Link{Title: "Read more", URL: o.Broadcast.URL})
	case o.Prompt != nil && o.Prompt.URL != "":
		m.Links = append(m.Links, notify.Link{Title: "Act on it", URL: o.Prompt.URL, Primary: true})
	}
	if inc := o.Incident; inc != nil && !lk.IsZero() {
		m.Links = append(m.Links, notify.Link{Title: "Incident " + inc.Reference, URL: lk.Incident(inc.Reference)})
	}
}
