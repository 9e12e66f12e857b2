package server

import (
	"context"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/prometheus/client_golang/prometheus"
)

// measuresTTL is how long one computed report serves scrapes: the report
// reads a month of incidents, which a scrape every 15 seconds need not
// repeat.
const measuresTTL = 5 * time.Minute

// measuresCollector exports the R62 report over the last 30 days as
// gauges: per role, per severity and totals, never per person unless the
// measures.per_person_metrics setting asks for it (one series per person
// grows with the staff). docs/MEASURES.md lists them.
type measuresCollector struct {
	incidents herald.IncidentService
	settings  herald.SettingsService

	ack, ackShare, share, mtta, mttr, pages, personPages *prometheus.Desc

	mu        sync.Mutex
	at        time.Time
	report    herald.MeasuresReport
	perPerson bool
	ok        bool
}

func newMeasuresCollector(inc herald.IncidentService, set herald.SettingsService) *measuresCollector {
	const p = "herald_measures_"
	return &measuresCollector{incidents: inc, settings: set,
		ack: prometheus.NewDesc(p+"ack_seconds", "Time to acknowledge a role's page over the last 30 days, by incident role and quantile (0.5, 0.9; nearest rank).",
			[]string{"role", "quantile"}, nil),
		ackShare: prometheus.NewDesc(p+"ack_within_target_ratio", "Share of a role's pages over the last 30 days acknowledged within the target (measures.ack_target).",
			[]string{"role"}, nil),
		share: prometheus.NewDesc(p+"on_time_ratio", "Share on time over the last 30 days, by measure: cadence (public update intervals), customer_notices, handovers (submitted per shift), contact_requests (completed).",
			[]string{"measure"}, nil),
		mtta: prometheus.NewDesc(p+"mtta_seconds", "Time from an incident's first page to its first acknowledgement, incidents declared in the last 30 days, by severity and quantile.",
			[]string{"severity", "quantile"}, nil),
		mttr: prometheus.NewDesc(p+"mttr_seconds", "Time from declaration (or the start of impact) to resolution, incidents declared in the last 30 days, by severity and quantile.",
			[]string{"severity", "quantile"}, nil),
		pages: prometheus.NewDesc(p+"pages", "Pages that reached people over the last 30 days (one per page and person), by when they were raised: in_hours or out_of_hours.",
			[]string{"when"}, nil),
		personPages: prometheus.NewDesc(p+"person_pages", "Pages that reached a person over the last 30 days, by person (user id and name) and when; only with measures.per_person_metrics.",
			[]string{"user_id", "name", "when"}, nil),
	}
}

func (c *measuresCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.ack, c.ackShare, c.share, c.mtta, c.mttr, c.pages, c.personPages} {
		ch <- d
	}
}

// load returns the cached report, computing it when older than the TTL.
// When the database does not answer the series are left out of this
// scrape rather than failing the whole of /metrics.
func (c *measuresCollector) load() (herald.MeasuresReport, bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ok && time.Since(c.at) < measuresTTL {
		return c.report, c.perPerson, true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := c.settings.Settings(ctx)
	if err != nil {
		return herald.MeasuresReport{}, false, false
	}
	// A zero period is the last 30 days up to the store's now.
	r, err := c.incidents.MeasuresReport(ctx, herald.MeasuresQuery{From: time.Time{}, To: time.Time{}})
	if err != nil {
		return r, false, false
	}
	c.report, c.perPerson, c.at, c.ok = r, s.Measures.PerPersonMetrics, time.Now(), true
	return r, c.perPerson, true
}

func (c *measuresCollector) Collect(ch chan<- prometheus.Metric) {
	r, perPerson, ok := c.load()
	if !ok {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	secs := func(d *prometheus.Desc, v *int, labels ...string) {
		if v != nil {
			gauge(d, float64(*v), labels...)
		}
	}
	share := func(d *prometheus.Desc, v *float64, labels ...string) {
		if v != nil {
			gauge(d, *v, labels...)
		}
	}
	for _, a := range r.Acknowledgement {
		secs(c.ack, a.P50S, a.Role, "0.5")
		secs(c.ack, a.P90S, a.Role, "0.9")
		share(c.ackShare, a.ShareWithinTarget, a.Role)
	}
	share(c.share, r.Cadence.ShareOnTime, "cadence")
	share(c.share, r.CustomerNotices.ShareOnTime, "customer_notices")
	share(c.share, r.Handovers.ShareSubmitted, "handovers")
	share(c.share, r.ContactRequests.ShareCompleted, "contact_requests")
	for _, s := range r.Severities {
		secs(c.mtta, s.MTTA.P50S, string(s.Severity), "0.5")
		secs(c.mtta, s.MTTA.P90S, string(s.Severity), "0.9")
		secs(c.mttr, s.MTTR.P50S, string(s.Severity), "0.5")
		secs(c.mttr, s.MTTR.P90S, string(s.Severity), "0.9")
	}
	var in, out int
	for _, p := range r.Pages {
		in += p.Pages - p.OutOfHours
		out += p.OutOfHours
	}
	gauge(c.pages, float64(in), "in_hours")
	gauge(c.pages, float64(out), "out_of_hours")
	if perPerson {
		for _, p := range r.Pages {
			gauge(c.personPages, float64(p.Pages-p.OutOfHours), p.UserID, p.Name, "in_hours")
			gauge(c.personPages, float64(p.OutOfHours), p.UserID, p.Name, "out_of_hours")
		}
	}
}
