// Package statuspage renders Herald's public status page: the HTML pages,
// the Statuspage-compatible JSON, and the RSS, Atom and iCalendar feeds. It
// works from a Snapshot, everything public read at one moment, and keeps
// the rendered bytes in memory (cache.go), because the page is visited
// hardest exactly when the service it reports on is failing.
package statuspage

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
)

// Days is how many days of history the uptime bars show.
const Days = 90

// Snapshot is the public state at one moment.
type Snapshot struct {
	Now     time.Time
	Version int64
	// Links builds the absolute URLs in feeds and JSON.
	Links links.Links
	// Paths builds the links in the pages themselves: the zero Links
	// (root-relative) for the public page, the page's own prefix for a
	// tenant's private page (private.go).
	Paths links.Links
	// Tenant is the name of the tenant a private page is for; "" for the
	// public page.
	Tenant       string
	Page         herald.PageSettings
	Components   []herald.Component // page order: groups followed by their members
	Incidents    []*herald.StatusIncident
	Maintenances []*herald.Maintenance
	Uptime       map[string]Uptime // by component id
}

// Load reads a snapshot from the store.
func Load(ctx context.Context, db herald.Services, now time.Time, lk links.Links) (*Snapshot, error) {
	s := &Snapshot{Now: now.UTC(), Links: lk}
	var err error
	if s.Version, err = db.StatusPage.StatusVersion(ctx); err != nil {
		return nil, fmt.Errorf("status version: %w", err)
	}
	settings, err := db.Settings.Settings(ctx)
	if err != nil {
		return nil, err
	}
	s.Page = settings.Page
	if s.Components, err = db.StatusPage.Components(ctx); err != nil {
		return nil, err
	}
	if s.Incidents, err = db.StatusPage.StatusIncidents(ctx, 1000); err != nil {
		return nil, err
	}
	if s.Maintenances, err = db.Maintenances.Maintenances(ctx, 1000); err != nil {
		return nil, err
	}
	start := dayStart(s.Now).AddDate(0, 0, -(Days - 1))
	hist, err := db.StatusPage.ComponentHistory(ctx, start)
	if err != nil {
		return nil, err
	}
	s.Uptime = map[string]Uptime{}
	for _, c := range s.Components {
		s.Uptime[c.ID] = ComputeUptime(hist[c.ID], c.CreatedAt, start, s.Now)
	}
	return s, nil
}

// Component finds a component by id.
func (s *Snapshot) Component(id string) (herald.Component, bool) {
	for _, c := range s.Components {
		if c.ID == id {
			return c, true
		}
	}
	return herald.Component{}, false
}

// Members returns a group's components.
func (s *Snapshot) Members(groupID string) []herald.Component {
	var out []herald.Component
	for _, c := range s.Components {
		if c.GroupID == groupID {
			out = append(out, c)
		}
	}
	return out
}

// Unresolved returns the status incidents still open, newest first.
func (s *Snapshot) Unresolved() []*herald.StatusIncident {
	var out []*herald.StatusIncident
	for _, i := range s.Incidents {
		if i.Status != herald.Resolved {
			out = append(out, i)
		}
	}
	return out
}

// Upcoming returns scheduled maintenances, soonest first.
func (s *Snapshot) Upcoming() []*herald.Maintenance {
	var out []*herald.Maintenance
	for _, m := range s.Maintenances {
		if m.Status == herald.MaintenanceScheduled {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ScheduledFor.Before(out[j].ScheduledFor) })
	return out
}

// ActiveMaintenances returns maintenances in progress.
func (s *Snapshot) ActiveMaintenances() []*herald.Maintenance {
	var out []*herald.Maintenance
	for _, m := range s.Maintenances {
		if m.Status == herald.MaintenanceInProgress {
			out = append(out, m)
		}
	}
	return out
}

// Incident finds a status incident by id.
func (s *Snapshot) Incident(id string) *herald.StatusIncident {
	for _, i := range s.Incidents {
		if i.ID == id {
			return i
		}
	}
	return nil
}

// Maintenance finds a maintenance by id.
func (s *Snapshot) Maintenance(id string) *herald.Maintenance {
	for _, m := range s.Maintenances {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Indicator is the page's overall status in Statuspage's terms.
type Indicator struct {
	Indicator   string `json:"indicator"` // none, minor, major, critical
	Description string `json:"description"`
}

// Overall derives the page's status from open incidents and components: the
// worst of the incidents' impacts and the components' shown status.
func (s *Snapshot) Overall() Indicator {
	rank := map[string]int{"none": 0, "minor": 1, "major": 2, "critical": 3}
	level := "none"
	raise := func(l string) {
		if rank[l] > rank[level] {
			level = l
		}
	}
	for _, i := range s.Unresolved() {
		raise(string(i.Impact))
	}
	maint := false
	for _, c := range s.Components {
		switch c.Status {
		case herald.DegradedPerformance:
			raise("minor")
		case herald.PartialOutage:
			raise("major")
		case herald.MajorOutage, herald.SecurityEvent:
			raise("critical")
		case herald.UnderMaintenance:
			maint = true
		}
	}
	desc := map[string]string{
		"none": "All Systems Operational", "minor": "Minor Service Outage",
		"major": "Partial System Outage", "critical": "Major System Outage",
	}[level]
	if level == "none" && maint {
		desc = "Service Under Maintenance"
	}
	return Indicator{Indicator: level, Description: desc}
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
