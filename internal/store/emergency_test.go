package store_test

import (
	"fmt"
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
		// The notice's text waits for the security team (R44); the work
		// does not.
		if err != nil || m.Approval == nil || m.Approval.ByName != "Carol" || len(m.TenantNotices) != 0 || len(m.NoticeApprovals) != 1 {
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

// emergencyWithTenants is an approved-ready emergency maintenance of API
// linked to Acme (served by API) and Globex (served by Web), and a
// Security team of Bob and Carol (the manager).
func (f *fixture) emergencyWithTenants(t *testing.T) *herald.Maintenance {
	t.Helper()
	api, web := f.component(t, "API", ""), f.component(t, "Web", "")
	f.berlinTenant(t, "Acme", api.ID)
	f.berlinTenant(t, "Globex", web.ID)
	if _, err := f.db.Teams.CreateTeam(f.ctx, herald.TeamInput{Name: "Security", Members: []string{"bob@example.com", "carol@example.com"}}); err != nil {
		t.Fatal(err)
	}
	in := window("CVE patch", f.clock.Now().Add(time.Hour), 2*time.Hour, herald.KindEmergency, true)
	in.Components = &[]string{api.ID}
	m := f.maintenanceOf(t, in)
	if _, err := f.db.Tenants.SetMaintenanceTenants(f.ctx, f.alice, m.ID, herald.TenantLinksInput{Tenants: []string{"Acme", "Globex"}}); err != nil {
		t.Fatal(err)
	}
	return m
}

// pendingNotice is the maintenance's one text waiting for the security
// team.
func (f *fixture) pendingNotice(t *testing.T, id string) herald.NoticeApproval {
	t.Helper()
	m, err := f.db.Maintenances.Maintenance(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []herald.NoticeApproval
	for _, a := range m.NoticeApprovals {
		if a.Status == herald.ApprovalPending {
			out = append(out, a)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d texts pending, want 1: %+v", len(out), m.NoticeApprovals)
	}
	return out[0]
}

func noticesByEvent(m *herald.Maintenance) map[string][]herald.MaintenanceTenantNotice {
	out := map[string][]herald.MaintenanceTenantNotice{}
	for _, n := range m.TenantNotices {
		out[n.Event] = append(out[n.Event], n)
	}
	return out
}

func TestRule44_EmergencyNoticesWaitForTheSecurityTeamsApprovalOfTheirText(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		m := f.emergencyWithTenants(t)
		if _, err := f.db.Maintenances.ApproveMaintenance(f.ctx, f.carol, m.ID, herald.ApprovalInput{}); err != nil {
			t.Fatal(err)
		}
		a := f.pendingNotice(t, m.ID)
		if a.Class != herald.ClassSecurity || a.Event != herald.TenantNoticeApproved || a.ThreadID != "" || a.RequestedByName != "Carol" ||
			!strings.Contains(a.Body, "Hello {tenant},") || !strings.Contains(a.Body, "affected: {affected}.") || a.Hash != herald.NoticeTextHash(a.Subject, a.Body) {
			t.Fatalf("text asked: %+v", a)
		}
		// The approvals list shows it beside the threads' texts.
		list, err := f.db.Notices.PendingApprovals(f.ctx)
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("pending approvals: %v %+v", err, list)
		}
		// The manager who asked cannot approve it, though in the team;
		// Alice is not in the team; a stale hash is refused.
		for _, c := range []struct {
			who  herald.Actor
			in   herald.NoticeDecisionInput
			code string
		}{
			{f.carol, herald.NoticeDecisionInput{}, herald.EForbidden},
			{f.alice, herald.NoticeDecisionInput{}, herald.EForbidden},
			{f.bob, herald.NoticeDecisionInput{Hash: strings.Repeat("0", 64)}, herald.EConflict},
		} {
			if _, err := f.db.Notices.ApproveNotice(f.ctx, c.who, a.ID, c.in); herald.ErrorCode(err) != c.code {
				t.Errorf("%s approving: %v, want %s", c.who.User.Name, err, c.code)
			}
		}
		if got, _ := f.db.Maintenances.Maintenance(f.ctx, m.ID); len(got.TenantNotices) != 0 {
			t.Fatalf("notices before the security approval: %+v", got.TenantNotices)
		}
		done, err := f.db.Notices.ApproveNotice(f.ctx, f.bob, a.ID, herald.NoticeDecisionInput{Hash: a.Hash})
		if err != nil || done.Status != herald.ApprovalSent || done.DecidedByName != "Bob" {
			t.Fatalf("security approval: %v %+v", err, done)
		}
		got, _ := f.db.Maintenances.Maintenance(f.ctx, m.ID)
		planned := noticesByEvent(got)[herald.TenantNoticeApproved]
		if len(planned) != 2 {
			t.Fatalf("notices after the security approval: %+v", got.TenantNotices)
		}
		for _, n := range planned {
			if n.Subject != a.Subject || n.Affected != (n.TenantName == "Acme") || n.Status != "pending" {
				t.Errorf("notice: %+v", n)
			}
		}
		if _, err := f.db.Notices.ApproveNotice(f.ctx, f.carol, a.ID, herald.NoticeDecisionInput{}); herald.ErrorCode(err) != herald.EConflict {
			t.Errorf("a second decision: %v", err)
		}
		if list, _ := f.db.Notices.PendingApprovals(f.ctx); len(list) != 0 {
			t.Errorf("still pending: %+v", list)
		}
	})
}

func TestRule44_RejectedEmergencyNoticeIsHeldAndAnEditAsksAgain(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		m := f.emergencyWithTenants(t)
		if _, err := f.db.Maintenances.ApproveMaintenance(f.ctx, f.carol, m.ID, herald.ApprovalInput{}); err != nil {
			t.Fatal(err)
		}
		first := f.pendingNotice(t, m.ID)
		// An edit of the description while it waits voids it: the team
		// approves the words the tenants read, not earlier ones.
		if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{Body: ptr("We patch OpenSSL on every host.")}); err != nil {
			t.Fatal(err)
		}
		second := f.pendingNotice(t, m.ID)
		if second.ID == first.ID || second.Hash == first.Hash || !strings.Contains(second.Body, "We patch OpenSSL") || second.RequestedByName != "Alice" {
			t.Fatalf("after the edit: %+v", second)
		}
		if _, err := f.db.Notices.ApproveNotice(f.ctx, f.bob, first.ID, herald.NoticeDecisionInput{}); herald.ErrorCode(err) != herald.EConflict {
			t.Fatalf("approving the voided text: %v", err)
		}
		// A rejection needs a reason and holds the notices.
		if _, err := f.db.Notices.RejectNotice(f.ctx, f.bob, second.ID, herald.NoticeDecisionInput{}); herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("rejection without a reason: %v", err)
		}
		if _, err := f.db.Notices.RejectNotice(f.ctx, f.bob, second.ID, herald.NoticeDecisionInput{Reason: "say which hosts"}); err != nil {
			t.Fatal(err)
		}
		got, _ := f.db.Maintenances.Maintenance(f.ctx, m.ID)
		if len(got.TenantNotices) != 0 {
			t.Fatalf("notices after a rejection: %+v", got.TenantNotices)
		}
		// The work goes on regardless.
		off := false
		if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{AutoTransition: &off}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.alice, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceInProgress, Body: "Starting"}); err != nil {
			t.Fatalf("start while the notice is held: %v", err)
		}
		// Editing as the reason asks asks again; Carol approves Alice's.
		if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{Body: ptr("We patch OpenSSL on the API hosts.")}); err != nil {
			t.Fatal(err)
		}
		third := f.pendingNotice(t, m.ID)
		if third.Event != herald.TenantNoticeApproved || !strings.Contains(third.Body, "API hosts") {
			t.Fatalf("asked again: %+v", third)
		}
		if _, err := f.db.Notices.ApproveNotice(f.ctx, f.carol, third.ID, herald.NoticeDecisionInput{Hash: third.Hash}); err != nil {
			t.Fatal(err)
		}
		got, _ = f.db.Maintenances.Maintenance(f.ctx, m.ID)
		if n := noticesByEvent(got)[herald.TenantNoticeApproved]; len(n) != 2 {
			t.Fatalf("notices: %+v", got.TenantNotices)
		}
	})
}

