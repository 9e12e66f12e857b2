package herald

import (
	"testing"
	"time"
)

// R07's escalation, decided without a database: the next level after its
// timeout, round after round while repeats are left, and no burst after
// downtime.
func TestRule07_NextEscalationStep(t *testing.T) {
	pol := &EscalationPolicy{Repeat: 1, Levels: []EscalationLevel{{TimeoutMinutes: 10}, {TimeoutMinutes: 30}}}
	due := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name        string
		level, loop int
		now         time.Time
		want        EscalationStep
	}{
		{"first level on trigger", -1, 0, due, EscalationStep{Level: 0, Loop: 0, NextAt: due.Add(10 * time.Minute)}},
		{"second level after the first's timeout", 0, 0, due, EscalationStep{Level: 1, Loop: 0, NextAt: due.Add(30 * time.Minute)}},
		{"a short delay keeps the cadence", 0, 0, due.Add(2 * time.Minute), EscalationStep{Level: 1, Loop: 0, NextAt: due.Add(30 * time.Minute)}},
		{"after downtime counted from now", 0, 0, due.Add(2 * time.Hour), EscalationStep{Level: 1, Loop: 0, NextAt: due.Add(2*time.Hour + 30*time.Minute)}},
		{"after the last level the first again", 1, 0, due, EscalationStep{Level: 0, Loop: 1, NextAt: due.Add(10 * time.Minute)}},
		{"repeats used up", 1, 1, due, EscalationStep{Exhausted: true, Level: 1, Loop: 1}},
	}
	for _, c := range cases {
		if got := pol.NextStep(c.level, c.loop, due, c.now); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
	// A policy without levels (a row written by hand) pages nobody and
	// stops, rather than failing on its first level.
	empty := &EscalationPolicy{Repeat: 3}
	if got := empty.NextStep(-1, 0, due, due); !got.Exhausted {
		t.Errorf("a policy without levels: %+v", got)
	}
}

// A failed attempt waits 10 s, doubling, never more than 10 minutes.
func TestRetryAfter(t *testing.T) {
	for attempt, want := range map[int]time.Duration{0: 10 * time.Second, 1: 10 * time.Second, 2: 20 * time.Second, 4: 80 * time.Second,
		6: 320 * time.Second, 7: 10 * time.Minute, 50: 10 * time.Minute} {
		if got := RetryAfter(attempt); got != want {
			t.Errorf("attempt %d: %s, want %s", attempt, got, want)
		}
	}
}

// "Repeat from level N": a repeat round starts at the chosen level, not
// at the first.
func TestNextStep_RepeatRoundStartsAtTheChosenLevel(t *testing.T) {
	pol := &EscalationPolicy{Repeat: 1, RepeatFromLevel: 2, Levels: []EscalationLevel{{TimeoutMinutes: 10}, {TimeoutMinutes: 20}, {TimeoutMinutes: 30}}}
	due := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	if got, want := pol.NextStep(2, 0, due, due), (EscalationStep{Level: 1, Loop: 1, NextAt: due.Add(20 * time.Minute)}); got != want {
		t.Fatalf("after the last level: %+v, want %+v", got, want)
	}
	if got := pol.NextStep(2, 1, due, due); !got.Exhausted {
		t.Fatalf("repeats used up: %+v", got)
	}
	for _, n := range []int{0, 1} {
		pol.RepeatFromLevel = n
		if got := pol.NextStep(2, 0, due, due); got.Level != 0 {
			t.Fatalf("repeat_from_level %d repeats from level %d", n, got.Level+1)
		}
	}
	in := EscalationPolicyInput{Name: "p", Levels: pol.Levels, RepeatFromLevel: 4}
	for i := range in.Levels {
		in.Levels[i].Targets = []Target{{Type: TargetUser, ID: "a"}}
	}
	if err := in.Normalize(); ErrorCode(err) != EInvalid {
		t.Fatalf("repeat_from_level beyond the levels: %v", err)
	}
	in.RepeatFromLevel, in.AckExpiry = 3, Duration(30*time.Second)
	if err := in.Normalize(); ErrorCode(err) != EInvalid {
		t.Fatalf("ack_expiry of 30s: %v", err)
	}
	in.AckExpiry = Duration(30 * time.Minute)
	if err := in.Normalize(); err != nil {
		t.Fatal(err)
	}
}
