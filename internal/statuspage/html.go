package statuspage

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
)

//go:embed templates
var files embed.FS

// StyleCSS is the page's stylesheet, served at /static/style.css.
func StyleCSS() []byte {
	b, _ := files.ReadFile("templates/style.css")
	return b
}

// pages are parsed once: every page shares the layout.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"index", "history", "incident", "maintenance", "notfound", "message"} {
		out[name] = template.Must(template.New("").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}()

var funcs = template.FuncMap{
	"iso":   func(t any) string { return asTime(t).UTC().Format(time.RFC3339) },
	"utc":   func(t any) string { return asTime(t).UTC().Format("Jan 2, 2006 15:04 UTC") },
	"date":  func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"label": func(s herald.ComponentStatus) string { return s.Label() },
	"pct":   pct,
	"days":  func() int { return Days },
	"event": herald.EventTitle,
	"minutes": func(m map[herald.ComponentStatus]int) string {
		var parts []string
		for _, s := range herald.ComponentStatuses {
			if n := m[s]; n > 0 {
				parts = append(parts, s.Label()+" for "+humanMinutes(n))
			}
		}
		return strings.Join(parts, ", ")
	},
	"linkify": linkify,
	// rel is replaced per render with one that knows the snapshot's time.
	"rel": func(any) string { return "" },
}

func asTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case *time.Time:
		if t != nil {
			return *t
		}
	}
	return time.Time{}
}

func pct(p float64) string {
	// Never round a disrupted day up to a clean 100%.
	f := math.Floor(p*100) / 100
	return fmt.Sprintf("%.2f%%", f)
}

func humanMinutes(n int) string {
	if n < 60 {
		return fmt.Sprintf("%d min", n)
	}
	if n%60 == 0 {
		return fmt.Sprintf("%d h", n/60)
	}
	return fmt.Sprintf("%d h %d min", n/60, n%60)
}

// relative says how long ago (or how far ahead) t is from now, in words.
func relative(now, t time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		s = plural(int(d/time.Hour), "hour")
	default:
		s = plural(int(d/(24*time.Hour)), "day")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// view is what every page template gets. Paths is the zero links.Links:
// the pages link root-relative, within the origin that serves them, so a
// static copy works wherever it is served.
type view struct {
	*Snapshot
	Accent string
	Paths  links.Links
}

type componentRow struct {
	herald.Component
	Uptime  Uptime
	Bad     []Day
	Members []componentRow
}

func (s *Snapshot) row(c herald.Component) componentRow {
	r := componentRow{Component: c, Uptime: s.Uptime[c.ID]}
	for i := len(r.Uptime.Days) - 1; i >= 0; i-- {
		if d := r.Uptime.Days[i]; d.Known && d.Worst != herald.Operational {
			r.Bad = append(r.Bad, d)
		}
	}
	return r
}

func (s *Snapshot) render(name string, data any) []byte {
	t, err := pages[name].Clone()
	if err != nil {
		panic(err)
	}
	now := s.Now
	t.Funcs(template.FuncMap{"rel": func(v any) string { return relative(now, asTime(v)) }})
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", data); err != nil {
		panic(fmt.Sprintf("render %s: %v", name, err))
	}
	return b.Bytes()
}

func (s *Snapshot) view() view {
	accent := s.Page.Accent
	if accent == "" {
		accent = "#1f6feb"
	}
	return view{Snapshot: s, Accent: accent, Paths: s.Paths}
}

// IndexHTML renders the front page.
func (s *Snapshot) IndexHTML() []byte {
	var rows []componentRow
	for _, c := range s.Components {
		if c.GroupID != "" {
			continue
		}
		r := s.row(c)
		for _, m := range s.Members(c.ID) {
			r.Members = append(r.Members, s.row(m))
		}
		rows = append(rows, r)
	}
	return s.render("index", struct {
		view
		Overall    Indicator
		Unresolved []*herald.StatusIncident
		Active     []*herald.Maintenance
		Upcoming   []*herald.Maintenance
		Rows       []componentRow
	}{s.view(), s.Overall(), s.Unresolved(), s.ActiveMaintenances(), s.Upcoming(), rows})
}

