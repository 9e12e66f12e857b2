package herald

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Chat-ops: one command grammar for every chat platform and the CLI
// (`herald chat run`), so a person learns one set of words. Parsing is
// here, free of any platform: an adapter (Slack, Mattermost, Teams) strips
// its own slash-command name and hands the rest to ParseChatCommand; the
// executor (internal/chatops) runs the result through the same services the
// API uses, so roles and decision authority are checked in one place.

// ChatVerb is a chat command's first word.
type ChatVerb string

// The chat commands.
const (
	ChatDeclare  ChatVerb = "declare"
	ChatStatus   ChatVerb = "status"
	ChatPage     ChatVerb = "page"
	ChatAck      ChatVerb = "ack"
	ChatEscalate ChatVerb = "escalate"
	ChatResolve  ChatVerb = "resolve"
	ChatRole     ChatVerb = "role"
	ChatDecision ChatVerb = "decision"
	ChatFollowUp ChatVerb = "follow-up"
	ChatNote     ChatVerb = "note"
	ChatSeverity ChatVerb = "severity"
	ChatHandover ChatVerb = "handover"
	ChatOnCall   ChatVerb = "oncall"
	ChatHelp     ChatVerb = "help"
)

// ChatVerbs lists the commands in the order help shows them.
var ChatVerbs = []ChatVerb{ChatDeclare, ChatStatus, ChatPage, ChatAck, ChatEscalate, ChatResolve, ChatRole,
	ChatDecision, ChatFollowUp, ChatNote, ChatSeverity, ChatHandover, ChatOnCall, ChatHelp}

// Enum lists the values, for the OpenAPI document.
func (ChatVerb) Enum() []string { return enumStrings(ChatVerbs) }

// chatUsage is each command's usage line, shown with every parse error and
// by help.
var chatUsage = map[ChatVerb]string{
	ChatDeclare:  "declare <S1-S4> <title>",
	ChatStatus:   "status [INC-n] [text]",
	ChatPage:     "page <service> <summary>",
	ChatAck:      "ack [INC-n]",
	ChatEscalate: "escalate [INC-n] [level]",
	ChatResolve:  "resolve [INC-n]",
	ChatRole:     "role [INC-n] <role> @person",
	ChatDecision: "decision [INC-n] <what> because <why>",
	ChatFollowUp: "follow-up [INC-n] <text>",
	ChatNote:     "note [INC-n] <text>",
	ChatSeverity: "severity [INC-n] <S1-S4> because <why>",
	ChatHandover: "handover [INC-n] [<role> @person <note>]",
	ChatOnCall:   "oncall [schedule]",
	ChatHelp:     "help [command]",
}

// chatHelp is each command's one-line description.
var chatHelp = map[ChatVerb]string{
	ChatDeclare:  "declare an incident; the roles are paged as the settings say",
	ChatStatus:   "open the status update composer (templates, 220/280 checks); with text, check it and confirm to publish",
	ChatPage:     "page a service's responders",
	ChatAck:      "acknowledge the incident's open pages",
	ChatEscalate: "page the next level (or the level given) of the incident's open page",
	ChatResolve:  "resolve the incident",
	ChatRole:     "give an incident role to a person, replacing whoever held it",
	ChatDecision: "record a decision with its rationale on the timeline",
	ChatFollowUp: "track a corrective action",
	ChatNote:     "add a note to the timeline",
	ChatSeverity: "change the severity, with the reason (who may: decision authority)",
	ChatHandover: "summarise the incident for whoever takes over; with a role, a person and a note, hand your role on the incident over to them (R60)",
	ChatOnCall:   "who is on call now, on one schedule or all",
	ChatHelp:     "list the commands, or explain one",
}

// ChatUsage is a command's usage line ("declare <S1-S4> <title>").
func ChatUsage(v ChatVerb) string { return chatUsage[v] }

// ChatHelpText describes a command in one line.
func ChatHelpText(v ChatVerb) string { return chatHelp[v] }

// ChatIncidentVerb reports whether a command acts on an incident: implied
// by the incident channel, or given as INC-n.
func ChatIncidentVerb(v ChatVerb) bool {
	switch v {
	case ChatStatus, ChatAck, ChatEscalate, ChatResolve, ChatRole, ChatDecision, ChatFollowUp, ChatNote, ChatSeverity, ChatHandover:
		return true
	}
	return false
}

