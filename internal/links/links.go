// Package links is the one place Herald's URLs are made: the table of the
// routes people are sent to (the public status page, its feeds and
// calendars, the subscription links in mails, the console's pages and
// incidents that notifications point at), and Links, which builds each of them
// from the configured base URL.
//
// Every URL that leaves the process (in a mail, a chat message, a webhook,
// a feed, a JSON answer) or is shown to people is made here, so moving a
// route or changing the base is one edit, and escaping is done once. The
// store, the worker, the status page and the server get one Links from
// cmd/herald; a test (internal/server TestLinks_EveryLinkIsServed) GETs
// every link built for real objects and expects 200.
//
// It imports only the standard library, so every layer can use it: URLs
// are the HTTP surface, not a domain concept, so they live beside the
// packages that serve them rather than in the root package.
package links

import (
	"net/url"
	"strconv"
	"strings"
)

// DefaultBase is where Herald is reached when nothing else is configured:
// `herald serve` on its default address.
const DefaultBase = "http://127.0.0.1:8080"

// The routes people are linked to. A pattern is a path in which {name}
// stands for one escaped value inside one segment (it may share the
// segment with literal text, as in {id}.ics, which ServeMux cannot
// express; Match reads them). The server registers the subscription pages
// with these constants and the status page cache dispatches with them.
const (
	// The public status page (internal/statuspage).
	Home                 = "/"
	History              = "/history"
	HistoryPage          = "/history/{n}"
	HistoryRSS           = "/history.rss"
	HistoryAtom          = "/history.atom"
	MaintenancesCalendar = "/maintenances.ics"
	StatusIncident       = "/incidents/{id}"
	MaintenanceCalendar  = "/maintenances/{id}.ics"
	Maintenance          = "/maintenances/{id}"
	ComponentCalendar    = "/components/{id}/maintenances.ics"
	StatusJSON           = "/api/v2/summary.json"
	Stylesheet           = "/static/style.css"
	// A tenant's private status page (internal/statuspage/private.go):
	// the token is 256 random bits; every page of the public one exists
	// below it (/p/{token}/incidents/{id}, /p/{token}/api/v2/summary.json).
	PrivatePage = "/p/{token}/"
	// The subscription pages (internal/server/public_subscribe.go).
	Subscribe        = "/subscribe"
	SubscribeConfirm = "/subscribe/confirm"
	Unsubscribe      = "/unsubscribe"
	// A page in the console: where a page notification sends its
	// responder besides the acknowledge link.
	Page = "/app/pages/{id}"
	// An incident in the console, in stakeholder notices and API answers.
	Incident = "/app/incidents/{id}"
	// The one-action screens an update reminder links to: "no material
	// updates" (R15) and the internal stakeholder update.
	NoMaterialUpdates = "/app/incidents/{id}/no-material-updates"
	InternalUpdate    = "/app/incidents/{id}/internal-update"
	// A practice run's sandbox status page (R63), in the console: a
	// practice is never on the public page.
	PracticePage = "/app/practice/{id}/page"

	// The console (internal/console), where responders work. Every path
	// under these prefixes is the console's: the server hands them to it.
	Console = "/app"
	SignIn  = "/login"
	SignOut = "/logout"
	// ChatLink is where a chat user unknown to Herald links their chat
	// identity to their account, with a one-time code (chat-ops).
	ChatLink = "/app/chat/link"
	// Ack is the signed link in a page notification: a small page that
	// acknowledges, escalates or resolves without signing in.
	Ack = "/ack/{token}"
)

// PrivatePrefix starts every path of the private status pages.
const PrivatePrefix = "/p/"

// ConsolePrefixes are the paths the console serves, all below them.
var ConsolePrefixes = []string{Console, SignIn, SignOut, "/ack/"}

// IsConsole reports whether path is the console's.
func IsConsole(path string) bool {
	for _, p := range ConsolePrefixes {
		if path == p || strings.HasPrefix(path, strings.TrimSuffix(p, "/")+"/") {
			return true
		}
	}
	return false
}

// Route names one public route.
type Route struct {
	Name    string
	Pattern string
	// Query names the query values a link carries, in order.
	Query []string
}

