package grafanaoncall

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/config"
)

// convertSchedules makes a Herald schedule of each OnCall schedule: its
// recurring shifts become layers (OnCall's higher level is Herald's later
// layer, which wins), its overrides and one-off shifts become overrides.
// An iCal schedule's events are not in the API, so it is named in a
// warning instead.
func (c *converter) convertSchedules(s snapshot, doc *config.Document) {
	names := uniqueNames{}
	byID := map[string]shift{}
	for _, sh := range s.shifts {
		byID[sh.ID] = sh
	}
	for _, sc := range s.schedules {
		name := names.take(sc.Name, "schedule", c)
		where := fmt.Sprintf("schedule %q", name)
		if sc.Type == "ical" {
			c.warnf("%s is made from an iCal feed, whose events are not in OnCall's API; left out: recreate its rotations in Herald", where)
			continue
		}
		tz := sc.TimeZone
		if tz == "" {
			tz = "UTC"
		}
		loc, err := time.LoadLocation(tz)
		if err != nil {
			c.warnf("%s: time zone %q is unknown here; UTC is used", where, tz)
			tz, loc = "UTC", time.UTC
		}
		var mine []shift
		seen := map[string]bool{}
		for _, id := range sc.Shifts {
			sh, ok := byID[id]
			if !ok {
				c.warnf("%s: shift %s is not among the shifts read; left out", where, id)
				continue
			}
			if !seen[id] {
				seen[id] = true
				mine = append(mine, sh)
			}
		}
		for _, sh := range s.shifts {
			if sh.Schedule != nil && *sh.Schedule == sc.ID && !seen[sh.ID] {
				seen[sh.ID] = true
				mine = append(mine, sh)
			}
		}
		slices.SortStableFunc(mine, func(a, b shift) int { return a.Level - b.Level })
		out := config.Schedule{Name: name, Team: c.team(sc.TeamID), TimeZone: tz}
		past := 0
		for _, sh := range mine {
			past += c.convertShift(sh, loc, &out, where)
		}
		if past > 0 {
			c.warnf("%s: overrides and one-off shifts that ended before the import are left out (%d)", where, past)
		}
		if sc.ICalURLOverrides != nil && *sc.ICalURLOverrides != "" {
			c.warnf("%s: overrides from its iCal overrides feed are not in OnCall's API; left out: add them in Herald", where)
		}
		if len(out.Layers) == 0 {
			c.warnf("%s has no rotation Herald can import (a Herald schedule needs at least one layer); left out with its %d overrides", where, len(out.Overrides))
			continue
		}
		c.schedules[sc.ID] = name
		doc.Schedules = append(doc.Schedules, out)
	}
}

// parseStart reads a shift's start: OnCall writes a local time without an
// offset ("2020-09-10T08:00:00") in the shift's time zone.
func parseStart(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02T15:04:05", s, loc)
}

