package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const practiceYAML = `title: Zebra drill
steps:
  - {at: 0s, kind: alert, service: API, summary: "Zebra alert"}
  - {at: 0s, kind: status_update, status: identified, text: "Zebra cause found", components: {API: major_outage}}
`

// R63: the API starts, lists, shows and finishes a run; the public status
// page, its feeds and its Statuspage JSON never show the practice, while
// the run's sandbox shows it; a viewer cannot start one; bad input is a
// 400 naming the field.
func TestRule63_PublicPageNeverShowsPractice(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setupPublic(t, d, nil)
		ctx := context.Background()
		if _, err := e.admin.Paging.CreateService(ctx, herald.ServiceInput{Name: "API"}); err != nil {
			t.Fatal(err)
		}
		name := "API"
		if _, err := e.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: &name}); err != nil {
			t.Fatal(err)
		}
		responder, viewer := e.token(t, "Rhea", herald.RoleResponder), e.token(t, "Vic", herald.RoleViewer)
		if _, err := viewer.Practice.StartPractice(ctx, herald.PracticeStartInput{Scenario: practiceYAML}); statusOf2(err) != 403 {
			t.Fatalf("viewer starts a run: %v", err)
		}
		resp, eb := e.raw(t, "POST", "/api/v1/practice/runs", adminSecret, "application/json", `{"scenario":"title: x\nsteps: []\n"}`)
		if resp.StatusCode != 400 || eb.Error.Fields["scenario.steps"] == "" {
			t.Fatalf("no steps: %d %+v", resp.StatusCode, eb)
		}
		run, err := responder.Practice.StartPractice(ctx, herald.PracticeStartInput{Scenario: practiceYAML})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.Work.RunPlaybook(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.srv.cfg.Pages.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/", "/history", "/history.rss", "/history.atom", "/api/v2/summary.json", "/api/v2/status.json",
			"/api/v2/components.json", "/api/v2/incidents.json", "/api/v2/incidents/unresolved.json"} {
			r, err := http.Get(e.http.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode != 200 || strings.Contains(string(b), "Zebra") || strings.Contains(string(b), "PRACTICE") ||
				strings.Contains(string(b), "major_outage") || strings.Contains(string(b), "Major outage") {
				t.Errorf("GET %s (%d) shows the practice:\n%s", path, r.StatusCode, b)
			}
		}
		sb, err := viewer.Practice.SandboxPage(ctx, run.ID)
		if err != nil || len(sb.Updates) != 1 || !strings.Contains(sb.Updates[0].Text, "Zebra cause found") || sb.Components[0].Status != herald.MajorOutage {
			t.Fatalf("sandbox: %+v %v", sb, err)
		}
		runs, err := viewer.Practice.PracticeRuns(ctx, 5)
		if err != nil || len(runs) != 1 || runs[0].Played != 2 {
			t.Fatalf("runs: %+v %v", runs, err)
		}
		if _, err := viewer.Practice.FinishPractice(ctx, run.ID); statusOf2(err) != 403 {
			t.Fatalf("viewer finishes: %v", err)
		}
		done, err := responder.Practice.FinishPractice(ctx, run.ID)
		if err != nil || done.FinishedAt == nil {
			t.Fatalf("finish: %+v %v", done, err)
		}
		if _, err := viewer.Practice.PracticeRun(ctx, "nope"); statusOf2(err) != 404 {
			t.Fatalf("unknown run: %v", err)
		}
	})
}
