package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// berlinTenant has a window on Saturdays from 22:00 for 4h, Berlin time.
func (f *fixture) berlinTenant(t *testing.T, name string, comps ...string) herald.Tenant {
	t.Helper()
	tn, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, herald.TenantInput{Name: name, PrimaryRegion: "eu-central-1", Emails: []string{"ops@" + strings.ToLower(name) + ".example"},
		MaintenanceWindow: &herald.MaintenanceWindow{Weekday: "saturday", Start: "22:00", Duration: herald.Duration(4 * time.Hour), TimeZone: "Europe/Berlin"},
		Components:        comps})
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

func (f *fixture) maintenanceOf(t *testing.T, in herald.MaintenanceInput) *herald.Maintenance {
	t.Helper()
	m, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.alice, in)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func window(name string, from time.Time, d time.Duration, kind herald.MaintenanceKind, security bool) herald.MaintenanceInput {
	until := from.Add(d)
	return herald.MaintenanceInput{Name: &name, ScheduledFor: &from, ScheduledUntil: &until, Kind: &kind, Security: &security}
}

func TestRule34_ScheduledMaintenanceOutsideATenantsWindowWarnsNamingIt(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		tn := f.berlinTenant(t, "Acme")
		// 20:00-23:00 UTC on a Saturday: 22:00-01:00 in Berlin in summer
		// (inside the window), 21:00-00:00 in winter (it starts an hour
		// before the window opens). The week of 2027-03-28 changes clocks.
		summer := time.Date(2027, 4, 3, 20, 0, 0, 0, time.UTC)
		winter := time.Date(2027, 3, 20, 20, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			at   time.Time
			kind herald.MaintenanceKind
			warn string
		}{
			{summer, herald.KindScheduled, ""},
			{winter, herald.KindScheduled, "outside Acme's maintenance window (saturday 22:00 4h Europe/Berlin): the work starts saturday 2027-03-20 21:00 CET local time"},
			// An out-of-band maintenance is outside the window by definition.
			{winter, herald.KindOutOfBand, ""},
		} {
			m := f.maintenanceOf(t, window("Upgrade "+string(c.kind), c.at, 3*time.Hour, c.kind, false))
			if _, err := f.db.Tenants.SetMaintenanceTenants(f.ctx, f.alice, m.ID, herald.TenantLinksInput{Tenants: []string{tn.ID}}); err != nil {
				t.Fatal(err)
			}
			got, err := f.db.Maintenances.Maintenance(f.ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c.warn == "" && len(got.Warnings) != 0 || c.warn != "" && (len(got.Warnings) != 1 || !strings.HasPrefix(got.Warnings[0], c.warn)) {
				t.Errorf("%s at %s: warnings %q, want %q", c.kind, c.at, got.Warnings, c.warn)
			}
			if got.Kind != c.kind {
				t.Errorf("kind %q, want %q", got.Kind, c.kind)
			}
		}
		// The window across the change itself: Saturday 2027-03-27 22:00
		// CET is 21:00 UTC, and its 4 hours end at 03:00 CEST.
		m := f.maintenanceOf(t, window("Across the change", time.Date(2027, 3, 27, 21, 0, 0, 0, time.UTC), 4*time.Hour, herald.KindScheduled, false))
		if _, err := f.db.Tenants.SetMaintenanceTenants(f.ctx, f.alice, m.ID, herald.TenantLinksInput{Tenants: []string{"Acme"}}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.db.Maintenances.Maintenance(f.ctx, m.ID); len(got.Warnings) != 0 {
			t.Errorf("across the change: %q", got.Warnings)
		}
		// A tenant without a window is named too.
		if _, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, herald.TenantInput{Name: "Initech", PrimaryRegion: "us-east-1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Tenants.SetMaintenanceTenants(f.ctx, f.alice, m.ID, herald.TenantLinksInput{Tenants: []string{"Acme", "Initech"}}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.db.Maintenances.Maintenance(f.ctx, m.ID); len(got.Warnings) != 1 || !strings.HasPrefix(got.Warnings[0], "Initech has no weekly maintenance window") {
			t.Errorf("no window: %q", got.Warnings)
		}
	})
}

