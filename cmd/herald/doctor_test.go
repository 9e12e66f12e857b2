package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R01 on a fresh install: declaring an S1 pages nobody, and everything says
// so: the declaration, `incident show`, `page show` and `herald doctor`,
// which exits non-zero until the gaps are closed.
func TestRule01_CLIShowsPagingGapsAndDoctorExitsNonZero(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		out, err := cli(t, url, "doctor")
		if !errors.Is(err, errDoctorFound) || exitCode(err) != 1 || !strings.Contains(out, "role_unbound") || !strings.Contains(out, "fix: Bind the role") {
			t.Fatalf("doctor on a fresh install: %v\n%s", err, out)
		}
		out = mustCLI(t, url, "incident", "declare", "--title", "Checkout down", "--severity", "S1")
		if !strings.Contains(out, "Warning") || !strings.Contains(out, "Nobody was paged as Incident Lead") {
			t.Fatalf("declare:\n%s", out)
		}
		out = mustCLI(t, url, "incident", "show", "INC-1")
		if strings.Count(out, "Warning") != 3 {
			t.Fatalf("show:\n%s", out)
		}

		mustCLI(t, url, "service", "create", "--name", "Orphan")
		out = mustCLI(t, url, "page", "--service", "Orphan", "--summary", "disk full", "-o", "json")
		var p struct{ ID string }
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			out = mustCLI(t, url, "page", "show", p.ID)
			if strings.Contains(out, "Warning") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("page show never warned:\n%s", out)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !strings.Contains(out, "The service has no escalation policy") {
			t.Fatalf("page show:\n%s", out)
		}

		// Nothing left to page: no role is paged, and the orphan service
		// pages the fallback, who can be reached: a warning, exit 0.
		c := client.New(url, testAdminToken)
		ctx := context.Background()
		s, _ := c.Settings.Settings(ctx)
		s.PageRoles = map[herald.Severity][]string{herald.S1: {}, herald.S2: {}, herald.S3: {}, herald.S4: {}}
		ann, err := c.People.CreateUser(ctx, herald.UserInput{Name: "Ann", Email: "ann@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.People.CreateContactMethod(ctx, ann.ID, herald.ContactMethodInput{Kind: "webhook", Target: "https://hooks.example.com/ann"}); err != nil {
			t.Fatal(err)
		}
		s.Paging.Fallback = "ann@example.com"
		if _, err := c.Settings.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		out, err = cli(t, url, "doctor")
		if err != nil || !strings.Contains(out, "0 errors, 1 warnings") || !strings.Contains(out, "go to the fallback ann@example.com only") {
			t.Fatalf("doctor with warnings only: %v\n%s", err, out)
		}

		// E-mail, and this server has no SMTP: an error, and Ben, reached
		// by e-mail only, is unreachable.
		ben, _ := c.People.CreateUser(ctx, herald.UserInput{Name: "Ben", Email: "ben@example.com"})
		if _, err := c.People.CreateContactMethod(ctx, ben.ID, herald.ContactMethodInput{Kind: "email", Target: "ben@example.com"}); err != nil {
			t.Fatal(err)
		}
		out, err = cli(t, url, "doctor")
		if err == nil || !strings.Contains(out, "smtp_missing") || !strings.Contains(out, "Ben <ben@example.com> has no contact method this Herald can send to") {
			t.Fatalf("doctor with e-mail and no SMTP: %v\n%s", err, out)
		}
	})
}
