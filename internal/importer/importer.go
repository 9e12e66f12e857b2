// Package importer holds what the importers (pagerduty, grafanaoncall,
// opsgenie) share: collecting warnings, naming things uniquely the way
// Herald names them, writing durations as the configuration document
// does, Herald's bounds on a policy, and reading a vendor's paged lists.
// What differs by vendor (authentication, envelopes, rate limits, the
// words of an error) stays in the vendor's package.
package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/config"
)

// Warnings collects what an import could not carry over. Herald never
// drops a thing silently: each becomes a warning that names it.
type Warnings []string

// Warnf adds a warning.
func (w *Warnings) Warnf(format string, args ...any) {
	*w = append(*w, fmt.Sprintf(format, args...))
}

// UniqueNames keeps names unique within a kind, as Herald names them: a
// second "Primary" becomes "Primary (2)", with a warning. Names are
// compared without regard to case.
type UniqueNames map[string]bool

// Take returns the name a thing of kind named name gets: trimmed,
// "Unnamed KIND" when empty, numbered when taken before.
func (n UniqueNames) Take(name, kind string, w *Warnings) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Unnamed " + kind
	}
	got := name
	for i := 2; n[strings.ToLower(got)]; i++ {
		got = fmt.Sprintf("%s (%d)", name, i)
	}
	if got != name {
		w.Warnf("two %ss are named %q; the second is imported as %q", kind, name, got)
	}
	n[strings.ToLower(got)] = true
	return got
}

// Duration writes a duration the way the document does: "30m", "12h";
// one that is not whole minutes as Go writes it.
func Duration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}

// Minutes writes whole minutes the way the document writes a level's
// timeout: 90 as "90m", 120 as "2h".
func Minutes(m int) string {
	return Duration(time.Duration(m) * time.Minute)
}

// Herald's bounds on an escalation policy (internal/config checks them).
const (
	// MaxLevelMinutes is the longest a level may wait: 24 hours.
	MaxLevelMinutes = 24 * 60
	// MaxLevels is how many levels a policy may have.
	MaxLevels = 20
)

// TrimLevels cuts a policy to the levels Herald allows, with a warning
// that names it (where) when it has to.
func TrimLevels(p *config.Policy, where string, w *Warnings) {
	if len(p.Levels) > MaxLevels {
		w.Warnf("%s: has %d levels, and a Herald policy at most %d; the levels after the %dth are left out", where, len(p.Levels), MaxLevels, MaxLevels)
		p.Levels = p.Levels[:MaxLevels]
	}
}

// Zone is the time zone of a schedule: tz, UTC when it is empty, and UTC
// with a warning naming the schedule (where) when this machine does not
// know it.
func Zone(tz, where string, w *Warnings) (string, *time.Location) {
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		w.Warnf("%s: time zone %q is unknown here; UTC is used", where, tz)
		return "UTC", time.UTC
	}
	return tz, loc
}

// MaxTurnHours is the longest turn a Herald layer allows: four weeks.
const MaxTurnHours = 24 * 28

// TurnHours is the length of a rotation's turn in hours for the vendors
// that give it as a unit and a count ("hourly", "daily", "weekly" times
// n); false for another unit.
func TurnHours(unit string, n int) (int, bool) {
	switch unit {
	case "hourly":
		return n, true
	case "daily":
		return 24 * n, true
	case "weekly":
		return 7 * 24 * n, true
	}
	return 0, false
}

// TurnFits says whether a turn of hours fits a Herald layer, warning
// about the layer (at) when it does not.
func TurnFits(hours int, at string, w *Warnings) bool {
	if hours > MaxTurnHours {
		w.Warnf("%s: a turn of %dh is longer than the %dh (4 weeks) a Herald layer allows; left out", at, hours, MaxTurnHours)
		return false
	}
	return true
}

// Rotation is the Herald rotation of a turn of hours: "daily" or "weekly"
// (handing off at the layer's start time), or "custom" with its length.
func Rotation(hours int) (rotation, length string) {
	switch hours {
	case 24:
		return "daily", ""
	case 7 * 24:
		return "weekly", ""
	}
	return "custom", fmt.Sprintf("%dh", hours)
}
