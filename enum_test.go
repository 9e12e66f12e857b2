package herald

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The enums the OpenAPI document shows are the values validation accepts:
// each listed value passes, and a value outside the list does not.
func TestEnums_MatchValidation(t *testing.T) {
	valid := map[string]struct {
		enum  []string
		valid func(string) bool
	}{
		"Severity":        {S1.Enum(), func(v string) bool { return Severity(v).Valid() }},
		"State":           {Investigating.Enum(), func(v string) bool { return State(v).Valid() }},
		"APIRole":         {RoleAdmin.Enum(), func(v string) bool { return APIRole(v).Valid() }},
		"ComponentStatus": {Operational.Enum(), func(v string) bool { return ComponentStatus(v).Valid() }},
		"Impact":          {ImpactNone.Enum(), func(v string) bool { return Impact(v).Valid() }},
		"contact_kind": {FieldEnum("contact_kind"), func(v string) bool {
			target := map[string]string{"email": "ada@example.com", "sms": "+15551234567", "voice": "+15551234567"}[v]
			if target == "" {
				target = "https://example.com/hook"
			}
			in := ContactMethodInput{Kind: v, Target: target}
			return in.Normalize() == nil
		}},
		"rotation": {FieldEnum("rotation"), func(v string) bool {
			in := ScheduleInput{Name: "x", Layers: []Layer{{Rotation: v, LengthHours: 8, Start: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), Users: []string{"u"}}}}
			return in.Normalize() == nil
		}},
		"target_type": {FieldEnum("target_type"), func(v string) bool {
			in := EscalationPolicyInput{Name: "x", Levels: []EscalationLevel{{TimeoutMinutes: 5, Targets: []Target{{Type: v, ID: "x"}}}}}
			return in.Normalize() == nil
		}},
		"review_kind": {FieldEnum("review_kind"), func(v string) bool {
			in := ReviewInput{Kind: v}
			return in.Normalize() == nil
		}},
		"decision_kind": {FieldEnum("decision_kind"), func(v string) bool {
			in := DecisionInput{Kind: v, What: "x", Rationale: "y"}
			return v != "" && in.Normalize() == nil
		}},
		"review_requirement": {FieldEnum("review_requirement"), func(v string) bool {
			s := DefaultSettings()
			s.Reviews[S1] = ReviewPolicy{Internal: v, External: v, WithinDays: 7}
			return s.Validate() == nil
		}},
		"link_mode": {FieldEnum("link_mode"), func(v string) bool {
			s := DefaultSettings()
			s.IncidentLink = v
			return s.Validate() == nil
		}},
		"event_action": {FieldEnum("event_action"), func(v string) bool {
			e := Event{EventAction: v, DedupKey: "k", Payload: &EventPayload{Summary: "s", Source: "s", Severity: "info"}}
			return len(e.Validate()) == 0
		}},
		"event_severity": {FieldEnum("event_severity"), func(v string) bool {
			e := Event{EventAction: "trigger", Payload: &EventPayload{Summary: "s", Source: "s", Severity: v}}
			return len(e.Validate()) == 0
		}},
	}
	for name, c := range valid {
		if len(c.enum) == 0 {
			t.Errorf("%s: no values", name)
		}
		for _, v := range c.enum {
			if !c.valid(v) {
				t.Errorf("%s: %q is listed but refused", name, v)
			}
		}
		for _, v := range []string{"", "bogus", strings.ToUpper(c.enum[0]) + "x"} {
			if c.valid(v) {
				t.Errorf("%s: %q is accepted but not listed", name, v)
			}
		}
	}
	// The subscriber kinds are the ones SubscriberInput produces.
	var kinds []string
	for _, in := range []SubscriberInput{{Email: "ada@example.com"}, {WebhookURL: "https://example.com/a"}, {SlackURL: "https://example.com/b"}, {TeamsURL: "https://example.com/c"}, {MattermostURL: "https://example.com/d"}} {
		kind, _, err := in.Normalize()
		if err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, kind)
	}
	if !slices.Equal(kinds, FieldEnum("subscriber_kind")) {
		t.Errorf("subscriber kinds %v, listed %v", kinds, FieldEnum("subscriber_kind"))
	}
	// Every maintenance event has its own title.
	for _, e := range FieldEnum("maintenance_event") {
		if e != EventUpdate && EventTitle(e) == "Update" {
			t.Errorf("maintenance event %q is not one EventTitle knows", e)
		}
	}
}
