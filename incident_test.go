package herald

import (
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
