package server

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// doctor is GET /api/v1/doctor: the configuration gaps that would make a
// page reach nobody or a message go nowhere, errors first.
func (s *Server) doctor(r *http.Request, a herald.Actor, _ noBody) (herald.Report, error) {
	return s.db.Doctor(r.Context(), store.DoctorOptions{SMTP: s.cfg.SMTP})
}

// gapCollector serves herald_paging_gaps_total from the counts the store
// keeps in the database, so every instance reports the same totals and a
// restart loses none.
type gapCollector struct {
	db   herald.PagingService
	desc *prometheus.Desc
}

func newGapCollector(db herald.PagingService) gapCollector {
	return gapCollector{db: db, desc: prometheus.NewDesc("herald_paging_gaps_total",
		"Paging gaps met, by kind: a person without a working contact method, a schedule with nobody on call, a level that reached nobody, a service without a policy, an incident role bound to no service.",
		[]string{"kind"}, nil)}
}

func (c gapCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect reads the counts; when the database does not answer the series
// are left out of this scrape rather than failing the whole of /metrics.
func (c gapCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.db.PagingGaps(ctx)
	if err != nil {
		return
	}
	for _, kind := range herald.GapKinds {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(counts[kind]), kind)
	}
}
