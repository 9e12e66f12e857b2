package store_test

import (
	"testing"

	"github.com/heraldhq/herald"
)

// decideStatusPage records R10's decision on an incident (as Alice, who
// may while nobody leads), so a test can publish its first update.
func (f *fixture) decideStatusPage(t *testing.T, ref string) {
	t.Helper()
	if _, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, ref, herald.DecisionInput{Kind: herald.DecisionStatusPage,
		What: "Status page needed", Rationale: "customers are affected"}); err != nil {
		t.Fatal(err)
	}
}

// allClear records R17's all-clear on an incident as Alice.
func (f *fixture) allClear(t *testing.T, ref string) {
	t.Helper()
	if _, err := f.db.Incidents.RecordDecision(f.ctx, f.alice, ref, herald.DecisionInput{Kind: herald.DecisionAllClear,
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
