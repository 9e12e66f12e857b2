package console

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// The measures screen (R62): the report over a period, for everyone or one
// person, with charts drawn here as SVG (no chart service, no JavaScript)
// and every number also in a table. The CSV link serves the same report.
func (c *Console) measuresRoutes() []route {
	return []route{
		{method: "GET", path: "/app/measures", role: herald.RoleViewer, serve: c.measures},
		{method: "GET", path: "/app/measures.csv", role: herald.RoleViewer, serve: c.measuresCSV},
	}
}

type measuresView struct {
	Input  url.Values
	Error  *herald.Error
	Report *herald.MeasuresReport
	People []herald.User
	// CSV is the link to this report as CSV.
	CSV    string
	Charts []template.HTML
}

// measuresQuery reads the form; the date inputs' values are dates, the
// "to" date included.
func measuresQuery(r *http.Request) (herald.MeasuresQuery, url.Values, error) {
	in := url.Values{}
	for _, k := range []string{"from", "to", "person", "ack_target"} {
		if v := strings.TrimSpace(r.URL.Query().Get(k)); v != "" {
			in.Set(k, v)
		}
	}
	q, err := herald.ParseMeasuresQuery(in)
	return q, in, err
}

func (c *Console) measures(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	q, in, err := measuresQuery(r)
	v := measuresView{Input: in}
	if people, perr := c.cfg.Services.People.Users(r.Context()); perr == nil {
		v.People = people
	}
	var rep herald.MeasuresReport
	if err == nil {
		rep, err = c.cfg.Services.Incidents.MeasuresReport(r.Context(), q)
	}
	if err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		v.Error = herr
		c.render(w, r, status, "measures", a, v)
		return nil
	}
	if in.Get("from") == "" {
		in.Set("from", rep.From.Format("2006-01-02"))
	}
	if in.Get("to") == "" {
		in.Set("to", rep.To.Add(-time.Nanosecond).Format("2006-01-02"))
	}
	v.Report = &rep
	v.CSV = "/app/measures.csv?" + in.Encode()
	v.Charts = measuresCharts(rep)
	c.render(w, r, http.StatusOK, "measures", a, v)
	return nil
}

