package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// sendBulk plans the recorded broadcasts and sends every one due, as the
// worker would; it returns "target: subject" for each.
func (f *fixture) sendBulk(t *testing.T) []string {
	t.Helper()
	if _, err := f.db.Work.PlanBroadcasts(f.ctx); err != nil {
		t.Fatal(err)
	}
	var sent []string
	for {
		o, err := f.db.Work.Claim(f.ctx, store.LaneBulk)
		if err != nil {
			t.Fatal(err)
		}
		if o == nil {
			return sent
		}
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		sent = append(sent, o.Target+": "+o.Broadcast.Subject)
		if err := f.db.Work.Complete(f.ctx, o, store.Result{}); err != nil {
			t.Fatal(err)
		}
	}
}

// promptURLs runs the rules and returns the URL of every prompt sent.
func (f *fixture) promptURLs(t *testing.T) []string {
	t.Helper()
	if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
		t.Fatal(err)
	}
	var urls []string
	for {
		o, err := f.db.Work.Claim(f.ctx, store.LanePrompt)
		if err != nil {
			t.Fatal(err)
		}
		if o == nil {
			return urls
		}
		urls = append(urls, o.Prompt.URL)
		if err := f.db.Work.Complete(f.ctx, o, store.Result{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRule15_NoMaterialUpdatesIsOneActionThatKeepsTheCadence(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		inc := f.declare(t, herald.S1)
		f.assign(t, inc, herald.RoleCommunications, f.bob)

		// Without a status incident there is nothing to keep.
		_, err := f.db.StatusPage.NoMaterialUpdates(f.ctx, f.bob, inc.Reference, false)
		wantCode(t, err, herald.EUnprocessable)

		s := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, inc.ID)
		s = f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "Found it."})
		// The reminder links to the one action.
		f.clock.Advance(8*time.Minute + time.Second)
		urls := f.promptURLs(t)
		if len(urls) != 1 || !strings.HasSuffix(urls[0], "/app/incidents/"+inc.Reference+"/no-material-updates") {
			t.Fatalf("reminder links %q", urls)
		}

		// The preview shows the filled template and publishes nothing.
		p, err := f.db.StatusPage.NoMaterialUpdates(f.ctx, f.bob, inc.Reference, true)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p.Text, "No material updates: we are still working on API errors. Next update in 10 minutes.") {
			t.Fatalf("preview text %q", p.Text)
		}
		if got, _ := f.db.StatusPage.StatusIncident(f.ctx, s.ID); len(got.Updates) != 2 {
			t.Fatalf("the preview published: %d updates", len(got.Updates))
		}

		f.clock.Advance(2 * time.Minute) // due now
		p, err = f.db.StatusPage.NoMaterialUpdates(f.ctx, f.bob, inc.Reference, false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.db.StatusPage.StatusIncident(f.ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		u := got.Updates[0]
		if len(got.Updates) != 3 || u.Status != herald.Identified || !strings.HasPrefix(u.Body, "No material updates") ||
			got.Components[api.ID] != herald.MajorOutage || u.Actor != "Bob" {
			t.Fatalf("published %+v; incident %+v", u, got)
		}
		// The cadence is kept: the next update is due an interval from now.
		if want := f.clock.Now().Add(10 * time.Minute); got.NextUpdateDue == nil || !got.NextUpdateDue.Equal(want) || got.Overdue {
			t.Fatalf("next update due %v, want %v", got.NextUpdateDue, want)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryNote)
		if last := tl[len(tl)-1]; last.Actor != "Bob" || !strings.Contains(last.Text, "No material updates") {
			t.Fatalf("timeline: %+v", last)
		}
		// The reminders of the old due time are over.
		if sent := f.sendPrompts(t); len(sent) != 0 {
			t.Fatalf("reminded after the update: %q", sent)
		}

		// Resolved: nothing left to keep.
		f.update(t, s.ID, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."})
		_, err = f.db.StatusPage.NoMaterialUpdates(f.ctx, f.bob, inc.Reference, false)
		wantCode(t, err, herald.EUnprocessable)
	})
}

