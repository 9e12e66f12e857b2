package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// item finds one item of a role's list on an incident's checklist.
func item(t *testing.T, c herald.Checklist, role, key string) herald.ChecklistItem {
	t.Helper()
	for _, l := range c.Lists {
		if l.Role != role {
			continue
		}
		for _, st := range l.Stages {
			for _, it := range st.Items {
				if it.Key == key {
					return it
				}
			}
		}
	}
	t.Fatalf("no item %s/%s on %+v", role, key, c)
	return herald.ChecklistItem{}
}

func (f *fixture) checklist(t *testing.T, ref string) herald.Checklist {
	t.Helper()
	c, err := f.db.Incidents.Checklist(f.ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rolePages declares an S1 with the roles paged, escalates, and returns
// the pages by role.
func rolePages(t *testing.T, f *fixture) (*herald.Incident, map[string]*herald.Page) {
	t.Helper()
	rolePaging(t, f)
	return declarePaged(t, f)
}

// declarePaged declares an S1 and returns its role pages.
func declarePaged(t *testing.T, f *fixture) (*herald.Incident, map[string]*herald.Page) {
	t.Helper()
	inc := f.declare(t, herald.S1)
	f.escalate(t)
	pages, _ := f.db.Paging.Pages(f.ctx, "", "", 50)
	roles := map[string]*herald.Page{}
	for _, p := range pages {
		if p.IncidentID == inc.ID {
			roles[p.IncidentRole] = p
		}
	}
	if roles[herald.RoleCommunications] == nil || roles[herald.RoleIncidentLead] == nil {
		t.Fatalf("role pages %v", roles)
	}
	return inc, roles
}

func check(f *fixture, a herald.Actor, ref, role, key string, on bool, note string) (herald.Checklist, error) {
	return f.db.Incidents.CheckItem(f.ctx, a, ref, herald.CheckInput{Role: role, Item: key, Checked: &on, Note: note})
}

// TestRule08_ChecklistFollowsTheRecord: the communications manager's and
// the incident lead's items with a rule are checked from what Herald
// already records (page acknowledged, status incident published, label,
// stakeholders notified, decisions), with who and when; the others are
// checked and unchecked by hand, each mark on the timeline.
func TestRule08_ChecklistFollowsTheRecord(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc, pages := rolePages(t, f)
		const comms, lead = herald.RoleCommunications, herald.RoleIncidentLead

		c := f.checklist(t, inc.Reference)
		if len(c.Lists) != 2 || c.Lists[0].Role != lead || c.Lists[1].Role != comms {
			t.Fatalf("lists %+v", c.Lists)
		}
		if got := c.Lists[1].Stages; len(got) != 4 || got[0].Name != "Engage" || !got[0].GatesPage || got[3].Name != "Resolve" {
			t.Fatalf("communications stages %+v", got)
		}
		if it := item(t, c, comms, "acknowledge_page"); it.Checked {
			t.Fatalf("unacknowledged page checked: %+v", it)
		}
		// At S1 the lead is held to informing the director; at S3 not.
		item(t, c, lead, "inform_director")

		f.clock.Advance(3 * time.Minute)
		ackedAt := f.clock.Now()
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.carol, pages[comms].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.bob, pages[lead].ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		api := f.component(t, "API", "")
		f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, inc.ID)
		f.clock.Advance(time.Minute)
		if _, err := f.db.Incidents.RecordDecision(f.ctx, f.bob, inc.Reference, herald.DecisionInput{Kind: herald.DecisionSeverity, What: "S1 confirmed", Rationale: "all customers"}); err != nil {
			t.Fatal(err)
		}

		c = f.checklist(t, inc.Reference)
		for _, w := range []struct{ role, key, by string }{
			{comms, "acknowledge_page", "Carol"},
			{comms, "create_status_incident", "Alice"},
			{comms, "label_incident", "Alice"},
			{comms, "notify_stakeholders", "Bob"},
			{lead, "acknowledge_page", "Bob"},
			{lead, "confirm_severity", "Bob"},
			{lead, "decide_status_page", "Bob"}, // R10: the first update needed it
		} {
			it := item(t, c, w.role, w.key)
			if !it.Checked || it.How != herald.CheckedAuto || it.By != w.by || it.At == nil {
				t.Errorf("%s/%s = %+v, want checked automatically by %s", w.role, w.key, it, w.by)
			}
		}
		if it := item(t, c, comms, "acknowledge_page"); !it.At.Equal(ackedAt) {
			t.Errorf("acknowledged at %v", it.At)
		}
		for _, key := range []string{"join_call", "resolve_page", "publish_monitoring", "add_postmortem"} {
			if it := item(t, c, comms, key); it.Checked {
				t.Errorf("%s checked: %+v", key, it)
			}
		}
		if it := item(t, c, lead, "request_review"); it.Checked {
			t.Errorf("no review requested, yet %+v", it)
		}

		// By hand: check, uncheck, check again; each mark recorded.
		f.clock.Advance(time.Minute)
		if _, err := check(f, f.carol, inc.Reference, comms, "join_call", true, ""); err != nil {
			t.Fatal(err)
		}
		at := f.clock.Now()
		f.clock.Advance(time.Minute)
		c, err := check(f, f.alice, inc.Reference, "", "join_call", false, "Carol dropped off the call")
		if err != nil {
			t.Fatal(err)
		}
		it := item(t, c, comms, "join_call")
		if it.Checked || len(it.Marks) != 2 || it.Marks[0].By != "Carol" || !it.Marks[0].At.Equal(at) || it.Marks[1].Checked || it.Marks[1].By != "Alice" {
			t.Fatalf("after check and uncheck: %+v", it)
		}
		c, err = check(f, f.carol, inc.Reference, comms, "join_call", true, "")
		if err != nil {
			t.Fatal(err)
		}
		if it := item(t, c, comms, "join_call"); !it.Checked || it.How != herald.CheckedManual || it.By != "Carol" || it.ByID != f.carol.User.ID {
			t.Fatalf("checked again: %+v", it)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryChecklist)
		if len(tl) != 3 || !strings.Contains(tl[1].Text, "Unchecked") || !strings.Contains(tl[1].Text, "Carol dropped off the call") || tl[1].Actor != "Alice" {
			t.Fatalf("checklist timeline %+v", tl)
		}

		// Refusals change nothing.
		_, err = check(f, f.carol, inc.Reference, comms, "join_call", true, "")
		wantCode(t, err, herald.EConflict)
		_, err = check(f, f.carol, inc.Reference, comms, "acknowledge_page", false, "")
		wantCode(t, err, herald.EUnprocessable)
		_, err = check(f, f.carol, inc.Reference, comms, "publish_monitoring", true, "")
		wantCode(t, err, herald.EInvalid)
		_, err = check(f, f.carol, inc.Reference, "", "acknowledge_page", true, "x") // on both lists
		wantCode(t, err, herald.EInvalid)
		_, err = check(f, f.carol, inc.Reference, comms, "no_such_item", true, "")
		wantCode(t, err, herald.EInvalid)
		_, err = check(f, f.carol, inc.Reference, comms, "resolve_page", true, "done")
		wantCode(t, err, herald.EUnprocessable)
		if tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryChecklist); len(tl) != 3 {
			t.Fatalf("refusals recorded: %+v", tl)
		}

		// An automatic item Herald cannot see done is checked by hand with
		// a note; once Herald sees it, it is automatic.
		c, err = check(f, f.bob, inc.Reference, lead, "request_review", true, "asked for it on the call")
		if err != nil {
			t.Fatal(err)
		}
		if it := item(t, c, lead, "request_review"); !it.Checked || it.How != herald.CheckedManual || it.Note != "asked for it on the call" {
			t.Fatalf("checked by hand: %+v", it)
		}
		if _, err := f.db.Incidents.Review(f.ctx, f.bob, inc.Reference, herald.ReviewInput{Kind: herald.ReviewInternal}); err != nil {
			t.Fatal(err)
		}
		if it := item(t, f.checklist(t, inc.Reference), lead, "request_review"); it.How != herald.CheckedAuto {
			t.Fatalf("after the request: %+v", it)
		}

		// The label removed, the item opens again: it follows the record.
		if _, err := f.db.Incidents.Label(f.ctx, f.alice, inc.Reference, herald.LabelInput{Remove: []string{herald.LabelStatusPage}}); err != nil {
			t.Fatal(err)
		}
		if it := item(t, f.checklist(t, inc.Reference), comms, "label_incident"); it.Checked {
			t.Fatalf("label removed, item %+v", it)
		}

		// At S3 the director item does not apply, and nobody is paged: a
		// role taken by hand has no page to acknowledge.
		s3 := f.declare(t, herald.S3)
		if it := item(t, f.checklist(t, s3.Reference), comms, "acknowledge_page"); it.Checked {
			t.Fatalf("role empty, yet %+v", it)
		}
		if _, err := f.db.Incidents.AssignRole(f.ctx, f.alice, s3.Reference, comms, herald.RoleInput{User: f.carol.User.ID}); err != nil {
			t.Fatal(err)
		}
		if it := item(t, f.checklist(t, s3.Reference), comms, "acknowledge_page"); !it.Checked || it.By != "Carol" || it.How != herald.CheckedAuto {
			t.Fatalf("role taken without a page: %+v", it)
		}
		for _, l := range f.checklist(t, s3.Reference).Lists {
			for _, st := range l.Stages {
				for _, it := range st.Items {
					if it.Key == "inform_director" {
						t.Fatalf("S3 lists %+v", it)
					}
				}
			}
		}
	})
}

