package notify

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"
)

// mattermostMaxText is the most characters of a Mattermost post's message
// (PostMessageMaxRunesV2); an incoming webhook's longer text would be
// split into several posts, so Herald cuts it instead.
const mattermostMaxText = 16383

// mattermostAll keeps a message from notifying a whole channel: the text
// quotes what people typed, and an @channel in an incident's title must
// not alert everyone in a stakeholder channel.
var mattermostAll = regexp.MustCompile(`(?i)@(channel|all|here)\b`)

// MattermostPayload is a Mattermost incoming webhook's body: the text in
// Markdown (the subject in bold, linked to the message's URL) and one
// attachment with the facts as fields and the links as Markdown links.
// Mattermost's incoming webhooks take Slack's attachment format; its
// limit on a message is 16,383 characters.
func MattermostPayload(m Message) []byte {
	quiet := func(s string) string { return mattermostAll.ReplaceAllString(s, "@\u200b$1") }
	subject := strings.NewReplacer("[", "(", "]", ")").Replace(quiet(m.Subject))
	head := "**" + subject + "**"
	if m.URL != "" {
		head = "**[" + subject + "](" + m.URL + ")**"
	}
	text := head + "\n" + quiet(m.Text)
	if utf8.RuneCountInString(text) > mattermostMaxText {
		text = string([]rune(text)[:mattermostMaxText-1]) + "…"
	}
	payload := map[string]any{"text": text}
	if len(m.Facts) > 0 || len(m.Links) > 0 {
		att := map[string]any{"fallback": quiet(m.Subject)}
		var fields []map[string]any
		for _, f := range m.Facts {
			fields = append(fields, map[string]any{"title": f.Title, "value": quiet(f.Value), "short": true})
		}
		if fields != nil {
			att["fields"] = fields
		}
		var links []string
		for _, l := range m.Links {
			links = append(links, "["+strings.NewReplacer("[", "(", "]", ")").Replace(l.Title)+"]("+l.URL+")")
		}
		if links != nil {
			att["text"] = strings.Join(links, " · ")
		}
		payload["attachments"] = []any{att}
	}
	b, _ := json.Marshal(payload)
	return b
}
