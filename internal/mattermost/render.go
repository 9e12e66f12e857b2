package mattermost

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald"
)

// Mattermost's limits (server/public/model/post.go).
const (
	// MaxMessage is the most characters (runes) a post's message may have
	// (PostMessageMaxRunesV2); a longer post is refused.
	MaxMessage = 16383
	// MaxProps is the most characters a post's props (the attachments,
	// as JSON) may have (PostPropsMaxRunes).
	MaxProps = 800000
	// MaxChannelName is the most characters of a channel's name (and of
	// its display name).
	MaxChannelName = 64
)

// Herald's own bounds inside those limits, so a post stays readable.
const (
	maxFieldValue = 2000
	maxButtons    = 10
	maxLabel      = 75
)

// Post is a Mattermost post as Herald sends it.
type Post struct {
	ChannelID string         `json:"channel_id,omitempty"`
	Message   string         `json:"message"`
	Props     map[string]any `json:"props,omitempty"`
}

// Attachment is a message attachment (Slack's format, as Mattermost
// takes it in props.attachments).
type Attachment struct {
	Fallback string   `json:"fallback"`
	Color    string   `json:"color,omitempty"`
	Title    string   `json:"title,omitempty"`
	Text     string   `json:"text,omitempty"`
	Fields   []Field  `json:"fields,omitempty"`
	Actions  []Action `json:"actions,omitempty"`
}

// Field is an attachment's labelled value.
type Field struct {
	Title string `json:"title"`
	Value string `json:"value"`
	Short bool   `json:"short"`
}

// Action is an interactive message button: pressed, Mattermost posts the
// integration's context to its URL (a PostActionIntegrationRequest).
type Action struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Type        string      `json:"type"`
	Style       string      `json:"style,omitempty"`
	Integration Integration `json:"integration"`
}

// Integration is where a button goes and what it carries.
type Integration struct {
	URL     string        `json:"url"`
	Context ButtonContext `json:"context"`
}

// ButtonContext is what Herald puts in a button: the command line it
// runs, whether confirmed, and Herald's signature over both and the
// channel (Sign).
type ButtonContext struct {
	Command string `json:"command"`
	Confirm bool   `json:"confirm"`
	Sig     string `json:"sig"`
}

// Buttons is how a post's buttons are made: Herald's actions URL, the
// key that signs them and the channel the post goes to.
type Buttons struct {
	URL, Key, Channel string
}

// CommandResponse is a slash command's answer (Mattermost's
// CommandResponse), in the HTTP response or through the response URL.
type CommandResponse struct {
	ResponseType     string         `json:"response_type"`
	Text             string         `json:"text"`
	Props            map[string]any `json:"props,omitempty"`
	SkipSlackParsing bool           `json:"skip_slack_parsing"`
}

// actionIDRE: Mattermost routes a button press to
// /api/v4/posts/{post_id}/actions/{action_id} with action_id
// [A-Za-z0-9]+, so an id with a dash or an underscore could never be
// pressed.
var actionIDRE = regexp.MustCompile(`[^A-Za-z0-9]`)

