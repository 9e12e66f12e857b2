package store_test

import (
	"testing"

	"github.com/heraldhq/herald"
)

// decideStatusPage records R10's decision on an incident (as Alice, who
// may while nobody leads), so a test can publish its first update.
func (f *fixture) decideStatusPage(t *testing.T, ref string) {
	t.Helper()
	if _, err := f.db.Incidents.RecordDecision(f.ctx, f.holder(t, ref, herald.RoleIncidentLead, herald.RoleEngineerOnCall), ref, herald.DecisionInput{Kind: herald.DecisionStatusPage,
		What: "Status page needed", Rationale: "customers are affected"}); err != nil {
		t.Fatal(err)
	}
}

// allClear records R17's all-clear on an incident as its lead (Alice when
// nobody leads).
func (f *fixture) allClear(t *testing.T, ref string) {
	t.Helper()
	if _, err := f.db.Incidents.RecordDecision(f.ctx, f.holder(t, ref, herald.RoleIncidentLead), ref, herald.DecisionInput{Kind: herald.DecisionAllClear,
		What: "All clear", Rationale: "no errors for 30 minutes"}); err != nil {
		t.Fatal(err)
	}
}

// qualify records that u is trained for name since 2026-01-01.
func (f *fixture) qualify(t *testing.T, u herald.Actor, name string) {
	t.Helper()
	if _, err := f.db.People.SetQualification(f.ctx, f.carol, u.User.ID, name, herald.QualificationInput{Since: "2026-01-01"}); err != nil {
		t.Fatal(err)
	}
}

// holder is who holds the first of roles that is staffed on the incident,
// among the fixture's people; Alice when none is.
func (f *fixture) holder(t *testing.T, ref string, roles ...string) herald.Actor {
	t.Helper()
	inc, err := f.db.Incidents.Incident(f.ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range roles {
		if a, ok := inc.Role(role); ok {
			for _, who := range []herald.Actor{f.alice, f.bob, f.carol} {
				if who.User.ID == a.UserID {
					return who
				}
			}
		}
	}
	return f.alice
}
