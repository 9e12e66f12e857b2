package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/zendesk/zendesktest"
)

// Support tickets from the command line, through a running server and
// its worker, against zendesktest (a stand-in for Zendesk's documented
// API: no public Zendesk can run here): the desk is connected with the
// token from the environment (never echoed), the incident's tag is shown,
// and `tickets sweep --apply` finds and tags the untagged ticket.
func TestCLI_TicketsConnectTagAndSweep(t *testing.T) {
	const token = "zd-cli-token-Y3uN8pQ1"
	srv, _ := startServer(t, store.SQLite, "HERALD_WEBHOOK_ALLOW_PRIVATE", "true")
	desk := zendesktest.New("agent@example.com", token,
		zendesktest.Ticket{ID: 7, Subject: "Checkout broken", CreatedAt: time.Now().Add(time.Minute)},
		zendesktest.Ticket{ID: 8, Subject: "Invoice wrong", CreatedAt: time.Now().Add(time.Minute)})
	defer desk.Close()

	vars := map[string]string{"HERALD_SERVER": srv, "HERALD_TOKEN": testAdminToken, "HERALD_TICKETS_TOKEN": token}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"tickets", "connect", "--url", desk.URL, "--email", "agent@example.com"},
		func(k string) string { return vars[k] }, strings.NewReader(""), &out, &errOut)
	if err != nil {
		t.Fatalf("connect: %v\n%s%s", err, out.String(), errOut.String())
	}
	if strings.Contains(out.String()+errOut.String(), token) || !strings.Contains(out.String(), "set (never shown)") {
		t.Fatalf("connect printed:\n%s", out.String())
	}
	if out := mustCLI(t, srv, "tickets", "connection", "-o", "json"); strings.Contains(out, token) || !strings.Contains(out, `"token_set": true`) {
		t.Fatalf("connection:\n%s", out)
	}

	var inc struct{ Reference string }
	if err := json.Unmarshal([]byte(mustCLI(t, srv, "incident", "declare", "--title", "Checkout errors", "--severity", "S2", "--service", "checkout", "-o", "json")), &inc); err != nil {
		t.Fatal(err)
	}
	n := strings.TrimPrefix(inc.Reference, "INC-")
	if out := mustCLI(t, srv, "tickets", "tag", inc.Reference); !strings.Contains(out, "incident_"+n) || !strings.Contains(out, "checkout") {
		t.Fatalf("tag:\n%s", out)
	}
	if _, err := cli(t, srv, "tickets", "tag", inc.Reference, "manual_tag"); err == nil || !strings.Contains(err.Error(), "public") {
		t.Fatalf("manual tag on a public incident: %v", err)
	}
	out.Reset()
	out2 := mustCLI(t, srv, "tickets", "sweep", inc.Reference, "--apply", "--wait", "30s")
	if !strings.Contains(out2, "done") || !strings.Contains(out2, "#7") || strings.Contains(out2, "#8") {
		t.Fatalf("sweep:\n%s", out2)
	}
	if tags := desk.Tags(7); !slices.Contains(tags, "incident_"+n) {
		t.Fatalf("ticket 7 tags %v", tags)
	}
}
