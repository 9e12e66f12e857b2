package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const testAdminToken = "cli-test-admin-token-0123456789"

// runningAt finds the URL serve announces, in a plain or a JSON line.
var runningAt = regexp.MustCompile(`Herald is running at (http://[^\s"]+)`)

// startServer runs `herald serve` through run() on a free port, as main
// would, and returns its URL once /healthz answers.
func startServer(t *testing.T, d store.Dialect, extra ...string) (url string, stop func() error) {
	t.Helper()
	vars := map[string]string{
		"HERALD_ADMIN_TOKEN":  testAdminToken,
		"HERALD_DATABASE_URL": testdb.URL(t, d),
		"HERALD_DATA":         t.TempDir(),
		"HERALD_SECRET_KEY":   "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"HERALD_TICK":         "100ms",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		vars[extra[i]] = extra[i+1]
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut testdb.SyncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, func(k string) string { return vars[k] }, nil, &out, &errOut)
	}()
	// Generous: under a loaded CI machine a start (migrations on a fresh
	// PostgreSQL schema) has taken over 10 s. This is a wait, not a timing
	// assertion.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := runningAt.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
			if resp, err := http.Get(url + "/healthz"); err == nil && resp.StatusCode == 200 {
				resp.Body.Close()
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up:\n%s", errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(errOut.String(), testAdminToken) {
		t.Error("the admin token appears in the log")
	}
	var once sync.Once
	stop = func() error {
		var err error
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { stop() })
	return url, stop
}

// cli runs one herald command against url and returns its output.
func cli(t *testing.T, url string, args ...string) (string, error) {
	t.Helper()
	vars := map[string]string{"HERALD_SERVER": url, "HERALD_TOKEN": testAdminToken}
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return vars[k] }, strings.NewReader(""), &out, &errOut)
	return out.String() + errOut.String(), err
}

