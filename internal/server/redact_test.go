package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// getAs GETs path with a token and decodes the JSON answer into out.
func (e *env) getAs(t *testing.T, token, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.http.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
}

// Integration keys, stakeholder URLs, phone numbers and contact-method
// URLs are shown to admins (and a user's own methods to that user), masked
// for everyone else; a viewer cannot resolve a page with what it reads.
func TestRedact_SecretsByRole(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		tokens := map[string]string{"admin": adminSecret}
		users := map[string]herald.User{}
		for _, p := range []struct {
			name string
			role herald.APIRole
		}{{"Vera", herald.RoleViewer}, {"Rob", herald.RoleResponder}, {"Ann", herald.RoleResponder}} {
			u, err := e.admin.People.CreateUser(ctx, herald.UserInput{Name: p.name, Email: strings.ToLower(p.name) + "@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := e.admin.People.CreateToken(ctx, herald.TokenInput{Name: p.name, Role: p.role, UserID: u.ID})
			if err != nil {
				t.Fatal(err)
			}
			tokens[p.name], users[p.name] = tok.Secret, u
		}
		svc, err := e.admin.Paging.CreateService(ctx, herald.ServiceInput{Name: "Checkout"})
		if err != nil || len(svc.IntegrationKey) < 16 {
			t.Fatalf("service %+v %v", svc, err)
		}
		secrets := map[string]string{
			"sms":     "+15551234567",
			"webhook": "https://hooks.example.com/ann/0123456789abcdef",
			"slack":   "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX",
		}
		for kind, target := range secrets {
			if _, err := e.admin.People.CreateContactMethod(ctx, users["Ann"].ID, herald.ContactMethodInput{Kind: kind, Target: target}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.admin.People.CreateContactMethod(ctx, users["Ann"].ID, herald.ContactMethodInput{Kind: "email", Target: "ann@example.com"}); err != nil {
			t.Fatal(err)
		}
		channel := "https://hooks.slack.com/services/T111/B111/YYYYYYYYYYYYYYYY"
		if _, err := e.db.Subscribers.AddStakeholderChannel(ctx, herald.SubscriberInput{SlackURL: channel}); err != nil {
			t.Fatal(err)
		}
		masked := func(s string) bool { return strings.HasPrefix(s, "••••") && len([]rune(s)) <= 8 }

		for _, who := range []string{"admin", "Vera", "Rob", "Ann"} {
			admin := who == "admin"
			var ss Services
			e.getAs(t, tokens[who], "/api/v1/services", &ss)
			if len(ss.Services) != 1 {
				t.Fatalf("%s: services %+v", who, ss)
			}
			if key := ss.Services[0].IntegrationKey; admin != (key == svc.IntegrationKey) || !admin && (!masked(key) || !strings.HasSuffix(svc.IntegrationKey, strings.TrimPrefix(key, "••••"))) {
				t.Errorf("%s sees integration key %q", who, key)
			}
			var cms ContactMethods
			e.getAs(t, tokens[who], "/api/v1/users/"+users["Ann"].ID+"/contact-methods", &cms)
			if len(cms.ContactMethods) != 4 {
				t.Fatalf("%s: methods %+v", who, cms)
			}
			for _, m := range cms.ContactMethods {
				shown := admin || who == "Ann" || m.Kind == "email"
				// A URL is never shown whole: its user and admins see it
				// masked with its scheme and host (herald.MaskURL).
				want := herald.ShownTarget(m.Kind, secrets[m.Kind])
				if m.Kind != "email" && shown != (m.Target == want) || !shown && !masked(m.Target) {
					t.Errorf("%s sees Ann's %s as %q", who, m.Kind, m.Target)
				}
			}
			var ch StakeholderChannels
			e.getAs(t, tokens[who], "/api/v1/stakeholder-channels", &ch)
			if len(ch.Channels) != 1 || admin != (ch.Channels[0].Target == herald.MaskURL(channel)) || !admin && !masked(ch.Channels[0].Target) {
				t.Errorf("%s sees stakeholder channel %+v", who, ch.Channels)
			}
		}

		// A live page: the viewer reads its dedup key (kept for
		// correlation) and the masked key, and cannot resolve it.
		if _, err := e.db.Paging.Enqueue(ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger", DedupKey: "db-down",
			Payload: &herald.EventPayload{Summary: "DB down", Source: "prometheus", Severity: "critical"}}); err != nil {
			t.Fatal(err)
		}
		var pages Pages
		e.getAs(t, tokens["Vera"], "/api/v1/pages", &pages)
		var ss Services
		e.getAs(t, tokens["Vera"], "/api/v1/services", &ss)
		if len(pages.Pages) != 1 || pages.Pages[0].DedupKey != "db-down" {
			t.Fatalf("pages %+v", pages)
		}
		for _, key := range []string{ss.Services[0].IntegrationKey, strings.TrimPrefix(ss.Services[0].IntegrationKey, "••••")} {
			body := `{"routing_key":"` + key + `","event_action":"resolve","dedup_key":"db-down"}`
			resp, err := http.Post(e.http.URL+"/v2/enqueue", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusAccepted {
				t.Fatalf("the viewer's key %q resolved the page", key)
			}
		}
		if p, _ := e.db.Paging.Page(ctx, pages.Pages[0].ID); p.Status != herald.PageTriggered {
			t.Fatalf("page %s after the viewer's attempts", p.Status)
		}
	})
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"": "••••", "short": "••••", "12345678": "••••", "0123456789abcdef": "••••cdef", "+15551234567": "••••4567"} {
		if got := herald.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