func TestRule32_EmergencyIsSecurityOnlyAndOutOfBandIsNot(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		at := f.clock.Now().Add(time.Hour)
		for _, c := range []struct {
			kind     herald.MaintenanceKind
			security bool
			ok       bool
		}{
			{herald.KindEmergency, false, false},
			{herald.KindOutOfBand, true, false},
			{"urgent", false, false},
			{herald.KindEmergency, true, true},
			{herald.KindOutOfBand, false, true},
			{herald.KindScheduled, true, true},
		} {
			_, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.alice, window("Work", at, time.Hour, c.kind, c.security))
			if c.ok {
				if err != nil {
					t.Errorf("%s security=%v: %v", c.kind, c.security, err)
				}
				continue
			}
			var he *herald.Error
			if herald.ErrorCode(err) != herald.EInvalid || !asError(err, &he) || he.Fields["kind"] == "" {
				t.Errorf("%s security=%v: %v, want 400 naming kind", c.kind, c.security, err)
			}
		}
		// An edit is held to the same rule, and an approved emergency
		// maintenance keeps its kind.
		m := f.maintenanceOf(t, window("Patch", at, time.Hour, herald.KindOutOfBand, false))
		if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{Security: ptr(true)}); herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("security on out_of_band: %v", err)
		}
		em := herald.KindEmergency
		m, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{Kind: &em, Security: ptr(true)})
		if err != nil || m.Kind != herald.KindEmergency || !m.Security {
			t.Fatalf("to emergency: %v %+v", err, m)
		}
		if _, err := f.db.Maintenances.ApproveMaintenance(f.ctx, f.carol, m.ID, herald.ApprovalInput{}); err != nil {
			t.Fatal(err)
		}
		sch := herald.KindScheduled
		if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{Kind: &sch}); herald.ErrorCode(err) != herald.EUnprocessable {
			t.Fatalf("kind change after approval: %v", err)
		}
	})
}

func TestRule33_EmergencyMaintenanceWaitsForAManagersApproval(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		comp := f.component(t, "API", "")
		f.berlinTenant(t, "Acme", comp.ID)
		m := f.maintenanceOf(t, window("CVE patch", f.clock.Now().Add(time.Hour), 2*time.Hour, herald.KindEmergency, true))
		if _, err := f.db.Tenants.SetMaintenanceTenants(f.ctx, f.alice, m.ID, herald.TenantLinksInput{Tenants: []string{"Acme"}}); err != nil {
			t.Fatal(err)
		}
		// Automation does not start it at its time while unapproved.
		f.clock.Advance(90 * time.Minute)
		if _, err := f.db.Work.RunMaintenanceAutomation(f.ctx); err != nil {
			t.Fatal(err)
		}
		m, _ = f.db.Maintenances.Maintenance(f.ctx, m.ID)
		if m.Status != herald.MaintenanceScheduled || len(m.TenantNotices) != 0 {
			t.Fatalf("unapproved: %s, notices %v", m.Status, m.TenantNotices)
		}
		// Nor by hand.
		off := false
		if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{AutoTransition: &off}); err != nil {
			t.Fatal(err)
		}
		_, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.alice, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceInProgress, Body: "Starting"})
		if herald.ErrorCode(err) != herald.EUnprocessable || !strings.Contains(err.Error(), "R33") {
			t.Fatalf("manual start before approval: %v", err)
		}
		// Someone who is not a manager cannot approve.
		if _, err := f.db.Maintenances.ApproveMaintenance(f.ctx, f.bob, m.ID, herald.ApprovalInput{}); herald.ErrorCode(err) != herald.EForbidden {
			t.Fatalf("non-manager approval: %v", err)
		}
		m, _ = f.db.Maintenances.Maintenance(f.ctx, m.ID)
		if m.Approval != nil || len(m.TenantNotices) != 0 {
			t.Fatalf("a refused approval changed something: %+v %v", m.Approval, m.TenantNotices)
		}
		m, err = f.db.Maintenances.ApproveMaintenance(f.ctx, f.carol, m.ID, herald.ApprovalInput{Comment: "go"})
		if err != nil || m.Approval == nil || m.Approval.ByName != "Carol" || len(m.TenantNotices) != 1 || !m.TenantNotices[0].Affected {
			t.Fatalf("approval: %v %+v", err, m)
		}
		if _, err := f.db.Maintenances.ApproveMaintenance(f.ctx, f.carol, m.ID, herald.ApprovalInput{}); herald.ErrorCode(err) != herald.EConflict {
			t.Fatalf("second approval: %v", err)
		}
		if _, err = f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.alice, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceInProgress, Body: "Starting"}); err != nil {
			t.Fatalf("start after approval: %v", err)
		}
		// A maintenance of another kind is not approved.
		other := f.maintenanceOf(t, window("Other", f.clock.Now().Add(time.Hour), time.Hour, herald.KindOutOfBand, false))
		if _, err := f.db.Maintenances.ApproveMaintenance(f.ctx, f.carol, other.ID, herald.ApprovalInput{}); herald.ErrorCode(err) != herald.EUnprocessable {
			t.Fatalf("approving out_of_band: %v", err)
		}
	})
}
