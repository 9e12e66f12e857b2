package grafanaoncall

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer"
)

// convertSchedules makes a Herald schedule of each OnCall schedule: its
// recurring shifts become layers (OnCall's higher level is Herald's later
// layer, which wins), its overrides and one-off shifts become overrides.
// An iCal schedule's events are not in the API, so it is named in a
// warning instead.
func (c *converter) convertSchedules(s snapshot, doc *config.Document) {
	names := importer.UniqueNames{}
	byID := map[string]shift{}
	for _, sh := range s.shifts {
		byID[sh.ID] = sh
	}
	for _, sc := range s.schedules {
		name := names.Take(sc.Name, "schedule", &c.Warnings)
		where := fmt.Sprintf("schedule %q", name)
		if sc.Type == "ical" {
			c.Warnf("%s is made from an iCal feed, whose events are not in OnCall's API; left out: recreate its rotations in Herald", where)
			continue
		}
		tz, loc := importer.Zone(sc.TimeZone, where, &c.Warnings)
		var mine []shift
		seen := map[string]bool{}
		for _, id := range sc.Shifts {
			sh, ok := byID[id]
			if !ok {
				c.Warnf("%s: shift %s is not among the shifts read; left out", where, id)
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
			c.Warnf("%s: overrides and one-off shifts that ended before the import are left out (%d)", where, past)
		}
		if sc.ICalURLOverrides != nil && *sc.ICalURLOverrides != "" {
			c.Warnf("%s: overrides from its iCal overrides feed are not in OnCall's API; left out: add them in Herald", where)
		}
		if len(out.Layers) == 0 {
			c.Warnf("%s has no rotation Herald can import (a Herald schedule needs at least one layer); left out with its %d overrides", where, len(out.Overrides))
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
			c.Warnf("%s: time zone %q is unknown here; the schedule's is used", at, *sh.TimeZone)
		}
	}
	start, err := parseStart(sh.Start, loc)
	if err != nil {
		c.Warnf("%s: start %q is not a time; left out", at, sh.Start)
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
			c.Warnf("%s: a one-off shift is imported as an override (above every layer)", at)
		}
		if len(users) > 1 {
			c.Warnf("%s: %d people at once; imported as one override each, and Herald puts one of them on call", at, len(users))
		}
		for _, id := range users {
			if e := c.email(id, at); e != "" {
				out.Overrides = append(out.Overrides, config.Override{User: e, Start: start.In(schedLoc), End: end.In(schedLoc)})
			}
		}
		return 0
	case "recurrent_event", "rolling_users":
	default:
		c.Warnf("%s: shift type %q is unknown; left out", at, sh.Type)
		return 0
	}

	freq, interval := "", 1
	if sh.Frequency != nil {
		freq = *sh.Frequency
	}
	if sh.Interval != nil && *sh.Interval > 0 {
		interval = *sh.Interval
	}
	hours, ok := importer.TurnHours(freq, interval)
	if !ok {
		c.Warnf("%s: a %q rotation has no Herald equivalent (Herald rotates hourly multiples, daily or weekly); left out", at, freq)
		return 0
	}
	if !importer.TurnFits(hours, at, &c.Warnings) {
		return 0
	}
	if sh.Until != nil && *sh.Until != "" {
		if until, err := parseStart(*sh.Until, loc); err == nil && !until.After(c.now) {
			c.Warnf("%s: ended at %s; left out", at, *sh.Until)
			return 0
		}
		c.Warnf("%s: ends at %s, and a Herald layer does not end: remove the layer then", at, *sh.Until)
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
		c.Warnf("%s: on call %s; a Herald layer has no gaps, so it is imported as cover around the clock: check it, and add what fills the gaps as another layer", at, strings.Join(partial, ", "))
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
			c.Warnf("%s: a turn with nobody on call is not in Herald; left out (the others' turns move up)", at)
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
			c.Warnf("%s: %d people are on call together in one turn, and a Herald layer has one person a turn: the first is imported; %s left out", at, len(g), strings.Join(rest, ", "))
		}
		if e := c.email(g[0], at); e != "" {
			l.Users = append(l.Users, e)
		}
	}
	if len(l.Users) == 0 {
		c.Warnf("%s: nobody in it could be imported; left out", at)
		return 0
	}
	l.Rotation, l.Length = importer.Rotation(hours)
	if l.Rotation != "custom" {
		l.HandoffTime = start.In(schedLoc).Format("15:04")
		if loc.String() != schedLoc.String() {
			c.Warnf("%s: hands off at %s %s, kept as %s %s (the schedule's zone; an hour apart while only one of them keeps summer time)", at, start.Format("15:04"), loc, l.HandoffTime, schedLoc)
		}
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