// ChatWrites reports whether a command changes something: those need the
// responder role, as their API routes do; the others only read. "status"
// without text reads, with text it publishes.
func (c ChatCommand) Writes() bool {
	switch c.Verb {
	case ChatHelp, ChatOnCall:
		return false
	case ChatHandover: // the summary reads; a live handover moves a role
		return c.Mention != ""
	case ChatStatus:
		return c.Text != ""
	}
	return true
}

// ChatCommand is one parsed chat command. Which fields are set depends on
// the verb; Mention is the raw mention as typed (`<@U123>`, `@name`, an
// e-mail address), which the platform's MentionResolver turns into a
// Herald user.
type ChatCommand struct {
	Verb     ChatVerb `json:"verb"`
	Incident string   `json:"incident,omitempty"` // INC-n given in the command
	Severity Severity `json:"severity,omitempty"` // declare, severity
	Text     string   `json:"text,omitempty"`     // title, summary, status text, decision, follow-up, note, handover note
	Reason   string   `json:"reason,omitempty"`   // what follows "because"
	Service  string   `json:"service,omitempty"`  // page
	Level    int      `json:"level,omitempty"`    // escalate; 0 is the next level
	Role     string   `json:"role,omitempty"`     // role: a key or a name, as typed
	Mention  string   `json:"mention,omitempty"`  // role, handover: the person
	Schedule string   `json:"schedule,omitempty"` // oncall
	Topic    ChatVerb `json:"topic,omitempty"`    // help
}

// MaxChatCommandLen bounds a command line; longer text belongs in the
// console.
const MaxChatCommandLen = 12000

// chatToken is one word of a command, with where it lies in the line, so
// free text is taken from the line as typed (its spacing and line breaks
// kept) rather than rebuilt from words.
type chatToken struct {
	text       string // unquoted
	start, end int    // byte offsets of the raw token in the line
	quoted     bool
}

// Quotes people type, and the ones chat clients turn them into.
var chatQuotes = map[rune]rune{'"': '"', '\'': '\'', '“': '”', '”': '”', '‘': '’', '«': '»'}

