package importer

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
)

func TestUniqueNames_NumbersTheSecondWithAWarning(t *testing.T) {
	var w Warnings
	n := UniqueNames{}
	var got []string
	for _, name := range []string{"Primary", " primary ", "Primary", "", "  ", "Primary (2)"} {
		got = append(got, n.Take(name, "schedule", &w))
	}
	want := []string{"Primary", "primary (2)", "Primary (3)", "Unnamed schedule", "Unnamed schedule (2)", "Primary (2) (2)"}
	if !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
	wantWarns := []string{
		`two schedules are named "primary"; the second is imported as "primary (2)"`,
		`two schedules are named "Primary"; the second is imported as "Primary (3)"`,
		`two schedules are named "Unnamed schedule"; the second is imported as "Unnamed schedule (2)"`,
		`two schedules are named "Primary (2)"; the second is imported as "Primary (2) (2)"`,
	}
	if !slices.Equal(w, wantWarns) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(w, "\n"), strings.Join(wantWarns, "\n"))
	}
	// Another kind has names of its own.
	if got := (UniqueNames{}).Take("Primary", "team", &w); got != "Primary" {
		t.Errorf("a team named Primary is %q", got)
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                               "0h",
		30 * time.Minute:                "30m",
		90 * time.Minute:                "90m",
		2 * time.Hour:                   "2h",
		24 * time.Hour:                  "24h",
		-time.Hour:                      "-1h",
		90 * time.Second:                "1m30s",
		time.Hour + 30*time.Millisecond: "1h0m0.03s",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%s) = %q, want %q", d, got, want)
		}
	}
	for m, want := range map[int]string{1: "1m", 59: "59m", 60: "1h", 61: "61m", 120: "2h", MaxLevelMinutes: "24h"} {
		if got := Minutes(m); got != want {
			t.Errorf("Minutes(%d) = %q, want %q", m, got, want)
		}
	}
}

func TestTrimLevels(t *testing.T) {
	for _, n := range []int{1, MaxLevels, MaxLevels + 3} {
		var w Warnings
		p := config.Policy{Name: "P"}
		for i := range n {
			p.Levels = append(p.Levels, config.Level{Timeout: Minutes(i + 1)})
		}
		TrimLevels(&p, `policy "P"`, &w)
		if len(p.Levels) != min(n, MaxLevels) || p.Levels[0].Timeout != "1m" {
			t.Errorf("%d levels trimmed to %+v", n, p.Levels)
		}
		want := 0
		if n > MaxLevels {
			want = 1
		}
		if len(w) != want || want == 1 && w[0] != `policy "P": has 23 levels, and a Herald policy at most 20; the levels after the 20th are left out` {
			t.Errorf("%d levels: warnings %q", n, w)
		}
	}
}

func TestZone(t *testing.T) {
	var w Warnings
	for _, tc := range []struct{ in, want string }{{"", "UTC"}, {"Europe/Berlin", "Europe/Berlin"}, {"Mars/Olympus", "UTC"}} {
		tz, loc := Zone(tc.in, `schedule "S"`, &w)
		if tz != tc.want || loc.String() != tc.want {
			t.Errorf("Zone(%q) = %q, %v, want %q", tc.in, tz, loc, tc.want)
		}
	}
	if want := []string{`schedule "S": time zone "Mars/Olympus" is unknown here; UTC is used`}; !slices.Equal(w, want) {
		t.Errorf("warnings %q, want %q", w, want)
	}
}

func TestTurns(t *testing.T) {
	for _, tc := range []struct {
		unit           string
		n, hours       int
		ok, fits       bool
		rotation, size string
	}{
		{"hourly", 12, 12, true, true, "custom", "12h"},
		{"daily", 1, 24, true, true, "daily", ""},
		{"daily", 2, 48, true, true, "custom", "48h"},
		{"weekly", 1, 168, true, true, "weekly", ""},
		{"weekly", 4, 672, true, true, "custom", "672h"},
		{"weekly", 5, 840, true, false, "", ""},
		{"monthly", 1, 0, false, false, "", ""},
	} {
		var w Warnings
		hours, ok := TurnHours(tc.unit, tc.n)
		if hours != tc.hours || ok != tc.ok {
			t.Errorf("TurnHours(%q, %d) = %d, %v", tc.unit, tc.n, hours, ok)
			continue
		}
		if !ok {
			continue
		}
		if fits := TurnFits(hours, "layer", &w); fits != tc.fits || fits != (len(w) == 0) {
			t.Errorf("TurnFits(%d) = %v, warnings %q", hours, fits, w)
		}
		if !tc.fits {
			if want := "layer: a turn of 840h is longer than the 672h (4 weeks) a Herald layer allows; left out"; w[0] != want {
				t.Errorf("warning %q, want %q", w[0], want)
			}
			continue
		}
		if r, l := Rotation(hours); r != tc.rotation || l != tc.size {
			t.Errorf("Rotation(%d) = %q, %q, want %q, %q", hours, r, l, tc.rotation, tc.size)
		}
	}
}
