package slack

import (
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald"
)

// Block Kit's limits (Slack's reference for blocks and elements).
const (
	MaxBlocks       = 50   // blocks in a message
	MaxSectionText  = 3000 // characters of a section's text
	MaxFields       = 10   // fields of a section
	MaxFieldText    = 2000 // characters of a field
	MaxActions      = 25   // elements of an actions block
	MaxButtonText   = 75   // characters of a button's label
	MaxButtonValue  = 2000 // characters of a button's value
	MaxURL          = 3000 // characters of a button's URL
	MaxFallbackText = 3000 // the notification text beside the blocks (kept short)
)

// Message is a Slack message: its notification text and its blocks.
type Message struct {
	Text   string  `json:"text"`
	Blocks []Block `json:"blocks"`
}

// Block is one Block Kit block, as JSON.
type Block map[string]any

// Button values: what a button runs (the action's Command), and whether
// confirmed ("1").
const confirmPrefix = "confirm:"

// Render turns a reply into Block Kit within its limits: the text split
// into sections of at most MaxSectionText characters (on a line or word
// boundary when it can), the fields ten to a section, the buttons in one
// actions block, and a last block that says where the rest is when the
// reply is longer than MaxBlocks allow.
func Render(r herald.ChatReply) Message {
	var blocks []Block
	for _, part := range split(escape(r.Text), MaxSectionText) {
		blocks = append(blocks, Block{"type": "section", "text": mrkdwn(part)})
	}
	for i := 0; i < len(r.Fields); i += MaxFields {
		var fs []any
		for _, f := range r.Fields[i:min(i+MaxFields, len(r.Fields))] {
			fs = append(fs, mrkdwn(cut("*"+escape(f.Label)+"*\n"+escape(f.Value), MaxFieldText)))
		}
		blocks = append(blocks, Block{"type": "section", "fields": fs})
	}
	if c := r.Composer; c != nil {
		for _, t := range c.Templates {
			blocks = append(blocks, Block{"type": "section", "text": mrkdwn(cut("*"+escape(t.Name)+"*\n"+escape(t.Text), MaxSectionText))})
		}
	}
	var els []any
	for i, a := range r.Actions {
		if i == MaxActions {
			break
		}
		b := map[string]any{"type": "button", "text": map[string]any{"type": "plain_text", "text": cut(a.Label, MaxButtonText)}, "action_id": cut(a.ID+"-"+itoa(i), 255)}
		switch {
		case a.URL != "":
			if len(a.URL) > MaxURL {
				continue
			}
			b["url"] = a.URL
		default:
			v := a.Command
			if a.Confirm {
				v = confirmPrefix + v
			}
			if len(v) > MaxButtonValue {
				continue // a button that would run a cut command must not exist
			}
			b["value"] = v
		}
		if a.Style == "primary" || a.Style == "danger" {
			b["style"] = a.Style
		}
		els = append(els, b)
	}
	if len(els) > 0 {
		blocks = append(blocks, Block{"type": "actions", "elements": els})
	}
	if len(blocks) > MaxBlocks {
		rest := "The rest is too long for Slack"
		if r.Link != "" {
			rest += ": read it in Herald, " + r.Link
		}
		// Keep the buttons (the last block) when there are any.
		last := blocks[len(blocks)-1]
		blocks = append(blocks[:MaxBlocks-2], Block{"type": "context", "elements": []any{mrkdwn(cut(rest, MaxSectionText))}})
		if last["type"] == "actions" {
			blocks = append(blocks, last)
		} else {
			blocks = blocks[:MaxBlocks-1]
		}
	}
	return Message{Text: cut(r.Text, MaxFallbackText), Blocks: blocks}
}

func mrkdwn(s string) map[string]any { return map[string]any{"type": "mrkdwn", "text": s} }

// escape makes text literal in mrkdwn: Slack reads &, < and > as markup.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// cut shortens s to at most n characters, ending in "…" when cut, never
// inside an escape (&amp;) or a rune.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	out := string(r)
	if i := strings.LastIndexByte(out, '&'); i >= 0 && !strings.Contains(out[i:], ";") {
		out = out[:i]
	}
	return out + "…"
}

// split cuts s into parts of at most n characters, at the last newline or
// space in a part when there is one, never inside an escape or a rune.
func split(s string, n int) []string {
	if s == "" {
		return nil
	}
	var parts []string
	for utf8.RuneCountInString(s) > n {
		r := []rune(s)
		head := string(r[:n])
		at := strings.LastIndexAny(head, "\n ")
		if at <= len(head)/2 {
			at = len(head)
			if i := strings.LastIndexByte(head, '&'); i > 0 && !strings.Contains(head[i:], ";") {
				at = i
			}
		}
		parts = append(parts, head[:at])
		s = strings.TrimLeft(s[at:], "\n ")
	}
	if s != "" {
		parts = append(parts, s)
	}
	return parts
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
