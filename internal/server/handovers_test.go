package server

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Handovers over the API (R60): an early submit is 422 naming shift_end,
// someone outside the rotation gets 404, after the shift the outgoing
// person submits and the communications role moves, the incoming person
// acknowledges; the live handover moves a role with its note.
func TestRule60_HandoversOverTheAPI(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		ann, ben, val := e.token(t, "Ann", herald.RoleResponder), e.token(t, "Ben", herald.RoleResponder), e.token(t, "Val", herald.RoleResponder)
		if _, err := e.admin.Schedules.CreateSchedule(ctx, herald.ScheduleInput{Name: "Comms", Layers: []herald.Layer{{Rotation: herald.RotationDaily,
			HandoffTime: "09:00", Start: e.clock.Now(), Users: []string{"ann@example.com", "ben@example.com"}}}}); err != nil {
			t.Fatal(err)
		}
		s, _ := e.admin.Settings.Settings(ctx)
		s.Handover.Rotations = map[string]string{herald.RoleCommunications: "Comms"}
		if _, err := e.admin.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		rots, err := val.Handovers.HandoverRotations(ctx)
		if err != nil || len(rots) != 2 || rots[0].ScheduleName != "Comms" || rots[0].Source != "settings" || rots[1].Problem == "" {
			t.Fatalf("rotations: %+v %v", rots, err)
		}
		inc, err := ann.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Login failures", Severity: herald.S2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ann.Incidents.AssignRole(ctx, inc.Reference, herald.RoleCommunications, "ann@example.com"); err != nil {
			t.Fatal(err)
		}
		h, err := ann.Handovers.StartHandover(ctx, "Comms")
		if err != nil {
			t.Fatal(err)
		}
		_, err = ann.Handovers.SubmitHandover(ctx, h.ID, herald.HandoverEdit{Note: "early"})
		if st, ce := apiStatus(err); st != http.StatusUnprocessableEntity || ce.Fields["shift_end"] == "" {
			t.Fatalf("early submit: %v", err)
		}
		if _, err := val.Handovers.Handover(ctx, h.ID); func() int { st, _ := apiStatus(err); return st }() != http.StatusNotFound {
			t.Fatalf("outside the rotation: %v", err)
		}
		e.clock.Advance(24*time.Hour + time.Minute)
		if err := e.db.Work.RunPlaybook(ctx); err != nil {
			t.Fatal(err)
		}
		done, err := ann.Handovers.SubmitHandover(ctx, h.ID, herald.HandoverEdit{Note: "Login team on it"})
		if err != nil || done.Status != herald.HandoverSubmitted || len(done.Reassigned) != 1 {
			t.Fatalf("submit: %+v %v", done, err)
		}
		got, _ := val.Incidents.Incident(ctx, inc.Reference)
		if r, _ := got.Role(herald.RoleCommunications); r.UserName != "Ben" {
			t.Fatalf("roles after the handover: %+v", got.Roles)
		}
		if ack, err := ben.Handovers.AcknowledgeHandover(ctx, h.ID); err != nil || ack.Status != herald.HandoverAcknowledged {
			t.Fatalf("ack: %+v %v", ack, err)
		}
		if list, err := ben.Handovers.Handovers(ctx, herald.HandoverAcknowledged, true); err != nil || len(list) != 1 {
			t.Fatalf("Ben's acknowledged: %+v %v", list, err)
		}
		_, err = ben.Handovers.HandOverRole(ctx, inc.Reference, herald.RoleCommunications, herald.RoleHandoverInput{To: "val@example.com"})
		if st, ce := apiStatus(err); st != http.StatusBadRequest || ce.Fields["note"] == "" {
			t.Fatalf("no note: %v", err)
		}
		got, err = ben.Handovers.HandOverRole(ctx, inc.Reference, herald.RoleCommunications, herald.RoleHandoverInput{To: "val@example.com", Note: "Update due 10:30"})
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := got.Role(herald.RoleCommunications); r.UserName != "Val" {
			t.Fatalf("live handover: %+v", got.Roles)
		}
	})
}
