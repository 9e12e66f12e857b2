package herald

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Settings saved when the cadence and the monitoring period were whole
// minutes read the same; today's are durations, and are written as such.
func TestRule13_SettingsDurationsReadOldMinutes(t *testing.T) {
	old := `{"cadence":{"investigating":{"S1":5,"S2":15,"S3":15,"S4":15}},"monitoring_minutes":45}`
	s := DefaultSettings()
	if err := json.Unmarshal([]byte(old), &s); err != nil {
		t.Fatal(err)
	}
	s.Upgrade()
	if s.NextUpdateAfter(Investigating, S1) != 5*time.Minute || s.NextUpdateAfter(Identified, S2) != 30*time.Minute ||
		s.MonitoringPeriod() != 45*time.Minute || s.LegacyMonitoringMinutes != nil {
		t.Fatalf("old settings: investigating S1 %v, identified S2 %v, monitoring %v", s.NextUpdateAfter(Investigating, S1),
			s.NextUpdateAfter(Identified, S2), s.MonitoringPeriod())
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(s)
	for _, want := range []string{`"S1":"5m0s"`, `"monitoring":"45m0s"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("written without %s: %s", want, b)
		}
	}
	if strings.Contains(string(b), "monitoring_minutes") {
		t.Errorf("the old field is written: %s", b)
	}

	// Today's: durations, down to seconds (a test's hour in seconds).
	s = DefaultSettings()
	if err := json.Unmarshal([]byte(`{"cadence":{"identified":{"S1":"90s","S2":"1h","S3":"0s","S4":"30m"}},"monitoring":"2h"}`), &s); err != nil {
		t.Fatal(err)
	}
	s.Upgrade()
	if s.NextUpdateAfter(Identified, S1) != 90*time.Second || s.NextUpdateAfter(Identified, S3) != 0 || s.MonitoringPeriod() != 2*time.Hour ||
		s.NextUpdateAfter(Investigating, S1) != 10*time.Minute {
		t.Fatalf("durations: %+v, monitoring %v", s.Cadence, s.MonitoringPeriod())
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{"cadence":{"identified":{"S1":"soon"}}}`, `{"cadence":{"identified":{"S1":true}}}`} {
		s := DefaultSettings()
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("%s was read", bad)
		}
	}
	for _, bad := range []func(*Settings){
		func(s *Settings) { s.Cadence[Identified][S1] = Duration(25 * time.Hour) },
		func(s *Settings) { s.Cadence[Identified][S1] = Duration(-time.Minute) },
		func(s *Settings) { s.Monitoring = Duration(8 * 24 * time.Hour) },
	} {
		s := DefaultSettings()
		bad(&s)
		if err := s.Validate(); ErrorCode(err) != EInvalid {
			t.Errorf("validate: %v", err)
		}
	}
}

// A cadence under a minute publishes its due time to the second, and the
// template's {next_update} says the minute it falls in.
func TestRule13_SubMinuteCadence(t *testing.T) {
	set := DefaultSettings()
	set.Cadence[Investigating][S1] = Duration(90 * time.Second)
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	p, err := PlanPublish(PublishInput{Incident: &StatusIncident{Name: "API errors", Status: Investigating, Components: map[string]ComponentStatus{}},
		Update: StatusUpdateInput{Status: Investigating, Template: TemplateNoMaterialUpdates}, Settings: set, Severity: S1, Link: "https://s.example.com/incidents/1", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if p.NextUpdateDue == nil || !p.NextUpdateDue.Equal(now.Add(90*time.Second)) || !strings.Contains(p.Text, "Next update in 2 minutes.") {
		t.Fatalf("due %v, text %q", p.NextUpdateDue, p.Text)
	}
}
