package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald"
)

// runMeasures is `herald measures`: the measures report over a period,
// optionally for one person (R62), as tables, JSON (-o json) or CSV.
func runMeasures(ctx context.Context, args []string, e env) error {
	f := newFlags("measures", "measures [--from DATE] [--to DATE] [--person USER] [--ack-target 15m] [--csv]", e)
	from := f.String("from", "", "start of the period: a date (2026-01-01) or an RFC 3339 time (default: 30 days before --to)")
	to := f.String("to", "", "end of the period: a date (that day included) or an RFC 3339 time (default: now)")
	person := f.String("person", "", "only this person (user id or e-mail)")
	target := f.String("ack-target", "", "the acknowledgement target, like 15m (default: the measures.ack_target setting)")
	asCSV := f.Bool("csv", false, "write CSV, one row per measure and person")
	cf := addClientFlags(f)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("herald measures takes no arguments")
	}
	q, err := herald.ParseMeasuresQuery(url.Values{"from": {*from}, "to": {*to}, "person": {*person}, "ack_target": {*target}})
	if err != nil {
		return err
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	if *asCSV {
		text, err := c.Incidents.MeasuresCSV(ctx, q)
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(e.stdout, text)
		return err
	}
	r, err := c.Incidents.MeasuresReport(ctx, q)
	if err != nil {
		return err
	}
	return cf.print(e.stdout, r, func(tw *tabwriter.Writer) { measuresReportTable(tw, r) })
}

func secs(v *int) string {
	if v == nil {
		return "-"
	}
	return (time.Duration(*v) * time.Second).String()
}

func pct(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v*100, 'f', 1, 64) + "%"
}

// measuresReportTable prints the report section by section.
func measuresReportTable(tw *tabwriter.Writer, r herald.MeasuresReport) {
	who := "everyone"
	if r.Person != nil {
		who = r.Person.Name
	}
	row(tw, "Period", ts(r.From)+" to "+ts(r.To)+" ("+who+")")
	row(tw, "Out of hours", r.OutOfHours)
	row(tw)
	row(tw, "ROLE", "PAGES", "ACKNOWLEDGED", "MEDIAN", "P90", "WITHIN "+secs(&r.AckTargetS))
	for _, a := range r.Acknowledgement {
		row(tw, a.RoleName, strconv.Itoa(a.Pages), strconv.Itoa(a.Acknowledged), secs(a.P50S), secs(a.P90S), pct(a.ShareWithinTarget))
	}
	row(tw)
	row(tw, "MEASURE", "VALUE")
	row(tw, "Update intervals on time", fmt.Sprintf("%d of %d (%s), %d minutes late", r.Cadence.OnTime, r.Cadence.Intervals, pct(r.Cadence.ShareOnTime), r.Cadence.MinutesLate))
	per := "-"
	if r.StakeholderNotices.PerIncident != nil {
		per = strconv.FormatFloat(*r.StakeholderNotices.PerIncident, 'f', 2, 64)
	}
	row(tw, "Stakeholder notices", fmt.Sprintf("%d for %d incidents (%s per incident)", r.StakeholderNotices.Notices, r.StakeholderNotices.Incidents, per))
	cn := r.CustomerNotices
	row(tw, "Customer notices on time", fmt.Sprintf("%d of %d (%s), %d minutes late, %d overdue now", cn.OnTime, cn.Notices, pct(cn.ShareOnTime), cn.MinutesLate, cn.Overdue))
	row(tw, "Handovers submitted", fmt.Sprintf("%d of %d shifts (%s)", r.Handovers.Submitted, r.Handovers.Shifts, pct(r.Handovers.ShareSubmitted)))
	cr := r.ContactRequests
	row(tw, "Contact requests completed", fmt.Sprintf("%d of %d (%s), %d by their due time; %d cancelled, %d open", cr.Completed, cr.Opened, pct(cr.ShareCompleted), cr.CompletedByDue, cr.Cancelled, cr.Open))
	row(tw)
	row(tw, "SEVERITY", "INCIDENTS", "MTTA P50", "MTTA P90", "RESOLVED", "MTTR P50", "MTTR P90")
	for _, s := range r.Severities {
		row(tw, string(s.Severity), strconv.Itoa(s.Incidents), secs(s.MTTA.P50S), secs(s.MTTA.P90S), strconv.Itoa(s.Resolved), secs(s.MTTR.P50S), secs(s.MTTR.P90S))
	}
	row(tw)
	row(tw, "PERSON", "PAGES", "OUT OF HOURS")
	if len(r.Pages) == 0 {
		row(tw, "(no pages)")
	}
	for _, p := range r.Pages {
		row(tw, p.Name, strconv.Itoa(p.Pages), strconv.Itoa(p.OutOfHours))
	}
	if len(r.Training) > 0 {
		row(tw)
		row(tw, "PERSON", "QUARTER", "TRAINING EVENTS")
		for _, t := range r.Training {
			row(tw, t.Name, t.Quarter, strconv.Itoa(t.Events))
		}
	}
}