func TestRule19_InternalUpdatesGoToTheStakeholderChannelsOnTheirOwnCadence(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.withoutTimeRules(t) // R52 and R53 would prompt too; they have tests of their own
		inc := f.declare(t, herald.S1)
		f.assign(t, inc, herald.RoleCommunications, f.bob)
		f.assign(t, inc, herald.RoleIncidentLead, f.carol)

		// No channel: an update would reach nobody, and is refused.
		_, err := f.db.Subscribers.SendInternalUpdate(f.ctx, f.bob, inc.Reference, herald.InternalUpdateInput{Body: "Still on it."})
		wantCode(t, err, herald.EUnprocessable)
		if _, err := f.db.Subscribers.AddStakeholderChannel(f.ctx, herald.SubscriberInput{Email: "leadership@example.com"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{Email: "public@example.com", Confirmed: true}, true); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Subscribers.SendInternalUpdate(f.ctx, f.bob, inc.Reference, herald.InternalUpdateInput{Body: "  "})
		wantCode(t, err, herald.EInvalid)

		// Before R19's notice nothing is due (the notice is what is owed);
		// the notice starts the internal cadence: 30 minutes at S1.
		got, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
		if got.NextInternalUpdateDue != nil || got.InternalUpdateOverdue {
			t.Fatalf("before the notice: internal update due %v, overdue %v", got.NextInternalUpdateDue, got.InternalUpdateOverdue)
		}
		f.clock.Advance(5 * time.Minute)
		if sent, err := f.db.Subscribers.NotifyStakeholders(f.ctx, f.carol, inc.Reference); err != nil || !sent {
			t.Fatalf("notify: %v %v", sent, err)
		}
		due := f.clock.Now().Add(30 * time.Minute)
		if got, _ := f.db.Incidents.Incident(f.ctx, inc.ID); !got.NextInternalUpdateDue.Equal(due) {
			t.Fatalf("after the notice: due %v, want %v", got.NextInternalUpdateDue, due)
		}
		if sent := f.sendBulk(t); len(sent) != 1 || !strings.HasPrefix(sent[0], "leadership@example.com: ") {
			t.Fatalf("notice went to %q", sent)
		}

		ref := inc.Reference
		steps := []struct {
			advance time.Duration
			want    []string
		}{
			{27 * time.Minute, nil},
			{time.Minute, []string{"bob@example.com: " + ref + ": internal stakeholder update due in 2 minutes"}},
			{2 * time.Minute, []string{"bob@example.com: " + ref + ": internal stakeholder update due now"}},
			{29 * time.Minute, nil},
			{time.Minute, []string{"bob@example.com: " + ref + ": internal stakeholder update overdue by 30 minutes"}},
			// Two intervals late: the incident lead is told too.
			{30 * time.Minute, []string{"bob@example.com: " + ref + ": internal stakeholder update overdue by 1 hour", "carol@example.com: " + ref + ": internal stakeholder update overdue by 1 hour"}},
		}
		for i, st := range steps {
			f.clock.Advance(st.advance)
			if got := f.sendPrompts(t); strings.Join(got, "|") != strings.Join(st.want, "|") {
				t.Fatalf("step %d (%v after due): sent %q, want %q", i, f.clock.Now().Sub(due), got, st.want)
			}
		}
		got, _ = f.db.Incidents.Incident(f.ctx, inc.ID)
		if !got.InternalUpdateOverdue {
			t.Fatal("not overdue an hour late")
		}

		// A reminder made but not yet sent when the update goes no longer
		// goes; the update reaches the stakeholder channels only.
		f.clock.Advance(30 * time.Minute)
		if err := f.db.Work.RunPlaybook(f.ctx); err != nil {
			t.Fatal(err)
		}
		u, err := f.db.Subscribers.SendInternalUpdate(f.ctx, f.bob, inc.Reference, herald.InternalUpdateInput{Body: "Rollback under way; ETA 20 minutes."})
		if err != nil {
			t.Fatal(err)
		}
		if u.Kind != herald.InternalUpdateKind || u.Actor != "Bob" {
			t.Fatalf("update %+v", u)
		}
		if sent := f.sendPrompts(t); len(sent) != 0 {
			t.Fatalf("a reminder of a sent update went: %q", sent)
		}
		if sent := f.sendBulk(t); len(sent) != 1 || sent[0] != "leadership@example.com: [Service Status] Update: S1 "+ref+": Database latency" {
			t.Fatalf("internal update went to %q", sent)
		}
		got, _ = f.db.Incidents.Incident(f.ctx, inc.ID)
		if got.InternalUpdateOverdue || !got.NextInternalUpdateDue.Equal(f.clock.Now().Add(30*time.Minute)) {
			t.Fatalf("after the update: due %v, overdue %v", got.NextInternalUpdateDue, got.InternalUpdateOverdue)
		}
		list, err := f.db.Subscribers.InternalUpdates(f.ctx, ref)
		if err != nil || len(list) != 2 || list[0].Kind != herald.InternalNotice || list[1].Body != "Rollback under way; ETA 20 minutes." {
			t.Fatalf("internal updates %+v %v", list, err)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, "")
		var recorded, prompts int
		for _, e := range tl {
			if strings.HasPrefix(e.Text, "Internal update sent to the stakeholder channels: Rollback") && e.Actor == "Bob" {
				recorded++
			}
			if e.Kind == herald.EntryPrompt {
				prompts++
			}
		}
		if recorded != 1 || prompts != 4 { // due, overdue, overdue with the lead, and the one made before the update
			t.Fatalf("timeline: %d internal updates, %d prompts: %+v", recorded, prompts, tl)
		}
		if m, _ := f.db.Incidents.Measures(f.ctx, inc.ID); m.StakeholderNotices != 2 {
			t.Fatalf("measures count %d stakeholder notices", m.StakeholderNotices)
		}

		// Down to S2: no internal cadence by default.
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.carol, inc.ID, herald.UpdateInput{Version: got.Version, Severity: ptr(herald.S2), SeverityReason: "contained"}); err != nil {
			t.Fatal(err)
		}
		got, _ = f.db.Incidents.Incident(f.ctx, inc.ID)
		if got.NextInternalUpdateDue != nil {
			t.Fatalf("S2 has an internal update due %v", got.NextInternalUpdateDue)
		}
		f.clock.Advance(3 * time.Hour)
		if sent := f.sendPrompts(t); len(sent) != 0 {
			t.Fatalf("S2 reminded: %q", sent)
		}
	})
}

