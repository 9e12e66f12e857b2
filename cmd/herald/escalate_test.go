package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// apiCall sends one JSON request with the admin token and checks its status.
func apiCall(t *testing.T, method, url, body string, want int) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d", method, url, resp.StatusCode, want)
	}
}

// `herald page escalate ID --level 2` pages the second level now, even
// after an acknowledgement.
func TestCLI_PageEscalate(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		mustCLI(t, url, "user", "create", "--name", "Ann", "--email", "ann@example.com")
		mustCLI(t, url, "user", "create", "--name", "Bob", "--email", "bob@example.com")
		apiCall(t, "POST", url+"/api/v1/escalation-policies", `{"name":"Two","levels":[
			{"timeout_minutes":30,"targets":[{"type":"user","id":"ann@example.com"}]},
			{"timeout_minutes":30,"targets":[{"type":"user","id":"bob@example.com"}]}]}`, 201)
		mustCLI(t, url, "service", "create", "--name", "API", "--escalation-policy", "Two")
		mustCLI(t, url, "page", "--service", "API", "--summary", "API down")
		var pages []herald.Page
		if out := mustCLI(t, url, "page", "list", "-o", "json"); json.Unmarshal([]byte(out), &pages) != nil || len(pages) != 1 {
			t.Fatalf("pages: %s", out)
		}
		id := pages[0].ID
		mustCLI(t, url, "page", "ack", id)
		if out, err := cli(t, url, "page", "escalate", id); err == nil {
			t.Fatalf("escalate without --level:\n%s", out)
		}
		if out, err := cli(t, url, "page", "escalate", id, "--level", "3"); err == nil || !strings.Contains(err.Error(), "level") {
			t.Fatalf("level 3 of 2: %v\n%s", err, out)
		}
		out := mustCLI(t, url, "page", "escalate", id, "--level", "2")
		if !strings.Contains(out, "triggered") {
			t.Fatalf("escalate:\n%s", out)
		}
		if out = mustCLI(t, url, "page", "show", id); !strings.Contains(out, "Administrator escalated to level 2") {
			t.Fatalf("show after escalating:\n%s", out)
		}
	})
}
