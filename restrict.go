package herald

import "fmt"

// FedRAMP tenants (R46): nothing about such a tenant may reach a pager, a
// chat or a text message but the reference of what it is about and the
// link to it in the console. What a message is about is restricted when
// it is a page on a service that serves a FedRAMP tenant (or a page of an
// incident that affects one), or a prompt, stakeholder notice or internal
// update about an incident linked to one. The store decides that when the
// message is about to go (so a tenant linked after it was queued still
// counts); the worker's composer then replaces whatever each channel
// would have carried by RestrictedNotice, the one text of a restricted
// message, and the acknowledge link's page shows RestrictedPage. The
// details stay in Herald, for people signed in.

// Restriction marks a message about something under FedRAMP rules: the
// words it may carry.
type Restriction struct {
	// Reference names the thing: an incident's reference ("INC-42"), a
	// page's ("page 01J..."), or both ("INC-42, page 01J...").
	Reference string
	// URL is where it is read in the console, after signing in.
	URL string
}

// RestrictedText is what a restricted message says in place of its
// details.
const RestrictedText = "Details are restricted (FedRAMP tenant): they are shown only in Herald's console, after signing in."

// PageReference is how a restricted page is named: by its id, and by its
// incident's reference when it has one (incidentRef "" when not).
func PageReference(pageID, incidentRef string) string {
	if incidentRef == "" {
		return "page " + pageID
	}
	return incidentRef + ", page " + pageID
}

// RestrictedNotice is the only text a restricted message carries: event
// (what happened, "page.triggered"), the reference and the console link.
// ackURL, for a page, is the person's signed link that acknowledges
// without signing in; its page shows nothing more (RestrictedPage). level
// (from 1, 0: not a page) and shadow are about the person paged, not the
// tenant.
func RestrictedNotice(event string, r Restriction, level int, shadow bool, ackURL string) Notice {
	subject := "[Herald] " + r.Reference
	text := r.Reference
	if level > 0 {
		who := "You are"
		if shadow {
			who = "You shadow the responder who is"
		}
		subject = "[Herald] Paged: " + r.Reference
		text = fmt.Sprintf("%s paged (level %d): %s", who, level, r.Reference)
	}
	text += "\n\n" + RestrictedText
	url := r.URL
	if ackURL != "" {
		url = ackURL
		if shadow {
			text += "\n\nSee the page (no sign-in needed): " + ackURL
		} else {
			text += "\n\nAcknowledge, escalate or resolve (no sign-in needed): " + ackURL
		}
	}
	text += "\nIn the console: " + r.URL
	return Notice{Event: event, Subject: subject, Body: text, URL: url}
}

// RestrictedPage is a page as a surface without sign-in shows it when it
// is restricted (the acknowledge link's page): what it takes to act on it,
// with its summary replaced by ref and nothing of what monitoring sent
// (details, source, deduplication key, severity).
func RestrictedPage(p *Page, ref string) *Page {
	return &Page{ID: p.ID, ServiceID: p.ServiceID, Status: p.Status, Summary: ref, Count: p.Count, Alerts: p.Alerts, Level: p.Level,
		FirstSeen: p.FirstSeen, LastSeen: p.LastSeen, AckedAt: p.AckedAt, AckedBy: p.AckedBy, ResolvedAt: p.ResolvedAt,
		NextEscalation: p.NextEscalation, IncidentID: p.IncidentID, IncidentRole: p.IncidentRole, RetriggerAt: p.RetriggerAt,
		SnoozedUntil: p.SnoozedUntil, Muted: p.Muted, Restricted: true}
}
