package herald

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckTransition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to State
		code     string // "" when allowed
		kind     string
	}{
		{Investigating, Identified, "", "progressed"},
		{Investigating, Monitoring, "", "progressed"},
		{Investigating, Resolved, "", "resolved"},
		{Identified, Monitoring, "", "progressed"},
		{Identified, Resolved, "", "resolved"}, // monitoring may be skipped
		{Identified, Investigating, "", "progressed"},
		{Monitoring, Investigating, "", "recurred"},
		{Monitoring, Identified, "", "recurred"},
		{Monitoring, Resolved, "", "resolved"},
		{Resolved, Investigating, "", "reopened"},
		{Resolved, Identified, "", "reopened"},
		{Resolved, Monitoring, EUnprocessable, ""},
		{Identified, Identified, EUnprocessable, ""},
		{Investigating, "fixed", EInvalid, ""},
	}
	for _, tt := range tests {
		err := CheckTransition(tt.from, tt.to)
		if ErrorCode(err) != tt.code {
			t.Errorf("%s -> %s: %v, want code %q", tt.from, tt.to, err, tt.code)
		}
		if tt.code == "" && TransitionKind(tt.from, tt.to) != tt.kind {
			t.Errorf("%s -> %s is %q, want %q", tt.from, tt.to, TransitionKind(tt.from, tt.to), tt.kind)
		}
	}
}

func TestDeclareInput_NormalizeReportsEveryField(t *testing.T) {
	t.Parallel()
	in := DeclareInput{Title: strings.Repeat("x", MaxTitleLen+1), Severity: "S0", Services: []string{"a\nb"}, Labels: []string{","}}
	err := in.Normalize()
	e, ok := err.(*Error)
	if !ok || e.Code != EInvalid || len(e.Fields) != 4 {
		t.Fatalf("%#v", err)
	}
	ok2 := DeclareInput{Title: "  API down ", Severity: "2", Services: []string{" api", "api", ""}}
	if err := ok2.Normalize(); err != nil || ok2.Title != "API down" || ok2.Severity != S2 || len(ok2.Services) != 1 {
		t.Fatalf("%+v %v", ok2, err)
	}
}

func TestSettings_ValidateDefaultsAndMistakes(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	s.IncidentRoles = append(s.IncidentRoles, RoleDef{Key: "eoc", Name: "dup"})
	s.DecisionAuthority["failover"] = AuthorityRule{Roles: []string{"nobody"}}
	p := s.Reviews[S1]
	p.WithinDays = 0
	s.Reviews[S1] = p
	err := s.Validate()
	e, ok := err.(*Error)
	if !ok || e.Fields["incident_roles"] == "" || e.Fields["decision_authority"] == "" || e.Fields["reviews"] == "" {
		t.Fatalf("%#v", err)
	}
}

// Length errors say how long the input is, not only the limit: "it has
// 391" is what tells a person how much to cut.
func TestErrors_ShowTheNumbers(t *testing.T) {
	long := strings.Repeat("x", MaxTitleLen+17)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"title", (&DeclareInput{Title: long, Severity: S2}).Normalize(), "must be at most " + itoa(MaxTitleLen) + " characters (it has " + itoa(MaxTitleLen+17) + ")"},
		{"chat link", (&DeclareInput{Title: "t", Severity: S2, ChatURL: "https://chat.example.com/" + strings.Repeat("c", 2000)}).Normalize(), "chat_url: must be at most 2000 characters (it has 2025)"},
		{"label", func() error { _, err := ParseLabel(strings.Repeat("a", MaxLabelLen+1)); return err }(), "(it has " + itoa(MaxLabelLen+1) + ")"},
		{"link", CheckLink("https://example.com/" + strings.Repeat("a", 2000)), "(it has 2020)"},
		{"event", func() error {
			errs := (&Event{RoutingKey: "k", EventAction: "trigger", Payload: &EventPayload{Summary: strings.Repeat("s", 1030), Source: "x", Severity: "critical"}}).Validate()
			return errors.New(strings.Join(errs, "; "))
		}(), "at most 1024 bytes (it has 1030)"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: %v, want it to say %q", tc.name, tc.err, tc.want)
		}
	}
}
