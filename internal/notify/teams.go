package notify

import (
	"encoding/json"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Microsoft Teams: a channel is reached through a Workflows webhook (the
// Power Automate flow "Post to a channel when a webhook request is
// received", which replaced the retired Office 365 connectors), or, while
// an organisation migrates, through an old connector's incoming webhook.
// Both take the same envelope: a message with one Adaptive Card
// attachment. The card keeps to schema 1.4 (what Teams renders on every
// client, phones included) and to the 28 KB a Teams message may carry.

// TeamsCardVersion is the Adaptive Card schema version Herald writes.
const TeamsCardVersion = "1.4"

// TeamsMaxPayload is the most bytes a Teams card's request body may have:
// below Teams' 28 KB message limit, with room for what Teams adds.
const TeamsMaxPayload = 27 * 1024

// TeamsTruncated is what a card says when its text was cut to fit.
const TeamsTruncated = "This message was shortened to fit Microsoft Teams' 28 KB limit: read it whole in Herald."

// Fact is one labelled value of a chat card (Severity: S1).
type Fact struct {
	Title, Value string
}

// Link is a button of a chat card that opens a URL: a console link, or a
// signed link that acts without signing in (acknowledge a page).
type Link struct {
	Title, URL string
	// Primary marks the button to press (Acknowledge).
	Primary bool
}

// teamsMaxActions is how many buttons a card shows: Teams shows no more
// than six on a card; Herald needs at most three.
const teamsMaxActions = 5

// TeamsCard is the request body for a Teams webhook: the envelope with
// one Adaptive Card attachment, at most TeamsMaxPayload bytes. Text that
// would not fit is cut on a character boundary and the card says so.
func TeamsCard(m Message) []byte {
	text := m.Text
	body, ok := teamsCard(m, text, false)
	if ok {
		return body
	}
	// Cut the text by what is over (JSON escaping may make the text
	// longer on the wire than in bytes, so repeat until it fits).
	for len(text) > 0 {
		over := len(body) - TeamsMaxPayload
		cut := len(text) - over - 64
		if over <= 0 {
			cut = len(text) - 64
		}
		if cut < 0 {
			cut = 0
		}
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = strings.TrimRightFunc(text[:cut], func(r rune) bool { return r == ' ' || r == '\n' }) + " …"
		if cut == 0 {
			text = ""
		}
		if body, ok = teamsCard(m, text, true); ok {
			return body
		}
	}
	body, _ = teamsCard(Message{Subject: "Herald", URL: m.URL, Links: m.Links}, "", true)
	return body
}

// teamsCard builds the body with text, and says whether it fits.
func teamsCard(m Message, text string, truncated bool) ([]byte, bool) {
	blocks := []any{map[string]any{"type": "TextBlock", "text": m.Subject, "weight": "Bolder", "size": "Medium", "wrap": true, "style": "heading"}}
	if len(m.Facts) > 0 {
		facts := make([]any, 0, len(m.Facts))
		for _, f := range m.Facts {
			facts = append(facts, map[string]string{"title": f.Title, "value": f.Value})
		}
		blocks = append(blocks, map[string]any{"type": "FactSet", "facts": facts})
	}
	if text != "" {
		blocks = append(blocks, map[string]any{"type": "TextBlock", "text": text, "wrap": true})
	}
	if truncated {
		blocks = append(blocks, map[string]any{"type": "TextBlock", "text": TeamsTruncated, "wrap": true, "isSubtle": true, "size": "Small"})
	}
	var actions []any
	seen := map[string]bool{}
	add := func(l Link) {
		if l.URL == "" || seen[l.URL] || len(actions) >= teamsMaxActions || !openable(l.URL) {
			return
		}
		seen[l.URL] = true
		a := map[string]any{"type": "Action.OpenUrl", "title": l.Title, "url": l.URL}
		if l.Primary {
			a["style"] = "positive"
		}
		actions = append(actions, a)
	}
	for _, l := range m.Links {
		add(l)
	}
	add(Link{Title: "Open in Herald", URL: m.URL})
	card := map[string]any{"type": "AdaptiveCard", "version": TeamsCardVersion, "body": blocks, "msteams": map[string]string{"width": "Full"}}
	if len(actions) > 0 {
		card["actions"] = actions
	}
	env := map[string]any{"type": "message", "attachments": []any{map[string]any{
		"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": nil, "content": card}}}
	b, _ := json.Marshal(env)
	return b, len(b) <= TeamsMaxPayload
}

// openable says whether a card's button may open u: an absolute http or
// https URL (the console's base URL may be http on a private network).
func openable(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != ""
}