// Routes is the table of every route Herald links to, in one place.
var Routes = []Route{
	{Name: "status page", Pattern: Home},
	{Name: "history, first page", Pattern: History},
	{Name: "history, page n", Pattern: HistoryPage},
	{Name: "history feed (RSS)", Pattern: HistoryRSS},
	{Name: "history feed (Atom)", Pattern: HistoryAtom},
	{Name: "maintenance calendar", Pattern: MaintenancesCalendar},
	{Name: "status incident", Pattern: StatusIncident},
	{Name: "maintenance calendar entry", Pattern: MaintenanceCalendar},
	{Name: "maintenance", Pattern: Maintenance},
	{Name: "component maintenance calendar", Pattern: ComponentCalendar},
	{Name: "status page JSON", Pattern: StatusJSON},
	{Name: "stylesheet", Pattern: Stylesheet},
	{Name: "private status page", Pattern: PrivatePage},
	{Name: "subscribe form", Pattern: Subscribe},
	{Name: "subscribe confirm", Pattern: SubscribeConfirm, Query: []string{"id", "token"}},
	{Name: "unsubscribe", Pattern: Unsubscribe, Query: []string{"id", "token"}},
	{Name: "page", Pattern: Page},
	{Name: "incident", Pattern: Incident},
	{Name: "no material updates", Pattern: NoMaterialUpdates},
	{Name: "internal update", Pattern: InternalUpdate},
	{Name: "console", Pattern: Console},
	{Name: "sign in", Pattern: SignIn},
}

// Links builds absolute URLs under one base. The zero Links builds
// root-relative paths ("/incidents/ID"), which is what the status page's
// own HTML uses, so a static copy works wherever it is served. A Links is
// a value and never changes: share it freely.
type Links struct {
	base string
}

// New returns the builder for base, such as "https://status.example.com"
// or "https://example.com/herald"; a trailing slash is dropped, so both
// spellings give the same links.
func New(base string) Links {
	return Links{base: strings.TrimRight(base, "/")}
}

// IsZero says whether l builds root-relative paths (no base).
func (l Links) IsZero() bool { return l.base == "" }

// Base is the base URL without a trailing slash (the status page's "url"
// in its JSON, the API's server in the OpenAPI document).
func (l Links) Base() string { return l.base }

// Home is the status page's front page.
func (l Links) Home() string { return l.base + Home }

// History is history page n, counted from 1; page 1 is /history. A path,
// not a query, so a static copy pages too.
func (l Links) History(n int) string {
	if n <= 1 {
		return l.base + History
	}
	return l.fill(HistoryPage, strconv.Itoa(n))
}

// HistoryRSS is the RSS feed of incidents and maintenances.
func (l Links) HistoryRSS() string { return l.base + HistoryRSS }

// HistoryAtom is the Atom feed of incidents and maintenances.
func (l Links) HistoryAtom() string { return l.base + HistoryAtom }

// MaintenancesCalendar is the iCalendar of every maintenance.
func (l Links) MaintenancesCalendar() string { return l.base + MaintenancesCalendar }

// StatusIncident is the public page of a status incident.
func (l Links) StatusIncident(id string) string { return l.fill(StatusIncident, id) }

// Maintenance is the public page of a maintenance.
func (l Links) Maintenance(id string) string { return l.fill(Maintenance, id) }

// MaintenanceCalendar is one maintenance as an iCalendar file.
func (l Links) MaintenanceCalendar(id string) string { return l.fill(MaintenanceCalendar, id) }

// ComponentCalendar is the iCalendar of the maintenances of one component.
func (l Links) ComponentCalendar(id string) string { return l.fill(ComponentCalendar, id) }

// StatusJSON is the status page's summary in the Statuspage v2 format.
func (l Links) StatusJSON() string { return l.base + StatusJSON }

// Stylesheet is the status page's stylesheet.
func (l Links) Stylesheet() string { return l.base + Stylesheet }

// PrivatePage is a tenant's private status page; the token is its
// credential, shown once when made.
func (l Links) PrivatePage(token string) string { return l.fill(PrivatePage, token) }

