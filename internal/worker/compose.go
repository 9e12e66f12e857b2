package worker

import (
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
)

// compose writes the message for one outbox row: the one place that decides
// how a page or a broadcast is carried on each channel (an e-mail's footer
// and headers, a webhook's payload). Its words come from package herald's
// notices (notice.go); the senders in notify only encode the message for
// their transport.
func compose(lk links.Links, o *store.Outgoing) notify.Message {
	m := notify.Message{ID: o.ID, Kind: o.Kind, Target: o.Target, Secret: o.Secret}
	switch {
	case o.Page != nil:
		composePage(&m, lk, o.Page)
	case o.Broadcast != nil:
		composeBroadcast(&m, o.Broadcast)
	case o.Prompt != nil:
		composePrompt(&m, o.Prompt)
	case o.TenantNotice != nil:
		// A tenant's notice is an e-mail to its operational addresses,
		// written whole by herald.EmergencyMaintenanceNoticeText and approved
		// by the security team before it was queued (R44).
		n := o.TenantNotice
		m.Event, m.Subject, m.Text, m.Cc = n.Event, n.Subject, n.Body, n.Cc
	case o.SignIn != nil:
		n := o.SignIn.Notice
		m.Event, m.Subject, m.Text, m.URL = n.Event, n.Subject, n.Body, n.URL
	case o.Notice != nil:
		composeNotice(&m, o.Notice)
	}
	if o.Restricted != nil {
		restrict(&m, lk, o)
	}
	if o.Practice != "" {
		// R63: whatever the lane and channel, a practice's message says so
		// first, in its subject and its text (and a webhook's payload).
		m.Subject, m.Text = herald.MarkPractice(m.Subject), herald.MarkPractice(m.Text)
		if d, ok := m.Data.(map[string]any); ok {
			d["practice_run_id"] = o.Practice
		}
	}
	if m.Kind == "teams" {
		composeTeams(&m, lk, o)
	}
	return m
}

// restrict replaces all a message would carry by its reference and console
// link when it is about a FedRAMP tenant (R46): after every lane's
// composer, so no channel and no lane can carry more. A page's message
// keeps the person's acknowledge link, whose page shows no more either.
func restrict(m *notify.Message, lk links.Links, o *store.Outgoing) {
	r := *o.Restricted
	level, shadow, ackURL := 0, false, ""
	if d := o.Page; d != nil {
		r.URL = lk.Page(d.Page.ID) // as unrestricted
		level, shadow = d.Level+1, d.Shadow
		if d.AckToken != "" {
			ackURL = lk.Ack(d.AckToken)
		}
	}
	n := herald.RestrictedNotice(m.Event, r, level, shadow, ackURL)
	m.Subject, m.Text, m.URL = n.Subject, n.Body, n.URL
	data := map[string]any{"event": n.Event, "restricted": true, "reference": r.Reference, "subject": n.Subject, "body": n.Body, "url": r.URL}
	if d := o.Page; d != nil {
		data["page"] = map[string]any{"id": d.Page.ID, "status": d.Page.Status, "incident_id": d.Page.IncidentID}
		data["level"], data["shadow"] = level, shadow
		if ackURL != "" {
			data["ack_url"] = ackURL
		}
	}
	m.Data = data
	if b := o.Broadcast; b != nil && m.Kind == "email" && b.Event != "subscription.confirm" {
		m.Text += "\n\nUnsubscribe: " + b.UnsubscribeURL
	}
	// As unrestricted: the text carries the links already.
	if m.Kind == "email" || m.Kind == "teams" {
		m.URL = ""
	}
}

func composePage(m *notify.Message, lk links.Links, d *store.PageNotice) {
	pageURL, ackURL := lk.Page(d.Page.ID), ""
	if d.AckToken != "" {
		ackURL = lk.Ack(d.AckToken)
	}
	n := herald.PageNotice(&d.Page, d.Service, d.Level, d.Shadow, pageURL, ackURL)
	m.Event, m.Subject, m.Text, m.URL = n.Event, n.Subject, n.Body, n.URL
	data := map[string]any{"page": d.Page, "service": d.Service, "level": d.Level + 1, "shadow": d.Shadow, "url": pageURL}
	if ackURL != "" {
		data["ack_url"] = ackURL
	}
	m.Data = data
	// The text carries both links already; an e-mail or a Teams card that
	// added the URL again would show it twice. Slack links its title with
	// it, a text message and a voice call's provider get it on its own.
	if m.Kind == "email" || m.Kind == "teams" {
		m.URL = ""
	}
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

// composePrompt carries a playbook prompt: its text already holds the link
// to act on, so e-mail and Teams do not add it again.
func composePrompt(m *notify.Message, p *store.PromptNotice) {
	m.Event, m.Subject, m.Text, m.URL = p.Event, p.Subject, p.Body, p.URL
	m.Data = map[string]any{"event": p.Event, "kind": p.Kind, "incident_id": p.IncidentID, "subject": p.Subject, "body": p.Body, "url": p.URL}
	if m.Kind == "email" || m.Kind == "teams" {
		m.URL = ""
	}
}

// composeNotice carries a customer notice: its own Message-ID and reply
// address, threaded on the messages before it, with the tag and support
// region of the thread (R41) for the mail systems that file it.
func composeNotice(m *notify.Message, n *store.CustomerNotice) {
	m.Event, m.Subject, m.Text, m.Cc = "notice.customer", n.Subject, n.Body, n.Cc
	m.Headers = map[string]string{"Message-ID": "<" + n.MessageID + ">", "Reply-To": n.ReplyTo,
		"Keywords": n.Tag, "X-Herald-Tag": n.Tag, "X-Herald-Support-Region": n.SupportRegion}
	if n.InReplyTo != "" {
		m.Headers["In-Reply-To"] = "<" + n.InReplyTo + ">"
	}
	if len(n.References) > 0 {
		m.Headers["References"] = "<" + strings.Join(n.References, "> <") + ">"
	}
	if n.SupportRegion == "" {
		delete(m.Headers, "X-Herald-Support-Region")
	}
}
