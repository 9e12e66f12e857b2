package herald

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// IncidentRecord is everything known about one incident: the material a
// post-incident review is drafted from.
type IncidentRecord struct {
	Incident  *Incident
	Timeline  []TimelineEntry
	FollowUps []FollowUp
	Reviews   []Review
	Settings  Settings
	// Measures, when present, are shown after the reviews (R62).
	Measures *Measures
	// Pages are the pages linked to the incident.
	Pages []LinkedPage
}

// Markdown renders the record as the draft of a review: the facts at the
// top, decisions with their rationale pulled out, then the whole timeline.
// Text people typed is escaped so it cannot break the document's structure.
func (r IncidentRecord) Markdown() string {
	inc := r.Incident
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s\n\n", inc.Reference, mdEscape(inc.Title))
	row := func(k, v string) { fmt.Fprintf(&b, "| %s | %s |\n", k, v) }
	b.WriteString("| | |\n|---|---|\n")
	row("Severity", string(inc.Severity))
	row("State", inc.State.Title())
	row("Declared", fmtTime(inc.DeclaredAt)+" by "+mdCell(inc.DeclaredBy))
	if inc.ResolvedAt != nil {
		row("Resolved", fmtTime(*inc.ResolvedAt))
		row("Duration", inc.ResolvedAt.Sub(inc.DeclaredAt).Round(time.Minute).String())
	}
	if len(inc.Services) > 0 {
		row("Services", mdCell(strings.Join(inc.Services, ", ")))
	}
	if len(inc.Tenants) > 0 {
		row("Tenants", mdCell(strings.Join(inc.Tenants, ", ")))
	}
	if len(inc.Labels) > 0 {
		row("Labels", mdCell(strings.Join(inc.Labels, ", ")))
	}
	for _, a := range inc.Roles {
		row(r.Settings.RoleName(a.Role), mdCell(a.UserName))
	}
	if inc.Confidential {
		row("Confidential", "yes")
	}
	if inc.Summary != "" {
		fmt.Fprintf(&b, "\n## Summary\n\n%s\n", mdEscape(inc.Summary))
	}

	var decisions []Decision
	var times []time.Time
	for _, e := range r.Timeline {
		if e.Kind != EntryDecision {
			continue
		}
		var d Decision
		if json.Unmarshal(e.Data, &d) == nil {
			decisions = append(decisions, d)
			times = append(times, e.At)
		}
	}
	if len(decisions) > 0 {
		b.WriteString("\n## Decisions\n\n")
		for i, d := range decisions {
			who := d.DecidedByName
			if d.OnBehalfOfName != "" {
				who += ", on behalf of " + d.OnBehalfOfName
			}
			fmt.Fprintf(&b, "- **%s** (%s, %s): %s\n  - Rationale: %s\n", mdEscape(d.What), mdEscape(who), fmtTime(times[i]), d.Kind, mdEscape(d.Rationale))
		}
	}

	b.WriteString("\n## Timeline (UTC)\n\n| Time | Who | What |\n|---|---|---|\n")
	for _, e := range r.Timeline {
		who := e.Actor
		if who == "" {
			who = "Herald"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", e.At.UTC().Format("2006-01-02 15:04:05"), mdCell(who), mdCell(e.Text))
	}

	pagesMarkdown(&b, r.Pages, r.Settings)

	b.WriteString("\n## Follow-ups\n\n")
	if len(r.FollowUps) == 0 {
		b.WriteString("None recorded yet.\n")
	}
	for _, f := range r.FollowUps {
		box := " "
		if f.Done {
			box = "x"
		}
		fmt.Fprintf(&b, "- [%s] %s", box, mdEscape(f.Title))
		var extra []string
		if f.Owner != "" {
			extra = append(extra, "owner: "+mdEscape(f.Owner))
		}
		if f.DueDate != "" {
			extra = append(extra, "due: "+f.DueDate)
		}
		if f.Overdue {
			extra = append(extra, "overdue")
		}
		if f.Link != "" {
			extra = append(extra, "<"+f.Link+">")
		}
		if len(extra) > 0 {
			b.WriteString(" (" + strings.Join(extra, ", ") + ")")
		}
		b.WriteString("\n")
	}

	b.WriteString("\n## Reviews\n\n")
	if len(r.Reviews) == 0 {
		b.WriteString("No review is due.\n")
	}
	for _, rv := range r.Reviews {
		status := "due " + fmtTime(rv.DueAt)
		switch {
		case rv.PublishedAt != nil:
			status = "published to customers " + fmtTime(*rv.PublishedAt) + ", approved by " + mdEscape(rv.ApprovedByName)
		case rv.CompletedAt != nil:
			status = "completed " + fmtTime(*rv.CompletedAt)
		case rv.ApprovedAt != nil:
			status = "approved by " + mdEscape(rv.ApprovedByName) + ", not yet published; due " + fmtTime(rv.DueAt)
		}
		fmt.Fprintf(&b, "- %s review: %s", kindName(rv.Kind), status)
		if rv.Link != "" {
			fmt.Fprintf(&b, " <%s>", rv.Link)
		}
		b.WriteString("\n")
	}
	if r.Measures != nil {
		r.Measures.markdown(&b, r.Settings)
	}
	return b.String()
}

func kindName(kind string) string {
	if kind == ReviewExternal {
		return "External"
	}
	return "Internal"
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "#", `\#`, "|", `\|`,
)

// mdEscape makes typed text inert in Markdown: no emphasis, links, HTML or
// headings can come from it.
func mdEscape(s string) string { return mdEscaper.Replace(s) }

// mdCell also keeps a table cell on one line.
func mdCell(s string) string {
	return strings.NewReplacer("\r\n", "<br>", "\n", "<br>", "\r", "<br>").Replace(mdEscape(s))
}