func mustCLI(t *testing.T, url string, args ...string) string {
	t.Helper()
	out, err := cli(t, url, args...)
	if err != nil {
		t.Fatalf("herald %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func TestCLI_IncidentLifecycle(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, stop := startServer(t, d)
		mustCLI(t, url, "user", "create", "--name", "Ada Lovelace", "--email", "ada@example.com")
		mustCLI(t, url, "user", "create", "--name", "Grace Hopper", "--email", "grace@example.com", "--manager")

		out := mustCLI(t, url, "incident", "declare", "--title", "Checkout fails", "--severity", "s2", "--service", "checkout", "--service", "payments", "--label", "Incident-Comms::Internal")
		if !strings.Contains(out, "INC-1") || !strings.Contains(out, "checkout, payments") {
			t.Fatalf("declare output:\n%s", out)
		}
		mustCLI(t, url, "incident", "assign", "INC-1", "incident_lead", "grace@example.com")
		mustCLI(t, url, "incident", "assign", "INC-1", "eoc", "ada@example.com")
		mustCLI(t, url, "incident", "note", "INC-1", "Payments", "provider", "returns", "503")
		mustCLI(t, url, "incident", "label", "INC-1", "--add", "Incident-Comms::Status-Page")
		mustCLI(t, url, "incident", "update", "INC-1", "--state", "identified", "--note", "Provider outage confirmed")
		mustCLI(t, url, "incident", "decide", "INC-1", "--what", "Switch to the backup provider", "--why", "the primary gives no ETA", "--on-behalf-of", "grace@example.com")
		out = mustCLI(t, url, "incident", "follow-up", "INC-1", "--title", "Automate provider failover", "--owner", "Ada", "--due", "2026-12-15")
		fuID := strings.Fields(strings.Split(out, "\n")[1])[0]
		mustCLI(t, url, "incident", "done", "INC-1", fuID)

		// Only the incident lead may fail over; naming someone else does
		// not lend their authority (R51), and the error says who may.
		out, err := cli(t, url, "incident", "decide", "INC-1", "--kind", "failover", "--what", "fail over", "--why", "x", "--on-behalf-of", "grace@example.com")
		if err == nil || !strings.Contains(err.Error(), "Incident Lead") || !strings.Contains(err.Error(), "403") {
			t.Fatalf("failover by the engineer: %v\n%s", err, out)
		}

		// R56: an admin records dated qualifications; a failover needs one.
		if out = mustCLI(t, url, "user", "qualify", "grace@example.com", "failover", "--since", "2026-03-01"); !strings.Contains(out, "failover") || !strings.Contains(out, "2026-03-01") {
			t.Fatalf("qualify:\n%s", out)
		}
		if _, err := cli(t, url, "user", "qualify", "grace@example.com", "failover", "--since", "March"); err == nil || !strings.Contains(err.Error(), "since") {
			t.Fatalf("a bad date: %v", err)
		}
		mustCLI(t, url, "user", "qualify", "grace@example.com", "failover", "--remove")
		if out = mustCLI(t, url, "user", "qualify", "grace@example.com"); strings.Contains(out, "2026-03-01") {
			t.Fatalf("after removing:\n%s", out)
		}

		// Resolving straight from Identified skips monitoring: Grace, the
		// lead, gives the all-clear first (R16, R17).
		c := client.New(url, testAdminToken)
		users, err := c.People.Users(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var graceID string
		for _, u := range users {
			if u.Email == "grace@example.com" {
				graceID = u.ID
			}
		}
		graceTok, err := c.People.CreateToken(context.Background(), herald.TokenInput{Name: "grace", Role: herald.RoleResponder, UserID: graceID})
		if err != nil {
			t.Fatal(err)
		}
		if out, err := cliAs(t, url, graceTok.Secret, "incident", "all-clear", "INC-1", "--why", "the backup provider carries all traffic"); err != nil {
			t.Fatalf("all-clear: %v %s", err, out)
		}
		mustCLI(t, url, "incident", "resolve", "INC-1", "--note", "Backup provider carries all traffic")
		out = mustCLI(t, url, "incident", "show", "INC-1")
		for _, want := range []string{"Resolved", "Incident-Comms::Status-Page", "Grace Hopper", "Payments provider returns 503", "Decision (Administrator, on behalf of Grace Hopper): Switch to the backup provider", "State changed from Identified to Resolved"} {
			if !strings.Contains(out, want) {
				t.Errorf("show lacks %q:\n%s", want, out)
			}
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "Labels ") && strings.Contains(line, "Incident-Comms::Internal") {
				t.Errorf("the scoped label was not replaced: %s", line)
			}
		}

		out = mustCLI(t, url, "incident", "list", "-o", "json")
		var page struct {
			Incidents []struct {
				Reference string `json:"reference"`
				State     string `json:"state"`
			} `json:"incidents"`
		}
		if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.Incidents) != 1 || page.Incidents[0].State != "resolved" {
			t.Fatalf("list -o json: %v\n%s", err, out)
		}
		out = mustCLI(t, url, "incident", "export", "INC-1")
		if !strings.Contains(out, "# INC-1: Checkout fails") || !strings.Contains(out, "- [x] Automate provider failover") {
			t.Fatalf("export:\n%s", out)
		}
		if !strings.Contains(out, "## Measures") {
			t.Errorf("export without measures:\n%s", out)
		}
		out = mustCLI(t, url, "incident", "measures", "INC-1")
		if !strings.Contains(out, "LATE BY") || !strings.Contains(out, "TIME TO ACKNOWLEDGE") || !strings.Contains(out, "Stakeholder notices") {
			t.Errorf("measures:\n%s", out)
		}
		out = mustCLI(t, url, "incident", "measures", "INC-1", "-o", "json")
		var m herald.Measures
		if err := json.Unmarshal([]byte(out), &m); err != nil || m.Intervals == nil {
			t.Errorf("measures -o json: %v\n%s", err, out)
		}
		// R62: the report over the last 30 days, as tables and as CSV.
		out = mustCLI(t, url, "measures")
		if !strings.Contains(out, "Out of hours") || !strings.Contains(out, "MTTR P90") || !strings.Contains(out, "Update intervals on time") {
			t.Errorf("measures report:\n%s", out)
		}
		out = mustCLI(t, url, "measures", "--csv")
		if !strings.HasPrefix(out, "from,to,measure,group,person_id,person,value\n") {
			t.Errorf("measures --csv:\n%s", out)
		}
		if out, err := cli(t, url, "measures", "--from", "2026-02-02", "--to", "2026-02-01"); err == nil || !strings.Contains(err.Error(), "from") {
			t.Errorf("measures with from after to: %v\n%s", err, out)
		}

		// R08: the checklists, and an item checked by hand.
		out = mustCLI(t, url, "incident", "checklist", "INC-1")
		for _, want := range []string{"Communications Manager", "Engage", "join_call", "open (Herald: page_acknowledged)", "confirm_severity"} {
			if !strings.Contains(out, want) {
				t.Errorf("checklist lacks %q:\n%s", want, out)
			}
		}
		out = mustCLI(t, url, "incident", "checklist", "INC-1", "--check", "join_call", "-o", "json")
		var cl herald.Checklist
		if err := json.Unmarshal([]byte(out), &cl); err != nil || len(cl.Lists) != 2 {
			t.Fatalf("checklist --check -o json: %v\n%s", err, out)
		}
		if out, err := cli(t, url, "incident", "checklist", "INC-1", "--check", "join_call"); err == nil || !strings.Contains(err.Error(), "409") {
			t.Errorf("checking twice: %v\n%s", err, out)
		}
		out = mustCLI(t, url, "incident", "checklist", "INC-1", "--uncheck", "join_call")
		if !strings.Contains(out, "join_call") {
			t.Errorf("uncheck:\n%s", out)
		}

		out = mustCLI(t, url, "token", "create", "--role", "viewer", "-o", "json")
		var tok struct{ Secret string }
		if err := json.Unmarshal([]byte(out), &tok); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if !strings.HasPrefix(tok.Secret, "hrd_") {
			t.Fatalf("token create: %s", out)
		}
		if err := stop(); err != nil {
			t.Fatalf("serve returned %v on shutdown", err)
		}
	})
}