func chatTokens(line string) ([]chatToken, error) {
	var out []chatToken
	i := 0
	for i < len(line) {
		r, n := utf8.DecodeRuneInString(line[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		if closing, ok := chatQuotes[r]; ok {
			j := i + n
			end := strings.IndexRune(line[j:], closing)
			if closing == '”' && end < 0 {
				end = strings.IndexRune(line[j:], '"')
			}
			if end >= 0 {
				_, cn := utf8.DecodeRuneInString(line[j+end:])
				out = append(out, chatToken{text: line[j : j+end], start: i, end: j + end + cn, quoted: true})
				i = j + end + cn
				continue
			}
			if r == '"' || r == '“' {
				return nil, Errorf(EInvalid, "a quote opened at character %d is never closed", utf8.RuneCountInString(line[:i])+1)
			}
			// An apostrophe alone ("don't") is text, not a quote.
		}
		j := i
		for j < len(line) {
			r, n := utf8.DecodeRuneInString(line[j:])
			if unicode.IsSpace(r) {
				break
			}
			j += n
		}
		out = append(out, chatToken{text: line[i:j], start: i, end: j})
		i = j
	}
	return out, nil
}

// span is the text from token a to token b-1 as typed; a single quoted
// token gives its content without the quotes.
func span(line string, toks []chatToken) string {
	if len(toks) == 0 {
		return ""
	}
	if len(toks) == 1 {
		return strings.TrimSpace(toks[0].text)
	}
	return strings.TrimSpace(line[toks[0].start:toks[len(toks)-1].end])
}

var chatRefRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,9}-[0-9]{1,18}$`)

// IsIncidentReference reports whether s looks like an incident reference
// (INC-12), the optional first argument of an incident command.
func IsIncidentReference(s string) bool { return chatRefRE.MatchString(s) }

var chatLevelRE = regexp.MustCompile(`^(?i)(?:l|level)?([0-9]{1,3})$`)

// chatVerbAliases are other words people type for a verb.
var chatVerbAliases = map[string]ChatVerb{
	"followup": ChatFollowUp, "follow_up": ChatFollowUp, "acknowledge": ChatAck, "on-call": ChatOnCall,
	"sev": ChatSeverity, "decide": ChatDecision, "?": ChatHelp, "trigger": ChatPage,
}

// ParseChatVerb reads a verb in any case (and its aliases).
func ParseChatVerb(s string) (ChatVerb, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "decision:" {
		s = "decision"
	}
	for _, v := range ChatVerbs {
		if string(v) == s {
			return v, true
		}
	}
	v, ok := chatVerbAliases[s]
	return v, ok
}

// chatError is a parse error: what is wrong, then the usage line.
func chatError(v ChatVerb, format string, args ...any) error {
	msg := Errorf(EInvalid, format, args...).Message
	if u := chatUsage[v]; u != "" {
		msg += ". Usage: " + u
	}
	return &Error{Code: EInvalid, Message: msg, Fields: map[string]string{"text": msg}}
}

// ParseChatCommand reads one command line. Verbs, severities and "because"
// are read in any case; quotes (straight or curly) group words; free text
// keeps its spacing. An incident command may name its incident first
// (`note INC-12 checked the logs`). An error says what is wrong and shows
// the usage line.
func ParseChatCommand(line string) (ChatCommand, error) {
	line = strings.TrimSpace(line)
	if !utf8.ValidString(line) || strings.ContainsRune(line, 0) {
		return ChatCommand{}, Errorf(EInvalid, "the command must be valid text")
	}
	if len(line) > MaxChatCommandLen {
		return ChatCommand{}, Errorf(EInvalid, "the command %s; use the console for long text", tooLong(len(line), MaxChatCommandLen, "bytes"))
	}
	toks, err := chatTokens(line)
	if err != nil {
		return ChatCommand{}, err
	}
	if len(toks) == 0 {
		return ChatCommand{Verb: ChatHelp}, nil
	}
	v, ok := ParseChatVerb(toks[0].text)
	if !ok {
		return ChatCommand{}, &Error{Code: EInvalid, Message: "unknown command " + quote(toks[0].text) + ". Commands: " + chatVerbList(),
			Fields: map[string]string{"text": "unknown command " + quote(toks[0].text)}}
	}
	c := ChatCommand{Verb: v}
	args := toks[1:]
	if ChatIncidentVerb(v) && len(args) > 0 && !args[0].quoted && IsIncidentReference(args[0].text) {
		c.Incident = strings.ToUpper(args[0].text)
		args = args[1:]
	}
	switch v {
	case ChatDeclare:
		if len(args) == 0 {
			return c, chatError(v, "declare needs a severity and a title")
		}
		s, ok := ParseSeverity(args[0].text)
		if !ok {
			return c, chatError(v, "%s is not a severity: the first word after declare is S1, S2, S3 or S4", quote(args[0].text))
		}
		c.Severity, c.Text = s, span(line, args[1:])
		if c.Text == "" {
			return c, chatError(v, "declare needs a title after the severity")
		}
		if n := utf8.RuneCountInString(c.Text); n > MaxTitleLen {
			return c, chatError(v, "the title %s", tooLong(n, MaxTitleLen, "characters"))
		}
	case ChatStatus, ChatFollowUp, ChatNote:
		c.Text = span(line, args)
		if c.Text == "" && v != ChatStatus {
			return c, chatError(v, "%s needs text", v)
		}
	case ChatPage:
		if len(args) < 2 {
			return c, chatError(v, "page needs a service and a summary")
		}
		c.Service, c.Text = strings.TrimSpace(args[0].text), span(line, args[1:])
	case ChatHandover:
		if len(args) == 0 {
			break // the summary
		}
		at := -1
		for k, t := range args {
			if !t.quoted && IsChatMention(t.text) {
				at = k
				break
			}
		}
		switch {
		case at < 0:
			return c, chatError(v, "a handover names the role, the person who takes it and a note: mention them (@name) or give their e-mail address")
		case at == 0:
			return c, chatError(v, "say which role you hand over before %s", quote(args[0].text))
		}
		c.Role, c.Mention, c.Text = span(line, args[:at]), args[at].text, span(line, args[at+1:])
		if c.Text == "" {
			return c, chatError(v, "add a short note for the timeline after the person: what they take over")
		}
		if n := utf8.RuneCountInString(c.Text); n > MaxRoleHandoverNote {
			return c, chatError(v, "the note %s", tooLong(n, MaxRoleHandoverNote, "characters"))
		}
	case ChatAck, ChatResolve:
		if len(args) > 0 {
			return c, chatError(v, "%s takes no text (%s was given)", v, quote(span(line, args)))
		}
	case ChatEscalate:
		switch {
		case len(args) == 0:
		case len(args) == 1 || (len(args) == 2 && strings.EqualFold(args[0].text, "level")):
			m := chatLevelRE.FindStringSubmatch(args[len(args)-1].text)
			if m == nil {
				return c, chatError(v, "%s is not a level: give a number like 2", quote(args[len(args)-1].text))
			}
			c.Level, _ = strconv.Atoi(m[1])
			if c.Level < 1 {
				return c, chatError(v, "levels start at 1")
			}
		default:
			return c, chatError(v, "escalate takes at most a level")
		}
	case ChatRole:
		if len(args) < 2 {
			return c, chatError(v, "role needs a role and a person")
		}
		last := args[len(args)-1]
		if !IsChatMention(last.text) {
			return c, chatError(v, "%s is not a person: mention them (@name) or give their e-mail address", quote(last.text))
		}
		c.Role, c.Mention = span(line, args[:len(args)-1]), last.text
	case ChatDecision, ChatSeverity:
		i := -1
		for k, t := range args {
			if !t.quoted && strings.EqualFold(strings.TrimRight(t.text, ":,"), "because") {
				i = k
				break
			}
		}
		if v == ChatSeverity {
			if len(args) == 0 {
				return c, chatError(v, "severity needs the new severity and the reason")
			}
			s, ok := ParseSeverity(args[0].text)
			if !ok {
				return c, chatError(v, "%s is not a severity: give S1, S2, S3 or S4", quote(args[0].text))
			}
			c.Severity = s
			if i != 1 {
				return c, chatError(v, "say why: severity %s because <why>", s)
			}
		} else {
			if i < 0 {
				return c, chatError(v, "a decision needs its rationale: decision <what> because <why>")
			}
			c.Text = span(line, args[:i])
			if c.Text == "" {
				return c, chatError(v, "say what was decided before \"because\"")
			}
		}
		c.Reason = span(line, args[i+1:])
		if c.Reason == "" {
			return c, chatError(v, "say why after \"because\"")
		}
	case ChatOnCall:
		c.Schedule = span(line, args)
	case ChatHelp:
		if len(args) > 0 {
			t, ok := ParseChatVerb(args[0].text)
			if !ok {
				return c, chatError(v, "there is no command %s. Commands: %s", quote(args[0].text), chatVerbList())
			}
			c.Topic = t
		}
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"text", c.Text, MaxSummaryLen}, {"reason", c.Reason, MaxSummaryLen}, {"service", c.Service, MaxNameLen}, {"role", c.Role, MaxNameLen}, {"schedule", c.Schedule, MaxNameLen}} {
		if n := utf8.RuneCountInString(f.v); n > f.max {
			return c, chatError(v, "the %s %s", f.name, tooLong(n, f.max, "characters"))
		}
	}
	return c, nil
}

func chatVerbList() string {
	return strings.Join(enumStrings(ChatVerbs), ", ")
}

var chatMentionRE = regexp.MustCompile(`^(?:<@[A-Za-z0-9._-]+(?:\|[^>]*)?>|@[\p{L}\p{N}._-]+|<mailto:[^|>]+(?:\|[^>]*)?>|[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+)$`)

// IsChatMention reports whether s names a person: a Slack mention
// (<@U123>), an @name (Mattermost, Teams' text) or an e-mail address.
func IsChatMention(s string) bool { return chatMentionRE.MatchString(s) }

// MentionEmail returns the e-mail address a mention is, if it is one
// (plain or as Slack writes it, <mailto:a@b|a@b>).
func MentionEmail(s string) (string, bool) {
	if strings.HasPrefix(s, "<mailto:") {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "<mailto:"), ">")
		if i := strings.IndexByte(s, '|'); i >= 0 {
			s = s[:i]
		}
	}
	if strings.HasPrefix(s, "@") || strings.HasPrefix(s, "<") || !strings.Contains(s, "@") {
		return "", false
	}
	return strings.ToLower(s), true
}

// ChatHelpReply lists the commands, or explains one.
func ChatHelpReply(topic ChatVerb) string {
	if topic != "" {
		return "Usage: " + chatUsage[topic] + "\n" + chatHelp[topic]
	}
	var b strings.Builder
	b.WriteString("Herald commands (in an incident channel the incident is implied; elsewhere name it: note INC-12 ...):\n")
	for _, v := range ChatVerbs {
		b.WriteString("  " + chatUsage[v] + "  —  " + chatHelp[v] + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
