package notify

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"unicode"
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
	if body, ok := teamsCard(m, m.Text, false); ok {
		return body
	}
	// The longest start of the text that fits, cut on a character
	// boundary (JSON escaping makes some characters longer on the wire,
	// so search rather than subtract).
	cutAt := func(n int) string {
		for n > 0 && n < len(m.Text) && !utf8.RuneStart(m.Text[n]) {
			n--
		}
		return strings.TrimRightFunc(m.Text[:n], unicode.IsSpace) + " …"
	}
	lo, hi := 0, len(m.Text)
	var best []byte
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if body, ok := teamsCard(m, cutAt(mid), true); ok {
			lo, best = mid, body
		} else {
			hi = mid - 1
		}
	}
	if best != nil {
		return best
	}
	if body, ok := teamsCard(m, "", true); ok {
		return body
	}
	// The subject or the facts alone are too long: say where to read it.
	body, _ := teamsCard(Message{Subject: "Herald", URL: m.URL, Links: m.Links}, "", true)
	return body
}

// teamsCard builds the body with text, and says whether it fits.
func teamsCard(m Message, text string, truncated bool) ([]byte, bool) {
	blocks := []any{map[string]any{"type": "TextBlock", "text": m.Subject, "weight": "Bolder", "size": "Medium", "wrap": true}}
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
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // < > & as themselves: a card is not HTML
	enc.Encode(env)
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return b, len(b) <= TeamsMaxPayload
}

// openable says whether a card's button may open u: an absolute http or
// https URL (the console's base URL may be http on a private network).
func openable(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != ""
}
