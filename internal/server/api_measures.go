package server

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// measuresReportRoute is GET /api/v1/measures: the R62 report as JSON, or
// with ?format=csv as CSV (one row per measure and person). It is an op
// like any other (so OpenAPI describes its JSON); only the CSV answer is
// written here.
func (s *Server) measuresReportRoute() route {
	rt := op("GET", "/api/v1/measures", herald.RoleViewer, 200,
		"The measures report over a period (R62): time to acknowledge per role, cadence adherence, stakeholder and customer notices, handovers, contact requests, pages per person and out of hours, MTTA/MTTR by severity, training",
		s.getMeasuresReport,
		param{"from", "start of the period: a date (2026-01-01, midnight UTC) or an RFC 3339 time; default 30 days before to"},
		param{"to", "end of the period (excluded): a date (that day included) or an RFC 3339 time; default now"},
		param{"person", "only this person (user id or e-mail address)"},
		param{"ack_target", "the acknowledgement target for the shares, like 15m (default: the measures.ack_target setting)"},
		param{"format", "json (default) or csv: text/csv with the columns " + csvColumns()})
	jsonAnswer := rt.handle
	rt.handle = func(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
		switch r.URL.Query().Get("format") {
		case "", "json":
			return jsonAnswer(w, r, a)
		case "csv":
			rep, err := s.getMeasuresReport(r, a, noBody{})
			if err != nil {
				return err
			}
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="measures.csv"`)
			w.WriteHeader(http.StatusOK)
			_, err = w.Write(rep.CSV())
			return err
		default:
			return herald.FieldErrors{"format": "must be json or csv"}.Err()
		}
	}
	return rt
}

func csvColumns() string {
	out := ""
	for i, c := range herald.MeasuresCSVHeader {
		if i > 0 {
			out += ","
		}
		out += c
	}
	return out
}

func (s *Server) getMeasuresReport(r *http.Request, _ herald.Actor, _ noBody) (herald.MeasuresReport, error) {
	q, err := herald.ParseMeasuresQuery(r.URL.Query())
	if err != nil {
		return herald.MeasuresReport{}, err
	}
	return s.app.Incidents.MeasuresReport(r.Context(), q)
}
