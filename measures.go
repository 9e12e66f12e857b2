package herald

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Measures say how closely an incident kept to the practice (R62, first
// part): whether its public updates came within the interval that applied
// (R13), how long each role took to acknowledge its page, and how many
// stakeholder notices were sent. They are computed from the record when
// asked, never stored; the cadence is today's setting, while an announced
// next time is the update's own.
type Measures struct {
	// Intervals are the gaps between consecutive public updates, oldest
	// first; while the status incident is open, the last one runs to now.
	Intervals []UpdateInterval `json:"intervals"`
	// LateIntervals counts the intervals longer than their maximum.
	LateIntervals int `json:"late_intervals"`
	// MinutesLate is the total time past the maximums, in whole minutes
	// (rounded).
	MinutesLate int `json:"minutes_late"`
	// Acknowledgements are the incident's role pages, in the order they
	// were sent, with how long each took to be acknowledged.
	Acknowledgements []RoleAck `json:"acknowledgements"`
	// StakeholderNotices counts the notices sent to internal stakeholders.
	StakeholderNotices int `json:"stakeholder_notices"`
}

// UpdateInterval is the time from one public update to the next.
type UpdateInterval struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Open: no next update yet; To is the time of measuring.
	Open bool `json:"open"`
	// State and Severity are those when the interval began: they chose the
	// cadence.
	State    State    `json:"state"`
	Severity Severity `json:"severity"`
	// MaxMinutes is the longest the interval could last: the update's own
	// announced next time when it gave one (Announced), else the cadence.
	MaxMinutes int  `json:"max_minutes"`
	Announced  bool `json:"announced"`
	TookS      int  `json:"took_s"`
	Late       bool `json:"late"`
	LateS      int  `json:"late_s"`
}

// RoleAck is one role page and how long it took to be acknowledged.
type RoleAck struct {
	Role    string     `json:"role"`
	PagedAt time.Time  `json:"paged_at"`
	AckedAt *time.Time `json:"acked_at"`
	// AckS is the time to acknowledge in seconds, nil while unacknowledged.
	AckS *int `json:"time_to_acknowledge_s"`
}

// MeasureUpdate is what measuring needs of a public update.
type MeasureUpdate struct {
	At           time.Time
	Status       State
	NextUpdateIn int // minutes announced by the update, 0 for the cadence
}

// MeasurePage is what measuring needs of a role page.
type MeasurePage struct {
	Role    string
	PagedAt time.Time
	AckedAt *time.Time
}

// MeasureInput is the loaded record Measure works from.
type MeasureInput struct {
	Settings Settings
	// Severity is the incident's severity now; the timeline's severity
	// changes give the severity at earlier times.
	Severity Severity
	Timeline []TimelineEntry
	Updates  []MeasureUpdate
	Pages    []MeasurePage
	Now      time.Time
}

// Measure computes an incident's measures.
func Measure(in MeasureInput) Measures {
	m := Measures{Intervals: []UpdateInterval{}, Acknowledgements: []RoleAck{}}

	// Severity over time: each change says what it was before and after.
	type sevChange struct {
		at       time.Time
		from, to Severity
	}
	var changes []sevChange
	for _, e := range in.Timeline {
		switch {
		case e.Kind == EntrySeverityChange:
			var d struct{ From, To Severity }
			if json.Unmarshal(e.Data, &d) == nil && d.To != "" {
				changes = append(changes, sevChange{e.At, d.From, d.To})
			}
		case isStakeholderNotice(e):
			m.StakeholderNotices++
		}
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].at.Before(changes[j].at) })
	severityAt := func(t time.Time) Severity {
		sev := in.Severity
		if len(changes) > 0 {
			sev = changes[0].from
		}
		for _, c := range changes {
			if c.at.After(t) {
				break
			}
			sev = c.to
		}
		return sev
	}

	ups := append([]MeasureUpdate(nil), in.Updates...)
	sort.SliceStable(ups, func(i, j int) bool { return ups[i].At.Before(ups[j].At) })
	var late time.Duration
	for i, u := range ups {
		iv := UpdateInterval{From: u.At, State: u.Status, Severity: severityAt(u.At)}
		if u.NextUpdateIn > 0 {
			iv.MaxMinutes, iv.Announced = u.NextUpdateIn, true
		} else {
			iv.MaxMinutes = int(in.Settings.NextUpdateAfter(u.Status, iv.Severity) / time.Minute)
		}
		if u.Status == Resolved || iv.MaxMinutes <= 0 {
			continue // no further update owed
		}
		if i+1 < len(ups) {
			iv.To = ups[i+1].At
		} else {
			iv.To, iv.Open = in.Now, true
		}
		took := iv.To.Sub(iv.From)
		iv.TookS = int(took / time.Second)
		if over := took - time.Duration(iv.MaxMinutes)*time.Minute; over > 0 {
			iv.Late, iv.LateS = true, int(over/time.Second)
			m.LateIntervals++
			late += over
		}
		m.Intervals = append(m.Intervals, iv)
	}
	m.MinutesLate = int(late.Round(time.Minute) / time.Minute)

	pages := append([]MeasurePage(nil), in.Pages...)
	sort.SliceStable(pages, func(i, j int) bool { return pages[i].PagedAt.Before(pages[j].PagedAt) })
	for _, p := range pages {
		a := RoleAck{Role: p.Role, PagedAt: p.PagedAt, AckedAt: p.AckedAt}
		if p.AckedAt != nil {
			s := int(p.AckedAt.Sub(p.PagedAt) / time.Second)
			a.AckS = &s
		}
		m.Acknowledgements = append(m.Acknowledgements, a)
	}
	return m
}

// isStakeholderNotice: notices to stakeholders are timeline entries marked
// stakeholder_notice in their data.
func isStakeholderNotice(e TimelineEntry) bool {
	if len(e.Data) == 0 {
		return false
	}
	var d struct {
		Notice bool `json:"stakeholder_notice"`
	}
	return json.Unmarshal(e.Data, &d) == nil && d.Notice
}

// markdown writes the measures as a short section of the export.
func (m *Measures) markdown(b *strings.Builder, s Settings) {
	b.WriteString("\n## Measures\n\n")
	fmt.Fprintf(b, "- Public updates: %d intervals, %d late, %d minutes late in total\n", len(m.Intervals), m.LateIntervals, m.MinutesLate)
	for _, a := range m.Acknowledgements {
		took := "not acknowledged"
		if a.AckS != nil {
			took = "acknowledged after " + (time.Duration(*a.AckS) * time.Second).String()
		}
		fmt.Fprintf(b, "- %s paged %s, %s\n", s.RoleName(a.Role), fmtTime(a.PagedAt), took)
	}
	fmt.Fprintf(b, "- Stakeholder notices: %d\n", m.StakeholderNotices)
}
