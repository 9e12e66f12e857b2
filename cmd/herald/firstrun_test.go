package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// serveUntilUp runs serve on SQLite with vars until /healthz answers (by
// then everything serve announces is written), and returns its standard
// output and a stop function.
func serveUntilUp(t *testing.T, vars map[string]string, args ...string) (stdout *testdb.SyncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut testdb.SyncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), func(k string) string { return vars[k] }, nil, &out, &errOut)
	}()
	for deadline := time.Now().Add(20 * time.Second); ; {
		if m := runningAt.FindStringSubmatch(out.String()); m != nil {
			if resp, err := http.Get(m[1] + "/healthz"); err == nil {
				resp.Body.Close()
				break
			}
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\n%s", errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	}
	t.Cleanup(stop)
	return &out, stop
}

// TestServe_FirstRunSaysHowToCreateTheFirstAdmin: a Herald nobody can
// administer from the console says how to create the first admin (with the
// admin token step when HERALD_ADMIN_TOKEN is unset), and stops saying it
// once an admin with a password exists.
func TestServe_FirstRunSaysHowToCreateTheFirstAdmin(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"HERALD_DATA": dir}
	out, stop := serveUntilUp(t, vars)
	stop()
	for _, want := range []string{"No admin can sign in to the console yet", "restart Herald with HERALD_ADMIN_TOKEN set",
		"herald user create --server http://127.0.0.1:", "--role admin", "herald user set-password --server http://127.0.0.1:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("first run without a token: no %q in\n%s", want, out.String())
		}
	}

	vars["HERALD_ADMIN_TOKEN"] = testAdminToken
	out, stop = serveUntilUp(t, vars)
	stop()
	if !strings.Contains(out.String(), "No admin can sign in to the console yet") || strings.Contains(out.String(), "restart Herald") {
		t.Errorf("with HERALD_ADMIN_TOKEN (whose account is no person): \n%s", out.String())
	}

	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.People.CreateUser(ctx, herald.UserInput{Name: "Ada", Email: "ada@example.com", Role: herald.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, stop = serveUntilUp(t, vars)
	stop()
	if !strings.Contains(out.String(), "No admin can sign in") {
		t.Errorf("an admin without a password cannot sign in either:\n%s", out.String())
	}
	if db, err = store.Open(ctx, store.Config{DataDir: dir}); err != nil {
		t.Fatal(err)
	}
	if err := db.Auth.SetPassword(ctx, "ada@example.com", "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, stop = serveUntilUp(t, vars)
	stop()
	if strings.Contains(out.String(), "No admin") {
		t.Errorf("with an admin who can sign in:\n%s", out.String())
	}

	// --demo makes its own admin and says how to sign in instead.
	out, stop = serveUntilUp(t, map[string]string{"HERALD_DATA": t.TempDir()}, "--demo")
	stop()
	if strings.Contains(out.String(), "No admin") || !strings.Contains(out.String(), "Sign in as ada@example.com") {
		t.Errorf("--demo:\n%s", out.String())
	}
}

// TestServe_DemoS1PagesItsRoles: --demo binds the incident roles to
// services, so its S1 pages Grace as incident lead, the Primary rotation as
// engineer on call and Linus for communications, and the worker notifies
// them; the doctor finds no unbound role.
func TestServe_DemoS1PagesItsRoles(t *testing.T) {
	dir := t.TempDir()
	_, stop := serveUntilUp(t, map[string]string{"HERALD_DATA": dir, "HERALD_TICK": "50ms"}, "--demo")
	defer stop()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	users, err := db.People.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	email := map[string]string{}
	for _, u := range users {
		email[u.ID] = u.Email
	}
	want := map[string][]string{
		herald.RoleIncidentLead:   {"grace@example.com"},
		herald.RoleEngineerOnCall: {"ada@example.com", "linus@example.com"}, // whoever the rotation has on call now
		herald.RoleCommunications: {"linus@example.com"},
	}
	var got map[string]string
	for deadline := time.Now().Add(15 * time.Second); ; {
		pages, err := db.Paging.OpenPages(ctx, 50)
		if err != nil {
			t.Fatal(err)
		}
		got = map[string]string{}
		for _, p := range pages {
			if p.IncidentRole != "" && len(p.Notified) > 0 {
				got[p.IncidentRole] = email[p.Notified[0]]
			}
		}
		if len(got) == len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for role, who := range want {
		if !slices.Contains(who, got[role]) {
			t.Errorf("the demo S1's %s page notified %q, want one of %v (all: %v)", role, got[role], who, got)
		}
	}
	report, err := db.Doctor(ctx, store.DoctorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range report.Findings {
		if f.Kind == herald.FindingRoleUnbound {
			t.Errorf("doctor after --demo: %+v", f)
		}
	}
}