func TestCLI_UsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"incident", "declare", "extra"}, {"incident", "show"}, {"incident", "list", "-o", "yaml"}} {
		out, err := cli(t, "http://127.0.0.1:1", args...)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("herald %v: err %v (exit %d), want a usage error\n%s", args, err, exitCode(err), out)
		}
	}
	out, err := cli(t, "http://127.0.0.1:1", "serve", "--admin-token", "x")
	if err == nil || !strings.Contains(err.Error(), "HERALD_ADMIN_TOKEN") {
		t.Errorf("--admin-token on the command line: %v %s", err, out)
	}
}

// A flag or environment value that does not parse, or is below what the
// flag can work with, stops herald at start with a message naming the flag
// (and the variable it came from). The flag package left a zero behind:
// HERALD_TICK=banana or --tick 0s ran a zero tick and panicked.
func TestServe_RefusesBadFlagValues(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want []string
	}{
		{env: map[string]string{"HERALD_TICK": "banana"}, want: []string{"HERALD_TICK=banana", "--tick", "duration"}},
		{args: []string{"--tick", "0s"}, want: []string{"--tick 0s", "at least 10ms"}},
		{args: []string{"--tick", "-1s"}, want: []string{"--tick -1s"}},
		{env: map[string]string{"HERALD_TICK": "0s"}, want: []string{"--tick 0s (from HERALD_TICK)"}},
		{args: []string{"--max-body-bytes", "0"}, want: []string{"--max-body-bytes 0", "at least 1"}},
		{args: []string{"--max-body-bytes", "-5"}, want: []string{"--max-body-bytes -5"}},
		{env: map[string]string{"HERALD_MAX_BODY_BYTES": "lots"}, want: []string{"HERALD_MAX_BODY_BYTES=lots", "--max-body-bytes", "whole number"}},
		{args: []string{"--shutdown-timeout", "-1s"}, want: []string{"--shutdown-timeout -1s", "more than 0s"}},
		{env: map[string]string{"HERALD_SHUTDOWN_TIMEOUT": "0"}, want: []string{"--shutdown-timeout 0s (from HERALD_SHUTDOWN_TIMEOUT)"}},
		{args: []string{"--smtp-rate", "-1"}, want: []string{"--smtp-rate -1"}},
		{env: map[string]string{"HERALD_DEMO": "maybe"}, want: []string{"HERALD_DEMO=maybe", "--demo"}},
	} {
		vars := map[string]string{"HERALD_DATA": t.TempDir()}
		for k, v := range tt.env {
			vars[k] = v
		}
		var out, errOut bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, tt.args...), func(k string) string { return vars[k] }, nil, &out, &errOut)
		cancel()
		if err == nil || exitCode(err) != 2 {
			t.Errorf("%v %v: %v (exit %d), want a usage error", tt.env, tt.args, err, exitCode(err))
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v %v: %q does not say %q", tt.env, tt.args, err, w)
			}
		}
	}
	// Client commands' own flags too.
	if out, err := cli(t, "http://127.0.0.1:1", "incident", "list", "--limit", "-1"); err == nil || !strings.Contains(err.Error(), "--limit -1") {
		t.Errorf("incident list --limit -1: %v %s", err, out)
	}
}

func TestServe_HelpListsEnvironmentTwins(t *testing.T) {
	var out, errOut bytes.Buffer
	run(context.Background(), []string{"serve", "--help"}, func(string) string { return "" }, nil, &out, &errOut)
	for _, want := range []string{"HERALD_ADDR", "HERALD_DATA", "HERALD_DATABASE_URL", "HERALD_LOG_FORMAT", "HERALD_ADMIN_TOKEN", "HERALD_DEMO"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --help lacks %s", want)
		}
	}
}

func TestServe_GracefulShutdownFinishesInFlightRequests(t *testing.T) {
	url, stop := startServer(t, store.SQLite)
	// A slow client: the request is in flight (its body still arriving)
	// when shutdown starts, and must still be answered.
	pr, pw := ioPipe()
	req, _ := http.NewRequest("POST", url+"/api/v1/incidents", pr)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	respc := make(chan *http.Response, 1)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			errc <- err
			return
		}
		respc <- resp
	}()
	fmt.Fprint(pw, `{"title":"in flight",`)
	time.Sleep(100 * time.Millisecond)
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(100 * time.Millisecond)
	fmt.Fprint(pw, `"severity":"S3"}`)
	pw.Close()
	select {
	case resp := <-respc:
		if resp.StatusCode != 201 {
			t.Fatalf("in-flight request got %d", resp.StatusCode)
		}
	case err := <-errc:
		t.Fatalf("in-flight request failed: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no answer")
	}
	if err := <-stopped; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Fatal("still accepting after shutdown")
	}
}

