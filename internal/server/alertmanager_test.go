package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// A real Alertmanager, configured with a webhook receiver pointing at
// Herald, pages through it and resolves the page when the alert ends.
func TestIngest_RealAlertmanagerWebhook(t *testing.T) {
	bin := testdb.Tool(t, testdb.NeedAlertmanager, "alertmanager")
	e := setup(t, store.SQLite, 0)
	ctx := context.Background()
	svc, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "Prometheus"})
	if err != nil {
		t.Fatal(err)
	}
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

	post := func(ends time.Time) {
		body := fmt.Sprintf(`[{"labels":{"alertname":"DiskFull","severity":"critical","instance":"db-1"},
			"annotations":{"summary":"Disk full on db-1"},"startsAt":%q,"endsAt":%q}]`,
			time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), ends.UTC().Format(time.RFC3339))
		resp, err := http.Post(base+"/api/v2/alerts", "application/json", strings.NewReader(body))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("post alert: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	post(time.Now().Add(time.Hour))
	var page *herald.Page
	waitFor(t, "a page from Alertmanager", func() bool {
		pages, _ := e.db.Paging.Pages(ctx, svc.ID, "", 10)
		if len(pages) == 1 {
			page = pages[0]
		}
		return page != nil
	}, &logs)
	if page.Summary != "Disk full on db-1" || page.Severity != "critical" || page.Status != herald.PageTriggered {
		t.Fatalf("page %+v", page)
	}
	post(time.Now()) // the alert ends
	waitFor(t, "the page to resolve", func() bool {
		p, _ := e.db.Paging.Page(ctx, page.ID)
		return p.Status == herald.PageResolved
	}, &logs)
}

func waitFor(t *testing.T, what string, ok func() bool, logs *strings.Builder) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\n%s", what, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
