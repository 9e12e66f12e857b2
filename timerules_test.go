package herald

import (
	"strings"
	"testing"
	"time"
)

func TestRule53_MitigatedByLabelOrDecision(t *testing.T) {
	for _, tc := range []struct {
		label string
		want  bool
	}{
		{"mitigated", true}, {"Mitigated", true}, {"Status::Mitigated", true}, {"a::b::mitigated", true},
		{"not-mitigated", false}, {"Mitigated::No", false}, {"mitigation", false},
	} {
		if got := IsMitigatedLabel(tc.label); got != tc.want {
			t.Errorf("label %q: %v, want %v", tc.label, got, tc.want)
		}
	}
	for _, tc := range []struct {
		d    Decision
		want bool
	}{
		{Decision{Kind: "mitigated", What: "Rolled back"}, true},
		{Decision{Kind: DecisionGeneral, What: "Mitigated"}, true},
		{Decision{Kind: DecisionGeneral, What: "mitigated: traffic moved"}, true},
		{Decision{Kind: DecisionGeneral, What: "Mitigated by rolling back"}, true},
		{Decision{Kind: DecisionGeneral, What: "Not mitigated yet"}, false},
		{Decision{Kind: DecisionGeneral, What: "Mitigatedness unknown"}, false},
	} {
		if got := tc.d.Mitigated(); got != tc.want {
			t.Errorf("decision %+v: %v, want %v", tc.d, got, tc.want)
		}
	}
}

func TestRule52_ImpactStartAndEngagementSettings(t *testing.T) {
	declared := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		start *time.Time
		ok    bool
	}{
		{nil, true}, {&declared, true}, {ptrTo(declared.Add(-time.Hour)), true},
		{ptrTo(declared.Add(time.Second)), false}, {ptrTo(declared.Add(-8 * 24 * time.Hour)), false},
	} {
		if err := CheckImpactStart(tc.start, declared); (err == nil) != tc.ok || (err != nil && ErrorCode(err) != EInvalid) {
			t.Errorf("start %v: %v", tc.start, err)
		}
	}
	s := DefaultSettings()
	if s.Playbook.Engagement != (EngagementRules{CommunicationsWithin: Duration(10 * time.Minute), DirectorAfter: Duration(time.Hour)}) {
		t.Fatalf("defaults %+v", s.Playbook.Engagement)
	}
	s.Playbook.Engagement = EngagementRules{CommunicationsWithin: -1, DirectorAfter: Duration(200 * time.Hour), DirectorService: strings.Repeat("x", 255)}
	err := s.Validate()
	if err == nil {
		t.Fatal("bad engagement settings were accepted")
	}
	for _, field := range []string{"communications_within", "director_after", "director_service"} {
		if err.(*Error).Fields["playbook.engagement."+field] == "" {
			t.Errorf("no error about %s: %v", field, err.(*Error).Fields)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