func TestMigrate_UpToDateOnSecondRun(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		vars := map[string]string{"HERALD_DATABASE_URL": testdb.URL(t, d), "HERALD_DATA": t.TempDir()}
		for i, want := range []string{"applied 0001_init.sql", "the database is up to date"} {
			var out bytes.Buffer
			if err := run(context.Background(), []string{"migrate"}, func(k string) string { return vars[k] }, nil, &out, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), want) {
				t.Fatalf("run %d: %q, want %q", i, out.String(), want)
			}
		}
	})
}

func TestCLI_StatusPage(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		mustCLI(t, url, "component", "create", "--name", "API", "--group", "Platform")
		mustCLI(t, url, "component", "create", "--name", "Database", "--group", "Platform")
		out := mustCLI(t, url, "component", "list")
		if !strings.Contains(out, "Platform") || !strings.Contains(out, "  API") {
			t.Fatalf("component list:\n%s", out)
		}
		mustCLI(t, url, "incident", "declare", "--title", "DB down", "--severity", "S1")

		out = mustCLI(t, url, "status", "create", "--name", "Database outage", "--incident", "INC-1", "--body", "Writes fail.", "--component", "database=major_outage", "--dry-run")
		if !strings.Contains(out, "DRY RUN") || !strings.Contains(out, "Check body_length") {
			t.Fatalf("dry run:\n%s", out)
		}
		// R10: the first update waits for the status page decision; a
		// draft is approved, and so published, in one command.
		if _, err := cli(t, url, "status", "create", "--name", "Database outage", "--incident", "INC-1", "--body", "Writes fail.", "--component", "database=major_outage"); err == nil || !strings.Contains(err.Error(), "R10") {
			t.Fatalf("the first update without the decision: %v", err)
		}
		out = mustCLI(t, url, "status", "draft", "--name", "Database outage", "--incident", "INC-1", "--body", "Writes fail.", "--component", "database=major_outage", "-o", "json")
		var draft struct{ ID string }
		if err := json.Unmarshal([]byte(out), &draft); err != nil || draft.ID == "" {
			t.Fatalf("draft: %v\n%s", err, out)
		}
		if out = mustCLI(t, url, "status", "drafts"); !strings.Contains(out, draft.ID) || !strings.Contains(out, "pending") {
			t.Fatalf("drafts:\n%s", out)
		}
		out = mustCLI(t, url, "status", "approve", draft.ID, "-o", "json")
		var res struct {
			ID            string
			NextUpdateDue *time.Time `json:"next_update_due"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.ID == "" || res.NextUpdateDue == nil {
			t.Fatalf("create: %v\n%s", err, out)
		}
		_, err := cli(t, url, "status", "update", res.ID, "--body", strings.Repeat("x", 250))
		if err == nil || !strings.Contains(err.Error(), "body_length") {
			t.Fatalf("a long update: %v", err)
		}
		// R22: a correction waits for the next update.
		out = mustCLI(t, url, "status", "edit", res.ID, "--name", "Database and API outage", "--component", "Database", "--component", "API")
		if !strings.Contains(out, "Database outage") || !strings.Contains(out, "Database and API outage") {
			t.Fatalf("status edit:\n%s", out)
		}
		mustCLI(t, url, "status", "update", res.ID, "--status", "identified", "--template", "no_material_updates")
		if out = mustCLI(t, url, "status", "show", res.ID); !strings.Contains(out, "Database and API outage") {
			t.Fatalf("the update did not publish the correction:\n%s", out)
		}
		// R17: resolving waits for the all-clear.
		if _, err := cli(t, url, "status", "resolve", res.ID); err == nil || !strings.Contains(err.Error(), "R17") {
			t.Fatalf("resolve without the all-clear: %v", err)
		}
		mustCLI(t, url, "incident", "all-clear", "INC-1", "--why", "writes work again")
		if out = mustCLI(t, url, "incident", "decisions", "INC-1"); !strings.Contains(out, "status_page") || !strings.Contains(out, "all_clear") {
			t.Fatalf("decisions:\n%s", out)
		}
		mustCLI(t, url, "status", "resolve", res.ID)
		if _, err := cli(t, url, "status", "edit", res.ID, "--name", "Too late"); err == nil || !strings.Contains(err.Error(), "R22") {
			t.Fatalf("editing a resolved incident: %v", err)
		}
		// R54: an S1's post-mortem is its external review, approved first.
		if _, err := cli(t, url, "status", "postmortem", res.ID, "https://example.com/pm"); err == nil || !strings.Contains(err.Error(), "R54") {
			t.Fatalf("an unapproved post-mortem: %v", err)
		}
		mustCLI(t, url, "incident", "review", "INC-1", "--kind", "external", "--link", "https://example.com/pm")
		mustCLI(t, url, "incident", "approve-review", "INC-1", "--token", managerToken(t, url))
		mustCLI(t, url, "status", "postmortem", res.ID, "https://example.com/pm")
		out = mustCLI(t, url, "incident", "show", "INC-1")
		if !strings.Contains(out, "Incident-Comms::Status-Page") {
			t.Fatalf("internal incident not labelled:\n%s", out)
		}

		from := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
		out = mustCLI(t, url, "maintenance", "create", "--name", "Upgrade", "--from", from.Format(time.RFC3339), "--until", from.Add(time.Hour).Format(time.RFC3339), "--component", "Database", "--reminder", "1h", "-o", "json")
		var m struct{ ID string }
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		mustCLI(t, url, "maintenance", "post", m.ID, "--body", "Still on.", "--skip", "email,webhook")
		if _, err := cli(t, url, "maintenance", "post", m.ID, "--body", "Still on.", "--skip", "pager"); err == nil || !strings.Contains(err.Error(), "channels") {
			t.Fatalf("an unknown channel to skip: %v", err)
		}
		// R30: by hand only once automation is off.
		if _, err := cli(t, url, "maintenance", "start", m.ID); err == nil || !strings.Contains(err.Error(), "R30") {
			t.Fatalf("a manual start with automation on: %v", err)
		}
		mustCLI(t, url, "maintenance", "update", m.ID, "--manual")
		if _, err := cli(t, url, "maintenance", "complete", m.ID); err == nil {
			t.Fatal("completed a maintenance that never started")
		}
		mustCLI(t, url, "maintenance", "start", m.ID)
		out = mustCLI(t, url, "maintenance", "complete", m.ID, "--body", "Done early.")
		if !strings.Contains(out, "Completed") {
			t.Fatalf("complete:\n%s", out)
		}

		// The public page shows it all.
		// The public page shows it once the cache has rebuilt (it polls).
		deadline := time.Now().Add(5 * time.Second)
		for {
			resp, err := http.Get(url + "/incidents/" + res.ID)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("public incident page: %d", resp.StatusCode)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

func TestExportStatic(t *testing.T) {
	dir := t.TempDir()
	data := t.TempDir()
	vars := map[string]string{"HERALD_DATA": data}
	env := func(k string) string { return vars[k] }
	var out bytes.Buffer
	// A database with something to show, made through the server.
	vars["HERALD_ADMIN_TOKEN"] = testAdminToken
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var sout testdb.SyncBuffer
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--demo"}, env, nil, &sout, &bytes.Buffer{})
	}()
	for !strings.Contains(sout.String(), "Admin token") {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if err := run(context.Background(), []string{"export-static", dir, "--base-url", "https://status.example.com"}, env, nil, &out, &out); err != nil {
		t.Fatal(err, out.String())
	}
	var first int
	fmt.Sscanf(out.String()[strings.Index(out.String(), ": ")+2:], "%d", &first)
	for _, f := range []string{"index.html", "history/index.html", "api/v2/summary.json", "history.rss", "history.atom", "maintenances.ics", "static/style.css", "404.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	incidents, _ := filepath.Glob(filepath.Join(dir, "incidents", "*", "index.html"))
	maints, _ := filepath.Glob(filepath.Join(dir, "maintenances", "*", "index.html"))
	if len(incidents) != 1 || len(maints) != 1 {
		t.Fatalf("incident pages %v, maintenance pages %v", incidents, maints)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "api", "v2", "summary.json"))
	if !strings.Contains(string(b), `"url":"https://status.example.com"`) {
		t.Fatalf("summary.json does not carry the base URL: %.300s", b)
	}
	// A second export leaves unchanged files alone: only HTML pages, which
	// show the time (generated at, "5 minutes ago"), may be written again.
	// Which ones depends on whether the two exports straddle a second.
	mtimes := func() map[string]time.Time {
		m := map[string]time.Time{}
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if info, err := d.Info(); err == nil {
					m[path] = info.ModTime()
				}
			}
			return nil
		})
		return m
	}
	before := mtimes()
	time.Sleep(10 * time.Millisecond) // a rewrite shows in the modification time
	out.Reset()
	run(context.Background(), []string{"export-static", dir, "--base-url", "https://status.example.com"}, env, nil, &out, &out)
	var second int
	fmt.Sscanf(out.String()[strings.Index(out.String(), ": ")+2:], "%d", &second)
	var rewritten []string
	for path, at := range mtimes() {
		if !at.Equal(before[path]) {
			rewritten = append(rewritten, path)
			if !strings.HasSuffix(path, ".html") {
				t.Errorf("the second export rewrote %s, which did not change", path)
			}
		}
	}
	if first < 15 || second != len(rewritten) || second >= first {
		t.Fatalf("first export wrote %d files, the second %d (%d rewritten on disk)", first, second, len(rewritten))
	}
}

func TestCLI_OnCall(t *testing.T) {
	url, _ := startServer(t, store.SQLite)
	mustCLI(t, url, "user", "create", "--name", "Ann", "--email", "ann@example.com")
	mustCLI(t, url, "user", "create", "--name", "Bob", "--email", "bob@example.com")
	dir := t.TempDir()
	start := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	// The hand-off is twelve hours away in the schedule's zone, so Ann is
	// on call now whatever the time of day (a fixed 09:00 handed over to
	// Bob when the test ran between 09:00 and 10:00 in New York).
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	handoff := time.Now().In(ny).Add(12 * time.Hour).Format("15:04")
	os.WriteFile(filepath.Join(dir, "s.json"), []byte(`{"name":"Primary","time_zone":"America/New_York",
		"layers":[{"rotation":"weekly","handoff_time":"`+handoff+`","start":"`+start+`","users":["ann@example.com","bob@example.com"]}]}`), 0o644)
	mustCLI(t, url, "schedule", "create", "--file", filepath.Join(dir, "s.json"))
	out := mustCLI(t, url, "oncall", "Primary")
	if !strings.Contains(out, "Ann <ann@example.com>") {
		t.Fatalf("oncall:\n%s", out)
	}
	mustCLI(t, url, "schedule", "override", "Primary", "--user", "bob@example.com", "--until", time.Now().UTC().Add(time.Hour).Format(time.RFC3339))
	out = mustCLI(t, url, "oncall", "Primary")
	if !strings.Contains(out, "Bob <bob@example.com>") || !strings.Contains(out, "override") {
		t.Fatalf("oncall with override:\n%s", out)
	}
	out = mustCLI(t, url, "schedule", "shifts", "Primary")
	if strings.Count(out, "\n") < 3 {
		t.Fatalf("shifts:\n%s", out)
	}
}

func TestCLI_PageEscalatesThroughTheServer(t *testing.T) {
	url, _ := startServer(t, store.SQLite)
	mustCLI(t, url, "user", "create", "--name", "Ann", "--email", "ann@example.com")
	out := mustCLI(t, url, "service", "create", "--name", "GDCMOC", "-o", "json")
	var svc struct{ ID string }
	if err := json.Unmarshal([]byte(out), &svc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	out = mustCLI(t, url, "page", "--service", "GDCMOC", "--summary", "S1 complete outage")
	if !strings.Contains(out, "triggered") {
		t.Fatalf("page:\n%s", out)
	}
	out = mustCLI(t, url, "page", "list", "--status", "triggered", "-o", "json")
	var pages []struct{ ID string }
	if err := json.Unmarshal([]byte(out), &pages); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(pages) != 1 {
		t.Fatalf("pages: %s", out)
	}
	mustCLI(t, url, "page", "ack", pages[0].ID)
	// The list says which service, where it stands and who answered; the
	// service may be given by name.
	out = mustCLI(t, url, "page", "list", "--service", "gdcmoc")
	if !strings.Contains(out, "SERVICE") || !strings.Contains(out, "ACKNOWLEDGED BY") || !strings.Contains(out, "GDCMOC") ||
		!strings.Contains(out, "acknowledged") || !strings.Contains(out, "S1 complete outage") {
		t.Fatalf("page list:\n%s", out)
	}
	out = mustCLI(t, url, "page", "resolve", pages[0].ID)
	if !strings.Contains(out, "resolved") {
		t.Fatalf("resolve:\n%s", out)
	}
}

func TestCLI_ContactMethodsAndRules(t *testing.T) {
	url, _ := startServer(t, store.SQLite)
	mustCLI(t, url, "user", "create", "--name", "Ann", "--email", "ann@example.com")
	out := mustCLI(t, url, "user", "contact", "ann@example.com", "--kind", "webhook", "--target", "https://hooks.example.com/ann/CLISECRETPATH42", "-o", "json")
	var m struct{ ID, Secret, Target string }
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// The URL is a credential: shown masked once saved, even to an admin.
	if !strings.HasPrefix(m.Secret, "whsec_") || m.Target != "https://hooks.example.com/…/TH42" || strings.Contains(out, "CLISECRETPATH") {
		t.Fatalf("webhook method: %s", out)
	}
	mustCLI(t, url, "user", "rule", "ann@example.com", "--method", m.ID, "--delay", "2")
	out = mustCLI(t, url, "user", "contact", "ann@example.com")
	if !strings.Contains(out, "https://hooks.example.com/…/TH42") || strings.Contains(out, "CLISECRETPATH") || strings.Contains(out, "whsec_") {
		t.Fatalf("list shows %s", out)
	}
}

// The public form, the confirmation mail through a real SMTP server, the
// link in it, and one-click unsubscribe, through the real server.
func TestSubscribe_ThroughThePublicPage(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		mail := testdb.StartMailpit(t)
		url, _ := startServer(t, d, "HERALD_SMTP_URL", "smtp://"+mail.SMTP, "HERALD_SMTP_FROM", "status@example.com")
		resp, err := http.PostForm(url+"/subscribe", map[string][]string{"email": {"reader@example.com"}})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("subscribe: %v %v", resp, err)
		}
		resp.Body.Close()
		var msgs []testdb.MailMessage
		deadline := time.Now().Add(10 * time.Second)
		for len(msgs) == 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			msgs = mail.Messages(t)
		}
		if len(msgs) != 1 {
			t.Fatal("no confirmation mail")
		}
		text := mail.Text(t, msgs[0].ID)
		i := strings.Index(text, url+"/subscribe/confirm?")
		if i < 0 {
			t.Fatalf("no link in %q", text)
		}
		link := strings.Fields(text[i:])[0]
		// Opening the link shows a button (mail scanners follow links);
		// the button confirms.
		resp, err = http.Get(link)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("confirm link: %v %v", resp, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "Subscribed") || !strings.Contains(string(body), "Confirm") {
			t.Fatalf("confirm link page: %s", body)
		}
		u, _ := neturl.Parse(link)
		resp, err = http.PostForm(url+"/subscribe/confirm", u.Query())
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("confirm: %v %v", resp, err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "Subscribed") {
			t.Fatalf("confirm page: %s", body)
		}
		var counts struct{ Counts map[string]map[string]int }
		req, _ := http.NewRequest("GET", url+"/api/v1/subscribers/counts", nil)
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		resp, _ = http.DefaultClient.Do(req)
		json.NewDecoder(resp.Body).Decode(&counts)
		resp.Body.Close()
		if counts.Counts["email"]["confirmed"] != 1 {
			t.Fatalf("counts %v", counts)
		}
	})
}

// /readyz says not ready when the database refuses writes (a full disk
// answered pings and reads as before), the heartbeat stops then, and the
// worker's figures are on /metrics.
func TestServe_ReadyzHeartbeatAndWorkMetrics(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		var beats atomic.Int64
		watcher := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { beats.Add(1) }))
		defer watcher.Close()
		dbURL, data := testdb.URL(t, d), t.TempDir()
		url, _ := startServer(t, d, "HERALD_DATABASE_URL", dbURL, "HERALD_DATA", data,
			"HERALD_HEARTBEAT_URL", watcher.URL+"/ping/secret-token", "HERALD_HEARTBEAT_INTERVAL", "50ms")
		status := func(path string) (int, string) {
			resp, err := http.Get(url + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if code, body := status("/readyz"); code != 200 {
			t.Fatalf("readyz %d %s", code, body)
		}
		waitFor(t, "heartbeats", func() bool { return beats.Load() >= 2 })

		// Events: two triggers folded into one page, one refused for an
		// unknown key, one invalid.
		svc, err := client.New(url, testAdminToken).Paging.CreateService(context.Background(), herald.ServiceInput{Name: "Checkout"})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range []string{
			`{"routing_key":"` + svc.IntegrationKey + `","event_action":"trigger","dedup_key":"k","payload":{"summary":"5xx","source":"p","severity":"critical"}}`,
			`{"routing_key":"` + svc.IntegrationKey + `","event_action":"trigger","dedup_key":"k","payload":{"summary":"5xx","source":"p","severity":"critical"}}`,
			`{"routing_key":"no-such-key","event_action":"trigger","dedup_key":"k","payload":{"summary":"5xx","source":"p","severity":"critical"}}`,
			`{"routing_key":"` + svc.IntegrationKey + `","event_action":"explode"}`,
		} {
			resp, err := http.Post(url+"/v2/enqueue", "application/json", strings.NewReader(ev))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		code, body := status("/metrics")
		for _, loop := range []string{"escalation", "paging", "broadcast", "maintenance"} {
			// A page was just opened, so its step may be due for a moment:
			// the lag is there and small, not necessarily zero.
			line := `herald_worker_lag_seconds{loop="` + loop + `"} `
			i := strings.Index(body, line)
			var lag float64
			if i < 0 {
				t.Errorf("metrics lack %s", line)
			} else if _, err := fmt.Sscanf(body[i+len(line):], "%g", &lag); err != nil || lag > 5 {
				t.Errorf("%s%g (%v); want a lag under 5 s", line, lag, err)
			}
		}
		for _, want := range []string{`herald_broadcasts_unplanned 0`, `herald_worker_stats_up 1`, `herald_worker_steps_total`,
			`herald_events_total{result="accepted",source="events_v2"} 2`, `herald_events_total{result="rejected",source="events_v2"} 2`,
			`herald_events_deduplicated_total 1`, `herald_statuspage_render_seconds_count`} {
			if code != 200 || !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}

		// The database now refuses every write, as a full disk would.
		raw := openRaw(t, d, dbURL, data)
		if d == store.SQLite {
			for _, ev := range []string{"INSERT", "UPDATE"} {
				if _, err := raw.Exec(`CREATE TRIGGER full_` + ev + ` BEFORE ` + ev + ` ON probes BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
					t.Fatal(err)
				}
			}
		} else {
			for _, q := range []string{`CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$`,
				`CREATE TRIGGER full_disk BEFORE INSERT OR UPDATE ON probes FOR EACH ROW EXECUTE FUNCTION full_disk()`} {
				if _, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
		}
		// A write is tried at most every 2 s while they succeed.
		waitFor(t, "readyz failing on a database that refuses writes", func() bool {
			code, body := status("/readyz")
			return code == http.StatusServiceUnavailable && strings.Contains(body, "does not take writes")
		})
		time.Sleep(500 * time.Millisecond) // a heartbeat in flight finishes, on a loaded machine too
		before := beats.Load()
		time.Sleep(500 * time.Millisecond) // ten intervals
		if n := beats.Load(); n != before {
			t.Fatalf("%d heartbeats while the database refused writes", n-before)
		}
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openRaw opens the database a server uses, past Herald, for a test to
// break it.
func openRaw(t *testing.T, d store.Dialect, dbURL, data string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", dbURL
	if d == store.SQLite {
		driver, dsn = "sqlite", "file:"+filepath.Join(data, "herald.db")+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// --trusted-proxies is checked at start, with a message naming it.
func TestServe_RefusesBadTrustedProxies(t *testing.T) {
	var out, errOut bytes.Buffer
	env := map[string]string{"HERALD_TRUSTED_PROXIES": "10.0.0.0/8,banana", "HERALD_DATA": t.TempDir()}
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, nil, &out, &errOut)
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "--trusted-proxies") || !strings.Contains(err.Error(), "banana") {
		t.Fatalf("err %v (exit %d)", err, exitCode(err))
	}
}

// Without --webhook-allow-private a webhook on loopback is refused when it
// is given, naming the field; with it, it is accepted.
func TestServe_WebhookAllowPrivate(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		for _, allow := range []string{"", "true"} {
			url, _ := startServer(t, d, "HERALD_WEBHOOK_ALLOW_PRIVATE", allow)
			mustCLI(t, url, "user", "create", "--name", "Ann", "--email", "ann@example.com")
			for _, target := range []string{"http://127.0.0.1:9/hook", "http://[::ffff:127.0.0.1]:9/hook", "http://localhost:9/hook"} {
				body := `{"kind":"webhook","target":"` + target + `"}`
				req, _ := http.NewRequest("POST", url+"/api/v1/users/ann@example.com/contact-methods", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+testAdminToken)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var e struct {
					Error struct {
						Code   string
						Fields map[string]string
					}
				}
				json.NewDecoder(resp.Body).Decode(&e)
				resp.Body.Close()
				if allow == "" && (resp.StatusCode != 422 || e.Error.Code != "unprocessable" || e.Error.Fields["target"] == "") {
					t.Errorf("%s without --webhook-allow-private: %d %+v", target, resp.StatusCode, e)
				}
				if allow != "" && resp.StatusCode != 201 {
					t.Errorf("%s with --webhook-allow-private: %d %+v", target, resp.StatusCode, e)
				}
			}
		}
	})
}

