package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
)

// herald maintenance create --kind emergency makes security work that
// waits for a manager: herald maintenance approve ID is refused to anyone
// else (R32, R33).
func TestRule33_CLIEmergencyMaintenanceCreateAndApprove(t *testing.T) {
	url, _ := startServer(t, store.SQLite)
	from := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	window := []string{"--from", from.Format(time.RFC3339), "--until", from.Add(time.Hour).Format(time.RFC3339)}
	if out, err := cli(t, url, append([]string{"maintenance", "create", "--name", "Patch", "--kind", "out_of_band", "--security"}, window...)...); err == nil || !strings.Contains(out+err.Error(), "kind") {
		t.Fatalf("out_of_band security work: %v\n%s", err, out)
	}
	out := mustCLI(t, url, append([]string{"maintenance", "create", "--name", "OpenSSL patch", "--kind", "emergency", "-o", "json"}, window...)...)
	var m struct {
		ID       string
		Kind     string
		Security bool
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &m); err != nil || m.Kind != "emergency" || !m.Security {
		t.Fatalf("create: %v\n%s", err, out)
	}
	// The admin token's user is no manager.
	if out, err := cli(t, url, "maintenance", "approve", m.ID); err == nil || !strings.Contains(err.Error(), "R33") {
		t.Fatalf("approval by a non-manager: %v\n%s", err, out)
	}
	// Acme is linked; Sam is the security team (R44).
	mustCLI(t, url, "tenant", "create", "--name", "Acme", "--primary-region", "eu-west-1", "--email", "ops@acme.example")
	mustCLI(t, url, "tenant", "link", "maintenance", m.ID, "Acme")
	mustCLI(t, url, "user", "create", "--name", "Sam", "--email", "sam@example.com")
	mustCLI(t, url, "team", "create", "Security", "--member", "sam@example.com")
	out = mustCLI(t, url, "token", "create", "--role", "responder", "--user", "sam@example.com", "-o", "json")
	var samTok struct{ Secret string }
	if err := json.Unmarshal([]byte(out), &samTok); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, url, "user", "create", "--name", "Mia", "--email", "mia@example.com", "--manager")
	out = mustCLI(t, url, "token", "create", "--role", "responder", "--user", "mia@example.com", "-o", "json")
	var tok struct{ Secret string }
	if err := json.Unmarshal([]byte(out), &tok); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"HERALD_SERVER": url, "HERALD_TOKEN": tok.Secret}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"maintenance", "approve", m.ID, "--comment", "CVE"}, func(k string) string { return vars[k] }, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("approval by Mia: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "Emergency") || strings.Contains(stdout.String(), "awaits") || !strings.Contains(stdout.String(), "herald notice approval ") {
		t.Errorf("approved:\n%s", stdout.String())
	}
	// The words wait for Sam: herald notice approvals lists them, Mia
	// cannot approve them, Sam does, and Acme's notice is queued.
	out = mustCLI(t, url, "notice", "approvals", "-o", "json")
	var list []struct {
		ID, Event, Hash string
		MaintenanceID   string `json:"maintenance_id"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 || list[0].MaintenanceID != m.ID || list[0].Event != "approved" {
		t.Fatalf("approvals: %v\n%s", err, out)
	}
	a := list[0]
	if out, err := cliAs(t, url, tok.Secret, "notice", "approve", a.ID); err == nil || !strings.Contains(out+err.Error(), "R44") {
		t.Fatalf("Mia approving her own words: %v\n%s", err, out)
	}
	if out, err := cliAs(t, url, samTok.Secret, "notice", "approve", a.ID, "--hash", a.Hash); err != nil || !strings.Contains(out, "is sent") {
		t.Fatalf("Sam's approval: %v\n%s", err, out)
	}
	got, err := client.New(url, testAdminToken).Maintenances.Maintenance(context.Background(), m.ID)
	if err != nil || len(got.TenantNotices) != 1 || got.TenantNotices[0].To != "ops@acme.example" {
		t.Errorf("Acme's notice after Sam's approval: %v %+v", err, got.TenantNotices)
	}
}
