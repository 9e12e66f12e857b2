package herald

import (
	"context"
	"encoding/json"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Support tickets about an incident are found and tagged in the support
// desk (R20): every public incident has its tag (<prefix>_<N>, so support
// can report on the tickets an incident caused), a confidential incident
// gets a tag only when the incident lead sets one by hand (the usual tag
// would tell support, and through them the customer, that the incident
// exists), and the tickets are looked for from the incident's start. The
// sweep finds tickets in that window that mention the incident's keywords
// but lack the tag, so the communications manager can tag them; Herald
// reaches the desk through TicketSystem, one small interface with Zendesk
// its first implementation (internal/zendesk).

// TicketSettings are the organisation's choices for support tickets
// (Settings.Tickets).
type TicketSettings struct {
	// TagPrefix makes a public incident's tag: "incident" tags incident 42
	// "incident_42".
	TagPrefix string `json:"tag_prefix"`
	// ConfidentialPrefix makes the tag suggested for a confidential
	// incident ("com_incident" suggests "com_incident_42"); the tag itself
	// is set by hand.
	ConfidentialPrefix string `json:"confidential_prefix"`
	// WindowMargin extends the search window past the incident's
	// resolution: tickets keep coming for a while after a fix.
	WindowMargin Duration `json:"window_margin"`
}

// DefaultTicketSettings are the defaults.
func DefaultTicketSettings() TicketSettings {
	return TicketSettings{TagPrefix: "incident", ConfidentialPrefix: "com_incident", WindowMargin: Duration(24 * time.Hour)}
}

// ticketTagRE is what a support desk takes as one tag: Zendesk makes tags
// lower case and splits them at spaces, so Herald refuses what would not
// come back as written.
var ticketTagRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_\-]{0,79}$`)

// MaxTicketTag is the longest tag (and tag prefix).
const MaxTicketTag = 80

func (t *TicketSettings) validate(fe FieldErrors) {
	const f = "tickets."
	t.TagPrefix = strings.TrimSpace(t.TagPrefix)
	t.ConfidentialPrefix = strings.TrimSpace(t.ConfidentialPrefix)
	for field, v := range map[string]string{"tag_prefix": t.TagPrefix, "confidential_prefix": t.ConfidentialPrefix} {
		if !ticketTagRE.MatchString(v) || len(v) > MaxTicketTag-12 {
			fe.Add(f+field, "must be 1 to 68 lower-case letters, digits, _ and -, starting with a letter or digit")
		}
	}
	if t.TagPrefix != "" && t.TagPrefix == t.ConfidentialPrefix {
		fe.Add(f+"confidential_prefix", "must differ from tag_prefix: a confidential incident's tag must not look like a public one's")
	}
	if d := time.Duration(t.WindowMargin); d < 0 || d > 30*24*time.Hour {
		fe.Add(f+"window_margin", "must be between 0s and 720h (30 days)")
	}
}

// CheckTicketTag reports whether tag is one a support desk keeps as
// written.
func CheckTicketTag(tag string) error {
	if !ticketTagRE.MatchString(tag) {
		return Errorf(EInvalid, "tag %s must be 1 to %d lower-case letters, digits, _ and -, starting with a letter or digit", quote(tag), MaxTicketTag)
	}
	return nil
}

// TicketWindow is when tickets about an incident are looked for: from the
// incident's start; End is nil while it is open (until now).
type TicketWindow struct {
	Start time.Time  `json:"start"`
	End   *time.Time `json:"end,omitempty"`
}

// Window is the incident's ticket search window: from the start of the
// impact (the declaration when none was recorded earlier) to the
// resolution plus WindowMargin; open-ended while the incident is.
func (t TicketSettings) Window(inc *Incident) TicketWindow {
	w := TicketWindow{Start: inc.DeclaredAt}
	if inc.ImpactStartedAt != nil && inc.ImpactStartedAt.Before(w.Start) {
		w.Start = *inc.ImpactStartedAt
	}
	if inc.ResolvedAt != nil && inc.State == Resolved {
		end := inc.ResolvedAt.Add(time.Duration(t.WindowMargin))
		w.End = &end
	}
	return w
}

// Until is the window's end as of now: its end, or now while it is open.
func (w TicketWindow) Until(now time.Time) time.Time {
	if w.End != nil && w.End.Before(now) {
		return *w.End
	}
	return now
}

// PublicTicketTag is a public incident's tag: <prefix>_<N>.
func (t TicketSettings) PublicTicketTag(inc *Incident) string {
	return t.TagPrefix + "_" + itoa(int(inc.Number))
}

// IncidentTickets is an incident's coupling to the support desk: its tag,
// what is searched for, when, and the last sweeps.
type IncidentTickets struct {
	// Tag is what the incident's tickets are tagged with; empty while a
	// confidential incident has no tag set by hand.
	Tag string `json:"tag"`
	// Manual says the tag was set by hand (a confidential incident's).
	Manual bool `json:"manual"`
	// Suggested is the tag proposed for a confidential incident without
	// one (<confidential_prefix>_<N>).
	Suggested string `json:"suggested,omitempty"`
	// Keywords are searched for in the window: those set on the incident,
	// else the names of its services.
	Keywords []string `json:"keywords"`
	// KeywordsFromServices says the keywords are the services' names:
	// none were set on the incident.
	KeywordsFromServices bool         `json:"keywords_from_services,omitempty"`
	Window               TicketWindow `json:"window"`
	// Connected says whether a ticket system is connected (sweeps need it).
	Connected bool `json:"connected"`
	// Sweeps are the incident's latest sweeps and taggings, newest first.
	Sweeps []TicketSweep `json:"sweeps"`
}

// CoupleTickets derives an incident's tag, keywords and window. manualTag
// and keywords are what was set on the incident.
func (t TicketSettings) CoupleTickets(inc *Incident, manualTag string, keywords []string) IncidentTickets {
	c := IncidentTickets{Window: t.Window(inc), Keywords: keywords, Sweeps: []TicketSweep{}}
	switch {
	case inc.Confidential && manualTag != "":
		c.Tag, c.Manual = manualTag, true
	case inc.Confidential:
		c.Suggested = t.ConfidentialPrefix + "_" + itoa(int(inc.Number))
	default:
		c.Tag = t.PublicTicketTag(inc)
	}
	if len(c.Keywords) == 0 {
		c.Keywords, c.KeywordsFromServices = slices.Clone(inc.Services), true
	}
	if c.Keywords == nil {
		c.Keywords = []string{}
	}
	return c
}

// Ticket is one support ticket as a ticket system reports it.
type Ticket struct {
	ID        string    `json:"id"`
	Subject   string    `json:"subject"`
	Status    string    `json:"status,omitempty"`
	URL       string    `json:"url,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Tags      []string  `json:"tags"`
}

