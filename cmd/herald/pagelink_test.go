package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/store"
)

func TestCLI_DeclareFromAPageAttachDetachAndAMaintenanceMutesTheService(t *testing.T) {
	url, _ := startServer(t, store.SQLite)
	mustCLI(t, url, "component", "create", "--name", "API")
	out := mustCLI(t, url, "service", "create", "--name", "Checkout", "--component", "API", "-o", "json")
	var svc struct{ Components []string }
	if err := json.Unmarshal([]byte(out), &svc); err != nil || len(svc.Components) != 1 {
		t.Fatalf("service %v: %s", err, out)
	}
	page := func() string {
		t.Helper()
		out := mustCLI(t, url, "page", "--service", "Checkout", "--summary", "5xx above 5%", "-o", "json")
		var p struct{ ID string }
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return p.ID
	}
	id := page()
	out = mustCLI(t, url, "page", "declare", id, "--severity", "S3", "-o", "json")
	var inc struct{ Reference, Title string }
	if err := json.Unmarshal([]byte(out), &inc); err != nil || inc.Title != "5xx above 5%" {
		t.Fatalf("declare %v: %s", err, out)
	}
	if out = mustCLI(t, url, "incident", "pages", inc.Reference); !strings.Contains(out, id) || !strings.Contains(out, "Checkout") {
		t.Fatalf("incident pages:\n%s", out)
	}
	mustCLI(t, url, "page", "detach", id)
	if out = mustCLI(t, url, "incident", "pages", inc.Reference, "-o", "json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("after detach: %s", out)
	}
	mustCLI(t, url, "page", "attach", id, inc.Reference)
	if out = mustCLI(t, url, "page", "show", id); !strings.Contains(out, "Incident") {
		t.Fatalf("show:\n%s", out)
	}
	mustCLI(t, url, "service", "components", "Checkout") // none: clears
	mustCLI(t, url, "service", "components", "Checkout", "--component", "API")

	now := time.Now().UTC()
	out = mustCLI(t, url, "maintenance", "create", "--name", "Upgrade", "--from", now.Format(time.RFC3339), "--until", now.Add(time.Hour).Format(time.RFC3339), "--component", "API", "-o", "json")
	var m struct {
		ID         string
		MutePaging bool `json:"mute_paging"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil || !m.MutePaging {
		t.Fatalf("maintenance %v: %s", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(mustCLI(t, url, "maintenance", "list"), "In progress") {
		if time.Now().After(deadline) {
			t.Fatal("the maintenance did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	muted := page()
	if out = mustCLI(t, url, "page", "show", muted); !strings.Contains(out, "During maintenance") || !strings.Contains(out, "muted: nobody is notified") {
		t.Fatalf("muted page:\n%s", out)
	}
	out = mustCLI(t, url, "maintenance", "update", m.ID, "--mute-paging=false", "-o", "json")
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.MutePaging {
		t.Fatalf("mute off %v: %s", err, out)
	}
	if out = mustCLI(t, url, "page", "show", muted); !strings.Contains(out, "no longer muted") {
		t.Fatalf("released page:\n%s", out)
	}
}
