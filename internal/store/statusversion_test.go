package store_test

import (
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Every committed change of what the public page shows moves both the
// shared status version and this process's count, and calls the
// OnStatusChange function once, after the commit (it reads the change) and
// before the write returns; a write that fails, or one the page does not
// show, does none of it.
func TestLocalStatusChanges_CountCommittedPageChanges(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		var calls int
		var seen int64
		f.db.StatusPage.OnStatusChange(func() { calls++; seen = statusVersion(t, f) })
		var comp herald.Component
		for _, tc := range []struct {
			name    string
			write   func() error
			changes bool
		}{
			{"add a component", func() (err error) {
				comp, err = f.db.StatusPage.CreateComponent(f.ctx, f.carol, herald.ComponentInput{Name: ptr("API")})
				return err
			}, true},
			{"publish a status incident", func() error {
				_, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.carol, herald.StatusIncidentInput{Name: "Errors",
					StatusUpdateInput: herald.StatusUpdateInput{Body: "Looking.", Components: map[string]herald.ComponentStatus{comp.ID: herald.PartialOutage}}}, false)
				return err
			}, true},
			{"a dry run", func() error {
				_, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.carol, herald.StatusIncidentInput{Name: "Preview",
					StatusUpdateInput: herald.StatusUpdateInput{Body: "Looking."}}, true)
				return err
			}, false},
			{"an update that fails", func() error {
				_, err := f.db.StatusPage.PublishUpdate(f.ctx, f.carol, "ghost", herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}, false)
				if err == nil {
					t.Fatal("an update to no incident was accepted")
				}
				return nil
			}, false},
			{"declare an internal incident", func() error {
				_, err := f.db.Incidents.DeclareIncident(f.ctx, f.alice, herald.DeclareInput{Title: "Internal", Severity: "S3"})
				return err
			}, false},
			{"save the settings", func() error {
				s, err := f.db.Settings.Settings(f.ctx)
				if err == nil {
					s.Page.Name = "Acme Status"
					_, err = f.db.Settings.SaveSettings(f.ctx, s)
				}
				return err
			}, true},
		} {
			local, version, before := f.db.StatusPage.LocalStatusChanges(), statusVersion(t, f), calls
			if err := tc.write(); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			after := statusVersion(t, f)
			gotLocal, gotVersion := f.db.StatusPage.LocalStatusChanges() != local, after != version
			if gotLocal != tc.changes || gotVersion != tc.changes {
				t.Errorf("%s: local count moved %v, status version moved %v; want %v", tc.name, gotLocal, gotVersion, tc.changes)
			}
			if want := before + map[bool]int{true: 1}[tc.changes]; calls != want || (tc.changes && seen != after) {
				t.Errorf("%s: %d calls after the commit, seeing version %d (now %d); want %d", tc.name, calls-before, seen, after, want-before)
			}
		}
	})
}

func statusVersion(t *testing.T, f *fixture) int64 {
	t.Helper()
	v, err := f.db.StatusPage.StatusVersion(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