// TestRule08_CommunicationsPageResolvesOnlyAfterEngage: the communications
// manager's own page cannot be resolved while an Engage task is open; the
// refusal names them. Other roles' pages are not held, and once the
// incident is resolved nothing is.
func TestRule08_CommunicationsPageResolvesOnlyAfterEngage(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		inc, pages := rolePages(t, f)
		comms := pages[herald.RoleCommunications]
		if _, err := f.db.Paging.AcknowledgePage(f.ctx, f.carol, comms.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.db.Paging.ResolvePage(f.ctx, f.carol, comms.ID)
		wantCode(t, err, herald.EUnprocessable)
		for _, want := range []string{"R08", "Engage", "Join the incident channel and call", "Create the status incident", "Notify internal stakeholders", "Label the incident"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("refusal %q does not name %q", err, want)
			}
		}
		if strings.Contains(err.Error(), "Acknowledge your page") || strings.Contains(err.Error(), "Resolve your page") {
			t.Errorf("refusal %q names done or gated items", err)
		}
		if p, _ := f.db.Paging.Page(f.ctx, comms.ID); p.Status != herald.PageAcknowledged {
			t.Fatalf("page %s after the refusal", p.Status)
		}
		// The lead's page is not held by the communications list.
		if _, err := f.db.Paging.ResolvePage(f.ctx, f.bob, pages[herald.RoleIncidentLead].ID); err != nil {
			t.Fatal(err)
		}

		// Engage done: status incident (labels the incident), stakeholders
		// (severity confirmed), the call by hand.
		api := f.component(t, "API", "")
		f.statusIncident(t, "API errors", map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}, inc.ID)
		f.db.Incidents.RecordDecision(f.ctx, f.alice, inc.Reference, herald.DecisionInput{Kind: herald.DecisionSeverity, What: "S1 confirmed", Rationale: "all customers"})
		_, err = f.db.Paging.ResolvePage(f.ctx, f.carol, comms.ID)
		wantCode(t, err, herald.EUnprocessable)
		if !strings.Contains(err.Error(), "Join the incident channel") || strings.Contains(err.Error(), "Notify") {
			t.Fatalf("refusal %q", err)
		}
		if _, err := check(f, f.carol, inc.Reference, herald.RoleCommunications, "join_call", true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Paging.ResolvePage(f.ctx, f.carol, comms.ID); err != nil {
			t.Fatal(err)
		}
		if it := item(t, f.checklist(t, inc.Reference), herald.RoleCommunications, "resolve_page"); !it.Checked || it.How != herald.CheckedAuto {
			t.Fatalf("resolve_page %+v", it)
		}

		// A second incident resolved with Engage open: its page may go.
		inc2, pages2 := declarePaged(t, f)
		f.db.Paging.AcknowledgePage(f.ctx, f.carol, pages2[herald.RoleCommunications].ID)
		resolved := herald.Resolved
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc2.Reference, herald.UpdateInput{Version: inc2.Version, State: &resolved}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Paging.ResolvePage(f.ctx, f.carol, pages2[herald.RoleCommunications].ID); err != nil {
			t.Fatalf("page of a resolved incident: %v", err)
		}
	})
}

