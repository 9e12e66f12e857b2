package server

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// events counts monitoring events by source and what became of them.
	events *prometheus.CounterVec
	// series caches the counter and histogram of each route, method and
	// code, so a request costs a map read rather than label hashing.
	series sync.Map // seriesKey -> *routeSeries
}

type seriesKey struct {
	route, method string
	code          int
}

type routeSeries struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

func newMetrics(reg *prometheus.Registry, db Database, version string) *metrics {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_http_requests_total", Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "herald_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_events_total", Help: "Monitoring events received, by source (events_v2, alertmanager) and result (accepted, rejected: refused as invalid or for an unknown key, unavailable: the database could not be reached, error). Folded duplicates are in herald_events_deduplicated_total.",
		}, []string{"source", "result"}),
	}
	dialect := "none" // a server over fake services (tests)
	if db != nil {
		dialect = string(db.Dialect())
		reg.MustRegister(collectors.NewDBStatsCollector(db.SQL(), "herald"))
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "herald_build_info", Help: "Always 1; the labels say which Herald this is.",
		ConstLabels: prometheus.Labels{"version": version, "database": dialect},
	})
	build.Set(1)
	reg.MustRegister(m.requests, m.latency, m.events, build,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// countEvents counts the events an ingestion route answers, by what its
// answer says became of them.
func (m *metrics) countEvents(source string, next http.HandlerFunc) http.HandlerFunc {
	accepted := m.events.WithLabelValues(source, "accepted")
	rejected := m.events.WithLabelValues(source, "rejected")
	unavailable := m.events.WithLabelValues(source, "unavailable")
	failed := m.events.WithLabelValues(source, "error")
	return func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		next(rec, r)
		switch {
		case rec.code == 0 || rec.code < 300:
			accepted.Inc()
		case rec.code == http.StatusServiceUnavailable:
			unavailable.Inc()
		case rec.code >= 500:
			failed.Inc()
		default:
			rejected.Inc()
		}
	}
}

// methodLabel is the method as a metric label: the standard methods by
// name, anything else as OTHER. A client chooses the method, so naming it
// verbatim would let anyone create a series (and /metrics bytes) per
// request.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// instrument counts and times requests by the route pattern that served
// them (never by raw path, which would make a series per incident).
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if rec.code == 0 {
			rec.code = http.StatusOK
		}
		method := methodLabel(r.Method)
		key := seriesKey{route, method, rec.code}
		v, ok := m.series.Load(key)
		if !ok {
			v, _ = m.series.LoadOrStore(key, &routeSeries{
				count:   m.requests.WithLabelValues(route, method, strconv.Itoa(rec.code)),
				latency: m.latency.WithLabelValues(route, method),
			})
		}
		rs := v.(*routeSeries)
		rs.count.Inc()
		rs.latency.Observe(time.Since(start).Seconds())
	})
}
