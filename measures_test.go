package herald

import (
	"encoding/json"
	"testing"
	"time"
)

func TestRule13_AdherenceCountsLateUpdates(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	up := func(min int, st State, next int) MeasureUpdate {
		return MeasureUpdate{At: at(min), Status: st, NextUpdateIn: next}
	}
	sevChange := func(min int, from, to Severity) TimelineEntry {
		d, _ := json.Marshal(map[string]any{"from": from, "to": to})
		return TimelineEntry{Kind: EntrySeverityChange, At: at(min), Data: d}
	}
	tests := []struct {
		name     string
		severity Severity
		timeline []TimelineEntry
		updates  []MeasureUpdate
		now      int
		max      []int // max minutes per interval
		late     []int // late seconds per interval
		count    int
		minutes  int
	}{
		{"S1 on time, then resolved", S1, nil,
			[]MeasureUpdate{up(0, Investigating, 0), up(10, Identified, 0), up(20, Resolved, 0)}, 60,
			[]int{10, 10}, []int{0, 0}, 0, 0},
		{"S1 one interval 7 minutes late", S1, nil,
			[]MeasureUpdate{up(0, Investigating, 0), up(17, Identified, 0), up(25, Resolved, 0)}, 60,
			[]int{10, 10}, []int{7 * 60, 0}, 1, 7},
		{"order of input does not matter", S1, nil,
			[]MeasureUpdate{up(25, Resolved, 0), up(0, Investigating, 0), up(17, Identified, 0)}, 60,
			[]int{10, 10}, []int{7 * 60, 0}, 1, 7},
		{"announced next time replaces the cadence", S1, nil,
			[]MeasureUpdate{up(0, Investigating, 45), up(40, Identified, 0), up(50, Resolved, 0)}, 60,
			[]int{45, 10}, []int{0, 0}, 0, 0},
		{"announced next time missed", S1, nil,
			[]MeasureUpdate{up(0, Investigating, 5), up(8, Resolved, 0)}, 60,
			[]int{5}, []int{3 * 60}, 1, 3},
		{"monitoring S2 is 60 minutes", S2, nil,
			[]MeasureUpdate{up(0, Monitoring, 0), up(75, Resolved, 0)}, 100,
			[]int{60}, []int{15 * 60}, 1, 15},
		{"open interval runs to now", S1, nil,
			[]MeasureUpdate{up(0, Investigating, 0)}, 12,
			[]int{10}, []int{2 * 60}, 1, 2},
		{"open interval not yet due", S1, nil,
			[]MeasureUpdate{up(0, Investigating, 0)}, 9,
			[]int{10}, []int{0}, 0, 0},
		{"severity at the time: S3 then S1", S1, []TimelineEntry{sevChange(20, S3, S1)},
			[]MeasureUpdate{up(0, Investigating, 0), up(14, Investigating, 0), up(30, Identified, 0), up(41, Resolved, 0)}, 60,
			[]int{15, 15, 10}, []int{0, 60, 60}, 2, 2},
		{"seconds add up before rounding", S1, nil,
			[]MeasureUpdate{up(0, Investigating, 0), {At: at(10).Add(40 * time.Second), Status: Identified}, {At: at(20).Add(80 * time.Second), Status: Resolved}}, 60,
			[]int{10, 10}, []int{40, 40}, 2, 1},
		{"no updates", S1, nil, nil, 60, nil, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Measure(MeasureInput{Settings: DefaultSettings(), Severity: tt.severity, Timeline: tt.timeline, Updates: tt.updates, Now: at(tt.now)})
			if len(m.Intervals) != len(tt.max) {
				t.Fatalf("intervals %+v, want %d", m.Intervals, len(tt.max))
			}
			for i, iv := range m.Intervals {
				if iv.MaxMinutes != tt.max[i] || iv.LateS != tt.late[i] || iv.Late != (tt.late[i] > 0) {
					t.Errorf("interval %d: max %d late %ds (%v), want max %d late %ds", i, iv.MaxMinutes, iv.LateS, iv.Late, tt.max[i], tt.late[i])
				}
			}
			if m.LateIntervals != tt.count || m.MinutesLate != tt.minutes {
				t.Errorf("late %d intervals, %d minutes; want %d, %d", m.LateIntervals, m.MinutesLate, tt.count, tt.minutes)
			}
		})
	}
}

func TestRule62_MeasuresAcknowledgementsAndNotices(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	acked := t0.Add(4*time.Minute + 30*time.Second)
	notice := json.RawMessage(`{"severity":"S1","stakeholder_notice":true}`)
	m := Measure(MeasureInput{Settings: DefaultSettings(), Severity: S1, Now: t0.Add(time.Hour),
		Timeline: []TimelineEntry{
			{Kind: EntryNote, At: t0, Data: notice},
			{Kind: EntryNote, At: t0, Data: json.RawMessage(`{"stakeholder_notice":false}`)},
			{Kind: EntryNote, At: t0},
			{Kind: EntryDecision, At: t0.Add(time.Minute), Data: notice},
		},
		Pages: []MeasurePage{
			{Role: RoleCommunications, PagedAt: t0.Add(time.Minute)},
			{Role: RoleIncidentLead, PagedAt: t0, AckedAt: &acked},
		}})
	if m.StakeholderNotices != 2 {
		t.Errorf("stakeholder notices %d, want 2", m.StakeholderNotices)
	}
	if len(m.Acknowledgements) != 2 {
		t.Fatalf("acknowledgements %+v", m.Acknowledgements)
	}
	lead, comms := m.Acknowledgements[0], m.Acknowledgements[1]
	if lead.Role != RoleIncidentLead || lead.AckS == nil || *lead.AckS != 270 {
		t.Errorf("lead %+v, want acknowledged after 270 s", lead)
	}
	if comms.Role != RoleCommunications || comms.AckS != nil || comms.AckedAt != nil {
		t.Errorf("communications %+v, want unacknowledged", comms)
	}
}