func TestRule33_RescheduleAndCancelRenotifyEachTenantOncePerChange(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		m := f.emergencyWithTenants(t)
		if _, err := f.db.Maintenances.ApproveMaintenance(f.ctx, f.carol, m.ID, herald.ApprovalInput{}); err != nil {
			t.Fatal(err)
		}
		approve := func(want string) herald.NoticeApproval {
			t.Helper()
			a := f.pendingNotice(t, m.ID)
			if a.Event != want {
				t.Fatalf("pending %s, want %s", a.Event, want)
			}
			if _, err := f.db.Notices.ApproveNotice(f.ctx, f.bob, a.ID, herald.NoticeDecisionInput{Hash: a.Hash}); err != nil {
				t.Fatal(err)
			}
			return a
		}
		approve(herald.TenantNoticeApproved)
		// An edit that changes no words asks nothing.
		off := false
		if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{AutoTransition: &off}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.db.Maintenances.Maintenance(f.ctx, m.ID); len(got.NoticeApprovals) != 1 {
			t.Fatalf("asked on an edit without words: %+v", got.NoticeApprovals)
		}
		move := func(from time.Time) {
			t.Helper()
			until := from.Add(2 * time.Hour)
			if _, err := f.db.Maintenances.UpdateMaintenance(f.ctx, f.alice, m.ID, herald.MaintenanceInput{ScheduledFor: &from, ScheduledUntil: &until}); err != nil {
				t.Fatal(err)
			}
		}
		move(time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC))
		a := approve(herald.TenantNoticeRescheduled)
		if !strings.Contains(a.Body, "Window: 2026-11-23 20:00 UTC to 2026-11-23 22:00 UTC") || !strings.Contains(a.Subject, "rescheduled") {
			t.Errorf("rescheduled text:\n%s", a.Body)
		}
		move(time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC))
		a = approve(herald.TenantNoticeRescheduled)
		if !strings.Contains(a.Body, "Window: 2026-11-24 02:00 UTC to 2026-11-24 04:00 UTC") {
			t.Errorf("second rescheduled text:\n%s", a.Body)
		}
		if _, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.alice, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceCancelled, Body: "Not needed"}); err != nil {
			t.Fatal(err)
		}
		a = approve(herald.TenantNoticeCancelled)
		if !strings.Contains(a.Body, "was cancelled at") || !strings.Contains(a.Body, "would have been affected: {affected}") {
			t.Errorf("cancelled text:\n%s", a.Body)
		}
		got, _ := f.db.Maintenances.Maintenance(f.ctx, m.ID)
		by := noticesByEvent(got)
		if len(by[herald.TenantNoticeApproved]) != 2 || len(by[herald.TenantNoticeRescheduled]) != 4 || len(by[herald.TenantNoticeCancelled]) != 2 {
			t.Fatalf("notices: %+v", got.TenantNotices)
		}
		for _, n := range by[herald.TenantNoticeCancelled] {
			if n.Affected != (n.TenantName == "Acme") {
				t.Errorf("cancelled notice: %+v", n)
			}
		}
	})
}

