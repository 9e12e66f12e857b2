package importertest

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
)

// failures runs a check against a recorder and returns what it reported;
// a fatal report ends the check as it would a test.
func failures(t *testing.T, check func(tb testing.TB)) []string {
	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(rec)
	}()
	<-done
	return rec.errors
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.errors = append(r.errors, "fatal: "+fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) {
	r.errors = append(r.errors, "fatal: "+fmt.Sprint(args...))
	runtime.Goexit()
}

func TestChecks(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, berlin)
	layer := config.Layer{Name: "L", Rotation: "weekly", HandoffTime: "09:00", Start: start, Users: []string{"a@example.com"}}
	sameInUTC := layer
	sameInUTC.Start = start.UTC()
	otherUsers := layer
	otherUsers.Users = []string{"b@example.com"}
	level := config.Level{Timeout: "30m", Targets: []config.Target{{User: "a@example.com"}}}
	otherTimeout := level
	otherTimeout.Timeout = "1h"
	valid := &config.Document{Version: config.Version, Users: []config.User{{Email: "a@example.com", Name: "A", Role: "admin"}}}
	invalid := &config.Document{Version: config.Version + 1} // a version Parse does not read
	for _, tc := range []struct {
		name  string
		check func(tb testing.TB)
		fails int
	}{
		{"same layers", func(tb testing.TB) { Layers(tb, []config.Layer{sameInUTC}, []config.Layer{layer}) }, 0},
		{"other users", func(tb testing.TB) { Layers(tb, []config.Layer{otherUsers}, []config.Layer{layer}) }, 1},
		{"fewer layers", func(tb testing.TB) { Layers(tb, nil, []config.Layer{layer}) }, 1},
		{"same levels", func(tb testing.TB) { Levels(tb, []config.Level{level}, []config.Level{level}) }, 0},
		{"other timeout", func(tb testing.TB) { Levels(tb, []config.Level{otherTimeout, level}, []config.Level{level, level}) }, 1},
		{"more levels", func(tb testing.TB) { Levels(tb, []config.Level{level, level}, []config.Level{level}) }, 1},
		{"warned", func(tb testing.TB) { Warned(tb, []string{`schedule "S": left out`, "other"}, `"S"`, "other") }, 0},
		{"not warned", func(tb testing.TB) { Warned(tb, []string{`schedule "S": left out`}, `"T"`, "S", "nothing") }, 2},
		{"reparses", func(tb testing.TB) { Reparses(tb, valid) }, 0},
		{"does not reparse", func(tb testing.TB) { Reparses(tb, invalid) }, 1},
	} {
		if got := failures(t, tc.check); len(got) != tc.fails {
			t.Errorf("%s: reported %q, want %d", tc.name, got, tc.fails)
		}
	}
}
