package opsgenie

import (
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer"
)

// convertSchedules makes a Herald schedule of each Opsgenie schedule: each
// rotation a layer, in order, and each override that has not ended an
// override.
func (c *converter) convertSchedules(s snapshot, doc *config.Document) {
	names := importer.UniqueNames{}
	for _, sc := range s.schedules {
		name := names.Take(sc.Name, "schedule", &c.Warnings)
		where := fmt.Sprintf("schedule %q", name)
		tz, loc := importer.Zone(sc.Timezone, where, &c.Warnings)
		if !sc.Enabled {
			c.Warnf("%s is disabled in Opsgenie; Herald has no disabled schedules, so it is imported as an active one", where)
		}
		out := config.Schedule{Name: name, Team: c.teamName(sc.OwnerTeam), TimeZone: tz}
		for _, r := range sc.Rotations {
			if l, ok := c.layer(r, loc, fmt.Sprintf("%s, rotation %q", where, r.Name)); ok {
				out.Layers = append(out.Layers, l)
			}
		}
		if len(out.Layers) > 1 {
			c.Warnf("%s: Opsgenie pages whoever is on call in each of its %d rotations at once; in Herald the later layer wins where both have someone", where, len(out.Layers))
		}
		past := 0
		for _, o := range s.overrides[sc.ID] {
			at := fmt.Sprintf("%s, override %q", where, orID(o.Alias, o.StartDate.Format(time.RFC3339)))
			if !o.EndDate.After(c.now) {
				past++
				continue
			}
			if o.User.Type != "user" {
				c.Warnf("%s: an override by a %s is not in Herald (an override is one person); left out", at, o.User.Type)
				continue
			}
			if len(o.Rotations) > 0 {
				var rs []string
				for _, r := range o.Rotations {
					rs = append(rs, orID(r.Name, r.ID))
				}
				c.Warnf("%s: applies to the rotations %s only; a Herald override stands above every layer", at, strings.Join(rs, ", "))
			}
			if e := c.person(o.User, at); e != "" {
				out.Overrides = append(out.Overrides, config.Override{User: e, Start: o.StartDate.In(loc), End: o.EndDate.In(loc)})
			}
		}
		if past > 0 {
			c.Warnf("%s: overrides that ended before the import are left out (%d)", where, past)
		}
		if len(out.Layers) == 0 {
			c.Warnf("%s has no rotation Herald can import (a Herald schedule needs at least one layer); left out with its %d overrides", where, len(out.Overrides))
			continue
		}
		c.schedules[sc.ID] = name
		doc.Schedules = append(doc.Schedules, out)
	}
}

// layer converts one rotation, or says with a warning why it cannot.
func (c *converter) layer(r rotation, loc *time.Location, at string) (config.Layer, bool) {
	l := config.Layer{Name: r.Name, Start: r.StartDate.In(loc)}
	if r.StartDate.IsZero() {
		c.Warnf("%s: has no start date; left out", at)
		return l, false
	}
	if r.EndDate != nil {
		if !r.EndDate.After(c.now) {
			c.Warnf("%s: ended at %s; left out", at, r.EndDate.Format(time.RFC3339))
			return l, false
		}
		c.Warnf("%s: ends at %s, and a Herald layer does not end: remove the layer then", at, r.EndDate.Format(time.RFC3339))
	}
	hours, ok := importer.TurnHours(r.Type, max(r.Length, 1))
	if !ok {
		c.Warnf("%s: a rotation of type %q has no Herald equivalent; left out", at, r.Type)
		return l, false
	}
	if !importer.TurnFits(hours, at, &c.Warnings) {
		return l, false
	}
	l.Rotation, l.Length = importer.Rotation(hours)
	if l.Rotation != "custom" {
		l.HandoffTime = l.Start.Format("15:04")
	}
	if r.TimeRestriction != nil {
		c.Warnf("%s: on call only within its time restriction (%s); a Herald layer has no gaps, so it is imported as cover around the clock: check it, and add what fills the gaps as another layer", at, r.TimeRestriction.Type)
	}
	for _, p := range r.Participants {
		switch p.Type {
		case "user":
			if e := c.person(p, at); e != "" {
				l.Users = append(l.Users, e)
			}
		case "none":
			c.Warnf("%s: a turn with nobody on call is not in Herald; left out (the others' turns move up)", at)
		default:
			c.Warnf("%s: a %s (%s) taking a turn is not in Herald, where a turn is one person; left out", at, p.Type, orID(p.Name, p.ID))
		}
	}
	if len(l.Users) == 0 {
		c.Warnf("%s: nobody in it could be imported; left out", at)
		return l, false
	}
	return l, true
}