func TestRule33_CancelBeforeTheTenantsWereToldTellsNobody(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		m := f.emergencyWithTenants(t)
		if _, err := f.db.Maintenances.ApproveMaintenance(f.ctx, f.carol, m.ID, herald.ApprovalInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.alice, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceCancelled, Body: "Not needed"}); err != nil {
			t.Fatal(err)
		}
		got, _ := f.db.Maintenances.Maintenance(f.ctx, m.ID)
		if len(got.NoticeApprovals) != 1 || got.NoticeApprovals[0].Status != herald.ApprovalVoid || len(got.TenantNotices) != 0 {
			t.Fatalf("cancelled before the planned notice went: %+v %+v", got.NoticeApprovals, got.TenantNotices)
		}
	})
}

func TestRule33_EmergencyNoticesQueueEveryTenantInBatches(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		if _, err := f.db.Teams.CreateTeam(f.ctx, herald.TeamInput{Name: "Security", Members: []string{"bob@example.com"}}); err != nil {
			t.Fatal(err)
		}
		// More than two batches, and one more than a whole number of them.
		const n = 2*100 + 1
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("T%03d", i)
			if _, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, herald.TenantInput{Name: names[i], PrimaryRegion: "us-east-1", Emails: []string{"ops@t" + fmt.Sprint(i) + ".example"}}); err != nil {
				t.Fatal(err)
			}
		}
		m := f.maintenanceOf(t, window("CVE patch", f.clock.Now().Add(time.Hour), time.Hour, herald.KindEmergency, true))
		if _, err := f.db.Tenants.SetMaintenanceTenants(f.ctx, f.alice, m.ID, herald.TenantLinksInput{Tenants: names}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Maintenances.ApproveMaintenance(f.ctx, f.carol, m.ID, herald.ApprovalInput{}); err != nil {
			t.Fatal(err)
		}
		a := f.pendingNotice(t, m.ID)
		if _, err := f.db.Notices.ApproveNotice(f.ctx, f.bob, a.ID, herald.NoticeDecisionInput{}); err != nil {
			t.Fatal(err)
		}
		got, _ := f.db.Maintenances.Maintenance(f.ctx, m.ID)
		seen := map[string]bool{}
		for _, x := range got.TenantNotices {
			if !strings.HasPrefix(x.To, "ops@t") || !strings.Contains(x.Subject, "CVE patch") {
				t.Errorf("notice: %+v", x)
			}
			seen[x.TenantName] = true
		}
		if len(got.TenantNotices) != n || len(seen) != n {
			t.Fatalf("%d notices to %d tenants, want %d", len(got.TenantNotices), len(seen), n)
		}
	})
}
