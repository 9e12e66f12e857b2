package herald

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// R05's template: the engineer, the incident lead after 30 minutes
// unacknowledged, who has 30 minutes before management is paged; every
// duration is a setting written as a duration.
func TestRule05_TemplateTimesAreSettings(t *testing.T) {
	s := DefaultSettings()
	in, err := s.PolicyFromTemplate(PolicyTemplateInput{Template: TemplateIncidentRoles, Engineer: "EOC", Lead: "IMOC"})
	if err != nil {
		t.Fatal(err)
	}
	want := []EscalationLevel{
		{TimeoutMinutes: 30, Targets: []Target{{Type: TargetSchedule, ID: "EOC"}}},
		{TimeoutMinutes: 30, Targets: []Target{{Type: TargetSchedule, ID: "IMOC"}}},
		{TimeoutMinutes: 30, Targets: []Target{{Type: TargetManagers}}},
	}
	if got, _ := json.Marshal(in.Levels); string(got) != mustJSON(want) {
		t.Fatalf("levels %s, want %s", got, mustJSON(want))
	}
	// Settings written as durations change the template.
	if err := json.Unmarshal([]byte(`{"lead_after":"20m","lead_ack_within":"1h"}`), &s.EscalationTemplates); err != nil {
		t.Fatal(err)
	}
	if in, _ = s.PolicyFromTemplate(PolicyTemplateInput{Template: TemplateIncidentRoles, Engineer: "EOC", Lead: "IMOC"}); in.Levels[0].TimeoutMinutes != 20 || in.Levels[1].TimeoutMinutes != 60 {
		t.Fatalf("levels after the settings changed: %+v", in.Levels)
	}
	if b, _ := json.Marshal(DefaultSettings().EscalationTemplates); !strings.Contains(string(b), `"lead_after":"30m0s"`) {
		t.Fatalf("settings JSON %s", b)
	}
	for _, bad := range []string{`{"lead_after":"90s"}`, `{"colleague_after":"25h"}`} {
		s := DefaultSettings()
		if err := json.Unmarshal([]byte(bad), &s.EscalationTemplates); err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(); ErrorCode(err) != EInvalid {
			t.Errorf("%s: %v", bad, err)
		}
	}
	// Settings stored before the templates existed get the defaults.
	s = DefaultSettings()
	s.EscalationTemplates = EscalationTemplates{}
	if in, _ = s.PolicyFromTemplate(PolicyTemplateInput{Template: TemplateUnanswered, Engineer: "EOC"}); in.Levels[0].TimeoutMinutes != 10 {
		t.Fatalf("unset settings: %+v", in.Levels)
	}
	for _, bad := range []PolicyTemplateInput{{Template: "r99", Engineer: "EOC"}, {Template: TemplateIncidentRoles, Engineer: "EOC"}, {Template: TemplateUnanswered}} {
		if _, err := s.PolicyFromTemplate(bad); ErrorCode(err) != EInvalid {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

// R07's built-in path: a direct message to the engineer, after 10 minutes
// another engineer in the same time zone, then all of management.
func TestRule07_TemplateIsEngineerColleagueManagement(t *testing.T) {
	s := DefaultSettings()
	in, err := s.PolicyFromTemplate(PolicyTemplateInput{Template: TemplateUnanswered, Engineer: "EOC", Name: "Dedicated SRE"})
	if err != nil {
		t.Fatal(err)
	}
	want := []EscalationLevel{
		{TimeoutMinutes: 10, Targets: []Target{{Type: TargetSchedule, ID: "EOC"}}},
		{TimeoutMinutes: 10, Targets: []Target{{Type: TargetColleague, ID: "EOC"}}},
		{TimeoutMinutes: 30, Targets: []Target{{Type: TargetManagers}}},
	}
	if got, _ := json.Marshal(in.Levels); in.Name != "Dedicated SRE" || string(got) != mustJSON(want) {
		t.Fatalf("%s: levels %s, want %s", in.Name, got, mustJSON(want))
	}
	if err := in.Normalize(); err != nil {
		t.Fatal(err)
	}
}

// R07's "another engineer in the current time zone": the next in the
// schedule's own rotation, else whoever is on call on another schedule in
// the same zone, else anyone in those rotations; never someone skipped.
func TestRule07_ColleagueIsAnotherEngineerInTheTimeZone(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	start := now.Add(-time.Hour)
	sched := func(id, tz string, users ...string) *Schedule {
		return &Schedule{ID: id, Name: id, TimeZone: tz, Layers: []Layer{{Rotation: RotationDaily, HandoffTime: "09:00", Start: start, Users: users}}}
	}
	berlin := sched("berlin", "Europe/Berlin", "alice", "bob", "dave")
	berlinDB := sched("berlin-db", "Europe/Berlin", "erin", "frank")
	nyc := sched("nyc", "America/New_York", "nina")
	all := []*Schedule{berlin, berlinDB, nyc}
	cases := []struct {
		name string
		s    *Schedule
		skip []string
		want string
	}{
		{"the next in the rotation", berlin, []string{"alice"}, "bob"},
		{"the one after when the next was paged", berlin, []string{"alice", "bob"}, "dave"},
		{"on call on another schedule in the zone", berlin, []string{"alice", "bob", "dave"}, "erin"},
		{"anyone in the zone's rotations", berlin, []string{"alice", "bob", "dave", "erin"}, "frank"},
		{"nobody in another zone", nyc, []string{"nina"}, ""},
	}
	for _, c := range cases {
		skip := map[string]bool{}
		for _, u := range c.skip {
			skip[u] = true
		}
		got, ok := Colleague(c.s, all, now, skip)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: %q %v, want %q", c.name, got, ok, c.want)
		}
	}
}

func TestSnoozeInput_End(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	until := now.Add(90 * time.Minute)
	for _, c := range []struct {
		in   SnoozeInput
		want time.Time
	}{
		{SnoozeInput{For: Duration(time.Hour)}, now.Add(time.Hour)},
		{SnoozeInput{Until: &until}, until},
	} {
		if got, err := c.in.End(now); err != nil || !got.Equal(c.want) {
			t.Errorf("%+v: %s %v", c.in, got, err)
		}
	}
	var in SnoozeInput
	if err := json.Unmarshal([]byte(`{"for":"1h"}`), &in); err != nil || in.For != Duration(time.Hour) {
		t.Fatalf("%+v %v", in, err)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
