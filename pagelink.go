package herald

import (
	"fmt"
	"strings"
	"time"
)

// EntryPage is a timeline entry about a page of the incident: a page
// linked to it (declared from the page, or attached later) or detached
// from it. Acknowledgements and escalation steps of linked pages are
// role_change and note entries like those of role pages.
const EntryPage = "page"

// PageLinkInput attaches a page to an incident.
type PageLinkInput struct {
	// Incident is the incident's id, number or reference (INC-42).
	Incident string `json:"incident" required:"true"`
}

// Normalize validates the input.
func (in *PageLinkInput) Normalize() error {
	fe := FieldErrors{}
	in.Incident = strings.TrimSpace(in.Incident)
	checkText(fe, "incident", in.Incident, MaxNameLen, true)
	return fe.Err()
}

// LinkedPage is a page as an incident's record shows it: the alert or
// role page, who acknowledged it after how long, and each escalation step
// (issue 11, item 14).
type LinkedPage struct {
	ID      string     `json:"id"`
	Service string     `json:"service"` // the service's name
	Summary string     `json:"summary"`
	Status  PageStatus `json:"status"`
	// Role is the incident role the page asks someone to take; empty for
	// an alert page declared from or attached to the incident.
	Role       string     `json:"role,omitempty"`
	FirstSeen  time.Time  `json:"first_seen"`
	AckedAt    *time.Time `json:"acknowledged_at"`
	AckedBy    string     `json:"acknowledged_by,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at"`
	// TimeToAcknowledgeS is the seconds from the page's first alert to its
	// acknowledgement; absent while unacknowledged.
	TimeToAcknowledgeS *int `json:"time_to_acknowledge_s"`
	// Escalations are the page's escalation steps, oldest first ("Level 1:
	// paged Ada").
	Escalations []PageLogEntry `json:"escalations"`
	// DuringMaintenance is the maintenance the page arrived during, when
	// one muted its paging; Muted says that paging is still held.
	DuringMaintenance string `json:"during_maintenance,omitempty"`
	Muted             bool   `json:"muted,omitempty"`
}

// TimeToAcknowledge is how long the page waited for someone, zero while
// unacknowledged.
func (p LinkedPage) TimeToAcknowledge() time.Duration {
	if p.TimeToAcknowledgeS == nil {
		return 0
	}
	return time.Duration(*p.TimeToAcknowledgeS) * time.Second
}

// pagesMarkdown writes the linked pages section of an export.
func pagesMarkdown(b *strings.Builder, pages []LinkedPage, s Settings) {
	b.WriteString("\n## Pages\n\n")
	if len(pages) == 0 {
		b.WriteString("No page is linked to the incident.\n")
		return
	}
	b.WriteString("| Page | Service | Status | Paged | Acknowledged | Time to acknowledge | Escalations |\n|---|---|---|---|---|---|---|\n")
	for _, p := range pages {
		what := mdCell(p.Summary)
		if p.Role != "" {
			what = mdCell(s.RoleName(p.Role)) + ": " + what
		}
		if p.DuringMaintenance != "" {
			what += " (during maintenance)"
		}
		acked, tta := "no", "-"
		if p.AckedAt != nil {
			acked = fmtTime(*p.AckedAt) + " by " + mdCell(p.AckedBy)
			tta = p.TimeToAcknowledge().String()
		}
		steps := make([]string, len(p.Escalations))
		for i, e := range p.Escalations {
			steps[i] = e.At.UTC().Format("15:04") + " " + e.Text
		}
		esc := "none"
		if len(steps) > 0 {
			esc = mdCell(strings.Join(steps, "; "))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", what, mdCell(p.Service), p.Status, fmtTime(p.FirstSeen), acked, tta, esc)
	}
}

// ServiceComponentsInput names the status page components a service runs
// on: a maintenance in progress on one of them mutes the service's paging
// (when the maintenance's mute_paging is on).
type ServiceComponentsInput struct {
	Components []string `json:"components" required:"true"`
}

// Normalize validates the list (that the components exist is the store's
// to check).
func (in *ServiceComponentsInput) Normalize() error {
	fe := FieldErrors{}
	in.Components = normalizeNames(fe, "components", in.Components)
	return fe.Err()
}
