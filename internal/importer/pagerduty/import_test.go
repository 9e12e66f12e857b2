package pagerduty_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer/pagerduty"
	"github.com/heraldhq/herald/internal/importer/pagerduty/pdtest"
)

func importReplay(t *testing.T, token string) (*pdtest.Server, *config.Document, []string, error) {
	t.Helper()
	srv := pdtest.NewServer(t)
	doc, warnings, err := importFrom(srv, token)
	return srv, doc, warnings, err
}

func importFrom(srv *pdtest.Server, token string) (*config.Document, []string, error) {
	return pagerduty.Import(context.Background(), pagerduty.Options{
		Token: token, APIURL: srv.URL, Now: pdtest.Now, PageSize: pdtest.PageSize,
	})
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestImport_ReplayOfDocumentedResponses runs the import against a replay
// of PagerDuty's REST API: the fixtures are responses in the shape the API
// reference documents for list users, a user's contact methods and
// notification rules, list teams and members, list schedules, get a
// schedule, list overrides, list escalation policies and list services.
// The replay checks every request the real client makes (the
// "Token token=" header, the paths, the queries, two pages of users and of
// policies by offset and limit), and the test checks the whole document
// and every warning that comes out.
func TestImport_ReplayOfDocumentedResponses(t *testing.T) {
	srv, doc, warnings, err := importReplay(t, pdtest.Token)
	if err != nil {
		t.Fatal(err)
	}
	if left := srv.Unrequested(); len(left) > 0 {
		t.Errorf("the import never asked for %q", left)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	newYork, _ := time.LoadLocation("America/New_York")
	want := &config.Document{
		Version: config.Version,
		Users: []config.User{
			{Email: "earline@example.com", Name: "Earline Greenholt", Role: "admin",
				Contacts: []config.Contact{
					{Kind: "email", Target: "earline@example.com"},
					{Kind: "voice", Target: "+15555550100"},
					{Kind: "sms", Target: "+15555550100"},
				},
				Rules: []config.Rule{
					{Contact: "email:earline@example.com", DelayMinutes: 0},
					{Contact: "sms:+15555550100", DelayMinutes: 5},
					{Contact: "voice:+15555550100", DelayMinutes: 10},
				}},
			{Email: "kyler@example.com", Name: "Kyler Kuhn", Role: "responder",
				Contacts: []config.Contact{{Kind: "email", Target: "kyler@example.com"}},
				Rules:    []config.Rule{{Contact: "email:kyler@example.com"}}},
			{Email: "regina@example.com", Name: "Regina Phalange", Role: "viewer",
				Contacts: []config.Contact{{Kind: "email", Target: "regina@example.com"}}},
		},
		Teams: []config.Team{{Name: "Engineering", Members: []string{"earline@example.com", "kyler@example.com"}}},
		Schedules: []config.Schedule{
			{Name: "Primary", Team: "Engineering", TimeZone: "Europe/Berlin",
				// PagerDuty lists the winning layer first; Herald last.
				Layers: []config.Layer{
					{Name: "Business days", Rotation: "daily", HandoffTime: "08:00",
						Start: at(t, "2026-01-05T08:00:00+01:00").In(berlin),
						Users: []string{"earline@example.com", "kyler@example.com"}},
					{Name: "Weekly cover", Rotation: "weekly", HandoffTime: "09:00",
						Start: at(t, "2026-11-02T09:00:00+01:00").In(berlin),
						Users: []string{"kyler@example.com", "earline@example.com"}},
				},
				Overrides: []config.Override{
					{User: "regina@example.com", Start: at(t, "2026-12-05T09:00:00+01:00"), End: at(t, "2026-12-06T09:00:00+01:00")},
					{User: "kyler@example.com", Start: at(t, "2026-11-29T18:00:00+01:00"), End: at(t, "2026-11-30T18:00:00+01:00")},
				}},
			{Name: "Secondary", TimeZone: "America/New_York",
				Layers: []config.Layer{
					{Name: "Nights", Rotation: "custom", Length: "12h",
						Start: at(t, "2026-11-01T20:00:00-05:00").In(newYork),
						Users: []string{"regina@example.com", "kyler@example.com"}},
				}},
		},
		EscalationPolicies: []config.Policy{
			{Name: "Business hours", Levels: []config.Level{
				{Timeout: "10m", Targets: []config.Target{{User: "regina@example.com"}}},
			}},
			{Name: "Engineering", Team: "Engineering", Repeat: 2, Levels: []config.Level{
				{Timeout: "30m", Targets: []config.Target{{User: "earline@example.com"}, {Schedule: "Primary"}}},
				{Timeout: "15m", Targets: []config.Target{{Schedule: "Secondary"}, {User: "kyler@example.com"}}},
			}},
		},
		Services: []config.Service{
			{Name: "Checkout API", Team: "Engineering", Description: "Payments and checkout", Policy: "Engineering"},
			{Name: "Mail relay"},
		},
	}
	if got, want := yamlOf(t, doc), yamlOf(t, want); got != want {
		t.Errorf("document:\n%s\nwant:\n%s", got, want)
	}
	wantWarnings := []string{
		`user earline@example.com: contact method "Phone app" (push_notification_contact_method) has no Herald kind: not imported`,
		`user earline@example.com: the notification rule after 0 minutes uses a contact method that was not imported (push_notification_contact_method): not imported`,
		`team "Engineering": team roles (manager, observer) are not imported: its members are plain members (1 had a role)`,
		`schedule "Primary", layer "Old rota" ended at 2026-01-05T08:00:00+01:00: not imported`,
		`schedule "Primary", layer "Business days": on call only from 08:00:00 for 9h each day (a daily restriction); Herald has no restrictions, so the layer's person is on call around the clock`,
		`schedule "Secondary", layer "Nights" ends at 2027-03-01T00:00:00-05:00 in PagerDuty; Herald layers do not end: remove it then`,
		`schedule "Secondary", layer "Nights": on call only from Monday 20:00:00 for 120h each week (a weekly restriction); Herald has no restrictions, so the layer's person is on call around the clock`,
		`schedule "Secondary", layer "Nights": "Former Employee" is not among the users read: left out of the rotation`,
		`escalation policy "Engineering", level 2 gives an incident to its targets in turn (round robin); Herald pages every target of a level`,
		`escalation policy "Retired", level 1: schedule "Deleted schedule" was not imported: left out`,
		`escalation policy "Retired", level 1 pages nobody Herald knows: the level is left out`,
		`escalation policy "Retired" has no level left: not imported, and services using it have no policy`,
		`service "Checkout API": an acknowledgement lapses after 10m in PagerDuty: not imported (a Herald policy's ack_expiry does this for every service using the policy)`,
		`service "Checkout API": incidents resolve themselves after 4h in PagerDuty: not imported`,
		`service "Checkout API": urgency rules (use_support_hours) and support hours are not imported: Herald pages with one urgency`,
		`service "Checkout API": alert grouping (intelligent) is not imported: set the service's grouping in Herald if it needs one`,
		`service "Checkout API": auto-pausing notifications for transient alerts is not imported`,
		`service "Checkout API": its integrations (1) send to PagerDuty; point them at the integration key Herald makes for the service`,
		`service "Mail relay": its escalation policy "Retired" was not imported: the service has none`,
		`service "Mail relay" is disabled in PagerDuty; Herald's services are always on: imported as on`,
	}
	for i := range max(len(warnings), len(wantWarnings)) {
		var got, want string
		if i < len(warnings) {
			got = warnings[i]
		}
		if i < len(wantWarnings) {
			want = wantWarnings[i]
		}
		if got != want {
			t.Errorf("warning %d:\n got %s\nwant %s", i+1, got, want)
		}
	}
	// The document is one apply reads back unchanged.
	back, err := config.Parse(strings.NewReader(yamlOf(t, doc)))
	if err != nil {
		t.Fatalf("the YAML does not parse back: %v", err)
	}
	if yamlOf(t, back) != yamlOf(t, doc) {
		t.Errorf("YAML round trip changed the document:\n%s", yamlOf(t, back))
	}
}

func yamlOf(t *testing.T, d *config.Document) string {
	t.Helper()
	b, err := config.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A token PagerDuty refuses is a clear error that names the 401 and says
// what to give instead, and not the token.
func TestImport_BadTokenIsAClearError(t *testing.T) {
	srv, doc, _, err := importReplay(t, "not-the-token")
	if err == nil || doc != nil {
		t.Fatalf("import with a refused token: %v, %v", doc, err)
	}
	for _, want := range []string{"refused the API token", "401", "REST API key", srv.URL} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "not-the-token") {
		t.Errorf("error %q shows the token", err)
	}
	if got := srv.Requests(); len(got) != 1 {
		t.Errorf("after the refusal the import went on: %q", got)
	}
}

// PagerDuty answers 429 when the account's rate limit is reached; the
// import waits as the answer says and asks again, and a limit that does
// not lift is a clear error.
func TestImport_WaitsOutTheRateLimit(t *testing.T) {
	srv := pdtest.NewServer(t)
	srv.Throttle(3)
	doc, _, err := importFrom(srv, pdtest.Token)
	if err != nil || len(doc.Users) != 3 {
		t.Fatalf("import through three 429s: %v", err)
	}
	if left := srv.Unrequested(); len(left) > 0 {
		t.Errorf("the import never asked for %q", left)
	}
	requests := len(srv.Requests())

	srv = pdtest.NewServer(t)
	srv.Throttle(requests * 10)
	_, _, err = importFrom(srv, pdtest.Token)
	if err == nil || !strings.Contains(err.Error(), "rate limited (429 Too Many Requests)") {
		t.Errorf("import that is always throttled: %v", err)
	}
}

// The key travels with every request, so the API URL must be https (or
// http to this machine, as the replay is); nothing is sent otherwise.
func TestImport_RefusesToSendTheKeyInTheClear(t *testing.T) {
	for _, u := range []string{"http://api.pagerduty.com", "api.pagerduty.com", "ftp://api.pagerduty.com"} {
		_, _, err := pagerduty.Import(context.Background(), pagerduty.Options{Token: pdtest.Token, APIURL: u, Now: pdtest.Now})
		if err == nil || !strings.Contains(err.Error(), u) || !strings.Contains(err.Error(), "https") {
			t.Errorf("API URL %q: %v", u, err)
		}
	}
}