// TicketSystem is a support desk Herald searches and tags tickets in.
// Implementations retry what the desk asks them to retry (a rate limit's
// Retry-After) within reason; an error means the call failed and may be
// tried again later: the sweep records it on its row and retries with
// backoff.
type TicketSystem interface {
	// Search returns the tickets created in the window that match text,
	// with their tags; End nil: until now.
	Search(ctx context.Context, w TicketWindow, text string) ([]Ticket, error)
	// AddTag adds tag to the ticket, keeping its other tags.
	AddTag(ctx context.Context, id, tag string) error
}

// Ticket system kinds.
const TicketSystemZendesk = "zendesk"

// TicketSystemKinds are the ticket systems Herald can connect to.
var TicketSystemKinds = []string{TicketSystemZendesk}

// TicketConnection is the connected ticket system as Herald shows it: the
// API token is never shown again once saved, only that it is set.
type TicketConnection struct {
	Kind      string     `json:"kind" enum:"ticket_system"`
	URL       string     `json:"url"`
	Email     string     `json:"email"`
	TokenSet  bool       `json:"token_set"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	UpdatedBy string     `json:"updated_by,omitempty"`
}

// TicketConnectionInput connects a ticket system. Token is the API token,
// encrypted when stored; left empty, the stored token is kept.
type TicketConnectionInput struct {
	Kind  string `json:"kind" required:"true" enum:"ticket_system"`
	URL   string `json:"url" required:"true"`
	Email string `json:"email" required:"true"`
	Token string `json:"token,omitempty"`
}

// Normalize validates the input.
func (in *TicketConnectionInput) Normalize() error {
	fe := FieldErrors{}
	in.Kind = strings.ToLower(strings.TrimSpace(in.Kind))
	if !slices.Contains(TicketSystemKinds, in.Kind) {
		fe.Add("kind", "must be one of "+strings.Join(TicketSystemKinds, ", "))
	}
	in.URL = strings.TrimRight(strings.TrimSpace(in.URL), "/")
	if in.URL == "" {
		fe.Add("url", "is required: the desk's address, like https://example.zendesk.com")
	} else if err := CheckLink(in.URL); err != nil {
		fe.Add("url", "must be an http or https URL like https://example.zendesk.com")
	}
	in.Email = strings.TrimSpace(in.Email)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		fe.Add("email", "must be the e-mail address of the agent the API token belongs to")
	}
	in.Token = strings.TrimSpace(in.Token)
	if len(in.Token) > 500 || strings.ContainsAny(in.Token, " \t\r\n\x00") {
		fe.Add("token", "must be one API token of at most 500 characters, without spaces")
	}
	return fe.Err()
}

// TicketCredentials are what a connector needs to reach the desk. The
// token is secret: the type prints and logs without it.
type TicketCredentials struct {
	Kind, URL, Email, Token string
}

// String leaves the token out, so printing credentials cannot leak it.
func (c TicketCredentials) String() string {
	return c.Kind + " " + c.URL + " as " + c.Email + " (token hidden)"
}

// GoString is String, for %#v.
func (c TicketCredentials) GoString() string { return c.String() }

// Sweep kinds and states.
const (
	SweepSearch = "search" // look for untagged tickets
	SweepTag    = "tag"    // tag the tickets picked from a search
)

// Sweep states.
const (
	SweepQueued  = "queued"
	SweepRunning = "running"
	SweepDone    = "done"
	SweepFailed  = "failed"
)

// MaxSweepAttempts is how often a sweep is tried before it fails for good.
const MaxSweepAttempts = 5

// TicketSweep is one search for untagged tickets, or one tagging of
// tickets picked from a search. It runs in the background (a support desk
// can be slow, and nothing may wait for it); a failure stays on the row
// (attempts, last error) and it is tried again with backoff.
type TicketSweep struct {
	ID         string       `json:"id"`
	IncidentID string       `json:"incident_id"`
	Kind       string       `json:"kind"`
	State      string       `json:"state"`
	Tag        string       `json:"tag"`
	Keywords   []string     `json:"keywords"`
	Window     TicketWindow `json:"window"`
	// Apply tags every untagged ticket the search finds.
	Apply bool `json:"apply"`
	// TicketIDs are the tickets a tagging is to tag.
	TicketIDs []string `json:"ticket_ids"`
	// Found are the untagged tickets a search found.
	Found []Ticket `json:"found"`
	// Tagged are the tickets tagged.
	Tagged        []string   `json:"tagged"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error,omitempty"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	RequestedBy   string     `json:"requested_by"`
	CreatedAt     time.Time  `json:"created_at"`
	FinishedAt    *time.Time `json:"finished_at,omitempty"`
}