type historyItem struct {
	Kind, Title, Link, State, Summary string
	At                                time.Time
}

// HistoryPageSize is how many entries one history page shows.
const HistoryPageSize = 20

func (s *Snapshot) historyItems() []historyItem {
	var items []historyItem
	for _, i := range s.Incidents {
		sum := ""
		if len(i.Updates) > 0 {
			sum = i.Updates[0].Body
		}
		items = append(items, historyItem{Kind: "Incident", Title: i.Name, Link: s.Paths.StatusIncident(i.ID), State: i.Status.Title(), Summary: sum, At: i.CreatedAt})
	}
	for _, m := range s.Maintenances {
		items = append(items, historyItem{Kind: "Maintenance", Title: m.Name, Link: s.Paths.Maintenance(m.ID), State: m.Status.Title(), Summary: m.Body, At: m.ScheduledFor})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].At.After(items[j].At) })
	return items
}

// HistoryPages says how many history pages there are.
func (s *Snapshot) HistoryPages() int {
	n := (len(s.historyItems()) + HistoryPageSize - 1) / HistoryPageSize
	return max(n, 1)
}

// HistoryHTML renders history page n (from 1).
func (s *Snapshot) HistoryHTML(n int) []byte {
	items := s.historyItems()
	pages := s.HistoryPages()
	from := min((n-1)*HistoryPageSize, len(items))
	to := min(from+HistoryPageSize, len(items))
	link := func(p int) string {
		if p < 1 || p > pages {
			return ""
		}
		return s.Paths.History(p)
	}
	return s.render("history", struct {
		view
		Items      []historyItem
		PageNo     int
		Pages      int
		Prev, Next string
	}{s.view(), items[from:to], n, pages, link(n - 1), link(n + 1)})
}

func (s *Snapshot) names(ids []string) []string {
	var out []string
	for _, c := range s.Components {
		if slices.Contains(ids, c.ID) {
			out = append(out, c.Name)
		}
	}
	return out
}

// IncidentHTML renders one incident's page.
func (s *Snapshot) IncidentHTML(i *herald.StatusIncident) []byte {
	var ids []string
	for id := range i.Components {
		ids = append(ids, id)
	}
	return s.render("incident", struct {
		view
		Incident *herald.StatusIncident
		Affected []string
	}{s.view(), i, s.names(ids)})
}

// MaintenanceHTML renders one maintenance's page.
func (s *Snapshot) MaintenanceHTML(m *herald.Maintenance) []byte {
	return s.render("maintenance", struct {
		view
		Maintenance *herald.Maintenance
		Affected    []string
	}{s.view(), m, s.names(m.Components)})
}

// NotFoundHTML renders the 404 page.
func (s *Snapshot) NotFoundHTML() []byte { return s.render("notfound", s.view()) }

var urlRE = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)]`)

// linkify escapes text and makes its http and https URLs links. Only those
// two schemes match, so no javascript: link can come out of an update.
func linkify(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range urlRE.FindAllStringIndex(text, -1) {
		b.WriteString(template.HTMLEscapeString(text[last:m[0]]))
		u := template.HTMLEscapeString(text[m[0]:m[1]])
		b.WriteString(`<a href="` + u + `" rel="nofollow noopener">` + u + `</a>`)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String())
}

// MessageHTML renders a short page: a heading, a sentence, and optionally a
// form with one button (used by subscribe, confirm and unsubscribe).
func (s *Snapshot) MessageHTML(heading, text, action, button string, hidden map[string]string) []byte {
	return s.messageHTML(Message{Heading: heading, Text: text, Action: action, Button: button, Hidden: hidden})
}

// Message is a short page (MessageHTML); Email adds an e-mail address
// field to its form (a private page's sign-in).
type Message struct {
	Heading, Text, Action, Button string
	Hidden                        map[string]string
	Email                         bool
}

func (s *Snapshot) messageHTML(m Message) []byte {
	return s.render("message", struct {
		view
		Message
	}{s.view(), m})
}
