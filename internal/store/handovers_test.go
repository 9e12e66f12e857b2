package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// commsRotation makes the communications rotation: Alice from now for a
// day, then Bob, handing over daily at 09:00 (the clock starts at 09:00).
func (f *fixture) commsRotation(t *testing.T) *herald.Schedule {
	t.Helper()
	sch, err := f.db.Schedules.CreateSchedule(f.ctx, herald.ScheduleInput{Name: "Comms", Layers: []herald.Layer{{Rotation: herald.RotationDaily,
		HandoffTime: "09:00", Start: f.clock.Now(), Users: []string{f.alice.User.ID, f.bob.User.ID}}}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.db.Settings.Settings(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Handover.Rotations = map[string]string{herald.RoleCommunications: "Comms"}
	if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
		t.Fatal(err)
	}
	return sch
}

func (f *fixture) onlyHandover(t *testing.T, as herald.Actor) herald.Handover {
	t.Helper()
	list, err := f.db.Handovers.Handovers(f.ctx, as, herald.HandoverFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("handovers: %+v %v", list, err)
	}
	return list[0]
}

func (f *fixture) playbook(t *testing.T) {
	t.Helper()
	if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
		t.Fatal(err)
	}
}

// A shift in which nothing happened still ends with a handover record,
// drafted by the playbook when the shift ends, from Alice to Bob.
func TestRule60_QuietShiftGetsARecord(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.commsRotation(t)
		f.playbook(t)
		if list, _ := f.db.Handovers.Handovers(f.ctx, f.alice, herald.HandoverFilter{}); len(list) != 0 {
			t.Fatalf("a record before the shift ended: %+v", list)
		}
		f.clock.Advance(24*time.Hour + time.Minute)
		f.playbook(t)
		f.playbook(t) // again: still one record
		h := f.onlyHandover(t, f.alice)
		end := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		if h.UserID != f.alice.User.ID || h.IncomingID != f.bob.User.ID || !h.ShiftEnd.Equal(end) || h.Status != herald.HandoverDraft ||
			len(h.Roles) != 1 || h.Roles[0] != herald.RoleCommunications || h.ScheduleName != "Comms" {
			t.Fatalf("record: %+v", h)
		}
		for _, key := range []string{herald.SectionIncidents, herald.SectionNoticeThreads, herald.SectionApprovals, herald.SectionContactRequests,
			herald.SectionTickets, herald.SectionMaintenances, herald.SectionOverrides, herald.SectionGaps} {
			sec, ok := h.Section(key)
			if !ok || len(sec.Items) != 0 {
				t.Fatalf("section %s of a quiet shift: %+v %v", key, sec, ok)
			}
		}
		for _, sec := range h.Sections {
			if sec.Pending {
				t.Fatalf("section %s is not drafted", sec.Key)
			}
		}
	})
}

