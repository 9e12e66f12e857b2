package herald_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

// TestRule20_TagFormatAndWindow: a public incident is tagged
// <prefix>_<N>; a confidential one has no tag until one is set by hand
// (com_incident_<N> suggested); the window starts at the incident's start
// (an earlier impact start counts) and ends the margin after resolution.
func TestRule20_TagFormatAndWindow(t *testing.T) {
	s := herald.DefaultSettings().Tickets
	declared := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	inc := &herald.Incident{Number: 42, DeclaredAt: declared, State: herald.Investigating, Services: []string{"checkout"}}
	c := s.CoupleTickets(inc, "", nil)
	if c.Tag != "incident_42" || c.Manual || c.Suggested != "" || !c.Window.Start.Equal(declared) || c.Window.End != nil || len(c.Keywords) != 1 {
		t.Fatalf("public: %+v", c)
	}
	if c := s.CoupleTickets(inc, "ignored_for_public", []string{"pay"}); c.Tag != "incident_42" || c.Keywords[0] != "pay" {
		t.Fatalf("public with a stray manual tag: %+v", c)
	}
	inc.Confidential = true
	if c := s.CoupleTickets(inc, "", nil); c.Tag != "" || c.Suggested != "com_incident_42" {
		t.Fatalf("confidential without tag: %+v", c)
	}
	if c := s.CoupleTickets(inc, "com_incident_42", nil); c.Tag != "com_incident_42" || !c.Manual {
		t.Fatalf("confidential with tag: %+v", c)
	}
	impact := declared.Add(-20 * time.Minute)
	resolved := declared.Add(2 * time.Hour)
	inc.ImpactStartedAt, inc.ResolvedAt, inc.State = &impact, &resolved, herald.Resolved
	w := s.Window(inc)
	if !w.Start.Equal(impact) || w.End == nil || !w.End.Equal(resolved.Add(24*time.Hour)) {
		t.Fatalf("window %+v, want from the impact start to 24h after resolution", w)
	}
	if got := w.Until(resolved); !got.Equal(resolved) {
		t.Fatalf("until before the end: %v", got)
	}

	bad := herald.DefaultSettings()
	bad.Tickets = herald.TicketSettings{TagPrefix: "Has Space", ConfidentialPrefix: "Has Space", WindowMargin: herald.Duration(-time.Hour)}
	err := bad.Validate()
	he, _ := err.(*herald.Error)
	if he == nil || he.Fields["tickets.tag_prefix"] == "" || he.Fields["tickets.window_margin"] == "" {
		t.Fatalf("bad ticket settings: %v", err)
	}
	for _, tag := range []string{"incident_42", "com_incident_42", "a-b"} {
		if err := herald.CheckTicketTag(tag); err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
	}
	for _, tag := range []string{"", "Upper", "has space", "_lead", "a/b"} {
		if herald.CheckTicketTag(tag) == nil {
			t.Fatalf("%q accepted as a tag", tag)
		}
	}
}

// TestRule20_ChecklistAsksForTheSweepAtManageAndResolve: the default
// checklist holds the tag and the sweep at Manage and the sweep again at
// Resolve; a sweep that left tickets untagged does not check them, one
// that tagged them does, and at Resolve only after the all-clear.
func TestRule20_ChecklistAsksForTheSweepAtManageAndResolve(t *testing.T) {
	s := herald.DefaultSettings()
	declared := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	inc := &herald.Incident{ID: "i", Reference: "INC-7", Number: 7, DeclaredAt: declared, DeclaredBy: "Ann", State: herald.Identified}
	entry := func(at time.Duration, kind string, data any) herald.TimelineEntry {
		b, _ := json.Marshal(data)
		return herald.TimelineEntry{Kind: kind, At: declared.Add(at), Actor: "Cal", Data: b}
	}
	item := func(tl []herald.TimelineEntry, tag, stageKey, key string) herald.ChecklistItem {
		t.Helper()
		c := herald.BuildChecklist(herald.ChecklistRecord{Settings: s, Incident: inc, Timeline: tl, TicketTag: tag})
		for _, l := range c.Lists {
			for _, st := range l.Stages {
				for _, it := range st.Items {
					if l.Role == herald.RoleCommunications && st.Key == stageKey && it.Key == key {
						return it
					}
				}
			}
		}
		t.Fatalf("no %s item %s", stageKey, key)
		return herald.ChecklistItem{}
	}
	if it := item(nil, "incident_7", "manage", "ticket_tag"); !it.Checked || it.How != herald.CheckedAuto || it.Rule != herald.RuleTicketTag {
		t.Fatalf("public incident's tag item: %+v", it)
	}
	if it := item(nil, "", "manage", "ticket_tag"); it.Checked {
		t.Fatal("the tag item is checked without a tag")
	}
	untagged := entry(time.Minute, herald.EntryTickets, herald.TicketEntry{Kind: herald.SweepSearch, Found: 3})
	if it := item([]herald.TimelineEntry{untagged}, "incident_7", "manage", "answer_tickets"); it.Checked {
		t.Fatal("a sweep that left 3 tickets untagged checked the item")
	}
	tagged := entry(5*time.Minute, herald.EntryTickets, herald.TicketEntry{Kind: herald.SweepTag, Tagged: 3})
	tl := []herald.TimelineEntry{untagged, tagged}
	if it := item(tl, "incident_7", "manage", "answer_tickets"); !it.Checked || it.By != "Cal" {
		t.Fatalf("after tagging: %+v", it)
	}
	if it := item(tl, "incident_7", "resolve", "final_ticket_check"); it.Checked {
		t.Fatal("the Resolve sweep is checked by a sweep before the all-clear")
	}
	allClear := entry(time.Hour, herald.EntryDecision, map[string]string{"kind": herald.DecisionAllClear})
	clean := entry(2*time.Hour, herald.EntryTickets, herald.TicketEntry{Kind: herald.SweepSearch, Found: 0})
	if it := item(append(tl, allClear, clean), "incident_7", "resolve", "final_ticket_check"); !it.Checked || !it.At.Equal(declared.Add(2*time.Hour)) {
		t.Fatalf("the Resolve sweep after the all-clear: %+v", it)
	}
	for rule, ok := range map[string]bool{"ticket_tag": true, "ticket_tag:x": false, "tickets_swept": true, "tickets_swept:resolved": true, "tickets_swept:later": false} {
		if err := herald.CheckChecklistRule(rule); (err == nil) != ok {
			t.Fatalf("rule %s: %v", rule, err)
		}
	}
}
