package statuspage

import (
	"encoding/json"
	"time"

	"github.com/heraldhq/herald"
)

// The types below follow Atlassian Statuspage's public API (v2) field for
// field, so consumers and widgets written for it read Herald unchanged.

type v2Page struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	TimeZone  string `json:"time_zone"`
	UpdatedAt string `json:"updated_at"`
}

type v2Component struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	Status             string   `json:"status"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          string   `json:"updated_at"`
	Position           int      `json:"position"`
	Description        *string  `json:"description"`
	Showcase           bool     `json:"showcase"`
	StartDate          *string  `json:"start_date"`
	GroupID            *string  `json:"group_id"`
	PageID             string   `json:"page_id"`
	Group              bool     `json:"group"`
	OnlyShowIfDegraded bool     `json:"only_show_if_degraded"`
	Components         []string `json:"components,omitempty"`
}

type v2AffectedComponent struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	OldStatus string `json:"old_status"`
	NewStatus string `json:"new_status"`
}

type v2Update struct {
	ID                   string                `json:"id"`
	Status               string                `json:"status"`
	Body                 string                `json:"body"`
	IncidentID           string                `json:"incident_id"`
	CreatedAt            string                `json:"created_at"`
	UpdatedAt            string                `json:"updated_at"`
	DisplayAt            string                `json:"display_at"`
	AffectedComponents   []v2AffectedComponent `json:"affected_components"`
	DeliverNotifications bool                  `json:"deliver_notifications"`
	CustomTweet          *string               `json:"custom_tweet"`
	TweetID              *string               `json:"tweet_id"`
}

type v2Incident struct {
	ID              string        `json:"id"`
	Name            string        `json:"name"`
	Status          string        `json:"status"`
	CreatedAt       string        `json:"created_at"`
	UpdatedAt       string        `json:"updated_at"`
	MonitoringAt    *string       `json:"monitoring_at"`
	ResolvedAt      *string       `json:"resolved_at"`
	Impact          string        `json:"impact"`
	Shortlink       string        `json:"shortlink"`
	StartedAt       string        `json:"started_at"`
	PageID          string        `json:"page_id"`
	IncidentUpdates []v2Update    `json:"incident_updates"`
	Components      []v2Component `json:"components"`
	ScheduledFor    *string       `json:"scheduled_for,omitempty"`
	ScheduledUntil  *string       `json:"scheduled_until,omitempty"`
	PostmortemBody  *string       `json:"postmortem_body,omitempty"`
}

// ts formats a time as Statuspage does: ISO 8601 with milliseconds.
func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func tsp(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := ts(*t)
	return &s
}

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

const pageID = "herald"

func (s *Snapshot) v2Page() v2Page {
	updated := s.Now
	if len(s.Incidents) > 0 {
		updated = s.Incidents[0].UpdatedAt
	}
	for _, c := range s.Components {
		if c.UpdatedAt.After(updated) {
			updated = c.UpdatedAt
		}
	}
	return v2Page{ID: pageID, Name: s.Page.Name, URL: s.Links.Base(), TimeZone: "Etc/UTC", UpdatedAt: ts(updated)}
}

func (s *Snapshot) v2Component(c herald.Component) v2Component {
	out := v2Component{ID: c.ID, Name: c.Name, Status: c.Status.Statuspage(), CreatedAt: ts(c.CreatedAt), UpdatedAt: ts(c.UpdatedAt),
		Position: c.Position, Description: strp(c.Description), GroupID: strp(c.GroupID), PageID: pageID, Group: c.Group}
	d := c.CreatedAt.Format(time.DateOnly)
	out.StartDate = &d
	if c.Group {
		out.Components = []string{}
		for _, m := range s.Members(c.ID) {
			out.Components = append(out.Components, m.ID)
		}
	}
	return out
}

func (s *Snapshot) v2Components() []v2Component {
	out := make([]v2Component, 0, len(s.Components))
	for _, c := range s.Components {
		out = append(out, s.v2Component(c))
	}
	return out
}

func (s *Snapshot) v2Incident(i *herald.StatusIncident) v2Incident {
	out := v2Incident{ID: i.ID, Name: i.Name, Status: string(i.Status), CreatedAt: ts(i.CreatedAt), UpdatedAt: ts(i.UpdatedAt),
		ResolvedAt: tsp(i.ResolvedAt), Impact: string(i.Impact), Shortlink: s.Links.StatusIncident(i.ID), StartedAt: ts(i.CreatedAt),
		PageID: pageID, IncidentUpdates: []v2Update{}, Components: []v2Component{}}
	for _, u := range i.Updates {
		if u.Status == herald.Monitoring && (out.MonitoringAt == nil || ts(u.CreatedAt) < *out.MonitoringAt) {
			out.MonitoringAt = tsp(&u.CreatedAt)
		}
		vu := v2Update{ID: u.ID, Status: string(u.Status), Body: u.Body, IncidentID: i.ID, CreatedAt: ts(u.CreatedAt), UpdatedAt: ts(u.CreatedAt),
			DisplayAt: ts(u.CreatedAt), AffectedComponents: []v2AffectedComponent{}, DeliverNotifications: true}
		for _, c := range u.Components {
			vu.AffectedComponents = append(vu.AffectedComponents, v2AffectedComponent{Code: c.ID, Name: c.Name, OldStatus: c.OldStatus.Statuspage(), NewStatus: c.NewStatus.Statuspage()})
		}
		out.IncidentUpdates = append(out.IncidentUpdates, vu)
	}
	for _, c := range s.Components {
		if _, ok := i.Components[c.ID]; ok {
			out.Components = append(out.Components, s.v2Component(c))
		}
	}
	return out
}

// maintenanceStatus maps Herald's maintenance states onto Statuspage's
// (scheduled, in_progress, verifying, completed); a cancelled maintenance
// shows as completed, as Statuspage does.
func maintenanceStatus(m *herald.Maintenance) string {
	if m.Status == herald.MaintenanceCancelled {
		return "completed"
	}
	return string(m.Status)
}

func (s *Snapshot) v2Maintenance(m *herald.Maintenance) v2Incident {
	out := v2Incident{ID: m.ID, Name: m.Name, Status: maintenanceStatus(m), CreatedAt: ts(m.CreatedAt), UpdatedAt: ts(m.UpdatedAt),
		ResolvedAt: tsp(m.CompletedAt), Impact: "maintenance", Shortlink: s.Links.Maintenance(m.ID), StartedAt: ts(m.ScheduledFor),
		PageID: pageID, IncidentUpdates: []v2Update{}, Components: []v2Component{},
		ScheduledFor: tsp(&m.ScheduledFor), ScheduledUntil: tsp(&m.ScheduledUntil)}
	for _, u := range m.Updates {
		body := u.Body
		if body == "" {
			body = m.Name
		}
		out.IncidentUpdates = append(out.IncidentUpdates, v2Update{ID: u.ID, Status: maintenanceStatus(&herald.Maintenance{Status: u.Status}), Body: body,
			IncidentID: m.ID, CreatedAt: ts(u.CreatedAt), UpdatedAt: ts(u.CreatedAt), DisplayAt: ts(u.CreatedAt),
			AffectedComponents: []v2AffectedComponent{}, DeliverNotifications: true})
	}
	for _, c := range s.Components {
		for _, id := range m.Components {
			if id == c.ID {
				out.Components = append(out.Components, s.v2Component(c))
			}
		}
	}
	return out
}

func (s *Snapshot) v2Incidents(list []*herald.StatusIncident) []v2Incident {
	out := []v2Incident{}
	for _, i := range list {
		out = append(out, s.v2Incident(i))
	}
	return out
}

func (s *Snapshot) v2Maintenances(list []*herald.Maintenance) []v2Incident {
	out := []v2Incident{}
	for _, m := range list {
		out = append(out, s.v2Maintenance(m))
	}
	return out
}

func first[T any](list []T, n int) []T {
	if len(list) > n {
		return list[:n]
	}
	return list
}

// v2Documents renders every /api/v2 document, keyed by path.
func (s *Snapshot) v2Documents() map[string][]byte {
	out := map[string][]byte{}
	for path, v := range s.v2Values() {
		b, _ := json.Marshal(v)
		out[path] = b
	}
	return out
}

// V2Documents returns every /api/v2 document of an empty page, keyed by
// path: the OpenAPI document reads the paths and the shapes of the
// answers from these values, so it describes what the page serves.
func V2Documents() map[string]any { return (&Snapshot{}).v2Values() }

// v2Values builds every /api/v2 document, keyed by path.
func (s *Snapshot) v2Values() map[string]any {
	page := s.v2Page()
	status := s.Overall()
	upcoming := s.Upcoming()
	active := s.ActiveMaintenances()
	docs := map[string]any{
		"/api/v2/summary.json": map[string]any{
			"page": page, "components": s.v2Components(), "incidents": s.v2Incidents(s.Unresolved()),
			"scheduled_maintenances": s.v2Maintenances(append(append([]*herald.Maintenance{}, active...), upcoming...)), "status": status,
		},
		"/api/v2/status.json":                          map[string]any{"page": page, "status": status},
		"/api/v2/components.json":                      map[string]any{"page": page, "components": s.v2Components()},
		"/api/v2/incidents.json":                       map[string]any{"page": page, "incidents": s.v2Incidents(first(s.Incidents, 50))},
		"/api/v2/incidents/unresolved.json":            map[string]any{"page": page, "incidents": s.v2Incidents(s.Unresolved())},
		"/api/v2/scheduled-maintenances.json":          map[string]any{"page": page, "scheduled_maintenances": s.v2Maintenances(first(s.Maintenances, 50))},
		"/api/v2/scheduled-maintenances/upcoming.json": map[string]any{"page": page, "scheduled_maintenances": s.v2Maintenances(upcoming)},
		"/api/v2/scheduled-maintenances/active.json":   map[string]any{"page": page, "scheduled_maintenances": s.v2Maintenances(active)},
	}
	return docs
}
