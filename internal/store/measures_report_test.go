package store_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// fixedClock is the injected clock of the R62 worlds: it stands still at
// a time after the period they measure.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// mWorld is a small month, March 2026, whose measures were counted by hand.
type mWorld struct {
	db               *store.DB
	alice, bob       string // alice communicates, bob leads
	from, to, now    time.Time
	inc1, inc2, inc4 string
	openFrom         time.Time // INC-2's last update: its interval runs to now
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func tp(t time.Time) *time.Time { return &t }

func newMWorld(t *testing.T, d store.Dialect) *mWorld {
	t.Helper()
	w := &mWorld{from: at("2026-03-01 00:00"), to: at("2026-04-01 00:00"), now: at("2026-04-15 12:00")}
	w.db = testdb.Open(t, d, fixedClock{w.now})
	ctx := context.Background()
	a, err := w.db.People.CreateUser(ctx, herald.UserInput{Name: "Alice Comms", Email: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.db.People.CreateUser(ctx, herald.UserInput{Name: "Bob Lead", Email: "bob@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	w.alice, w.bob = a.ID, b.ID
	w.inc1, w.inc2, w.inc4 = "i1", "i2", "i4"
	r := newRows(t, w.db.SQL())
	r.service("svc")
	const comms, lead = herald.RoleCommunications, herald.RoleIncidentLead

	// INC-1, S1, Monday 2 March 10:00, resolved two hours later.
	t0 := at("2026-03-02 10:00")
	r.incident("i1", 1, "S1", "resolved", w.alice, t0, tp(t0.Add(2*time.Hour)), nil)
	r.role("i1", comms, w.alice, t0)
	r.role("i1", lead, w.bob, t0)
	r.page("p1", "svc", "incident/i1/communications", "i1", comms, t0, tp(t0.Add(5*time.Minute)))
	r.page("p2", "svc", "incident/i1/incident_lead", "i1", lead, t0, tp(t0.Add(20*time.Minute)))
	r.notification("n1", "p1", w.alice, 0, false, t0)
	r.notification("n2", "p2", w.bob, 0, false, t0)
	r.statusIncident("si1", "i1", t0)
	// S1 cadence: 10 minutes investigating and identified.
	r.update("u1", "si1", "investigating", 0, t0)
	r.update("u2", "si1", "investigating", 0, t0.Add(8*time.Minute)) // on time
	r.update("u3", "si1", "identified", 0, t0.Add(25*time.Minute))   // 17m: 7 late
	r.update("u4", "si1", "identified", 60, t0.Add(30*time.Minute))  // 5m: on time; announces 60m
	r.update("u5", "si1", "resolved", 0, t0.Add(100*time.Minute))    // 70m: 10 late
	r.entry("i1", t0.Add(time.Minute), `{"severity":"S1","stakeholder_notice":true}`)
	r.entry("i1", t0.Add(time.Hour), `{"internal_update_id":"x","stakeholder_notice":true}`)
	r.entry("i1", t0.Add(time.Hour), "")
	r.entry("i1", t0.Add(time.Hour), `{"stakeholder_notice":false}`)

	// INC-2, S2, Saturday 7 March 03:00 (out of hours), still open.
	t2 := at("2026-03-07 03:00")
	r.incident("i2", 2, "S2", "investigating", w.alice, t2, nil, nil)
	r.role("i2", comms, w.alice, t2)
	r.page("p4", "svc", "incident/i2/communications", "i2", comms, t2, tp(t2.Add(30*time.Minute)))
	r.page("p5", "svc", "incident/i2/incident_lead", "i2", lead, t2, nil)
	r.page("p7", "svc", "incident/i2/communications/cover", "i2", comms, t2, tp(t2.Add(40*time.Minute))) // cover: not the role's page
	r.notification("n4", "p4", w.alice, 0, false, t2)
	r.notification("n4s", "p4", w.bob, 0, true, t2) // a shadow: not bob's page
	r.notification("n5", "p5", w.bob, 0, false, t2)
	r.statusIncident("si2", "i2", t2)
	w.openFrom = t2.Add(10 * time.Minute)
	r.update("u6", "si2", "investigating", 0, w.openFrom) // S2 investigating: 15m; open to now
	r.entry("i2", t2, `{"stakeholder_notice":true}`)

	// INC-3, before the period: counts nowhere.
	t3 := at("2026-02-20 12:00")
	r.incident("i3", 3, "S1", "resolved", w.bob, t3, tp(t3.Add(time.Hour)), nil)
	r.page("p3", "svc", "incident/i3/communications", "i3", comms, t3, tp(t3.Add(time.Minute)))
	r.notification("n3", "p3", w.alice, 0, false, t3)
	r.entry("i3", t3, `{"stakeholder_notice":true}`)

	// INC-4, S1, Tuesday 3 March 10:00; impact began an hour before; resolved 4h later.
	t4 := at("2026-03-03 10:00")
	r.incident("i4", 4, "S1", "resolved", w.bob, t4, tp(t4.Add(4*time.Hour)), tp(t4.Add(-time.Hour)))
	r.role("i4", lead, w.bob, t4)
	r.page("p8", "svc", "incident/i4/incident_lead", "i4", lead, t4, tp(t4.Add(10*time.Minute)))
	r.notification("n8", "p8", w.bob, 0, false, t4)

	// An alert's page on Wednesday 4 March 20:00 (out of hours), alice at two levels.
	t6 := at("2026-03-04 20:00")
	r.page("p6", "svc", "alert-1", "", "", t6, nil)
	r.notification("n6a", "p6", w.alice, 0, false, t6)
	r.notification("n6b", "p6", w.alice, 1, false, t6.Add(5*time.Minute))

	// Customer notices: INC-1's thread (alice), tenant hours Mon-Fri 09-17 UTC.
	r.add("tenants", colsTenant, "acme", "Acme", "1", "us-east-1", false, "", "[]", "{}", "",
		`{"days":["monday","tuesday","wednesday","thursday","friday"],"start":"09:00","end":"17:00","time_zone":"UTC"}`, "standard", 1, int64(0), int64(0))
	r.add("notice_threads", colsThread, "th1", "tok1", "incident", "i1", "i1", "acme", "Notice", "t", "AMER", "ops@acme.example", "[]", w.alice, us(t0), us(t0.Add(5*time.Hour)))
	r.add("notice_threads", colsThread, "th2", "tok2", "incident", "i2", "i2", "acme", "Notice", "t", "AMER", "ops@acme.example", "[]", w.bob, us(t2), us(at("2026-03-07 12:00")))
	s1 := time.Duration(herald.DefaultNoticeSettings().S1Interval)
	m1 := t0.Add(10 * time.Minute)
	m2 := m1.Add(s1 - time.Minute)   // on time
	m3 := m2.Add(s1 + 5*time.Minute) // 5 minutes late
	msg := func(id, dir string, at time.Time) {
		r.add("notice_messages", colsMessage, id, "th1", dir, "", "s", "b", id+"@x", "", "a@x", w.alice, "Alice", "", us(at))
	}
	msg("m1", "out", m1)
	msg("m1r", "in", m1.Add(time.Minute)) // a reply owes nothing
	msg("m2", "out", m2)
	msg("m3", "out", m3)

	// Contact requests.
	cr := func(id, owner, status string, created time.Time, due, closed *time.Time) {
		r.add("contact_requests", colsRequest, id, "security", `["x@example.com"]`, "why", "what", nullUs(due), owner, status, us(created), nullUs(closed))
	}
	cr("cr1", w.alice, "done", t0, tp(t0.Add(24*time.Hour)), tp(t0.Add(time.Hour)))
	cr("cr2", w.bob, "done", t4, tp(t4.Add(time.Hour)), tp(t4.Add(2*time.Hour)))
	cr("cr3", w.alice, "cancelled", t4, nil, tp(t4.Add(time.Hour)))
	cr("cr4", w.alice, "open", t6, nil, nil)
	cr("cr5", w.alice, "done", t3, nil, tp(t3.Add(time.Hour)))
	r.flush()
	return w
}

func ptrInt(v int) *int { return &v }

func eqInt(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func eqShare(a *float64, b float64) bool { return a != nil && *a > b-1e-9 && *a < b+1e-9 }

func role(r herald.MeasuresReport, key string) herald.RoleAckStats {
	for _, a := range r.Acknowledgement {
		if a.Role == key {
			return a
		}
	}
	return herald.RoleAckStats{}
}

func sev(r herald.MeasuresReport, s herald.Severity) herald.SeverityStats {
	for _, x := range r.Severities {
		if x.Severity == s {
			return x
		}
	}
	return herald.SeverityStats{}
}

func personPages(r herald.MeasuresReport, id string) herald.PersonPages {
	for _, p := range r.Pages {
		if p.UserID == id {
			return p
		}
	}
	return herald.PersonPages{}
}

func TestRule62_ReportMeasuresEachOnAHandMadeMonth(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		w := newMWorld(t, d)
		ctx := context.Background()
		r, err := w.db.Incidents.MeasuresReport(ctx, herald.MeasuresQuery{From: w.from, To: w.to})
		if err != nil {
			t.Fatal(err)
		}
		if r.AckTargetS != 900 || r.Person != nil {
			t.Errorf("target %d person %v", r.AckTargetS, r.Person)
		}
		// Time to acknowledge: communications 5m and 30m (cover page left
		// out); incident lead 20m, 10m and one never acknowledged.
		c := role(r, herald.RoleCommunications)
		if c.Pages != 2 || c.Acknowledged != 2 || !eqInt(c.P50S, ptrInt(300)) || !eqInt(c.P90S, ptrInt(1800)) || c.WithinTarget != 1 || !eqShare(c.ShareWithinTarget, 0.5) {
			t.Errorf("communications %+v", c)
		}
		l := role(r, herald.RoleIncidentLead)
		if l.Pages != 3 || l.Acknowledged != 2 || !eqInt(l.P50S, ptrInt(600)) || !eqInt(l.P90S, ptrInt(1200)) || l.WithinTarget != 1 || !eqShare(l.ShareWithinTarget, 1.0/3) {
			t.Errorf("incident lead %+v", l)
		}
		if e := role(r, herald.RoleEngineerOnCall); e.Pages != 0 || e.P50S != nil || e.ShareWithinTarget != nil {
			t.Errorf("engineer %+v", e)
		}
		// Cadence: INC-1's four intervals (two late by 7 and 10 minutes),
		// INC-2's open one late by all but its 15 minutes.
		openLate := w.now.Sub(w.openFrom) - 15*time.Minute
		wantLate := int((17*time.Minute + openLate).Round(time.Minute) / time.Minute)
		if r.Cadence.Intervals != 5 || r.Cadence.Late != 3 || r.Cadence.OnTime != 2 || r.Cadence.MinutesLate != wantLate || !eqShare(r.Cadence.ShareOnTime, 0.4) {
			t.Errorf("cadence %+v, want 5 intervals, 3 late, %d minutes", r.Cadence, wantLate)
		}
		if s := r.StakeholderNotices; s.Incidents != 3 || s.Notices != 3 || !eqShare(s.PerIncident, 1) {
			t.Errorf("stakeholder notices %+v", s)
		}
		if cn := r.CustomerNotices; cn.Notices != 2 || cn.Late != 1 || cn.OnTime != 1 || cn.MinutesLate != 5 || cn.Overdue != 1 || !eqShare(cn.ShareOnTime, 0.5) {
			t.Errorf("customer notices %+v", cn)
		}
		if cr := r.ContactRequests; cr.Opened != 4 || cr.Completed != 2 || cr.CompletedByDue != 1 || cr.Cancelled != 1 || cr.Open != 1 || !eqShare(cr.ShareCompleted, 0.5) {
			t.Errorf("contact requests %+v", cr)
		}
		// Pages: alice p1 (in hours), p4 (Saturday), p6 (20:00, twice
		// notified, one page); bob p2, p5 (Saturday), p8, not p4 (shadow).
		if p := personPages(r, w.alice); p.Pages != 3 || p.OutOfHours != 2 || p.Name != "Alice Comms" {
			t.Errorf("alice's pages %+v", p)
		}
		if p := personPages(r, w.bob); p.Pages != 3 || p.OutOfHours != 1 {
			t.Errorf("bob's pages %+v", p)
		}
		s1 := sev(r, herald.S1)
		if s1.Incidents != 2 || s1.Resolved != 2 || s1.Acknowledged != 2 || !eqInt(s1.MTTA.P50S, ptrInt(300)) || !eqInt(s1.MTTA.P90S, ptrInt(600)) ||
			!eqInt(s1.MTTR.P50S, ptrInt(7200)) || !eqInt(s1.MTTR.P90S, ptrInt(18000)) {
			t.Errorf("S1 %+v mtta %v %v mttr %v %v", s1, s1.MTTA.P50S, s1.MTTA.P90S, s1.MTTR.P50S, s1.MTTR.P90S)
		}
		s2 := sev(r, herald.S2)
		if s2.Incidents != 1 || s2.Resolved != 0 || !eqInt(s2.MTTA.P50S, ptrInt(1800)) || s2.MTTR.P50S != nil {
			t.Errorf("S2 %+v", s2)
		}
		// Handovers and training come from tables of other branches: zero
		// until completed after the merge, never invented.
		if r.Handovers.Shifts != 0 || r.Handovers.ShareSubmitted != nil || len(r.Training) != 0 {
			t.Errorf("handovers %+v training %+v", r.Handovers, r.Training)
		}

		// The target as a query parameter: 30 minutes.
		r30, err := w.db.Incidents.MeasuresReport(ctx, herald.MeasuresQuery{From: w.from, To: w.to, AckTarget: 30 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if c := role(r30, herald.RoleCommunications); c.WithinTarget != 2 || r30.AckTargetS != 1800 {
			t.Errorf("within 30m: %+v", c)
		}
		// ... and as the setting.
		st, _ := w.db.Settings.Settings(ctx)
		st.Measures.AckTarget = herald.Duration(30 * time.Minute)
		if _, err := w.db.Settings.SaveSettings(ctx, st); err != nil {
			t.Fatal(err)
		}
		rs, _ := w.db.Incidents.MeasuresReport(ctx, herald.MeasuresQuery{From: w.from, To: w.to})
		if l := role(rs, herald.RoleIncidentLead); l.WithinTarget != 2 {
			t.Errorf("setting 30m: %+v", l)
		}
	})
}

func TestRule62_ReportForOnePerson(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		w := newMWorld(t, d)
		ctx := context.Background()
		r, err := w.db.Incidents.MeasuresReport(ctx, herald.MeasuresQuery{From: w.from, To: w.to, Person: "alice@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Person == nil || r.Person.ID != w.alice {
			t.Fatalf("person %+v", r.Person)
		}
		if c := role(r, herald.RoleCommunications); c.Pages != 2 || c.Acknowledged != 2 {
			t.Errorf("alice's role pages %+v", c)
		}
		if l := role(r, herald.RoleIncidentLead); l.Pages != 0 {
			t.Errorf("alice got lead pages %+v", l)
		}
		if len(r.Pages) != 1 || r.Pages[0].UserID != w.alice || r.Pages[0].Pages != 3 || r.Pages[0].OutOfHours != 2 {
			t.Errorf("pages %+v", r.Pages)
		}
		// Her incidents: INC-1 and INC-2 (INC-4 is bob's).
		if s := r.StakeholderNotices; s.Incidents != 2 || s.Notices != 3 {
			t.Errorf("stakeholder %+v", s)
		}
		if s1 := sev(r, herald.S1); s1.Incidents != 1 || !eqInt(s1.MTTA.P90S, ptrInt(300)) {
			t.Errorf("S1 %+v", s1)
		}
		if cn := r.CustomerNotices; cn.Notices != 2 || cn.Overdue != 0 {
			t.Errorf("customer notices %+v", cn)
		}
		if cr := r.ContactRequests; cr.Opened != 3 || cr.Completed != 1 || cr.Cancelled != 1 || cr.Open != 1 {
			t.Errorf("contact requests %+v", cr)
		}
		// Bob: the shadow notification of p4 is not his page.
		rb, err := w.db.Incidents.MeasuresReport(ctx, herald.MeasuresQuery{From: w.from, To: w.to, Person: w.bob})
		if err != nil {
			t.Fatal(err)
		}
		if c := role(rb, herald.RoleCommunications); c.Pages != 0 {
			t.Errorf("bob's communications pages %+v", c)
		}
		if l := role(rb, herald.RoleIncidentLead); l.Pages != 3 {
			t.Errorf("bob's lead pages %+v", l)
		}
		_, err = w.db.Incidents.MeasuresReport(ctx, herald.MeasuresQuery{From: w.from, To: w.to, Person: "nobody@example.com"})
		if herald.ErrorCode(err) != herald.EInvalid || !errorNames(err, "person") {
			t.Errorf("unknown person: %v", err)
		}
	})
}

func errorNames(err error, field string) bool {
	e, ok := err.(*herald.Error)
	if !ok {
		return false
	}
	_, named := e.Fields[field]
	return named
}

func TestRule62_ReportCSVHasOneRowPerMeasure(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		w := newMWorld(t, d)
		r, err := w.db.Incidents.MeasuresReport(context.Background(), herald.MeasuresQuery{From: w.from, To: w.to})
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(r.CSV())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(recs[0], herald.MeasuresCSVHeader) {
			t.Fatalf("header %v", recs[0])
		}
		find := func(measure, group, person string) string {
			for _, rec := range recs[1:] {
				if rec[2] == measure && rec[3] == group && rec[4] == person {
					return rec[6]
				}
			}
			return "missing"
		}
		checks := map[[3]string]string{
			{"ack_p90_s", herald.RoleCommunications, ""}: "1800",
			{"ack_p50_s", herald.RoleEngineerOnCall, ""}: "",
			{"cadence_late", "", ""}:                     "3",
			{"mttr_p90_s", "S1", ""}:                     "18000",
			{"pages_out_of_hours", "", w.alice}:          "2",
			{"contact_requests_completed", "", ""}:       "2",
			{"customer_notices_share_on_time", "", ""}:   "0.5000",
		}
		for k, want := range checks {
			if got := find(k[0], k[1], k[2]); got != want {
				t.Errorf("%v = %q, want %q", k, got, want)
			}
		}
		for _, rec := range recs[1:] {
			if rec[0] != "2026-03-01T00:00:00Z" || rec[1] != "2026-04-01T00:00:00Z" {
				t.Fatalf("period columns %v", rec)
			}
		}
	})
}

// R62, R63: a practice incident is training, not an incident: its pages,
// roles, updates, notices and customer thread count in none of the
// incident measures, while the run counts as a training event.
func TestRule62_PracticeIncidentsCountOnlyAsTraining(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.withoutTimeRules(t)
		f.service(t, "API", "", nil)
		start := f.clock.Now()
		run, err := f.db.Practice.StartPractice(f.ctx, f.alice, herald.PracticeStartInput{Scenario: drill})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.Work.RunPlaybook(f.ctx); err != nil { // the alert: a page to the participants
			t.Fatal(err)
		}
		pages, _ := f.db.Paging.PageList(f.ctx, herald.PageFilter{})
		if len(pages) != 1 || pages[0].IncidentID != run.IncidentID {
			t.Fatalf("pages: %+v", pages)
		}
		f.clock.Advance(2 * time.Minute)
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.bob, pages[0].ID); err != nil {
			t.Fatal(err)
		}
		// What a practice may also hold: a role and its page, public
		// updates, a stakeholder notice, a customer thread.
		inc := run.IncidentID
		r := newRows(t, f.db.SQL())
		r.role(inc, herald.RoleCommunications, f.bob.User.ID, start)
		r.page("pp", pages[0].ServiceID, "incident/"+inc+"/communications", inc, herald.RoleCommunications, start, tp(start.Add(time.Minute)))
		r.notification("ppn", "pp", f.bob.User.ID, 0, false, start)
		r.statusIncident("psi", inc, start)
		r.update("pu1", "psi", "investigating", 0, start)
		r.update("pu2", "psi", "identified", 0, start.Add(time.Hour))
		r.entry(inc, start, `{"severity":"S1","stakeholder_notice":true}`)
		r.add("tenants", colsTenant, "acme", "Acme", "1", "us-east-1", false, "", "[]", "{}", "", "{}", "standard", 1, int64(0), int64(0))
		r.add("notice_threads", colsThread, "pth", "ptok", "incident", inc, inc, "acme", "Notice", "t", "AMER", "ops@acme.example", "[]", f.bob.User.ID, us(start), us(start.Add(time.Hour)))
		r.add("notice_messages", colsMessage, "pm1", "pth", "out", "", "s", "b", "pm1@x", "", "a@x", f.bob.User.ID, "Bob", "", us(start))
		r.add("notice_messages", colsMessage, "pm2", "pth", "out", "", "s", "b", "pm2@x", "", "a@x", f.bob.User.ID, "Bob", "", us(start.Add(3*time.Hour)))
		r.flush()

		q := herald.MeasuresQuery{From: start.Add(-time.Hour), To: start.Add(24 * time.Hour)}
		for _, person := range []string{"", f.bob.User.ID} {
			q.Person = person
			rep, err := f.db.Incidents.MeasuresReport(f.ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range rep.Acknowledgement {
				if a.Pages != 0 {
					t.Errorf("person %q: role acks %+v", person, a)
				}
			}
			for _, s := range rep.Severities {
				if s.Incidents != 0 || s.Acknowledged != 0 {
					t.Errorf("person %q: severity %+v", person, s)
				}
			}
			if rep.Cadence.Intervals != 0 || rep.StakeholderNotices.Incidents != 0 || rep.StakeholderNotices.Notices != 0 {
				t.Errorf("person %q: cadence %+v stakeholders %+v", person, rep.Cadence, rep.StakeholderNotices)
			}
			if rep.CustomerNotices.Notices != 0 || rep.CustomerNotices.Overdue != 0 {
				t.Errorf("person %q: customer notices %+v", person, rep.CustomerNotices)
			}
			if len(rep.Pages) != 0 {
				t.Errorf("person %q: pages %+v", person, rep.Pages)
			}
			// The run is a training event for each participant (bob, and
			// alice who started it).
			trained := map[string]int{}
			for _, tr := range rep.Training {
				trained[tr.UserID] += tr.Events
			}
			want := map[string]int{f.alice.User.ID: 1, f.bob.User.ID: 1}
			if person != "" {
				want = map[string]int{person: 1}
			}
			if len(trained) != len(want) || trained[f.bob.User.ID] != 1 || (person == "" && trained[f.alice.User.ID] != 1) {
				t.Errorf("person %q: training %+v", person, rep.Training)
			}
		}
	})
}