// SweepInput asks for a sweep of the incident's window.
type SweepInput struct {
	// Apply tags every untagged ticket found at once.
	Apply bool `json:"apply"`
}

// TagTicketsInput tags tickets found by the incident's last sweep: those
// named, or all of them.
type TagTicketsInput struct {
	TicketIDs []string `json:"ticket_ids,omitempty"`
	All       bool     `json:"all,omitempty"`
}

// Normalize validates the input.
func (in *TagTicketsInput) Normalize() error {
	fe := FieldErrors{}
	var ids []string
	for _, id := range in.TicketIDs {
		id = strings.TrimSpace(id)
		if id == "" || slices.Contains(ids, id) {
			continue
		}
		if len(id) > 40 || strings.ContainsAny(id, "/?#% \x00") {
			fe.Add("ticket_ids", "ticket id "+quote(id)+" is not one a ticket system gave")
		}
		ids = append(ids, id)
	}
	in.TicketIDs = ids
	switch {
	case in.All && len(ids) > 0:
		fe.Add("ticket_ids", "give ticket_ids or all, not both")
	case !in.All && len(ids) == 0:
		fe.Add("ticket_ids", "is required: the tickets to tag (or all: true for every one the last sweep found)")
	case len(ids) > 1000:
		fe.Add("ticket_ids", tooLong(len(ids), 1000, "tickets"))
	}
	return fe.Err()
}

