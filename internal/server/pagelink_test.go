package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func TestAPI_DeclareFromPageAttachDetachAndTheIncidentsPages(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		if _, err := e.admin.Paging.CreateService(ctx, herald.ServiceInput{Name: "Checkout"}); err != nil {
			t.Fatal(err)
		}
		responder := e.token(t, "Rita", herald.RoleResponder)
		viewer := e.token(t, "Vic", herald.RoleViewer)
		p, err := responder.Paging.Page(ctx, "Checkout", "5xx above 5%", "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = viewer.Paging.DeclareFromPage(ctx, p.ID, herald.DeclareInput{Title: "x", Severity: herald.S3})
		wantStatus(t, err, 403)
		_, err = responder.Paging.DeclareFromPage(ctx, "nope", herald.DeclareInput{Title: "x", Severity: herald.S3})
		wantStatus(t, err, 404)
		inc, err := responder.Paging.DeclareFromPage(ctx, p.ID, herald.DeclareInput{Title: "Checkout failing", Severity: herald.S3})
		if err != nil {
			t.Fatal(err)
		}
		pages, err := viewer.Incidents.Pages(ctx, inc.Reference)
		if err != nil || len(pages) != 1 || pages[0].ID != p.ID || pages[0].Service != "Checkout" || pages[0].TimeToAcknowledgeS != nil {
			t.Fatalf("incident pages %+v %v", pages, err)
		}
		md, err := viewer.Incidents.ExportMarkdown(ctx, inc.Reference)
		if err != nil || !strings.Contains(md, "## Pages") || !strings.Contains(md, "5xx above 5%") {
			t.Fatalf("export %v:\n%s", err, md)
		}

		other, err := responder.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Other", Severity: herald.S4})
		if err != nil {
			t.Fatal(err)
		}
		_, err = responder.Paging.LinkPage(ctx, p.ID, other.Reference)
		wantStatus(t, err, 409)
		_, err = viewer.Paging.UnlinkPage(ctx, p.ID)
		wantStatus(t, err, 403)
		got, err := responder.Paging.UnlinkPage(ctx, p.ID)
		if err != nil || got.IncidentID != "" {
			t.Fatalf("detach %+v %v", got, err)
		}
		got, err = responder.Paging.LinkPage(ctx, p.ID, other.Reference)
		if err != nil || got.IncidentID != other.ID {
			t.Fatalf("attach %+v %v", got, err)
		}
		tl, err := viewer.Incidents.Timeline(ctx, inc.Reference, herald.EntryPage)
		if err != nil || len(tl) != 2 || !strings.Contains(tl[1].Text, "Rita detached page") {
			t.Fatalf("timeline %+v %v", tl, err)
		}
		_, err = responder.Paging.LinkPage(ctx, p.ID, "INC-999")
		wantStatus(t, err, 400)
	})
}

func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	ae, _ := err.(*client.Error)
	if ae == nil || ae.Status != status {
		t.Fatalf("error %v, want status %d", err, status)
	}
}