// Private is the builder of the links of one private status page: every
// public page's link, below the page's token (Private(t).StatusIncident(id)
// is /p/{t}/incidents/{id}). The zero Links gives root-relative ones.
func (l Links) Private(token string) Links {
	return Links{base: l.base + "/p/" + url.PathEscape(token)}
}

// Subscribe is where the status page's sign-up form posts.
func (l Links) Subscribe() string { return l.base + Subscribe }

// SubscribeConfirm is the link in a confirmation mail.
func (l Links) SubscribeConfirm(id, token string) string {
	return l.base + SubscribeConfirm + query(id, token)
}

// Unsubscribe is the link in every mail to a subscriber.
func (l Links) Unsubscribe(id, token string) string {
	return l.base + Unsubscribe + query(id, token)
}

// Page is a page in the console, where a page notification sends its
// responder (signed in; the acknowledge link needs no sign-in).
func (l Links) Page(id string) string { return l.fill(Page, id) }

// Incident is an incident in the console, by its reference (INC-42).
func (l Links) Incident(ref string) string { return l.fill(Incident, ref) }

// ChatLink is the console page that links a chat identity with a
// one-time code.
func (l Links) ChatLink(code string) string {
	return l.base + ChatLink + "?code=" + url.QueryEscape(code)
}

// CalendarFeed is a person's shifts for calendar apps to subscribe to; the
// token in it is the credential (calendar apps send no other).
func (l Links) CalendarFeed(token string) string {
	return l.base + "/api/v1/calendars/" + url.PathEscape(token) + "/shifts.ics"
}

// ScheduleFeeds is where a schedule's rotation feeds start, for the same
// token: the schedule's id and "/shifts.ics" follow.
func (l Links) ScheduleFeeds(token string) string {
	return l.base + "/api/v1/calendars/" + url.PathEscape(token) + "/schedules/"
}

// NoMaterialUpdates is the console screen that publishes "no material
// updates" for an incident in one action (R15).
func (l Links) NoMaterialUpdates(ref string) string { return l.fill(NoMaterialUpdates, ref) }

// InternalUpdate is the console screen that sends an incident's next
// update to the internal stakeholders.
func (l Links) InternalUpdate(ref string) string { return l.fill(InternalUpdate, ref) }

// PracticePage is a practice run's sandbox status page (R63).
func (l Links) PracticePage(id string) string { return l.fill(PracticePage, id) }

// Console is the console's front page ("Now").
func (l Links) Console() string { return l.base + Console }

// SignIn is the console's sign-in page.
func (l Links) SignIn() string { return l.base + SignIn }

// Ack is the signed acknowledge link of one page for one person.
func (l Links) Ack(token string) string { return l.fill(Ack, token) }

// query is "?id=..&token=..", in that order (url.Values would sort, which
// happens to agree, but the order is the links', not the encoder's).
func query(id, token string) string {
	return "?id=" + url.QueryEscape(id) + "&token=" + url.QueryEscape(token)
}

// fill puts the escaped value in place of the pattern's one {name}.
func (l Links) fill(pattern, value string) string {
	i := strings.IndexByte(pattern, '{')
	j := strings.IndexByte(pattern, '}')
	return l.base + pattern[:i] + url.PathEscape(value) + pattern[j+1:]
}

// Match reports whether path (as received, unescaped) has the pattern's
// shape and returns the value that stands for its {name}, or "" for a
// pattern without one. A value is never empty and never spans a slash.
// It allocates nothing: the status page serves from it.
func Match(pattern, path string) (string, bool) {
	i := strings.IndexByte(pattern, '{')
	if i < 0 {
		return "", path == pattern
	}
	j := strings.IndexByte(pattern, '}')
	prefix, suffix := pattern[:i], pattern[j+1:]
	if len(path) <= len(prefix)+len(suffix) || !strings.HasPrefix(path, prefix) || !strings.HasSuffix(path, suffix) {
		return "", false
	}
	v := path[len(prefix) : len(path)-len(suffix)]
	if strings.IndexByte(v, '/') >= 0 {
		return "", false
	}
	return v, true
}
