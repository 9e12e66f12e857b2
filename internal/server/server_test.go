package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const adminSecret = "test-admin-secret-0123456789"

type env struct {
	srv   *Server
	http  *httptest.Server
	admin *client.Client
	db    *store.DB
	clock *testdb.Clock
}

func setup(t testing.TB, d store.Dialect, maxBody int64) *env {
	t.Helper()
	e := &env{clock: testdb.NewClock()}
	e.db = testdb.Open(t, d, e.clock)
	if err := e.db.People.EnsureAdminToken(context.Background(), adminSecret); err != nil {
		t.Fatal(err)
	}
	e.srv = New(Config{Services: e.db.Services(), Database: e.db, Links: links.New("http://herald.test"), MaxBodyBytes: maxBody, Version: "test"})
	e.http = httptest.NewServer(checkAnswers(t, openAPIDoc(t), e.srv))
	t.Cleanup(e.http.Close)
	e.admin = client.New(e.http.URL, adminSecret)
	return e
}

// token makes a user and a token of the given role for them.
func (e *env) token(t testing.TB, name string, role herald.APIRole) *client.Client {
	t.Helper()
	ctx := context.Background()
	u, err := e.admin.People.CreateUser(ctx, herald.UserInput{Name: name, Email: strings.ToLower(name) + "@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.admin.People.CreateToken(ctx, herald.TokenInput{Name: name, Role: role, UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	return client.New(e.http.URL, tok.Secret)
}

func (e *env) raw(t testing.TB, method, path, token, contentType, body string) (*http.Response, ErrorBody) {
	t.Helper()
	req, _ := http.NewRequest(method, e.http.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var eb ErrorBody
	b, _ := io.ReadAll(resp.Body)
	// Only error answers carry an ErrorBody; callers look at it where one is due.
	_ = json.Unmarshal(b, &eb)
	return resp, eb
}

func TestAPI_AuthenticationAndRoles(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		resp, eb := e.raw(t, "GET", "/api/v1/incidents", "", "", "")
		if resp.StatusCode != 401 || eb.Error.Code != "unauthenticated" || resp.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("no token: %d %+v", resp.StatusCode, eb)
		}
		resp, eb = e.raw(t, "GET", "/api/v1/incidents", "hrd_not-a-token", "", "")
		if resp.StatusCode != 401 {
			t.Fatalf("bad token: %d %+v", resp.StatusCode, eb)
		}
		viewer := e.token(t, "Vera", herald.RoleViewer)
		responder := e.token(t, "Rex", herald.RoleResponder)
		if _, err := viewer.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "x", Severity: "S4"}); statusOf2(err) != 403 {
			t.Fatalf("viewer declares: %v", err)
		}
		inc, err := responder.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Checkout errors", Severity: "S2"})
		if err != nil {
			t.Fatal(err)
		}
		if inc.DeclaredBy != "Rex" || inc.URL != "http://herald.test/app/incidents/INC-1" {
			t.Fatalf("declared: %+v", inc)
		}
		if _, err := viewer.Incidents.Incident(ctx, "INC-1"); err != nil {
			t.Fatalf("viewer reads: %v", err)
		}
		if _, err := responder.People.CreateToken(ctx, herald.TokenInput{Name: "x", Role: "admin"}); statusOf2(err) != 403 {
			t.Fatalf("responder creates a token: %v", err)
		}
		if _, err := responder.Settings.SaveSettings(ctx, herald.DefaultSettings()); statusOf2(err) != 403 {
			t.Fatalf("responder changes settings: %v", err)
		}
		// A revoked token stops at once.
		toks, _ := e.admin.People.Tokens(ctx)
		for _, tk := range toks {
			if tk.UserName == "Vera" {
				e.admin.People.RevokeToken(ctx, tk.ID)
			}
		}
		if _, err := viewer.Incidents.Incident(ctx, "INC-1"); statusOf2(err) != 401 {
			t.Fatalf("revoked token: %v", err)
		}
	})
}

