package herald

import (
	"strings"
	"testing"
)

// TestRule08_DefaultChecklistsFollowTheSource: the default lists are the
// source's: the communications manager's four stages, Engage holding the
// page until its other tasks are done, and the incident lead's list.
func TestRule08_DefaultChecklistsFollowTheSource(t *testing.T) {
	s := DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	comms := s.Checklists[RoleCommunications]
	var names []string
	for _, st := range comms {
		names = append(names, st.Name)
	}
	if strings.Join(names, ",") != "Engage,Manage,Monitor,Resolve" {
		t.Fatalf("stages %v", names)
	}
	if !comms[0].GatesPage || comms[1].GatesPage {
		t.Fatalf("only Engage gates the page: %+v", comms)
	}
	rules := map[string]bool{}
	for _, it := range comms[0].Items {
		rules[it.Rule] = true
	}
	for _, r := range []string{RulePageAcknowledged, RuleStatusIncidentPublished, RuleStakeholdersNotified, RuleLabelApplied + ":" + LabelStatusPage, RulePageResolved} {
		if !rules[r] {
			t.Errorf("Engage lacks %s", r)
		}
	}
	lead := map[string]bool{}
	for _, st := range s.Checklists[RoleIncidentLead] {
		for _, it := range st.Items {
			lead[it.Rule+"/"+it.Key] = true
		}
	}
	for _, k := range []string{"decision:status_page/decide_status_page", "decision:severity/confirm_severity", "/inform_director", "review_requested/request_review"} {
		if !lead[k] {
			t.Errorf("the lead's list lacks %s: %v", k, lead)
		}
	}
}

func TestRule08_ChecklistRules(t *testing.T) {
	for rule, ok := range map[string]bool{
		"page_acknowledged": true, "page_resolved": true, "status_incident_published": true, "stakeholders_notified": true,
		"postmortem_link_added": true, "status_state:monitoring": true, "label_applied:Incident-Comms::Status-Page": true,
		"decision:severity": true, "review_requested": true, "review_requested:external": true,
		"page_acknowledged:x": false, "status_state:fixed": false, "status_state": false, "label_applied:": false,
		"label_applied: a :: b": false, "decision:lunch": false, "review_requested:annual": false, "joined_call": false, "": false,
	} {
		if err := CheckChecklistRule(rule); (err == nil) != ok {
			t.Errorf("CheckChecklistRule(%q) = %v, want ok %v", rule, err, ok)
		}
	}
}

// TestRule08_ChecklistSettingsErrorsNameTheField: each problem is a field
// error naming the role, stage and item.
func TestRule08_ChecklistSettingsErrorsNameTheField(t *testing.T) {
	s := DefaultSettings()
	s.Checklists = map[string][]ChecklistStage{
		RoleCommunications: {
			{Key: "engage", Name: "", Items: []ChecklistTask{{Key: "x", Text: "X", Severities: []Severity{"S9"}}, {Key: "Bad Key", Text: "Y"}}},
			{Key: "engage", Name: "Again", Items: []ChecklistTask{{Key: "x", Text: ""}}},
		},
		"chef": {},
	}
	err := s.Validate()
	fe, _ := err.(*Error)
	if fe == nil {
		t.Fatal("invalid lists validated")
	}
	for _, k := range []string{"checklists.chef", "checklists.communications.engage.name", "checklists.communications.engage.x.severities",
		"checklists.communications.engage.items[1]", "checklists.communications.engage", "checklists.communications.engage.x", "checklists.communications.engage.x.text"} {
		if fe.Fields[k] == "" {
			t.Errorf("no error for %s: %v", k, fe.Fields)
		}
	}
}
