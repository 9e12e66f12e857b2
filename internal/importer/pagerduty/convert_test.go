package pagerduty

import (
	"slices"
	"strings"
	"testing"
	"time"

	pd "github.com/PagerDuty/go-pagerduty"
	"github.com/heraldhq/herald/internal/config"
)

// Layers that Herald can hold only in part: each is written as the
// nearest thing Herald can hold, with a warning that says what changed.
func TestLayer_WhatHeraldCannotHoldIsAWarning(t *testing.T) {
	now := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	users := []pd.UserReference{{User: pd.APIObject{ID: "PA", Summary: "Ann"}}}
	for _, tc := range []struct {
		name     string
		tz       string
		layer    pd.ScheduleLayer
		want     config.Layer
		warnings []string
	}{
		{"a layer still to come begins at its rotation's start", "UTC",
			pd.ScheduleLayer{Name: "L", Start: "2026-12-07T09:00:00Z", RotationVirtualStart: "2026-11-02T09:00:00Z", RotationTurnLengthSeconds: 604800},
			config.Layer{Name: "L", Rotation: "weekly", HandoffTime: "09:00", Start: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
			[]string{`begins at 2026-12-07T09:00:00Z in PagerDuty; Herald begins it at its rotation's start, 2026-11-02T09:00:00Z`}},
		{"a past start that differs changes nothing to come", "UTC",
			pd.ScheduleLayer{Name: "L", Start: "2026-11-04T09:00:00Z", RotationVirtualStart: "2026-11-02T09:00:00Z", RotationTurnLengthSeconds: 86400},
			config.Layer{Name: "L", Rotation: "daily", HandoffTime: "09:00", Start: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
			nil},
		{"hand-off time in the schedule's zone, seconds dropped", "Europe/Berlin",
			pd.ScheduleLayer{Name: "L", Start: "2026-01-05T07:30:30Z", RotationVirtualStart: "2026-01-05T07:30:30Z", RotationTurnLengthSeconds: 86400},
			config.Layer{Name: "L", Rotation: "daily", HandoffTime: "08:30", Start: time.Date(2026, 1, 5, 7, 30, 30, 0, time.UTC)},
			[]string{`hands off at 08:30:30; Herald hands off on the minute, at 08:30`}},
		{"turns of 90 minutes", "UTC",
			pd.ScheduleLayer{Name: "L", Start: "2026-11-02T00:00:00Z", RotationVirtualStart: "2026-11-02T00:00:00Z", RotationTurnLengthSeconds: 5400},
			config.Layer{Name: "L", Rotation: "custom", Length: "2h", Start: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)},
			[]string{`turns of 1h30m0s; Herald's custom rotations are whole hours from 1h to 672h: written as 2h`}},
		{"turns of two days", "UTC",
			pd.ScheduleLayer{Name: "L", Start: "2026-11-02T00:00:00Z", RotationVirtualStart: "2026-11-02T00:00:00Z", RotationTurnLengthSeconds: 172800},
			config.Layer{Name: "L", Rotation: "custom", Length: "48h", Start: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)},
			[]string{`turns of 2 days hand off every 48h of elapsed time in Herald`}},
		{"turns of a month", "UTC",
			pd.ScheduleLayer{Name: "L", Start: "2026-11-02T00:00:00Z", RotationVirtualStart: "2026-11-02T00:00:00Z", RotationTurnLengthSeconds: 30 * 86400},
			config.Layer{Name: "L", Rotation: "custom", Length: "672h", Start: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)},
			[]string{`turns of 720h0m0s; Herald's custom rotations are whole hours from 1h to 672h: written as 672h`, `turns of 30 days`}},
		{"a time zone Herald does not know", "Eastern Time (US & Canada)",
			pd.ScheduleLayer{Name: "L", Start: "2026-11-02T09:00:00-05:00", RotationVirtualStart: "2026-11-02T09:00:00-05:00", RotationTurnLengthSeconds: 86400},
			config.Layer{Name: "L", Rotation: "daily", HandoffTime: "14:00", Start: time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)},
			[]string{`time zone "Eastern Time (US & Canada)" is not one Herald knows: written as UTC`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &converter{now: now, emails: map[string]string{"PA": "ann@example.com"}}
			tc.layer.Users = users
			s, ok := c.schedule(pd.Schedule{Name: "S", TimeZone: tc.tz, ScheduleLayers: []pd.ScheduleLayer{tc.layer}}, nil)
			if !ok || len(s.Layers) != 1 {
				t.Fatalf("schedule not imported: %v", c.Warnings)
			}
			got := s.Layers[0]
			tc.want.Users = []string{"ann@example.com"}
			if !got.Start.Equal(tc.want.Start) {
				t.Errorf("start %v, want %v", got.Start, tc.want.Start)
			}
			got.Start, tc.want.Start = time.Time{}, time.Time{}
			if !slices.Equal(got.Users, tc.want.Users) || got.Name != tc.want.Name || got.Rotation != tc.want.Rotation ||
				got.HandoffTime != tc.want.HandoffTime || got.Length != tc.want.Length {
				t.Errorf("layer %+v, want %+v", got, tc.want)
			}
			if len(c.Warnings) != len(tc.warnings) {
				t.Errorf("warnings %q, want %d", c.Warnings, len(tc.warnings))
			}
			for i, w := range tc.warnings {
				if i < len(c.Warnings) && !strings.Contains(c.Warnings[i], w) {
					t.Errorf("warning %q lacks %q", c.Warnings[i], w)
				}
			}
		})
	}
}

// PagerDuty lets two services (or schedules, policies, teams) share a
// name; Herald names them uniquely, so the second gets its id, with a
// warning, and the policy a service names is the one it used.
func TestConvert_RepeatedNamesAreMadeUnique(t *testing.T) {
	rule := []pd.EscalationRule{{Delay: 5, Targets: []pd.APIObject{{ID: "PA", Type: "user_reference"}}}}
	a := &account{
		users:    []pd.User{{APIObject: pd.APIObject{ID: "PA"}, Name: "Ann", Email: "ann@example.com"}},
		policies: []pd.EscalationPolicy{{APIObject: pd.APIObject{ID: "P1"}, Name: "Ops", EscalationRules: rule}, {APIObject: pd.APIObject{ID: "P2"}, Name: "Ops", EscalationRules: rule}},
		services: []pd.Service{{APIObject: pd.APIObject{ID: "S1"}, Name: "API", EscalationPolicy: pd.EscalationPolicy{APIObject: pd.APIObject{ID: "P2"}}},
			{APIObject: pd.APIObject{ID: "S2"}, Name: "API"}},
	}
	doc, warnings := convert(a, time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC))
	if got := []string{doc.EscalationPolicies[0].Name, doc.EscalationPolicies[1].Name, doc.Services[0].Name, doc.Services[0].Policy, doc.Services[1].Name}; !slices.Equal(got,
		[]string{"Ops", "Ops (P2)", "API", "Ops (P2)", "API (S2)"}) {
		t.Errorf("names %q", got)
	}
	want := []string{`escalation policy "Ops": another escalation policy has the name: this one is named "Ops (P2)"`,
		`service "API": another service has the name: this one is named "API (S2)"`}
	if !slices.Equal(warnings, want) {
		t.Errorf("warnings %q, want %q", warnings, want)
	}
}