func statusOf2(err error) int {
	if ce, ok := err.(*client.Error); ok {
		return ce.Status
	}
	return 0
}

func TestAPI_BadInputGetsClearErrorsAndChangesNothing(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 4096)
		ctx := context.Background()
		inc, err := e.admin.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Slow search", Severity: "S3"})
		if err != nil {
			t.Fatal(err)
		}
		huge := `{"title":"` + strings.Repeat("x", 5000) + `","severity":"S1"}`
		tests := []struct {
			name, method, path, ctype, body string
			status                          int
			code, field                     string
		}{
			{"not JSON", "POST", "/api/v1/incidents", "application/json", `{"title":`, 400, "invalid", ""},
			{"garbage", "POST", "/api/v1/incidents", "application/json", `<xml/>`, 400, "invalid", ""},
			{"empty body", "POST", "/api/v1/incidents", "application/json", ``, 400, "invalid", ""},
			{"two objects", "POST", "/api/v1/incidents", "application/json", `{"title":"a","severity":"S1"}{}`, 400, "invalid", ""},
			{"wrong content type", "POST", "/api/v1/incidents", "text/plain", `{"title":"a","severity":"S1"}`, 400, "invalid", ""},
			{"unknown field", "POST", "/api/v1/incidents", "application/json", `{"title":"a","severity":"S1","sevrity":"S2"}`, 400, "invalid", "sevrity"},
			{"wrong type", "POST", "/api/v1/incidents", "application/json", `{"title":"a","severity":"S1","services":"api"}`, 400, "invalid", "services"},
			{"missing title", "POST", "/api/v1/incidents", "application/json", `{"severity":"S1"}`, 400, "invalid", "title"},
			{"bad severity", "POST", "/api/v1/incidents", "application/json", `{"title":"a","severity":"S5"}`, 400, "invalid", "severity"},
			{"too large", "POST", "/api/v1/incidents", "application/json", huge, 413, "too_large", ""},
			{"unknown incident", "GET", "/api/v1/incidents/INC-404", "", "", 404, "not_found", ""},
			{"unknown route", "GET", "/api/v1/nothing", "", "", 404, "not_found", ""},
			{"stale version", "PATCH", "/api/v1/incidents/INC-1", "application/json", `{"version":7,"summary":"x"}`, 409, "conflict", ""},
			{"no version", "PATCH", "/api/v1/incidents/INC-1", "application/json", `{"summary":"x"}`, 400, "invalid", "version"},
			{"illegal move", "PATCH", "/api/v1/incidents/INC-1", "application/json", `{"version":1,"state":"investigating"}`, 422, "unprocessable", ""},
			{"bad state", "PATCH", "/api/v1/incidents/INC-1", "application/json", `{"version":1,"state":"fixed"}`, 400, "invalid", "state"},
			{"bad list limit", "GET", "/api/v1/incidents?limit=abc", "", "", 400, "invalid", "limit"},
			{"bad label", "POST", "/api/v1/incidents/INC-1/labels", "application/json", `{"add":["a::"]}`, 400, "invalid", "add"},
			{"unknown role", "PUT", "/api/v1/incidents/INC-1/roles/janitor", "application/json", `{"user":"admin@herald.invalid"}`, 404, "not_found", ""},
			{"javascript link", "POST", "/api/v1/incidents/INC-1/follow-ups", "application/json", `{"title":"x","link":"javascript:alert(1)"}`, 400, "invalid", "link"},
			{"bad settings", "PUT", "/api/v1/settings", "application/json", `{"reference_prefix":"inc"}`, 400, "invalid", "reference_prefix"},
		}
		for _, tt := range tests {
			resp, eb := e.raw(t, tt.method, tt.path, adminSecret, tt.ctype, tt.body)
			if resp.StatusCode != tt.status || eb.Error.Code != tt.code || eb.Error.Message == "" {
				t.Errorf("%s: %d %+v, want %d %s", tt.name, resp.StatusCode, eb.Error, tt.status, tt.code)
				continue
			}
			if tt.field != "" && eb.Error.Fields[tt.field] == "" {
				t.Errorf("%s: fields %v do not name %q", tt.name, eb.Error.Fields, tt.field)
			}
			if resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("%s: content type %q", tt.name, resp.Header.Get("Content-Type"))
			}
		}
		// The stale write carried the current incident.
		_, eb := e.raw(t, "PATCH", "/api/v1/incidents/INC-1", adminSecret, "application/json", `{"version":7,"summary":"x"}`)
		if cur, _ := eb.Error.Current.(map[string]any); cur == nil || cur["version"] != float64(1) {
			t.Errorf("409 carries %v, want the current incident", eb.Error.Current)
		}
		// Nothing changed.
		after, _ := e.admin.Incidents.Incident(ctx, inc.ID)
		tl, _ := e.admin.Incidents.Timeline(ctx, inc.ID, "")
		page, _ := e.admin.Incidents.Incidents(ctx, herald.ListFilter{})
		if after.Version != 1 || after.Summary != "" || len(after.Labels) != 0 || len(tl) != 1 || len(page.Incidents) != 1 {
			t.Fatalf("refused requests changed something: %+v, %d entries, %d incidents", after, len(tl), len(page.Incidents))
		}
	})
}