// TestRule08_ChecklistsAreSettings: an organisation edits the lists; the
// incident shows the edited ones, and invalid lists are refused with the
// field that is wrong.
func TestRule08_ChecklistsAreSettings(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		s, _ := f.db.Settings.Settings(f.ctx)
		s.Checklists[herald.RoleCommunications] = []herald.ChecklistStage{{Key: "engage", Name: "Engage", GatesPage: true, Items: []herald.ChecklistTask{
			{Key: "open_ticket", Text: "Open the customer ticket"},
			{Key: "page_resolved", Text: "Resolve your page", Rule: herald.RulePageResolved},
		}}}
		delete(s.Checklists, herald.RoleIncidentLead)
		s.Checklists[herald.RoleIncidentLead] = nil
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		inc := f.declare(t, herald.S2)
		c := f.checklist(t, inc.Reference)
		if len(c.Lists) != 1 || len(c.Lists[0].Stages) != 1 || len(c.Lists[0].Stages[0].Items) != 2 || c.Lists[0].Open != 2 {
			t.Fatalf("edited lists %+v", c.Lists)
		}

		bad := s
		bad.Checklists = map[string][]herald.ChecklistStage{herald.RoleCommunications: {{Key: "engage", Name: "Engage", Items: []herald.ChecklistTask{
			{Key: "a", Text: "A", Rule: "status_state:fixed"},
			{Key: "a", Text: "again"},
		}}}, "cook": {}}
		_, err := f.db.Settings.SaveSettings(f.ctx, bad)
		wantCode(t, err, herald.EInvalid)
		fields := err.(*herald.Error).Fields
		for _, k := range []string{"checklists.communications.engage.a.rule", "checklists.communications.engage.a", "checklists.cook"} {
			if fields[k] == "" {
				t.Errorf("no field error %s in %v", k, fields)
			}
		}
		if c := f.checklist(t, inc.Reference); len(c.Lists) != 1 || c.Lists[0].Stages[0].Items[0].Key != "open_ticket" {
			t.Fatalf("a refused save changed the lists: %+v", c.Lists)
		}
	})
}

// TestRule08_SettingsWithoutChecklistsKeepTheDefaults: a settings document
// saved without the checklists (an older client's PUT) leaves the
// communications manager held to the default lists, not to none.
func TestRule08_SettingsWithoutChecklistsKeepTheDefaults(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		s, _ := f.db.Settings.Settings(f.ctx)
		s.Checklists = nil
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		got, _ := f.db.Settings.Settings(f.ctx)
		if len(got.Checklists[herald.RoleCommunications]) != 4 {
			t.Fatalf("checklists after saving none: %+v", got.Checklists)
		}
	})
}
