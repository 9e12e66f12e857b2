package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func metricsBody(t *testing.T, e *env) string {
	t.Helper()
	resp, err := http.Get(e.http.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// A fresh install: the doctor says the roles are bound to nothing, an S1
// says so on its timeline and in its answer, a page to a service without a
// policy carries a warning, and herald_paging_gaps_total counts it all.
func TestAPI_GapsAreLoud_DoctorWarningsAndMetric(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		if body := metricsBody(t, e); !strings.Contains(body, `herald_paging_gaps_total{kind="role_unbound"} 0`) {
			t.Fatalf("/metrics before any gap lacks the zero series")
		}

		r, err := e.admin.Doctor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.Errors != 3 || len(r.Findings) != 3 || r.Findings[0].Kind != herald.FindingRoleUnbound {
			t.Fatalf("doctor on a fresh install: %+v", r)
		}
		viewer := e.token(t, "Vera", herald.RoleViewer)
		if _, err := viewer.Doctor(ctx); statusOf2(err) != 403 {
			t.Fatalf("a viewer asked the doctor: %v", err)
		}

		inc, err := e.admin.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Everything is down", Severity: herald.S1})
		if err != nil {
			t.Fatal(err)
		}
		if len(inc.Warnings) != 3 {
			t.Fatalf("declare answered warnings %+v", inc.Warnings)
		}
		inc, _ = e.admin.Incidents.Incident(ctx, inc.Reference)
		if len(inc.Warnings) != 3 || inc.Warnings[0].Kind != herald.GapRoleUnbound {
			t.Fatalf("GET incident warnings %+v", inc.Warnings)
		}

		if _, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "Orphan"}); err != nil {
			t.Fatal(err)
		}
		p, err := e.admin.Paging.Page(ctx, "Orphan", "disk full", "critical")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Work.RunEscalations(ctx); err != nil {
			t.Fatal(err)
		}
		pd, err := e.admin.Paging.PageDetail(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(pd.Warnings) != 1 || pd.Warnings[0].Kind != herald.GapUnrouted || !strings.Contains(pd.Warnings[0].Text, "no fallback is set") {
			t.Fatalf("page warnings %+v", pd.Warnings)
		}

		body := metricsBody(t, e)
		for _, want := range []string{`herald_paging_gaps_total{kind="role_unbound"} 3`, `herald_paging_gaps_total{kind="unrouted"} 1`, `herald_paging_gaps_total{kind="no_contact_method"} 0`} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		// Another instance on the same database reports the same counts.
		other := New(Config{Services: e.db.Services(), Database: e.db, Version: "test"})
		rec := httptest.NewRecorder()
		other.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if !strings.Contains(rec.Body.String(), `herald_paging_gaps_total{kind="role_unbound"} 3`) {
			t.Errorf("another instance's /metrics lacks the count")
		}
	})
}
