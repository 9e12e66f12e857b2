package herald

import (
	"strings"
	"testing"
)

// R46: a chat message about a FedRAMP tenant carries the reference and the
// console link only: no text, fields, buttons or title in a channel name.
func TestRule46_RestrictChatKeepsOnlyReferenceAndLink(t *testing.T) {
	r := Restriction{Reference: "INC-7", URL: "https://herald.example/app/incidents/INC-7"}
	m := RestrictChat(ChatMessage{Kind: ChatCreateChannel, Name: "inc-7-acme-gov-db-down", Reply: ChatReply{Text: "Acme Gov DB down", Incident: "INC-7",
		Fields: []ChatField{{Label: "Summary", Value: "acme"}}, Actions: []ChatAction{{ID: "ack", Command: "ack INC-7"}}}}, r)
	if strings.Contains(strings.ToLower(m.Reply.Text), "acme") || len(m.Reply.Fields) != 0 || len(m.Reply.Actions) != 0 || m.Name != "inc-7" ||
		!strings.Contains(m.Reply.Text, "INC-7") || m.Reply.Link != r.URL || !strings.Contains(m.Reply.Text, RestrictedText) {
		t.Fatalf("restricted: %+v", m)
	}
}
