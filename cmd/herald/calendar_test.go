package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
)

// `herald user calendar` makes the link a calendar app subscribes to,
// shows it once, and ends it with --revoke.
func TestCLI_UserCalendarFeed(t *testing.T) {
	srv, _ := startServer(t, store.SQLite)
	mustCLI(t, srv, "user", "create", "--name", "Ann", "--email", "ann@example.com")
	if out := mustCLI(t, srv, "user", "calendar", "ann@example.com", "--status"); !strings.Contains(out, "no calendar feed links") {
		t.Fatalf("status before:\n%s", out)
	}
	out := mustCLI(t, srv, "user", "calendar", "ann@example.com")
	link := regexp.MustCompile(`https?://\S+/api/v1/calendars/hcal_\S+/shifts\.ics`).FindString(out)
	if link == "" {
		t.Fatalf("no feed link in:\n%s", out)
	}
	u, _ := url.Parse(link)
	get := func() (int, string) {
		resp, err := http.Get(srv + u.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(); code != 200 || !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") {
		t.Fatalf("feed: %d %.200s", code, body)
	}
	if out := mustCLI(t, srv, "user", "calendar", "ann@example.com", "--status"); !strings.Contains(out, "has calendar feed links since") || strings.Contains(out, "hcal_") {
		t.Fatalf("status shows the link again or nothing:\n%s", out)
	}
	mustCLI(t, srv, "user", "calendar", "ann@example.com", "--revoke")
	if code, _ := get(); code != 404 {
		t.Fatalf("revoked feed answers %d", code)
	}
}