func TestAPI_IncidentCore(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		lead := e.token(t, "Lea", herald.RoleResponder)
		eng := e.token(t, "Eng", herald.RoleResponder)
		inc, err := eng.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "API down", Severity: "S1", Services: []string{"api"}, Tenants: []string{"acme"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Incidents.AssignRole(ctx, inc.Reference, herald.RoleIncidentLead, "lea@example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Incidents.AssignRole(ctx, inc.Reference, herald.RoleEngineerOnCall, "eng@example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: "failover", What: "fail over", Rationale: "faster"}); statusOf2(err) != 403 {
			t.Fatalf("engineer decides a failover: %v", err)
		}
		if _, err := e.admin.People.SetQualification(ctx, "lea@example.com", herald.QualificationFailover, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := lead.Incidents.RecordDecision(ctx, inc.Reference, herald.DecisionInput{Kind: "failover", What: "fail over", Rationale: "30-45 min vs 2-4 h"}); err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Incidents.Label(ctx, inc.Reference, []string{herald.LabelStatusPage}, nil); err != nil {
			t.Fatal(err)
		}
		fu, err := lead.Incidents.AddFollowUp(ctx, inc.Reference, herald.FollowUpInput{Title: ptr("Add disk alerts"), Owner: ptr("Eng")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Incidents.UpdateFollowUp(ctx, inc.Reference, fu.ID, herald.FollowUpInput{Done: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		cur, _ := eng.Incidents.Incident(ctx, inc.Reference)
		if _, err := lead.Incidents.UpdateIncident(ctx, inc.Reference, herald.UpdateInput{Version: cur.Version, State: ptr(herald.Resolved)}); err != nil {
			t.Fatal(err)
		}
		rs, _ := eng.Incidents.Reviews(ctx, inc.Reference)
		if len(rs) != 2 {
			t.Fatalf("S1 reviews: %+v", rs)
		}
		dec, _ := eng.Incidents.Timeline(ctx, inc.Reference, herald.EntryDecision)
		if len(dec) != 1 {
			t.Fatalf("decision log: %+v", dec)
		}
		md, err := eng.Incidents.ExportMarkdown(ctx, inc.Reference)
		if err != nil || !strings.HasPrefix(md, "# INC-1: API down") || !strings.Contains(md, "- [x] Add disk alerts") || !strings.Contains(md, "External review: due") {
			t.Fatalf("export: %v\n%s", err, md)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestOpenAPI_DescribesEveryRoute(t *testing.T) {
	e := setup(t, store.SQLite, 0)
	resp, err := http.Get(e.http.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("document: %v %q", err, doc.OpenAPI)
	}
	// Every route the server answers is documented, with its responses.
	for _, rt := range e.srv.routes {
		op, ok := doc.Paths[rt.path][strings.ToLower(rt.method)]
		if !ok {
			t.Errorf("%s %s is not in openapi.json", rt.method, rt.path)
			continue
		}
		if op["responses"] == nil || op["summary"] == "" {
			t.Errorf("%s %s is documented without responses or summary", rt.method, rt.path)
		}
	}
	// Every documented operation is served: the mux routes it to a handler,
	// not to the catch-all that answers unknown API paths.
	fill := regexp.MustCompile(`\{[a-z_]+\}`)
	n := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			n++
			_, eb := e.raw(t, strings.ToUpper(method), fill.ReplaceAllString(path, "x"), "", "", "")
			if strings.HasPrefix(eb.Error.Message, "no API route") {
				t.Errorf("documented %s %s is not served", method, path)
			}
		}
	}
	if n != len(e.srv.routes)+len(plainOps) {
		t.Errorf("openapi.json has %d operations, the server %d routes and %d plain endpoints", n, len(e.srv.routes), len(plainOps))
	}
	for _, name := range []string{"Incident", "DeclareInput", "UpdateInput", "ErrorBody", "TimelineEntry"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("schema %s missing", name)
		}
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		for _, p := range []string{"/healthz", "/readyz"} {
			resp, err := http.Get(e.http.URL + p)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("%s: %v %v", p, resp, err)
			}
			resp.Body.Close()
		}
		e.admin.Incidents.Incidents(context.Background(), herald.ListFilter{})
		resp, err := http.Get(e.http.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(b)
		for _, want := range []string{
			`herald_http_requests_total{code="200",method="GET",route="GET /api/v1/incidents"} 1`,
			`herald_http_request_duration_seconds_count{method="GET",route="GET /api/v1/incidents"} 1`,
			`herald_build_info{database="` + string(d) + `",version="test"} 1`,
			`go_sql_max_open_connections{db_name="herald"}`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		// The database goes away: not ready.
		e.db.Close()
		resp, _ = http.Get(e.http.URL + "/readyz")
		if resp.StatusCode != 503 {
			t.Fatalf("readyz with a closed database: %d", resp.StatusCode)
		}
	})
}

func FuzzDecodeDeclare(f *testing.F) {
	f.Add([]byte(`{"title":"API down","severity":"S1","services":["api"],"labels":["a::b"]}`))
	f.Add([]byte(`{"title":"","severity":"s9"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var in herald.DeclareInput
		if decodeJSON(strings.NewReader(string(b)), &in) != nil {
			return
		}
		if err := in.Normalize(); err != nil {
			if herald.ErrorCode(err) != herald.EInvalid {
				t.Fatalf("normalize error %v is not invalid", err)
			}
			return
		}
		if in.Title == "" || !in.Severity.Valid() || len(in.Labels) > herald.MaxListLen {
			t.Fatalf("accepted bad input %+v", in)
		}
	})
}

func FuzzDecodeUpdate(f *testing.F) {
	f.Add([]byte(`{"version":3,"state":"resolved","note":"fixed"}`))
	f.Add([]byte(`{"version":1,"severity":"S2","severity_reason":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var in herald.UpdateInput
		if decodeJSON(strings.NewReader(string(b)), &in) != nil {
			return
		}
		if err := in.Normalize(); err != nil {
			if herald.ErrorCode(err) != herald.EInvalid {
				t.Fatalf("normalize error %v is not invalid", err)
			}
			return
		}
		if in.Version <= 0 || (in.State != nil && !in.State.Valid()) || (in.Severity != nil && !in.Severity.Valid()) {
			t.Fatalf("accepted bad input %+v", in)
		}
	})
}
