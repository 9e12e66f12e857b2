package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The handover screens (R60): the outgoing person starts a draft early and
// is refused on submit before the shift ends (the note typed is kept);
// after the shift they submit with the incident ticked, which moves the
// role to the incoming person; the incoming person acknowledges; someone
// outside the rotation gets 404. The live handover of a role moves it with
// the note on the timeline; only the holder or an admin may.
func TestRule60_HandoversInTheConsole(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		out, in := e.people[herald.RoleResponder], e.people[herald.RoleAdmin]
		if _, err := e.db.Schedules.CreateSchedule(ctx, herald.ScheduleInput{Name: "Comms", Layers: []herald.Layer{{Rotation: herald.RotationDaily,
			HandoffTime: "09:00", Start: e.clock.Now(), Users: []string{out.ID, in.ID}}}}); err != nil {
			t.Fatal(err)
		}
		s, _ := e.db.Settings.Settings(ctx)
		s.Handover.Rotations = map[string]string{herald.RoleCommunications: "Comms"}
		if _, err := e.db.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		actor := herald.Actor{User: out, Role: herald.RoleResponder}
		inc, err := e.db.Incidents.DeclareIncident(ctx, actor, herald.DeclareInput{Title: "Checkout fails", Severity: herald.S2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Incidents.AssignRole(ctx, actor, inc.Reference, herald.RoleCommunications, herald.RoleInput{User: out.ID}); err != nil {
			t.Fatal(err)
		}

		b := e.browser(t)
		b.signIn("responder@example.com")
		if _, body := b.get("/app/handovers"); !strings.Contains(body, "Comms") || !strings.Contains(body, "Start draft") {
			t.Fatalf("list:\n%s", body)
		}
		res, body := b.post("/app/handovers", url.Values{"schedule": {"Comms"}})
		mustStatus(t, "start", res, body, http.StatusSeeOther)
		path := strings.SplitN(res.Header.Get("Location"), "?", 2)[0]
		key := herald.SectionIncidents + "|" + inc.Reference
		res, body = b.post(path+"/submit", url.Values{"note": {"Checkout team is on it"}, "item": {key}, "reassign:" + key: {"on"}})
		mustStatus(t, "early submit", res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "shift has not ended") || !strings.Contains(body, "Checkout team is on it") {
			t.Fatalf("the early submit did not say why or lost the note:\n%s", body)
		}

		e.clock.Advance(24*time.Hour + time.Minute)
		if err := e.db.Work.RunPlaybook(ctx); err != nil {
			t.Fatal(err)
		}
		b.signIn("responder@example.com") // a day later: the session expired
		if _, body := b.get(path); !strings.Contains(body, inc.Reference) || !strings.Contains(body, "Hand over to the next shift") {
			t.Fatalf("draft:\n%s", body)
		}
		viewer := e.browser(t)
		viewer.signIn("viewer@example.com")
		if res, _ := viewer.get(path); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a viewer outside the rotation read it: %d", res.StatusCode)
		}
		res, body = b.post(path+"/submit", url.Values{"note": {"Checkout team is on it"}, "item": {key}, "reassign:" + key: {"on"}})
		mustStatus(t, "submit", res, body, http.StatusSeeOther)
		got, _ := e.db.Incidents.Incident(ctx, inc.Reference)
		if r, _ := got.Role(herald.RoleCommunications); r.UserID != in.ID {
			t.Fatalf("the role did not move: %+v", got.Roles)
		}

		admin := e.browser(t)
		admin.signIn("admin@example.com")
		if _, body := admin.get(path); !strings.Contains(body, "Acknowledge") || !strings.Contains(body, "Checkout team is on it") {
			t.Fatalf("incoming view:\n%s", body)
		}
		res, body = admin.post(path+"/ack", url.Values{})
		mustStatus(t, "ack", res, body, http.StatusSeeOther)
		list, _ := e.db.Handovers.Handovers(ctx, herald.Actor{User: in, Role: herald.RoleAdmin}, herald.HandoverFilter{})
		if len(list) != 1 || list[0].Status != herald.HandoverAcknowledged {
			t.Fatalf("after ack: %+v", list)
		}

		// Live handover: the admin holds the role now.
		live := "/app/incidents/" + inc.Reference + "/roles/" + herald.RoleCommunications + "/handover"
		if res, _ := viewer.post(live, url.Values{"to": {out.ID}, "note": {"x"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a viewer handed over: %d", res.StatusCode)
		}
		res, body = admin.post(live, url.Values{"to": {out.ID}, "note": {""}})
		mustStatus(t, "no note", res, body, http.StatusBadRequest)
		res, body = admin.post(live, url.Values{"to": {out.ID}, "note": {"Update due at 10:30"}})
		mustStatus(t, "live handover", res, body, http.StatusSeeOther)
		tl, _ := e.db.Incidents.Timeline(ctx, inc.ID, herald.EntryRoleChange)
		if last := tl[len(tl)-1]; !strings.Contains(last.Text, "Live handover") || !strings.Contains(last.Text, "Update due at 10:30") {
			t.Fatalf("timeline: %+v", last)
		}
		if _, body := admin.get("/app/incidents/" + inc.Reference); !strings.Contains(body, live) {
			t.Fatal("the incident does not link the live handover")
		}
		// The screens keep to the Content-Security-Policy.
		for _, p := range []string{"/app/handovers", "/app/handovers?show=all", path, live} {
			res, body := admin.get(p)
			mustStatus(t, p, res, body, http.StatusOK)
			if m := inlineRE.FindString(body); m != "" || !strings.Contains(body, "<main") {
				t.Fatalf("%s: the policy refuses %q", p, m)
			}
		}
	})
}