// Render turns a reply into a Mattermost post: the text as the message
// (Markdown, at most MaxMessage characters, cut on a line or a word with a
// pointer to the rest in Herald), the fields, the composer's templates and
// the buttons as one attachment. Buttons carry their command signed for
// b.Channel; a button whose command cannot be signed (no key) is left
// out, link buttons become links in the attachment. The props stay under
// MaxProps: fields are dropped from the end, never the buttons.
func Render(r herald.ChatReply, b Buttons) Post {
	text := quiet(r.Text)
	if n := utf8.RuneCountInString(text); n > MaxMessage {
		rest := "\n\n… The rest is too long for Mattermost"
		if r.Link != "" {
			rest += ": read it in Herald, " + r.Link
		}
		text = cutWords(text, MaxMessage-utf8.RuneCountInString(rest)) + rest
	}
	att := Attachment{Fallback: cutRunes(plain(r.Text), 300)}
	for _, f := range r.Fields {
		att.Fields = append(att.Fields, Field{Title: cutRunes(f.Label, 200), Value: cutRunes(quiet(f.Value), maxFieldValue), Short: utf8.RuneCountInString(f.Value) <= 40})
	}
	if c := r.Composer; c != nil {
		for _, t := range c.Templates {
			att.Fields = append(att.Fields, Field{Title: cutRunes(t.Name, 200), Value: cutRunes(quiet(t.Text), maxFieldValue)})
		}
		for _, ch := range c.Checks {
			mark := "ok"
			if !ch.OK {
				mark = "failed"
			}
			att.Fields = append(att.Fields, Field{Title: "Check " + cutRunes(ch.Name, 100), Value: mark + ": " + cutRunes(ch.Message, 500), Short: true})
		}
	}
	var links []string
	for i, a := range r.Actions {
		if a.URL != "" {
			links = append(links, "["+strings.ReplaceAll(cutRunes(a.Label, maxLabel), "]", "")+"]("+a.URL+")")
			continue
		}
		if b.Key == "" || b.URL == "" || a.Command == "" || len(att.Actions) == maxButtons {
			continue
		}
		style := a.Style
		if style != "primary" && style != "danger" {
			style = "default"
		}
		att.Actions = append(att.Actions, Action{ID: cutRunes(actionIDRE.ReplaceAllString(a.ID, "")+itoa(i), 50), Name: cutRunes(a.Label, maxLabel), Type: "button", Style: style,
			Integration: Integration{URL: b.URL, Context: ButtonContext{Command: a.Command, Confirm: a.Confirm, Sig: Sign(b.Key, b.Channel, a.Command, a.Confirm)}}})
	}
	if len(links) > 0 {
		att.Text = strings.Join(links, " · ")
	}
	p := Post{ChannelID: b.Channel, Message: text}
	if len(att.Fields) == 0 && len(att.Actions) == 0 && att.Text == "" {
		return p
	}
	for propsSize(att) > MaxProps && len(att.Fields) > 0 {
		att.Fields = att.Fields[:len(att.Fields)-1]
	}
	p.Props = map[string]any{"attachments": []Attachment{att}}
	return p
}

func propsSize(att Attachment) int {
	raw, _ := json.Marshal(map[string]any{"attachments": []Attachment{att}})
	return utf8.RuneCount(raw)
}

// Text is a reply as plain Markdown text (ephemeral_text, which takes no
// attachments): the text, then the fields as "**Label:** value" lines,
// within MaxMessage.
func Text(r herald.ChatReply) string {
	var sb strings.Builder
	sb.WriteString(quiet(r.Text))
	for _, f := range r.Fields {
		sb.WriteString("\n**" + f.Label + ":** " + quiet(f.Value))
	}
	if c := r.Composer; c != nil {
		for _, t := range c.Templates {
			sb.WriteString("\n**" + t.Name + ":** " + quiet(t.Text))
		}
	}
	for _, a := range r.Actions {
		if a.URL != "" {
			sb.WriteString("\n[" + a.Label + "](" + a.URL + ")")
		}
	}
	return cutWords(sb.String(), MaxMessage)
}

// quiet keeps text from notifying a whole channel: Herald's messages
// quote what people typed (titles, notes), and an @channel, @all or @here
// in them must not page everyone in the channel.
var mentionAllRE = regexp.MustCompile(`(?i)@(channel|all|here)\b`)

func quiet(s string) string { return mentionAllRE.ReplaceAllString(s, "@\u200b$1") }

// plain is text for a notification (the attachment's fallback).
func plain(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return quiet(s)
}

// cutRunes shortens s to at most n characters, ending in "…" when cut.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// cutWords shortens s to at most n characters, at the last line break or
// space in its second half when there is one, never inside a rune.
func cutWords(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	head := string([]rune(s)[:n])
	if at := strings.LastIndexAny(head, "\n "); at > len(head)/2 {
		head = head[:at]
	}
	return head
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
