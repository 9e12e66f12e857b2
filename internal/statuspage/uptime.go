package statuspage

import (
	"math"
	"time"

	"github.com/heraldhq/herald"
)

// Day is one day of a component's history.
type Day struct {
	Date    time.Time
	Worst   herald.ComponentStatus // the worst status shown that day
	Percent float64                // uptime, weighted (herald.ComponentStatus.DowntimeWeight)
	Known   bool                   // false before the component existed
	// Minutes spent in each status other than operational.
	Minutes map[herald.ComponentStatus]int
}

// Uptime is a component's history over the last Days days.
type Uptime struct {
	Days    []Day
	Percent float64 // over every known day
	Known   bool
}

// ComputeUptime folds a component's status changes into days. points holds
// the status at start (if the component existed) and every change after,
// oldest first. Time is weighted by DowntimeWeight: a major outage counts
// fully, a partial outage 30%, degraded performance and maintenance not at
// all.
func ComputeUptime(points []herald.StatusPoint, created, start, now time.Time) Uptime {
	u := Uptime{}
	var total, down float64
	for d := 0; d < Days; d++ {
		from := start.AddDate(0, 0, d)
		to := from.AddDate(0, 0, 1)
		day := Day{Date: from, Worst: herald.Operational, Minutes: map[herald.ComponentStatus]int{}}
		lo, hi := maxTime(from, created), minTime(to, now)
		if hi.After(lo) {
			day.Known = true
			var dayTotal, dayDown float64
			for i, p := range points {
				segFrom := p.At
				segTo := hi
				if i+1 < len(points) {
					segTo = points[i+1].At
				}
				a, b := maxTime(segFrom, lo), minTime(segTo, hi)
				if !b.After(a) {
					continue
				}
				secs := b.Sub(a).Seconds()
				dayTotal += secs
				dayDown += secs * p.Status.DowntimeWeight()
				if p.Status != herald.Operational {
					day.Minutes[p.Status] += int(math.Ceil(secs / 60))
				}
				day.Worst = herald.Worst(day.Worst, p.Status)
			}
			if dayTotal == 0 { // no recorded status: treat as operational
				dayTotal = hi.Sub(lo).Seconds()
			}
			day.Percent = 100 * (1 - dayDown/dayTotal)
			total += dayTotal
			down += dayDown
		}
		u.Days = append(u.Days, day)
	}
	if total > 0 {
		u.Known = true
		u.Percent = 100 * (1 - down/total)
	}
	return u
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
