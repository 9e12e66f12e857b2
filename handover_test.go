package herald

import (
	"testing"
	"time"
)

// The handover settings name the field of what is wrong: a role that does
// not hand over, a manager told before the outgoing person.
func TestRule60_HandoverSettingsAreValidated(t *testing.T) {
	s := DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	s.Handover.Rotations = map[string]string{"eoc": "Primary"}
	s.Handover.ManagerAfter = Duration(time.Minute)
	err := s.Validate()
	e, ok := err.(*Error)
	if !ok || e.Fields["handover"] == "" {
		t.Fatalf("bad handover settings: %v", err)
	}
}

// An edit names the item it cannot apply and changes nothing; a good one
// sets the notes and the choice to keep an item.
func TestRule60_HandoverEditNamesTheItem(t *testing.T) {
	h := Handover{Sections: []HandoverSection{
		{Key: SectionIncidents, Items: []HandoverItem{{Ref: "INC-1", Movable: true, Reassign: true}}},
		{Key: SectionContactRequests, Items: []HandoverItem{{Ref: "r1"}}},
	}}
	yes, no := true, false
	bad := HandoverEdit{Note: "n", Items: []HandoverItemEdit{{Section: SectionContactRequests, Ref: "r1", Reassign: &yes}, {Section: SectionIncidents, Ref: "INC-2"}}}
	err := bad.Apply(&h)
	e, ok := err.(*Error)
	if !ok || e.Fields["items[0].reassign"] == "" || e.Fields["items[1]"] == "" || h.Note != "" {
		t.Fatalf("bad edit: %v, note %q", err, h.Note)
	}
	good := HandoverEdit{Note: " quiet ", Items: []HandoverItemEdit{{Section: SectionIncidents, Ref: "INC-1", Note: "keep", Reassign: &no}}}
	if err := good.Apply(&h); err != nil {
		t.Fatal(err)
	}
	if h.Note != "quiet" || h.Sections[0].Items[0].Reassign || h.Sections[0].Items[0].Note != "keep" {
		t.Fatalf("after the edit: %+v", h)
	}
}
