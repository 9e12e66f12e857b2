package worker

import (
	"fmt"

	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
)

// compose writes the message for one outbox row: the one place that decides
// what a page or a broadcast says on each channel (subject, text, footer,
// e-mail headers, webhook payload). The senders in notify only encode it
// for their transport.
func compose(lk links.Links, o *store.Outgoing) notify.Message {
	m := notify.Message{ID: o.ID, Kind: o.Kind, Target: o.Target, Secret: o.Secret}
	switch {
	case o.Page != nil:
		composePage(&m, lk, o.Page)
	case o.Broadcast != nil:
		composeBroadcast(&m, o.Broadcast)
	}
	return m
}

func composePage(m *notify.Message, lk links.Links, d *store.PageNotice) {
	p := d.Page
	who := "You are"
	if d.Shadow {
		who = "You shadow the responder who is"
	}
	url := lk.Page(p.ID)
	text := fmt.Sprintf("%s paged for %s (level %d).\n\n%s\nSeverity: %s\nSource: %s\nFirst seen: %s UTC",
		who, d.Service, d.Level+1, p.Summary, p.Severity, p.Source, p.FirstSeen.UTC().Format("2006-01-02 15:04"))
	if p.Count > 1 {
		text += fmt.Sprintf("\nTriggered %d times", p.Count)
	}
	if d.Shadow {
		text += "\n\nShadows receive every notification but do not acknowledge."
	}
	m.Event = "page.triggered"
	m.Subject = "[Herald] " + p.Summary + " (" + d.Service + ")"
	m.Text, m.URL = text, url
	m.Data = map[string]any{"page": p, "service": d.Service, "level": d.Level + 1, "shadow": d.Shadow, "url": url}
}

func composeBroadcast(m *notify.Message, b *store.BroadcastNotice) {
	m.Event, m.Subject, m.Text, m.URL = b.Event, b.Subject, b.Body, b.URL
	m.Data = map[string]any{"event": b.Event, "subject": b.Subject, "body": b.Body, "url": b.URL}
	if m.Kind != "email" {
		return
	}
	if b.Event != "subscription.confirm" {
		m.Text += "\n\n" + b.URL + "\n\nUnsubscribe: " + b.UnsubscribeURL
		m.URL = ""
	}
	// One-click unsubscribe (RFC 8058) on every mail, the request to confirm
	// too: someone who never asked can drop the address in one click.
	m.Headers = map[string]string{"List-Unsubscribe": "<" + b.UnsubscribeURL + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
}