func TestRule19_InternalCadenceSettings(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		set, err := f.db.Settings.Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if set.Playbook.Internal.Interval[herald.S1] != herald.Duration(30*time.Minute) || set.Playbook.Internal.IntervalFor(herald.S2) != 0 {
			t.Fatalf("defaults: %+v", set.Playbook.Internal)
		}
		set.Playbook.Internal.Interval = map[herald.Severity]herald.Duration{herald.S1: 0, herald.S2: herald.Duration(time.Hour), herald.S3: 0, herald.S4: 0}
		set.Playbook.Internal.Reminders.Before = herald.Duration(5 * time.Minute)
		if _, err := f.db.Settings.SaveSettings(f.ctx, set); err != nil {
			t.Fatal(err)
		}
		s1 := f.declare(t, herald.S1)
		s2 := f.declare(t, herald.S2)
		f.assign(t, s2, herald.RoleCommunications, f.bob)
		if _, err := f.db.Subscribers.AddStakeholderChannel(f.ctx, herald.SubscriberInput{Email: "leadership@example.com"}); err != nil {
			t.Fatal(err)
		}
		for _, inc := range []*herald.Incident{s1, s2} {
			if _, err := f.db.Subscribers.NotifyStakeholders(f.ctx, f.bob, inc.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := f.db.Incidents.Incident(f.ctx, s1.ID); got.NextInternalUpdateDue != nil {
			t.Fatalf("S1 turned off, still due %v", got.NextInternalUpdateDue)
		}
		f.clock.Advance(55 * time.Minute)
		if sent := f.sendPrompts(t); len(sent) != 1 || !strings.HasSuffix(sent[0], "internal stakeholder update due in 5 minutes") {
			t.Fatalf("S2 5 minutes before: %q", sent)
		}
		list, _ := f.db.Incidents.Incidents(f.ctx, herald.ListFilter{})
		for _, inc := range list {
			if (inc.ID == s2.ID) != (inc.NextInternalUpdateDue != nil) {
				t.Fatalf("list: %s due %v", inc.Reference, inc.NextInternalUpdateDue)
			}
		}
		set.Playbook.Internal.Reminders.Off = true
		if _, err := f.db.Settings.SaveSettings(f.ctx, set); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		if sent := f.sendPrompts(t); len(sent) != 0 {
			t.Fatalf("reminders off: %q", sent)
		}
		if got, _ := f.db.Incidents.Incident(f.ctx, s2.ID); !got.InternalUpdateOverdue {
			t.Fatal("reminders off hide the overdue update")
		}
		for _, bad := range []map[herald.Severity]herald.Duration{{herald.S1: herald.Duration(-time.Minute)}, {"S9": herald.Duration(time.Minute)}, {herald.S1: herald.Duration(25 * time.Hour)}} {
			set.Playbook.Internal.Interval = bad
			_, err = f.db.Settings.SaveSettings(f.ctx, set)
			wantCode(t, err, herald.EInvalid)
		}
	})
}