// The draft lists the ongoing incident with its next update due, the open
// customer-notice thread, the open contact request, the maintenance of
// the next shift and the gap after it; submitting before the shift ends
// is refused naming shift_end; submitting after moves the incident role
// and the thread's ownership to the incoming person, on the timeline, and
// leaves the contact request with its owner; the incoming person
// acknowledges.
func TestRule60_DraftSubmitReassignsRolesAndThreadsNotContactRequests(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		sch := f.commsRotation(t)
		// Nobody on call from 09:00 on the 25th, after Bob's shift.
		if _, err := f.db.Schedules.AddOverride(f.ctx, f.alice, sch.ID, herald.OverrideInput{User: f.carol.User.ID,
			Start: f.clock.Now().Add(30 * time.Hour), End: f.clock.Now().Add(32 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		inc := f.declare(t, herald.S2)
		if _, err := f.db.Incidents.AssignRole(f.ctx, f.alice, inc.Reference, herald.RoleCommunications, herald.RoleInput{User: f.alice.User.ID}); err != nil {
			t.Fatal(err)
		}
		api := f.component(t, "API", "")
		f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, inc.ID)
		tn := f.berlinTenant(t, "Acme")
		if _, err := f.db.Tenants.SetIncidentTenants(f.ctx, f.alice, inc.Reference, herald.TenantLinksInput{Tenants: []string{tn.ID}}); err != nil {
			t.Fatal(err)
		}
		opened, err := f.db.Notices.OpenIncidentNotices(f.ctx, f.alice, inc.Reference)
		if err != nil || len(opened.Threads) != 1 || opened.Threads[0].OwnerID != f.alice.User.ID {
			t.Fatalf("threads: %+v %v", opened, err)
		}
		thread := opened.Threads[0]
		// A security message waits for the security team (R44): the next
		// shift decides or sends it.
		if _, err := f.db.Teams.CreateTeam(f.ctx, herald.TeamInput{Name: "Security", Members: []string{f.bob.User.Email}}); err != nil {
			t.Fatal(err)
		}
		ask, err := f.db.Notices.RequestNoticeApproval(f.ctx, f.alice, thread.ID, herald.NoticeSendInput{Body: "We rotated a certificate.", Class: herald.ClassSecurity})
		if err != nil {
			t.Fatal(err)
		}
		// A sweep found a ticket without the incident's tag (R20): the next
		// shift takes it over.
		if _, err := f.db.Tickets.ConnectTicketSystem(f.ctx, f.alice, herald.TicketConnectionInput{Kind: "zendesk", URL: "http://127.0.0.1:9/",
			Email: "agent@example.com", Token: "t"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Tickets.SetIncidentTickets(f.ctx, f.alice, inc.Reference, herald.TicketCouplingInput{Keywords: []string{"API"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Tickets.Sweep(f.ctx, f.alice, inc.Reference, herald.SweepInput{}); err != nil {
			t.Fatal(err)
		}
		job, err := f.db.Work.ClaimTicketSweep(f.ctx)
		if err != nil || job == nil {
			t.Fatalf("claim sweep: %v %v", job, err)
		}
		if err := f.db.Work.FinishTicketSweep(f.ctx, job, []herald.Ticket{{ID: "4711", Subject: "API down?"}}, nil, nil); err != nil {
			t.Fatal(err)
		}
		req, err := f.db.Requests.OpenContactRequest(f.ctx, f.alice, herald.ContactRequestInput{From: "security", Recipients: []string{"ops@acme.example"},
			Reason: "Rotate keys", Message: "Please rotate your keys."})
		if err != nil {
			t.Fatal(err)
		}
		f.maintenanceOf(t, window("Emergency patch", f.clock.Now().Add(26*time.Hour), time.Hour, herald.KindEmergency, true))

		// Early: a draft of the current shift, refused on submit.
		early, err := f.db.Handovers.StartHandover(f.ctx, f.alice, herald.HandoverStart{Schedule: "Comms"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Handovers.SubmitHandover(f.ctx, f.alice, early.ID, herald.HandoverEdit{Note: "too soon"})
		if e, ok := err.(*herald.Error); !ok || e.Code != herald.EUnprocessable || e.Fields["shift_end"] == "" {
			t.Fatalf("early submit: %v", err)
		}
		if _, err := f.db.Handovers.StartHandover(f.ctx, f.bob, herald.HandoverStart{Schedule: "Comms"}); herald.ErrorCode(err) != herald.EUnprocessable {
			t.Fatalf("Bob is not on call yet: %v", err)
		}
		if _, err := f.db.Handovers.SaveHandover(f.ctx, f.alice, early.ID, herald.HandoverEdit{Note: "Acme is nervous",
			Items: []herald.HandoverItemEdit{{Section: herald.SectionIncidents, Ref: inc.Reference, Note: "DB team on it"}}}); err != nil {
			t.Fatal(err)
		}

		f.clock.Advance(24*time.Hour + time.Minute)
		f.playbook(t)
		h := f.onlyHandover(t, f.alice)
		if h.ID != early.ID || h.Note != "Acme is nervous" || !h.DraftedAt.After(h.ShiftEnd) {
			t.Fatalf("the early draft was not drafted again at the end with the edits kept: %+v", h)
		}
		incs, _ := h.Section(herald.SectionIncidents)
		if len(incs.Items) != 1 || incs.Items[0].Ref != inc.Reference || incs.Items[0].Due == nil || !incs.Items[0].Reassign ||
			incs.Items[0].Note != "DB team on it" {
			t.Fatalf("incidents: %+v", incs)
		}
		threads, _ := h.Section(herald.SectionNoticeThreads)
		if len(threads.Items) != 1 || threads.Items[0].Ref != thread.ID || !threads.Items[0].Reassign {
			t.Fatalf("threads: %+v", threads)
		}
		pending, _ := h.Section(herald.SectionApprovals)
		if len(pending.Items) != 1 || pending.Items[0].Ref != ask.ID || pending.Pending || !strings.Contains(pending.Items[0].Detail, "awaiting approval") {
			t.Fatalf("approvals: %+v", pending)
		}
		tickets, _ := h.Section(herald.SectionTickets)
		if len(tickets.Items) != 1 || tickets.Items[0].Ref != "4711" || tickets.Items[0].Title != "API down?" || tickets.Pending {
			t.Fatalf("tickets: %+v", tickets)
		}
		reqs, _ := h.Section(herald.SectionContactRequests)
		if len(reqs.Items) != 1 || reqs.Items[0].Ref != req.ID || reqs.Items[0].Reassign || reqs.Items[0].Movable {
			t.Fatalf("contact requests: %+v", reqs)
		}
		maint, _ := h.Section(herald.SectionMaintenances)
		if len(maint.Items) != 1 || maint.Items[0].Title != "Emergency patch" || maint.Items[0].Detail != herald.KindEmergency.Title() {
			t.Fatalf("maintenances: %+v", maint)
		}
		over, _ := h.Section(herald.SectionOverrides)
		if len(over.Items) != 1 || over.Items[0].OwnerID != f.carol.User.ID {
			t.Fatalf("overrides: %+v", over)
		}
		gaps, _ := h.Section(herald.SectionGaps)
		if len(gaps.Items) != 0 {
			t.Fatalf("gaps (Bob and then Carol cover the day): %+v", gaps)
		}

		// Bad edits name the field and change nothing.
		yes := true
		_, err = f.db.Handovers.SubmitHandover(f.ctx, f.alice, h.ID, herald.HandoverEdit{Items: []herald.HandoverItemEdit{
			{Section: herald.SectionContactRequests, Ref: req.ID, Reassign: &yes}, {Section: herald.SectionIncidents, Ref: "INC-999"}}})
		if e, ok := err.(*herald.Error); !ok || e.Fields["items[0].reassign"] == "" || e.Fields["items[1]"] == "" {
			t.Fatalf("bad edit: %v", err)
		}
		if _, err := f.db.Handovers.SubmitHandover(f.ctx, f.bob, h.ID, herald.HandoverEdit{}); herald.ErrorCode(err) != herald.EForbidden {
			t.Fatalf("Bob submitting Alice's handover: %v", err)
		}
		if _, err := f.db.Handovers.AcknowledgeHandover(f.ctx, f.bob, h.ID); herald.ErrorCode(err) != herald.EUnprocessable {
			t.Fatalf("acknowledging a draft: %v", err)
		}
		if got, _ := f.db.Incidents.Incident(f.ctx, inc.Reference); got.Roles[0].UserID == f.bob.User.ID {
			t.Fatal("a refused submit moved a role")
		}

		done, err := f.db.Handovers.SubmitHandover(f.ctx, f.alice, h.ID, herald.HandoverEdit{Note: "Acme is nervous; call them at noon"})
		if err != nil || done.Status != herald.HandoverSubmitted || len(done.Reassigned) != 2 {
			t.Fatalf("submit: %+v %v", done, err)
		}
		got, err := f.db.Incidents.Incident(f.ctx, inc.Reference)
		if err != nil {
			t.Fatal(err)
		}
		if a, ok := got.Role(herald.RoleCommunications); !ok || a.UserID != f.bob.User.ID {
			t.Fatalf("communications after the handover: %+v", got.Roles)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryRoleChange)
		if last := tl[len(tl)-1]; !strings.Contains(last.Text, "Bob is now the Communications Manager") || !strings.Contains(last.Text, "taking over from Alice") {
			t.Fatalf("role change on the timeline: %+v", last)
		}
		notes, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryNotice)
		if last := notes[len(notes)-1]; !strings.Contains(last.Text, "now owned by Bob") {
			t.Fatalf("thread owner on the timeline: %+v", last)
		}
		if th, _ := f.db.Notices.NoticeThread(f.ctx, thread.ID); th.OwnerID != f.bob.User.ID {
			t.Fatalf("thread owner: %s", th.OwnerName)
		}
		if r, _ := f.db.Requests.ContactRequest(f.ctx, req.ID); r.OwnerID != f.alice.User.ID {
			t.Fatalf("the contact request moved to %s; it stays with its creator", r.Owner)
		}
		if _, err := f.db.Handovers.SubmitHandover(f.ctx, f.alice, h.ID, herald.HandoverEdit{}); herald.ErrorCode(err) != herald.EConflict {
			t.Fatalf("submitting twice: %v", err)
		}

		if _, err := f.db.Handovers.AcknowledgeHandover(f.ctx, f.alice, h.ID); herald.ErrorCode(err) != herald.EForbidden {
			t.Fatalf("the outgoing person acknowledging: %v", err)
		}
		ack, err := f.db.Handovers.AcknowledgeHandover(f.ctx, f.bob, h.ID)
		if err != nil || ack.Status != herald.HandoverAcknowledged || ack.AcknowledgedBy != f.bob.User.ID {
			t.Fatalf("ack: %+v %v", ack, err)
		}
	})
}

func promptCount(t *testing.T, f *fixture, kind, userID string) int {
	t.Helper()
	var n int
	if err := f.db.SQL().QueryRowContext(f.ctx, `SELECT count(*) FROM prompts WHERE kind = $1 AND user_id = $2`, kind, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A handover not submitted reminds the outgoing person after
// handover.remind_after, then the managers of their team after
// handover.manager_after, once each; a submitted one reminds nobody.
func TestRule60_MissingHandoverRemindsOutgoingThenManager(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.commsRotation(t)
		if _, err := f.db.Teams.CreateTeam(f.ctx, herald.TeamInput{Name: "Comms team", Members: []string{"alice@example.com", "carol@example.com"}}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(24*time.Hour + time.Minute)
		f.playbook(t)
		if promptCount(t, f, herald.PromptHandoverDue, f.alice.User.ID) != 0 {
			t.Fatal("reminded before remind_after")
		}
		f.clock.Advance(30 * time.Minute)
		f.playbook(t)
		f.playbook(t)
		if promptCount(t, f, herald.PromptHandoverDue, f.alice.User.ID) != 1 || promptCount(t, f, herald.PromptHandoverMissing, f.carol.User.ID) != 0 {
			t.Fatal("after 31 minutes: Alice once, her manager not yet")
		}
		f.clock.Advance(90 * time.Minute)
		f.playbook(t)
		if promptCount(t, f, herald.PromptHandoverMissing, f.carol.User.ID) != 1 || promptCount(t, f, herald.PromptHandoverMissing, f.bob.User.ID) != 0 ||
			promptCount(t, f, herald.PromptHandoverDue, f.alice.User.ID) != 1 {
			t.Fatal("after 2 hours: Carol (Alice's team's manager) once, nobody else")
		}

		// Bob's shift: he submits in time, nobody is reminded.
		f.clock.Advance(22 * time.Hour)
		f.playbook(t)
		list, _ := f.db.Handovers.Handovers(f.ctx, f.bob, herald.HandoverFilter{Status: herald.HandoverDraft, Mine: true})
		var bobs *herald.Handover
		for i := range list {
			if list[i].UserID == f.bob.User.ID {
				bobs = &list[i]
			}
		}
		if bobs == nil {
			t.Fatalf("Bob's handover: %+v", list)
		}
		if _, err := f.db.Handovers.SubmitHandover(f.ctx, f.bob, bobs.ID, herald.HandoverEdit{Note: "quiet"}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(3 * time.Hour)
		f.playbook(t)
		if promptCount(t, f, herald.PromptHandoverDue, f.bob.User.ID) != 0 {
			t.Fatal("a submitted handover was reminded")
		}
	})
}

// Only the rotation (its layers' and overrides' people) and admins read a
// handover; anyone else is told it does not exist.
func TestRule60_HandoverIsConfidentialToTheRotation(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.commsRotation(t)
		f.clock.Advance(24*time.Hour + time.Minute)
		f.playbook(t)
		h := f.onlyHandover(t, f.bob)
		if _, err := f.db.Handovers.Handover(f.ctx, f.carol, h.ID); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("Carol is not in the rotation: %v", err)
		}
		if list, _ := f.db.Handovers.Handovers(f.ctx, f.carol, herald.HandoverFilter{}); len(list) != 0 {
			t.Fatalf("Carol's list: %+v", list)
		}
		if _, err := f.db.Handovers.SaveHandover(f.ctx, f.carol, h.ID, herald.HandoverEdit{Note: "x"}); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("Carol editing: %v", err)
		}
		admin := f.carol
		admin.Role = herald.RoleAdmin
		if got, err := f.db.Handovers.Handover(f.ctx, admin, h.ID); err != nil || got.ID != h.ID {
			t.Fatalf("an admin reads it: %v", err)
		}
		// An override puts Carol in the rotation.
		if _, err := f.db.Schedules.AddOverride(f.ctx, f.alice, "Comms", herald.OverrideInput{User: f.carol.User.ID,
			Start: f.clock.Now().Add(time.Hour), End: f.clock.Now().Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Handovers.Handover(f.ctx, f.carol, h.ID); err != nil {
			t.Fatalf("Carol with an override: %v", err)
		}
	})
}

// During an incident the role's holder hands it over live: the role moves
// and the timeline records both people and the note; nobody else may, and
// the note is required.
func TestRule60_LiveHandoverDuringAnIncident(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc := f.declare(t, herald.S2)
		if _, err := f.db.Incidents.AssignRole(f.ctx, f.alice, inc.Reference, herald.RoleCommunications, herald.RoleInput{User: f.alice.User.ID}); err != nil {
			t.Fatal(err)
		}
		in := herald.RoleHandoverInput{To: "bob@example.com", Note: "Next update due 10:15; Acme waits for a call"}
		if _, err := f.db.Handovers.HandOverRole(f.ctx, f.carol, inc.Reference, herald.RoleCommunications, in); herald.ErrorCode(err) != herald.EForbidden {
			t.Fatalf("Carol does not hold the role: %v", err)
		}
		_, err := f.db.Handovers.HandOverRole(f.ctx, f.alice, inc.Reference, herald.RoleCommunications, herald.RoleHandoverInput{To: "bob@example.com"})
		if e, ok := err.(*herald.Error); !ok || e.Fields["note"] == "" {
			t.Fatalf("no note: %v", err)
		}
		if _, err := f.db.Handovers.HandOverRole(f.ctx, f.alice, inc.Reference, herald.RoleIncidentLead, in); herald.ErrorCode(err) != herald.EUnprocessable {
			t.Fatalf("a role nobody holds: %v", err)
		}
		got, err := f.db.Handovers.HandOverRole(f.ctx, f.alice, inc.Reference, herald.RoleCommunications, in)
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := got.Role(herald.RoleCommunications); a.UserID != f.bob.User.ID {
			t.Fatalf("roles: %+v", got.Roles)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryRoleChange)
		last := tl[len(tl)-1]
		if !strings.Contains(last.Text, "Alice handed the Communications Manager role over to Bob") || !strings.Contains(last.Text, in.Note) {
			t.Fatalf("timeline: %+v", last)
		}
	})
}

// A role without a rotation in the settings takes the schedules of the
// first escalation level of its service (role_services); and that
// rotation's shifts get records like any other.
func TestRule60_RotationDerivedFromTheRolesService(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		sch, err := f.db.Schedules.CreateSchedule(f.ctx, herald.ScheduleInput{Name: "IMOC", Layers: []herald.Layer{{Rotation: herald.RotationDaily,
			HandoffTime: "09:00", Start: f.clock.Now(), Users: []string{f.carol.User.ID, f.alice.User.ID}}}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.db.Paging.CreateEscalationPolicy(f.ctx, herald.EscalationPolicyInput{Name: "IMOC policy", Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 5, Targets: []herald.Target{{Type: herald.TargetSchedule, ID: sch.ID}}},
			{TimeoutMinutes: 5, Targets: []herald.Target{{Type: herald.TargetUser, ID: f.bob.User.ID}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Paging.CreateService(f.ctx, herald.ServiceInput{Name: "Incident Management - IMOC", EscalationPolicyID: p.ID}); err != nil {
			t.Fatal(err)
		}
		s, _ := f.db.Settings.Settings(f.ctx)
		s.RoleServices = map[string]string{herald.RoleIncidentLead: "Incident Management - IMOC"}
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		rots, err := f.db.Handovers.HandoverRotations(f.ctx)
		if err != nil || len(rots) != 2 {
			t.Fatalf("rotations: %+v %v", rots, err)
		}
		if r := rots[1]; r.Role != herald.RoleIncidentLead || r.ScheduleID != sch.ID || r.Source != "service" {
			t.Fatalf("incident lead: %+v", r)
		}
		if r := rots[0]; r.Role != herald.RoleCommunications || r.ScheduleID != "" || r.Problem == "" {
			t.Fatalf("communications (unbound): %+v", r)
		}
		f.clock.Advance(24*time.Hour + time.Minute)
		f.playbook(t)
		h := f.onlyHandover(t, f.carol)
		if h.UserID != f.carol.User.ID || h.IncomingID != f.alice.User.ID || len(h.Roles) != 1 || h.Roles[0] != herald.RoleIncidentLead {
			t.Fatalf("record: %+v", h)
		}
	})
}

// The measures report counts the rotation's shifts that ended in the
// period and the handovers submitted for them (R60, R62), and a practice
// run as a training event of each participant in its quarter (R63, R62).
func TestRule62_HandoversSubmittedAndTrainingEvents(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.withoutTimeRules(t)
		f.service(t, "API", "", nil)
		from := f.clock.Now()
		f.commsRotation(t)
		if _, err := f.db.Practice.StartPractice(f.ctx, f.alice, herald.PracticeStartInput{Scenario: drill}); err != nil {
			t.Fatal(err)
		}
		// Two shifts end (Alice's, then Bob's); Alice hands over, Bob does not.
		f.clock.Advance(24*time.Hour + time.Minute)
		f.playbook(t)
		h := f.onlyHandover(t, f.alice)
		if _, err := f.db.Handovers.SubmitHandover(f.ctx, f.alice, h.ID, herald.HandoverEdit{Note: "quiet"}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(24 * time.Hour)
		f.playbook(t)
		r, err := f.db.Incidents.MeasuresReport(f.ctx, herald.MeasuresQuery{From: from, To: f.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if r.Handovers.Shifts != 2 || r.Handovers.Submitted != 1 || r.Handovers.ShareSubmitted == nil || *r.Handovers.ShareSubmitted != 0.5 {
			t.Fatalf("handovers: %+v", r.Handovers)
		}
		q := herald.Quarter(from)
		if len(r.Training) != 2 || r.Training[0].Name != f.alice.User.Name || r.Training[0].Quarter != q || r.Training[0].Events != 1 ||
			r.Training[1].UserID != f.bob.User.ID {
			t.Fatalf("training: %+v", r.Training)
		}
		// Bob's own: one shift, not handed over; one practice.
		rb, err := f.db.Incidents.MeasuresReport(f.ctx, herald.MeasuresQuery{From: from, To: f.clock.Now(), Person: f.bob.User.ID})
		if err != nil {
			t.Fatal(err)
		}
		if rb.Handovers.Shifts != 1 || rb.Handovers.Submitted != 0 || len(rb.Training) != 1 || rb.Training[0].UserID != f.bob.User.ID {
			t.Fatalf("bob: %+v %+v", rb.Handovers, rb.Training)
		}
	})
}

// The words of an emergency maintenance's notices waiting for the
// security team (R33, R44) are handed over with the thread approvals.
func TestRule60_HandoverListsEmergencyWordsAwaitingTheSecurityTeam(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.commsRotation(t)
		m := f.emergencyWithTenants(t)
		if _, err := f.db.Maintenances.ApproveMaintenance(f.ctx, f.carol, m.ID, herald.ApprovalInput{}); err != nil {
			t.Fatal(err)
		}
		a := f.pendingNotice(t, m.ID)
		f.clock.Advance(24*time.Hour + time.Minute)
		f.playbook(t)
		h := f.onlyHandover(t, f.alice)
		sec, _ := h.Section(herald.SectionApprovals)
		if len(sec.Items) != 1 || sec.Items[0].Ref != a.ID || !strings.Contains(sec.Items[0].Title, "each tenant linked to") ||
			!strings.Contains(sec.Items[0].Detail, "awaiting approval") {
			t.Fatalf("approvals: %+v", sec)
		}
	})
}