// mutedSetup makes a component, a service running on it and a maintenance
// of it in progress, through the API.
func mutedSetup(t *testing.T, e *env, svcName string) (herald.Service, herald.Maintenance) {
	t.Helper()
	ctx := context.Background()
	comp, err := e.admin.StatusPage.CreateComponent(ctx, herald.ComponentInput{Name: ptrTo("API")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.Paging.CreateService(ctx, herald.ServiceInput{Name: svcName}); err != nil {
		t.Fatal(err)
	}
	svc, err := e.admin.Paging.SetServiceComponents(ctx, svcName, []string{comp.ID})
	if err != nil || len(svc.Components) != 1 {
		t.Fatalf("service components %+v %v", svc, err)
	}
	now := e.clock.Now()
	m, err := e.admin.Maintenances.CreateMaintenance(ctx, herald.MaintenanceInput{Name: ptrTo("Database upgrade"), ScheduledFor: &now,
		ScheduledUntil: ptrTo(now.Add(time.Hour)), Components: &[]string{comp.ID}})
	if err != nil || !m.MutePaging {
		t.Fatalf("maintenance %+v %v", m, err)
	}
	if _, err := e.db.Work.RunMaintenanceAutomation(ctx); err != nil {
		t.Fatal(err)
	}
	return svc, m
}

func ptrTo[T any](v T) *T { return &v }

// Through the real PagerDuty client: an alert during the maintenance is a
// page marked muted that notifies nobody, and pages once the window ends.
func TestIngest_PagerDutyAlertDuringMaintenanceIsAMutedPage(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		svc, m := mutedSetup(t, e, "Checkout")
		pd := pagerduty.NewClient("unused", pagerduty.WithV2EventsAPIEndpoint(e.http.URL))
		for _, key := range []string{"first", "second"} {
			if _, err := pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: svc.IntegrationKey, Action: "trigger", DedupKey: key,
				Payload: &pagerduty.V2Payload{Summary: "Checkout 5xx " + key, Source: "prometheus", Severity: "critical"}}); err != nil {
				t.Fatal(err)
			}
		}
		pages, err := e.admin.Paging.Pages(ctx, svc.ID, "")
		if err != nil || len(pages) != 2 {
			t.Fatalf("pages %+v %v", pages, err)
		}
		for _, p := range pages {
			detail, err := e.admin.Paging.PageDetail(ctx, p.ID)
			if err != nil || !detail.Muted || detail.DuringMaintenance != m.ID || detail.NextEscalation != nil {
				t.Fatalf("page %+v %v", detail.Page, err)
			}
			if last := detail.Log[len(detail.Log)-1]; last.Kind != "muted" || !strings.Contains(last.Text, `maintenance "Database upgrade"`) {
				t.Fatalf("log %+v", detail.Log)
			}
		}
		e.clock.Advance(time.Hour)
		if _, err := e.db.Work.RunMaintenanceAutomation(ctx); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			detail, _ := e.admin.Paging.PageDetail(ctx, p.ID)
			if detail.Muted || detail.DuringMaintenance != m.ID || detail.NextEscalation == nil {
				t.Fatalf("after the maintenance %+v", detail.Page)
			}
		}
	})
}

// A real Alertmanager's alert during the maintenance becomes a muted page.
func TestIngest_RealAlertmanagerAlertDuringMaintenanceIsAMutedPage(t *testing.T) {
	bin := testdb.Tool(t, testdb.NeedAlertmanager, "alertmanager")
	e := setup(t, store.SQLite, 0)
	ctx := context.Background()
	svc, m := mutedSetup(t, e, "Prometheus")
	dir := t.TempDir()
	cfg := fmt.Sprintf(`route:
  receiver: herald
  group_by: [alertname]
  group_wait: 100ms
  group_interval: 500ms
  repeat_interval: 1h
receivers:
  - name: herald
    webhook_configs:
      - url: %s/api/v1/ingest/alertmanager/%s
        send_resolved: true
`, e.http.URL, svc.IntegrationKey)
	os.WriteFile(filepath.Join(dir, "am.yml"), []byte(cfg), 0o644)
	addr := freeAddr(t)
	am := exec.Command(bin, "--config.file="+filepath.Join(dir, "am.yml"), "--storage.path="+dir,
		"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=warn")
	var logs strings.Builder
	am.Stderr = &logs
	if err := am.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { am.Process.Kill(); am.Wait() })
	base := "http://" + addr
	waitFor(t, "alertmanager to start", func() bool {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, &logs)
	body := fmt.Sprintf(`[{"labels":{"alertname":"DiskFull","severity":"critical"},"annotations":{"summary":"Disk full"},"startsAt":%q,"endsAt":%q}]`,
		time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	resp, err := http.Post(base+"/api/v2/alerts", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("post alert: %v %v", resp, err)
	}
	resp.Body.Close()
	var page *herald.Page
	waitFor(t, "a page from Alertmanager", func() bool {
		pages, _ := e.db.Paging.Pages(ctx, svc.ID, "", 10)
		if len(pages) == 1 {
			page = pages[0]
		}
		return page != nil
	}, &logs)
	if !page.Muted || page.DuringMaintenance != m.ID || page.NextEscalation != nil {
		t.Fatalf("page %+v", page)
	}
	if n, _ := e.db.Work.RunEscalations(ctx); n != 0 {
		t.Fatalf("a muted page escalated (%d steps)", n)
	}
}
