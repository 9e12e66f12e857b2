package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
)

// The server depends on package herald's services, not on the store: where
// a real database adds nothing (how an answer is shaped, which status an
// error gets) a test hands it fakes. Each fake embeds the interface, so a
// method the test does not expect panics instead of passing silently.

type fakePeople struct {
	herald.PeopleService
	actor herald.Actor
}

func (f fakePeople) Authenticate(_ context.Context, secret string) (herald.Actor, error) {
	if secret != "right" {
		return herald.Actor{}, herald.Errorf(herald.EUnauthenticated, "unknown token")
	}
	return f.actor, nil
}

type fakeIncidents struct {
	herald.IncidentService
	byRef map[string]*herald.Incident
	asked []string
}

func (f *fakeIncidents) Incident(_ context.Context, ref string) (*herald.Incident, error) {
	f.asked = append(f.asked, ref)
	if inc, ok := f.byRef[ref]; ok {
		return inc, nil
	}
	return nil, herald.Errorf(herald.ENotFound, "incident %s not found", ref)
}

func TestServer_ServicesCanBeFaked(t *testing.T) {
	incidents := &fakeIncidents{byRef: map[string]*herald.Incident{
		"INC-7": {ID: "i7", Number: 7, Reference: "INC-7", Title: "Checkout errors", Severity: herald.S2, State: herald.Identified},
	}}
	srv := New(Config{
		Services: herald.Services{
			Incidents: incidents,
			People:    fakePeople{actor: herald.Actor{User: herald.User{ID: "u1", Name: "Ada"}, Role: herald.RoleViewer}},
		},
		Links:   links.New("https://herald.example.com"),
		Version: "test",
	})
	get := func(path, token string) (*httptest.ResponseRecorder, map[string]any) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("GET %s: %v in %q", path, err, rec.Body)
		}
		return rec, body
	}

	rec, body := get("/api/v1/incidents/INC-7", "right")
	if rec.Code != 200 || body["title"] != "Checkout errors" || body["url"] != "https://herald.example.com/app/incidents/INC-7" {
		t.Errorf("found: %d %v", rec.Code, body)
	}
	rec, body = get("/api/v1/incidents/INC-8", "right")
	if e, _ := body["error"].(map[string]any); rec.Code != 404 || e["code"] != herald.ENotFound || !strings.Contains(e["message"].(string), "INC-8") {
		t.Errorf("missing: %d %v", rec.Code, body)
	}
	rec, _ = get("/api/v1/incidents/INC-7", "wrong")
	if rec.Code != 401 {
		t.Errorf("bad token: %d", rec.Code)
	}
	if got := strings.Join(incidents.asked, ","); got != "INC-7,INC-8" {
		t.Errorf("the service was asked for %q, want INC-7,INC-8 (never for a caller without a valid token)", got)
	}
}
