package worker

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/internal/store"
)

// metrics are what the worker tells Prometheus about itself: counters of
// what this instance did, and gauges read from the database at each scrape
// (so every instance reports the whole queue, not its own share).
type metrics struct {
	attempts *prometheus.CounterVec
	steps    *prometheus.CounterVec
}

var (
	outboxDesc = prometheus.NewDesc("herald_outbox_deliveries", "Deliveries waiting or given up, by lane (page, bulk), channel and state (pending, retrying, failed).",
		[]string{"lane", "channel", "state"}, nil)
	lagDesc = prometheus.NewDesc("herald_worker_lag_seconds", "How long the oldest due unit of work of each background loop has waited; 0 when nothing is due.",
		[]string{"loop"}, nil)
	backlogDesc = prometheus.NewDesc("herald_broadcasts_unplanned", "Broadcasts whose audience is not yet planned.", nil, nil)
	failingDesc = prometheus.NewDesc("herald_failing_rows", "Rows whose last background step failed and waits for its retry, by kind.",
		[]string{"kind"}, nil)
	foldedDesc  = prometheus.NewDesc("herald_events_deduplicated_total", "Trigger events folded into a page that was open already, over all time (from the database).", nil, nil)
	statsUpDesc = prometheus.NewDesc("herald_worker_stats_up", "1 when the work statistics could be read from the database at this scrape.", nil, nil)
)

// Register adds the worker's metrics to reg.
func (w *Worker) Register(reg prometheus.Registerer) error {
	w.init()
	if err := reg.Register(w.metrics.attempts); err != nil {
		return err
	}
	if err := reg.Register(w.metrics.steps); err != nil {
		return err
	}
	return reg.Register(statsCollector{w.Work})
}

func newMetrics() *metrics {
	return &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "herald_delivery_attempts_total",
			Help: "Delivery attempts by this instance, by lane, channel and result (sent, failed, retried: failed and tried again later)."},
			[]string{"lane", "channel", "result"}),
		steps: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "herald_worker_steps_total",
			Help: "Units of background work taken by this instance, by loop (an escalation fired, a maintenance step taken, ...)."},
			[]string{"loop"}),
	}
}

func (m *metrics) attempt(o *store.Outgoing, err error) {
	result := "sent"
	switch {
	case err != nil && o.Attempt >= store.MaxAttempts:
		result = "failed"
	case err != nil:
		result = "retried"
	}
	m.attempts.WithLabelValues(string(o.Lane), o.Kind, result).Inc()
}

// statsCollector reads the queue state at each scrape.
type statsCollector struct{ db Queue }

func (c statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{outboxDesc, lagDesc, backlogDesc, failingDesc, foldedDesc, statsUpDesc} {
		ch <- d
	}
}

func (c statsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.db.WorkStats(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(statsUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(statsUpDesc, prometheus.GaugeValue, 1)
	for _, o := range st.Outbox {
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(o.N), string(o.Lane), o.Kind, o.State)
	}
	for loop, d := range st.OldestDue {
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, d.Seconds(), loop)
	}
	ch <- prometheus.MustNewConstMetric(backlogDesc, prometheus.GaugeValue, float64(st.UnplannedBroadcasts))
	ch <- prometheus.MustNewConstMetric(foldedDesc, prometheus.CounterValue, float64(st.FoldedTriggers))
	for kind, n := range st.FailingRows {
		ch <- prometheus.MustNewConstMetric(failingDesc, prometheus.GaugeValue, float64(n), kind)
	}
}