// convertShift adds one shift to out as a layer or as overrides, and
// returns how many overrides it left out because they had ended.
func (c *converter) convertShift(sh shift, schedLoc *time.Location, out *config.Schedule, where string) int {
	at := fmt.Sprintf("%s, shift %q", where, sh.Name)
	loc := schedLoc
	if sh.TimeZone != nil && *sh.TimeZone != "" {
		if l, err := time.LoadLocation(*sh.TimeZone); err == nil {
			loc = l
		} else {
			c.warnf("%s: time zone %q is unknown here; the schedule's is used", at, *sh.TimeZone)
		}
	}
	start, err := parseStart(sh.Start, loc)
	if err != nil {
		c.warnf("%s: start %q is not a time; left out", at, sh.Start)
		return 0
	}
	length := time.Duration(sh.Duration) * time.Second
	users := sh.Users
	if len(users) == 0 {
		for _, g := range sh.RollingUsers {
			users = append(users, g...)
		}
	}
	switch sh.Type {
	case "override", "single_event":
		end := start.Add(length)
		if !end.After(c.now) {
			return 1
		}
		if sh.Type == "single_event" {
			c.warnf("%s: a one-off shift is imported as an override (above every layer)", at)
		}
		if len(users) > 1 {
			c.warnf("%s: %d people at once; imported as one override each, and Herald puts one of them on call", at, len(users))
		}
		for _, id := range users {
			if e := c.email(id, at); e != "" {
				out.Overrides = append(out.Overrides, config.Override{User: e, Start: start.In(schedLoc), End: end.In(schedLoc)})
			}
		}
		return 0
	case "recurrent_event", "rolling_users":
	default:
		c.warnf("%s: shift type %q is unknown; left out", at, sh.Type)
		return 0
	}

	freq, interval := "", 1
	if sh.Frequency != nil {
		freq = *sh.Frequency
	}
	if sh.Interval != nil && *sh.Interval > 0 {
		interval = *sh.Interval
	}
	var hours int
	switch freq {
	case "hourly":
		hours = interval
	case "daily":
		hours = 24 * interval
	case "weekly":
		hours = 7 * 24 * interval
	default:
		c.warnf("%s: a %q rotation has no Herald equivalent (Herald rotates hourly multiples, daily or weekly); left out", at, freq)
		return 0
	}
	if hours > 24*28 {
		c.warnf("%s: a turn of %dh is longer than the 672h (4 weeks) a Herald layer allows; left out", at, hours)
		return 0
	}
	if sh.Until != nil && *sh.Until != "" {
		if until, err := parseStart(*sh.Until, loc); err == nil && !until.After(c.now) {
			c.warnf("%s: ended at %s; left out", at, *sh.Until)
			return 0
		}
		c.warnf("%s: ends at %s, and a Herald layer does not end: remove the layer then", at, *sh.Until)
	}
	period := time.Duration(hours) * time.Hour
	var partial []string
	if length > 0 && length < period {
		partial = append(partial, fmt.Sprintf("for %s of every %s", short(length), short(period)))
	}
	if len(sh.ByDay) > 0 && len(sh.ByDay) < 7 {
		partial = append(partial, "on "+strings.Join(sh.ByDay, ", ")+" only")
	}
	if len(sh.ByMonth) > 0 || len(sh.ByMonthday) > 0 {
		partial = append(partial, "in some months or on some days of the month only")
	}
	if len(partial) > 0 {
		c.warnf("%s: on call %s; a Herald layer has no gaps, so it is imported as cover around the clock: check it, and add what fills the gaps as another layer", at, strings.Join(partial, ", "))
	}

	groups := sh.RollingUsers
	if sh.Type == "recurrent_event" || len(groups) == 0 {
		groups = [][]string{sh.Users}
	}
	if sh.StartRotationFromIdx != nil && *sh.StartRotationFromIdx > 0 && len(groups) > 0 {
		i := *sh.StartRotationFromIdx % len(groups)
		groups = append(slices.Clone(groups[i:]), groups[:i]...)
	}
	l := config.Layer{Name: sh.Name, Start: start.In(schedLoc)}
	for _, g := range groups {
		if len(g) == 0 {
			c.warnf("%s: a turn with nobody on call is not in Herald; left out (the others' turns move up)", at)
			continue
		}
		if len(g) > 1 {
			var rest []string
			for _, id := range g[1:] {
				if e := c.emails[id]; e != "" {
					rest = append(rest, e)
				} else {
					rest = append(rest, id)
				}
			}
			c.warnf("%s: %d people are on call together in one turn, and a Herald layer has one person a turn: the first is imported; %s left out", at, len(g), strings.Join(rest, ", "))
		}
		if e := c.email(g[0], at); e != "" {
			l.Users = append(l.Users, e)
		}
	}
	if len(l.Users) == 0 {
		c.warnf("%s: nobody in it could be imported; left out", at)
		return 0
	}
	switch hours {
	case 24, 7 * 24:
		l.Rotation = "daily"
		if hours == 7*24 {
			l.Rotation = "weekly"
		}
		l.HandoffTime = start.In(schedLoc).Format("15:04")
		if loc.String() != schedLoc.String() {
			c.warnf("%s: hands off at %s %s, kept as %s %s (the schedule's zone; an hour apart while only one of them keeps summer time)", at, start.Format("15:04"), loc, l.HandoffTime, schedLoc)
		}
	default:
		l.Rotation = "custom"
		l.Length = fmt.Sprintf("%dh", hours)
	}
	out.Layers = append(out.Layers, l)
	return 0
}

// short writes a duration without its zero parts: 8h, 90m as 1h30m.
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
