package server

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The report through the API: JSON (checked against openapi.json by the
// test server), CSV, one person, and a bad period refused naming the
// field.
func TestRule62_MeasuresReportThroughTheAPI(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		responder := e.token(t, "Rhea", herald.RoleResponder)
		viewer := e.token(t, "Vic", herald.RoleViewer)
		inc, err := responder.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Slow search", Severity: herald.S3, Summary: "p99 up"})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(90 * time.Minute)
		resolved := herald.Resolved
		if _, err := responder.Incidents.UpdateIncident(ctx, inc.Reference, herald.UpdateInput{Version: inc.Version, State: &resolved}); err != nil {
			t.Fatal(err)
		}
		from := e.clock.Now().Add(-24 * time.Hour)
		q := herald.MeasuresQuery{From: from, To: e.clock.Now().Add(time.Hour)}
		r, err := viewer.Incidents.MeasuresReport(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var s3 herald.SeverityStats
		for _, s := range r.Severities {
			if s.Severity == herald.S3 {
				s3 = s
			}
		}
		if s3.Incidents != 1 || s3.Resolved != 1 || s3.MTTR.P50S == nil || *s3.MTTR.P50S != 5400 {
			t.Errorf("S3 %+v", s3)
		}
		if r.AckTargetS != 900 || !strings.Contains(r.OutOfHours, "08:00-18:00 UTC") {
			t.Errorf("target %d, out of hours %q", r.AckTargetS, r.OutOfHours)
		}
		// A person: Rhea holds no role in it (nobody was paged).
		q.Person = "rhea@example.com"
		rp, err := viewer.Incidents.MeasuresReport(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if rp.Person == nil || rp.Person.Name != "Rhea" || rp.StakeholderNotices.Incidents != 0 {
			t.Errorf("Rhea's report %+v %+v", rp.Person, rp.StakeholderNotices)
		}
		q.Person = ""
		text, err := viewer.Incidents.MeasuresCSV(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(recs[0], herald.MeasuresCSVHeader) {
			t.Errorf("CSV header %v", recs[0])
		}
		found := false
		for _, rec := range recs[1:] {
			if rec[2] == "mttr_p50_s" && rec[3] == "S3" && rec[6] == "5400" {
				found = true
			}
		}
		if !found {
			t.Errorf("no mttr_p50_s S3 row of 5400 in\n%s", text)
		}

		req, _ := http.NewRequest("GET", e.http.URL+"/api/v1/measures?format=csv&from=2026-11-01", nil)
		req.Header.Set("Authorization", "Bearer "+adminSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("CSV answer %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}

		// The gauges over the last 30 days: aggregates only, no series per
		// person unless the setting asks.
		body := metricsBody(t, e)
		for _, want := range []string{`herald_measures_mttr_seconds{quantile="0.5",severity="S3"} 5400`,
			`herald_measures_pages{when="out_of_hours"} 0`, `herald_measures_ack_within_target_ratio`} {
			if want == `herald_measures_ack_within_target_ratio` {
				if strings.Contains(body, want+"{") {
					t.Errorf("a share with no pages to measure: %s", want)
				}
				continue
			}
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if strings.Contains(body, "herald_measures_person_pages{") {
			t.Error("per-person series without the setting")
		}

		for _, c := range []struct{ query, field string }{
			{"from=2026-03-02&to=2026-03-01", "from"},
			{"from=2026-03-01&to=2026-03-01T00:00:00Z", "from"},
			{"from=yesterday", "from"},
			{"to=2026-13-01", "to"},
			{"ack_target=fast", "ack_target"},
			{"format=xml", "format"},
			{"person=nobody@example.com", "person"},
		} {
			resp, eb := e.raw(t, "GET", "/api/v1/measures?"+c.query, adminSecret, "", "")
			if resp.StatusCode != 400 || eb.Error.Fields[c.field] == "" {
				t.Errorf("%s: %d %+v, want 400 naming %s", c.query, resp.StatusCode, eb.Error, c.field)
			}
		}
	})
}