// TicketCouplingInput sets an incident's manual tag (confidential
// incidents) and its keywords. Nil fields are left as they are; an empty
// tag removes the manual tag, an empty list the keywords (the services
// are then searched for).
type TicketCouplingInput struct {
	Tag      *string  `json:"tag,omitempty"`
	Keywords []string `json:"keywords,omitempty"`
	// ClearKeywords removes the incident's keywords.
	ClearKeywords bool `json:"clear_keywords,omitempty"`
}

// MaxTicketKeywords bounds the keywords of one incident: each is one
// search.
const MaxTicketKeywords = 10

// Normalize validates the input.
func (in *TicketCouplingInput) Normalize() error {
	fe := FieldErrors{}
	if in.Tag != nil {
		t := strings.ToLower(strings.TrimSpace(*in.Tag))
		in.Tag = &t
		if t != "" {
			if err := CheckTicketTag(t); err != nil {
				fe.Add("tag", err.(*Error).Message)
			}
		}
	}
	var kw []string
	for _, k := range in.Keywords {
		k = strings.TrimSpace(strings.ReplaceAll(k, `"`, ""))
		if k == "" || slices.Contains(kw, k) {
			continue
		}
		checkText(fe, "keywords", k, 100, false)
		kw = append(kw, k)
	}
	in.Keywords = kw
	if len(kw) > MaxTicketKeywords {
		fe.Add("keywords", tooLong(len(kw), MaxTicketKeywords, "keywords"))
	}
	if in.ClearKeywords && len(kw) > 0 {
		fe.Add("keywords", "give keywords or clear_keywords, not both")
	}
	if in.Tag == nil && len(kw) == 0 && !in.ClearKeywords {
		fe.Add("tag", "nothing to change: give tag, keywords or clear_keywords")
	}
	return fe.Err()
}

// EntryTickets is the timeline entry of a ticket tag set by hand, a sweep
// finished, or tickets tagged.
const EntryTickets = "tickets"

// TicketEntry is the data of an EntryTickets timeline entry.
type TicketEntry struct {
	// Kind is "tag_set", SweepSearch or SweepTag.
	Kind    string `json:"kind"`
	Tag     string `json:"tag"`
	SweepID string `json:"sweep_id,omitempty"`
	Found   int    `json:"found"`
	Tagged  int    `json:"tagged"`
}

// SweepEntryText is what the timeline says when a sweep finishes.
func SweepEntryText(s TicketSweep) string {
	if s.Kind == SweepTag || len(s.Tagged) > 0 {
		found := ""
		if s.Kind == SweepSearch {
			found = "Ticket sweep found " + plural(len(s.Found), "untagged ticket") + "; "
		}
		return found + "Tagged " + plural(len(s.Tagged), "support ticket") + " " + s.Tag
	}
	if len(s.Found) == 0 {
		return "Ticket sweep: no untagged support tickets about " + strings.Join(s.Keywords, ", ") + " since " + s.Window.Start.UTC().Format("2006-01-02 15:04 UTC")
	}
	return "Ticket sweep found " + plural(len(s.Found), "untagged support ticket") + " about " + strings.Join(s.Keywords, ", ") + " to tag " + s.Tag
}

// ticketsSwept reports when a sweep left nothing to tag: a search that
// found no untagged ticket, or a tagging after a search. With after set,
// only what happened at or after it counts.
func ticketsSwept(tl []TimelineEntry, after *time.Time) (done, bool) {
	for _, e := range tl {
		var v TicketEntry
		if e.Kind != EntryTickets || len(e.Data) == 0 || json.Unmarshal(e.Data, &v) != nil {
			continue
		}
		if after != nil && e.At.Before(*after) {
			continue
		}
		if (v.Kind == SweepSearch && v.Found == v.Tagged) || (v.Kind == SweepTag && v.Tagged > 0) {
			at := e.At
			return done{by: e.Actor, byID: e.ActorID, at: &at}, true
		}
	}
	return done{}, false
}