func (c *Console) measuresCSV(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	q, _, err := measuresQuery(r)
	if err != nil {
		return err
	}
	rep, err := c.cfg.Services.Incidents.MeasuresReport(r.Context(), q)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="measures.csv"`)
	_, err = w.Write(rep.CSV())
	return err
}

// chartBar is one row of a chart: its label and its segments, drawn one after
// the other.
type chartBar struct {
	label    string
	segments []chartSegment
}

type chartSegment struct {
	value float64
	class string // the CSS class that colours it (assets/measures.css)
	text  string // the value as words, in the bar's tooltip
}

// barChart draws horizontal bars as an accessible SVG: role img, a title
// and a description, each bar's value as text beside it. max is the
// scale's end (0: the longest bar); marker draws a line at that value
// (the target), when positive.
func barChart(id, title, desc string, bars []chartBar, max, marker float64, markerText string) template.HTML {
	const left, width, rowH, right = 170.0, 300.0, 26.0, 150.0
	for _, b := range bars {
		sum := 0.0
		for _, s := range b.segments {
			sum += s.value
		}
		if sum > max {
			max = sum
		}
	}
	if marker > max {
		max = marker
	}
	if max <= 0 {
		max = 1
	}
	h := rowH*float64(len(bars)) + 30
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-labelledby="%[1]s-t %[1]s-d" viewBox="0 0 %[2]g %[3]g" width="100%%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">`,
		id, left+width+right, h)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
	for i, br := range bars {
		y := 10 + rowH*float64(i)
		fmt.Fprintf(&b, `<text class="chart-label" x="%g" y="%g" text-anchor="end">%s</text>`, left-8, y+15, esc(br.label))
		x := left
		var words []string
		for _, s := range br.segments {
			wd := width * s.value / max
			if wd > 0 {
				fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%g" width="%.1f" height="18"><title>%s</title></rect>`, esc(s.class), x, y+2, wd, esc(s.text))
			}
			x += wd
			words = append(words, s.text)
		}
		fmt.Fprintf(&b, `<text class="chart-value" x="%.1f" y="%g">%s</text>`, x+6, y+15, esc(strings.Join(words, ", ")))
	}
	if marker > 0 {
		mx := left + width*marker/max
		fmt.Fprintf(&b, `<line class="chart-target" x1="%.1f" x2="%.1f" y1="4" y2="%g"/><text class="chart-value" x="%.1f" y="%g" text-anchor="middle">%s</text>`,
			mx, mx, h-14, mx, h-2, esc(markerText))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func minutesText(s *int) string {
	if s == nil {
		return "none"
	}
	return humanSeconds(*s)
}

func humanSeconds(s int) string {
	d := time.Duration(s) * time.Second
	switch {
	case d < time.Minute:
		return strconv.Itoa(s) + " s"
	case d < 2*time.Hour:
		return strconv.FormatFloat(d.Minutes(), 'f', 1, 64) + " min"
	default:
		return strconv.FormatFloat(d.Hours(), 'f', 1, 64) + " h"
	}
}

func pctText(v *float64) string {
	if v == nil {
		return "nothing to measure"
	}
	return strconv.FormatFloat(*v*100, 'f', 0, 64) + "%"
}

func shareValue(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v * 100
}

func secsValue(v *int) float64 {
	if v == nil {
		return 0
	}
	return float64(*v) / 60
}

// measuresCharts draws the report's four charts.
func measuresCharts(r herald.MeasuresReport) []template.HTML {
	var ack []chartBar
	for _, a := range r.Acknowledgement {
		ack = append(ack, chartBar{label: a.RoleName, segments: []chartSegment{
			{secsValue(a.P50S), "bar-p50", "median " + minutesText(a.P50S)},
			{max(0, secsValue(a.P90S)-secsValue(a.P50S)), "bar-p90", "p90 " + minutesText(a.P90S)}}})
	}
	target := float64(r.AckTargetS) / 60
	charts := []template.HTML{barChart("chart-ack", "Time to acknowledge by role",
		"Median and 90th percentile of the time each role took to acknowledge its page, in minutes, against the target of "+humanSeconds(r.AckTargetS)+". The table below has the numbers.",
		ack, 0, target, "target")}

	shares := []chartBar{
		{"Updates on time", []chartSegment{{shareValue(r.Cadence.ShareOnTime), "bar-share", pctText(r.Cadence.ShareOnTime)}}},
		{"Customer notices on time", []chartSegment{{shareValue(r.CustomerNotices.ShareOnTime), "bar-share", pctText(r.CustomerNotices.ShareOnTime)}}},
		{"Handovers submitted", []chartSegment{{shareValue(r.Handovers.ShareSubmitted), "bar-share", pctText(r.Handovers.ShareSubmitted)}}},
		{"Requests completed", []chartSegment{{shareValue(r.ContactRequests.ShareCompleted), "bar-share", pctText(r.ContactRequests.ShareCompleted)}}},
	}
	for _, a := range r.Acknowledgement {
		shares = append(shares, chartBar{a.RoleName + " in target", []chartSegment{{shareValue(a.ShareWithinTarget), "bar-share", pctText(a.ShareWithinTarget)}}})
	}
	charts = append(charts, barChart("chart-shares", "Shares on time", "The share of update intervals, customer notices, handovers and contact requests that met their mark, and of each role's pages acknowledged within the target, in percent.",
		shares, 100, 0, ""))

	var mttr []chartBar
	for _, s := range r.Severities {
		mttr = append(mttr, chartBar{label: string(s.Severity), segments: []chartSegment{
			{secsValue(s.MTTR.P50S), "bar-p50", "median " + minutesText(s.MTTR.P50S)},
			{max(0, secsValue(s.MTTR.P90S)-secsValue(s.MTTR.P50S)), "bar-p90", "p90 " + minutesText(s.MTTR.P90S)}}})
	}
	charts = append(charts, barChart("chart-mttr", "Time to resolve by severity", "Median and 90th percentile of the time from declaration (or the start of impact) to resolution, in minutes, by severity.", mttr, 0, 0, ""))

	var pages []chartBar
	for i, p := range r.Pages {
		if i == 15 {
			break
		}
		pages = append(pages, chartBar{label: p.Name, segments: []chartSegment{
			{float64(p.Pages - p.OutOfHours), "bar-p50", strconv.Itoa(p.Pages-p.OutOfHours) + " in hours"},
			{float64(p.OutOfHours), "bar-ooh", strconv.Itoa(p.OutOfHours) + " out of hours"}}})
	}
	if len(pages) > 0 {
		charts = append(charts, barChart("chart-pages", "Pages per person", "The pages that reached each person (the 15 most paged), in working hours and out of hours ("+r.OutOfHours+").", pages, 0, 0, ""))
	}
	return charts
}

// The measures screen's template helpers, added to funcs here so that the
// shared table in render.go stays as it is.
func init() {
	funcs["secs"] = func(s int) string { return humanSeconds(s) }
	funcs["secsp"] = func(s *int) string {
		if s == nil {
			return "—"
		}
		return humanSeconds(*s)
	}
	funcs["share"] = func(v *float64) string {
		if v == nil {
			return "—"
		}
		return pctText(v)
	}
	funcs["ratio"] = func(v *float64) string {
		if v == nil {
			return "—"
		}
		return strconv.FormatFloat(*v, 'f', 2, 64)
	}
}
