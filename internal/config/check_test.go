package config

import (
	"strings"
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0s", 15 * time.Minute: "15m", 90 * time.Minute: "1h30m", 12 * time.Hour: "12h", 90 * time.Second: "1m30s"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// Check names every problem at its place and writes the document in the
// one form Diff compares.
func TestCheck_NamesEveryPlace(t *testing.T) {
	cur := &Document{Version: Version, Users: []User{{Email: "bob@example.com", Name: "Bob"}}, Settings: map[string]any{"reference_prefix": "INC"}}
	want := &Document{Version: Version,
		Users: []User{{Email: " Ada@Example.com ", Name: "Ada", Contacts: []Contact{{Kind: "pager", Target: "x"}, {Kind: "slack", TargetEnv: "ADA"}},
			Rules: []Rule{{Contact: "email:ada@example.com"}}}, {Email: "ada@example.com", Name: "Ada again"}},
		Schedules:          []Schedule{{Name: "Primary", Layers: []Layer{{Rotation: "custom", Length: "90m", Users: []string{"bob@example.com", "eve@example.com"}}}}},
		EscalationPolicies: []Policy{{Name: "P", Levels: []Level{{Timeout: "15", Targets: []Target{{Schedule: "Nope"}, {}}}}}},
		Settings:           map[string]any{"refrence_prefix": "X"},
	}
	err := Check(cur, want, Options{})
	for _, p := range []string{
		"users[0].contacts[0].kind", "users[0].contacts[1].target_env: ADA was not resolved", "users[0].rules[0].contact",
		"users[1].email: user ada@example.com is listed twice (first at users[0].email)",
		"schedules[0].layers[0].length", "schedules[0].layers[0].start", "schedules[0].layers[0].users[1]: no user eve@example.com in the document or in Herald",
		"escalation_policies[0].levels[0].timeout", `escalation_policies[0].levels[0].targets[0].schedule: no schedule "Nope"`, "escalation_policies[0].levels[0].targets[1]: give exactly one",
		"settings.refrence_prefix: no such setting",
	} {
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("Check does not name %q:\n%v", p, err)
		}
	}
	if want.Users[0].Email != "ada@example.com" || want.Users[0].Role != "responder" || want.Schedules[0].TimeZone != "UTC" || want.Schedules[0].Layers[0].Name != "Layer 1" {
		t.Errorf("not canonical: %+v", want)
	}
	// With prune, Herald's users no longer count for a document that lists
	// users: they are about to go.
	want = &Document{Version: Version, Users: []User{}, Teams: []Team{{Name: "T", Members: []string{"bob@example.com"}}}}
	if err := Check(cur, want, Options{Prune: true}); err == nil || !strings.Contains(err.Error(), "teams[0].members[0]: no user bob@example.com in the document") {
		t.Errorf("prune: %v", err)
	}
}

// Diff leaves alone the kinds a document leaves out, deletes only with
// prune, never the person applying, and shows secrets by their variable.
func TestDiff_PruneAndSecrets(t *testing.T) {
	cur := &Document{Version: Version, Users: []User{{Email: "me@example.com", Name: "Me", Role: "admin"}, {Email: "old@example.com", Name: "Old", Role: "responder"}},
		Services: []Service{{Name: "Legacy", Grouping: &Grouping{Threshold: 3, Window: "5m"}}}}
	want := &Document{Version: Version, Users: []User{{Email: "new@example.com", Name: "New", Role: "responder",
		Contacts: []Contact{{Kind: "slack", Target: "https://hooks.slack.com/x", TargetEnv: "NEW_SLACK"}}}}}
	if p := Diff(cur, want, Options{Keep: "me@example.com"}); len(p.Changes) != 1 || p.Changes[0].Action != Create {
		t.Fatalf("without prune: %+v", p)
	}
	p := Diff(cur, want, Options{Prune: true, Keep: "me@example.com"})
	var b strings.Builder
	p.Write(&b)
	if cr, up, de := p.Counts(); cr != 1 || up != 0 || de != 1 || !strings.Contains(b.String(), "- delete user old@example.com") ||
		!strings.Contains(b.String(), "contacts: slack:$NEW_SLACK") || strings.Contains(b.String(), "hooks.slack.com") || strings.Contains(b.String(), "Legacy") {
		t.Fatalf("with prune:\n%s", b.String())
	}
}