// Settings saved by a release that wrote the cadence and the monitoring
// period as whole minutes still read, as durations.
func TestRule13_StoredMinutesReadAsDurations(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		old := `{"reference_prefix":"OPS","cadence":{"investigating":{"S1":5,"S2":15,"S3":15,"S4":15},"identified":{"S1":10,"S2":30,"S3":30,"S4":30},"monitoring":{"S1":30,"S2":60,"S3":60,"S4":60},"resolved":{"S1":0,"S2":0,"S3":0,"S4":0}},"monitoring_minutes":45}`
		if _, err := f.db.SQL().ExecContext(f.ctx, `INSERT INTO settings (id, data, version, updated_at) VALUES (1, $1, 1, 0)`, old); err != nil {
			t.Fatal(err)
		}
		s, err := f.db.Settings.Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.ReferencePrefix != "OPS" || s.NextUpdateAfter(herald.Investigating, herald.S1) != 5*time.Minute || s.MonitoringPeriod() != 45*time.Minute {
			t.Fatalf("read: prefix %s, investigating S1 %v, monitoring %v", s.ReferencePrefix, s.NextUpdateAfter(herald.Investigating, herald.S1), s.MonitoringPeriod())
		}
		// An incident follows them: due 5 minutes after its first update.
		api := f.component(t, "API", "")
		si := f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, f.declare(t, herald.S1).ID)
		if !si.NextUpdateDue.Equal(f.clock.Now().Add(5 * time.Minute)) {
			t.Fatalf("due %v", si.NextUpdateDue)
		}
		// Saved again, they are durations.
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		var data string
		if err := f.db.SQL().QueryRowContext(f.ctx, `SELECT data FROM settings WHERE id = 1`).Scan(&data); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(data, `"monitoring":"45m0s"`) || !strings.Contains(data, `"S1":"5m0s"`) || strings.Contains(data, "monitoring_minutes") {
			t.Fatalf("saved: %s", data)
		}
	})
}