// Ten sign-ups of one address, by the form and the API, through the real
// server and SMTP server: the address receives three confirmation mails,
// the rest are answered 429 with Retry-After, and another address still
// receives its own.
func TestSubscribe_ConfirmationMailsCappedPerAddress(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		mail := testdb.StartMailpit(t)
		url, _ := startServer(t, d, "HERALD_SMTP_URL", "smtp://"+mail.SMTP, "HERALD_SMTP_FROM", "status@example.com")
		refused := 0
		for i := range 9 {
			var resp *http.Response
			var err error
			if i%2 == 0 {
				resp, err = http.PostForm(url+"/subscribe", map[string][]string{"email": {"victim@example.com"}})
			} else {
				resp, err = http.Post(url+"/api/v1/subscribers", "application/json", strings.NewReader(`{"email":"victim@example.com"}`))
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == 429 && resp.Header.Get("Retry-After") != "" {
				refused++
			}
		}
		resp, err := http.PostForm(url+"/subscribe", map[string][]string{"email": {"reader@example.com"}})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("other address: %v %v", resp, err)
		}
		resp.Body.Close()
		count := func() map[string]int {
			n := map[string]int{}
			for _, m := range mail.Messages(t) {
				for _, to := range m.To {
					n[to.Address]++
				}
			}
			return n
		}
		deadline := time.Now().Add(10 * time.Second)
		for c := count(); (c["victim@example.com"] < 3 || c["reader@example.com"] < 1) && time.Now().Before(deadline); c = count() {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond) // anything more would have arrived by now
		if c := count(); c["victim@example.com"] != 3 || c["reader@example.com"] != 1 || refused != 6 {
			t.Fatalf("mails by recipient %v, %d sign-ups refused with 429 and Retry-After; want 3 and 1, 6", c, refused)
		}
	})
}
