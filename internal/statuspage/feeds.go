package statuspage

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// feedItem is one incident or maintenance in the history feeds.
type feedItem struct {
	ID, Title, Link, Body string
	Published, Updated    time.Time
}

func (s *Snapshot) feedItems() []feedItem {
	var items []feedItem
	for _, i := range first(s.Incidents, 50) {
		var b strings.Builder
		for _, u := range i.Updates {
			fmt.Fprintf(&b, "%s - %s: %s\n", u.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), u.Status.Title(), u.Body)
		}
		items = append(items, feedItem{ID: s.Links.StatusIncident(i.ID), Title: i.Name, Link: s.Links.StatusIncident(i.ID),
			Body: b.String(), Published: i.CreatedAt, Updated: i.UpdatedAt})
	}
	for _, m := range first(s.Maintenances, 50) {
		body := fmt.Sprintf("%s, %s - %s UTC. %s", m.Status.Title(), m.ScheduledFor.UTC().Format("2006-01-02 15:04"), m.ScheduledUntil.UTC().Format("2006-01-02 15:04"), m.Body)
		items = append(items, feedItem{ID: s.Links.Maintenance(m.ID), Title: "Maintenance: " + m.Name, Link: s.Links.Maintenance(m.ID),
			Body: body, Published: m.CreatedAt, Updated: m.UpdatedAt})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Updated.After(items[j].Updated) })
	return items
}

// RSS renders the history as RSS 2.0. Readers render an item's description
// as HTML, so the text is HTML-escaped before XML escaping: markup in an
// update (or in the page's name) shows as the characters typed, never as
// markup or script in someone's feed reader.
func (s *Snapshot) RSS() []byte {
	type item struct {
		Title       string `xml:"title"`
		Link        string `xml:"link"`
		GUID        string `xml:"guid"`
		PubDate     string `xml:"pubDate"`
		Description string `xml:"description"`
	}
	type channel struct {
		Title         string `xml:"title"`
		Link          string `xml:"link"`
		Description   string `xml:"description"`
		LastBuildDate string `xml:"lastBuildDate"`
		Items         []item `xml:"item"`
	}
	type rss struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		Channel channel  `xml:"channel"`
	}
	items := s.feedItems()
	built := s.Now
	if len(items) > 0 {
		built = items[0].Updated // the feed changes only when an item does
	}
	doc := rss{Version: "2.0", Channel: channel{Title: s.Page.Name + " status history", Link: s.Links.History(1),
		Description: html.EscapeString("Incidents and maintenances of " + s.Page.Name), LastBuildDate: built.UTC().Format(time.RFC1123Z)}}
	for _, it := range items {
		doc.Channel.Items = append(doc.Channel.Items, item{Title: it.Title, Link: it.Link, GUID: it.ID, PubDate: it.Published.UTC().Format(time.RFC1123Z), Description: html.EscapeString(it.Body)})
	}
	return xmlDoc(doc)
}

// Atom renders the history as an Atom feed (RFC 4287).
func (s *Snapshot) Atom() []byte {
	type link struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr,omitempty"`
	}
	type content struct {
		Type string `xml:"type,attr"`
		Text string `xml:",chardata"`
	}
	type entry struct {
		ID        string  `xml:"id"`
		Title     string  `xml:"title"`
		Link      link    `xml:"link"`
		Published string  `xml:"published"`
		Updated   string  `xml:"updated"`
		Content   content `xml:"content"`
	}
	type author struct {
		Name string `xml:"name"`
	}
	type feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string   `xml:"id"`
		Title   string   `xml:"title"`
		Updated string   `xml:"updated"`
		Links   []link   `xml:"link"`
		Author  author   `xml:"author"`
		Entries []entry  `xml:"entry"`
	}
	items := s.feedItems()
	updated := s.Now
	if len(items) > 0 {
		updated = items[0].Updated
	}
	doc := feed{ID: s.Links.History(1), Title: s.Page.Name + " status history", Updated: updated.UTC().Format(time.RFC3339),
		Links: []link{{Href: s.Links.History(1)}, {Href: s.Links.HistoryAtom(), Rel: "self"}}, Author: author{Name: s.Page.Name}}
	for _, it := range items {
		doc.Entries = append(doc.Entries, entry{ID: it.ID, Title: it.Title, Link: link{Href: it.Link},
			Published: it.Published.UTC().Format(time.RFC3339), Updated: it.Updated.UTC().Format(time.RFC3339), Content: content{Type: "text", Text: it.Body}})
	}
	return xmlDoc(doc)
}

func xmlDoc(v any) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	enc.Encode(v)
	b.WriteString("\n")
	return b.Bytes()
}

// ICS renders maintenances as an iCalendar feed (RFC 5545). With a
// component id, only the maintenances that affect it.
func (s *Snapshot) ICS(componentID string) []byte {
	var b strings.Builder
	line := func(name, value string) { foldLine(&b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Herald//Status page//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", icsText(s.Page.Name+" maintenances"))
	for _, m := range s.Maintenances {
		if componentID != "" && !slices.Contains(m.Components, componentID) {
			continue
		}
		line("BEGIN", "VEVENT")
		line("UID", m.ID+"@herald")
		line("DTSTAMP", icsTime(m.UpdatedAt)) // stable: the feed changes only when an event does
		line("DTSTART", icsTime(m.ScheduledFor))
		line("DTEND", icsTime(m.ScheduledUntil))
		line("SUMMARY", icsText(m.Name))
		desc := m.Body
		var names []string
		for _, id := range m.Components {
			if c, ok := s.Component(id); ok {
				names = append(names, c.Name)
			}
		}
		if len(names) > 0 {
			desc = strings.TrimSpace(desc + "\nAffects: " + strings.Join(names, ", "))
		}
		if desc != "" {
			line("DESCRIPTION", icsText(desc))
		}
		line("URL", s.Links.Maintenance(m.ID))
		status := "CONFIRMED"
		if m.Status == herald.MaintenanceCancelled {
			status = "CANCELLED"
		}
		line("STATUS", status)
		line("LAST-MODIFIED", icsTime(m.UpdatedAt))
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return []byte(b.String())
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value (RFC 5545 section 3.3.11).
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// foldLine writes a content line folded at 75 octets, without splitting a
// UTF-8 character, ending in CRLF (RFC 5545 section 3.1).
func foldLine(b *strings.Builder, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
