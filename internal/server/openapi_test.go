package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/statuspage"
)

// openAPIDoc builds the document as served (through JSON), without a
// database: the route table needs none, and the status page's documents
// are described when there is a page (any non-nil cache).
func openAPIDoc(t testing.TB) map[string]any {
	t.Helper()
	s := &Server{cfg: Config{Links: links.New("http://herald.test"), Version: "test", Pages: &statuspage.Cache{}}}
	s.routes = s.apiRoutes()
	b, err := json.MarshalIndent(s.openAPI(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	// scripts/test writes the document here and runs an OpenAPI validator
	// on it.
	if out := os.Getenv("HERALD_OPENAPI_OUT"); out != "" {
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// at walks a decoded JSON document: at(doc, "paths", "/x", "get").
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestOpenAPI_Document(t *testing.T) {
	doc := openAPIDoc(t)
	schemas := at(doc, "components", "schemas").(map[string]any)

	// Every schema has a name the 3.1 meta-schema accepts (an anonymous
	// struct once made one named ""), and every $ref resolves.
	nameRE := regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)
	for name := range schemas {
		if !nameRE.MatchString(name) {
			t.Errorf("schema name %q does not match %s", name, nameRE)
		}
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				name, found := strings.CutPrefix(ref, "#/components/schemas/")
				if !found || schemas[name] == nil {
					t.Errorf("%s: $ref %q does not resolve", path, ref)
				}
			}
			for k, x := range v {
				walk(path+"/"+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path, x)
			}
		}
	}
	walk("", doc)

	// Bearer tokens, and each operation says which role it needs.
	bearer := at(doc, "components", "securitySchemes", "bearer")
	if at(bearer, "type") != "http" || at(bearer, "scheme") != "bearer" {
		t.Errorf("securitySchemes.bearer = %v", bearer)
	}
	s := &Server{}
	for _, rt := range s.apiRoutes() {
		op := at(doc, "paths", rt.path, strings.ToLower(rt.method))
		if rt.role == "" { // public: the calendar feeds, whose token is in the path
			if sec, ok := at(op, "security").([]any); !ok || len(sec) != 0 || !strings.Contains(at(op, "description").(string), "Public") {
				t.Errorf("%s %s is public, security is %v", rt.method, rt.path, at(op, "security"))
			}
			continue
		}
		want := []any{map[string]any{"bearer": []any{string(rt.role)}}}
		if !reflect.DeepEqual(at(op, "security"), want) || at(op, "x-herald-role") != string(rt.role) ||
			!strings.Contains(at(op, "description").(string), string(rt.role)+" role") {
			t.Errorf("%s %s: security %v, x-herald-role %v, description %q; want role %s", rt.method, rt.path,
				at(op, "security"), at(op, "x-herald-role"), at(op, "description"), rt.role)
		}
	}
	for _, path := range []string{"/v2/enqueue", "/api/v1/ingest/alertmanager/{key}", "/api/v1/openapi.json", "/api/v2/summary.json"} {
		for _, op := range at(doc, "paths", path).(map[string]any) {
			if sec, ok := at(op, "security").([]any); !ok || len(sec) != 0 {
				t.Errorf("%s is public, security is %v", path, at(op, "security"))
			}
		}
	}
	ids := map[string]string{}
	for path, ops := range at(doc, "paths").(map[string]any) {
		for method, op := range ops.(map[string]any) {
			id := at(op, "operationId").(string)
			if prev, dup := ids[id]; dup {
				t.Errorf("operationId %s of %s %s is also %s's", id, method, path, prev)
			}
			ids[id] = method + " " + path
		}
	}

	// The plain routes: the CSV export and import, admin only.
	export := at(doc, "paths", "/api/v1/subscribers/export.csv", "get")
	if at(export, "responses", "200", "content", "text/csv", "schema", "type") != "string" || at(export, "x-herald-role") != "admin" {
		t.Errorf("the CSV export is not documented as an admin text/csv answer: %v", export)
	}
	imp := at(doc, "paths", "/api/v1/subscribers/import", "post")
	if at(imp, "requestBody", "content", "text/csv") == nil || at(imp, "x-herald-role") != "admin" {
		t.Errorf("the CSV import is not documented as an admin text/csv body: %v", imp)
	}
	// The status page's Statuspage-compatible documents, with their shapes.
	for path := range statuspage.V2Documents() {
		if at(doc, "paths", path, "get", "responses", "200", "content", "application/json", "schema") == nil {
			t.Errorf("%s is not documented", path)
		}
	}
	summary := at(doc, "paths", "/api/v2/summary.json", "get", "responses", "200", "content", "application/json", "schema")
	if req, _ := at(summary, "required").([]any); !slices.Contains(req, any("components")) ||
		at(summary, "properties", "components", "items", "$ref") != "#/components/schemas/v2Component" {
		t.Errorf("/api/v2/summary.json: %v", summary)
	}
	if at(doc, "paths", "/api/v1/subscribers", "post", "responses", "202", "content", "application/json", "schema", "$ref") != "#/components/schemas/SubscribeAccepted" {
		t.Errorf("subscribing without a token: %v", at(doc, "paths", "/api/v1/subscribers", "post", "responses", "202"))
	}

	// required, from the types: in answers every field without omitempty
	// that is not a pointer; in request bodies the fields tagged required.
	for _, c := range []struct {
		schema      string
		has, hasNot []string
	}{
		{"Incident", []string{"id", "reference", "severity", "state", "version", "declared_at", "roles"}, []string{"resolved_at", "url"}},
		{"Page", []string{"id", "status", "first_seen"}, []string{"acknowledged_at", "details", "incident_id"}},
		{"ErrorDetail", []string{"code", "message"}, []string{"fields", "current"}},
		{"DeclareInput", []string{"title", "severity"}, []string{"summary", "services", "confidential"}},
		{"UpdateInput", []string{"version"}, []string{"title", "state", "note"}},
		{"TokenInput", []string{"name", "role"}, []string{"user_id"}},
		{"MaintenanceInputCreate", []string{"name", "scheduled_for", "scheduled_until"}, []string{"body"}},
		{"StatusUpdateInput", []string{"status"}, []string{"body", "template"}},
		{"StatusIncidentInput", []string{"name"}, []string{"status", "body"}}, // a new incident's status defaults
		{"LayerRequest", []string{"rotation", "start", "users"}, []string{"name", "handoff_time"}},
		{"Layer", []string{"name", "rotation", "start", "users"}, []string{"handoff_time", "length_hours"}},
		{"SettingsRequest", []string{"reference_prefix", "incident_roles", "page"}, []string{"cadence", "cover_service"}},
		{"Event", []string{"routing_key", "event_action"}, []string{"dedup_key", "client"}},
	} {
		req, _ := at(schemas, c.schema, "required").([]any)
		for _, f := range c.has {
			if !slices.Contains(req, any(f)) {
				t.Errorf("%s: %s is not required (required: %v)", c.schema, f, req)
			}
		}
		for _, f := range c.hasNot {
			if slices.Contains(req, any(f)) {
				t.Errorf("%s: %s is required", c.schema, f)
			}
		}
	}
	// A body that changes requires nothing that only creating needs.
	if req := at(schemas, "MaintenanceInput", "required"); req != nil {
		t.Errorf("MaintenanceInput (PATCH) requires %v", req)
	}
	for path, want := range map[string]string{"post": "MaintenanceInputCreate", "patch": "MaintenanceInput"} {
		got := at(doc, "paths", map[string]string{"post": "/api/v1/maintenances", "patch": "/api/v1/maintenances/{id}"}[path], path, "requestBody", "content", "application/json", "schema", "$ref")
		if got != "#/components/schemas/"+want {
			t.Errorf("%s maintenance body is %v, want %s", path, got, want)
		}
	}

	// enum, from the same lists the validation uses.
	for name, want := range map[string][]string{
		"Severity":        {"S1", "S2", "S3", "S4"},
		"State":           {"investigating", "identified", "monitoring", "resolved"},
		"APIRole":         {"viewer", "responder", "admin"},
		"PageStatus":      {"triggered", "acknowledged", "resolved"},
		"ComponentStatus": herald.Operational.Enum(),
		"Impact":          {"none", "minor", "major", "critical"},
	} {
		if got := at(schemas, name, "enum"); got == nil || !slices.Equal(strs(got), want) {
			t.Errorf("%s enum = %v, want %v", name, got, want)
		}
	}
	for _, c := range []struct {
		path []string
		want any
	}{
		{[]string{"Incident", "properties", "severity", "$ref"}, "#/components/schemas/Severity"},
		{[]string{"TokenInput", "properties", "role", "$ref"}, "#/components/schemas/APIRole"},
		{[]string{"Component", "properties", "status", "$ref"}, "#/components/schemas/ComponentStatus"},
		{[]string{"Settings", "properties", "reviews", "propertyNames", "$ref"}, "#/components/schemas/Severity"},
		{[]string{"ContactMethodInput", "properties", "kind", "enum"}, herald.ContactKinds},
		{[]string{"Layer", "properties", "rotation", "enum"}, herald.RotationKinds},
		{[]string{"TargetRequest", "properties", "type", "enum"}, herald.TargetTypes},
		// An optional field may be sent as its zero value: "" is the default kind.
		{[]string{"DecisionInput", "properties", "kind", "enum"}, append(slices.Clone(herald.DecisionKinds), "")},
		{[]string{"Subscriber", "properties", "kind", "enum"}, herald.SubscriberKinds},
		{[]string{"EventPayload", "properties", "severity", "enum"}, herald.EventSeverities},
	} {
		got := at(schemas, c.path...)
		if want, ok := c.want.([]string); ok {
			if got == nil || !slices.Equal(strs(got), want) {
				t.Errorf("%s = %v, want %v", strings.Join(c.path, "."), got, want)
			}
		} else if got != c.want {
			t.Errorf("%s = %v, want %v", strings.Join(c.path, "."), got, c.want)
		}
	}
	// Go clients send a nil slice as null; a required field has no such
	// leeway.
	if alt := at(schemas, "DeclareInput", "properties", "services", "anyOf"); len(alt.([]any)) != 2 || at(alt.([]any)[1], "type") != "null" {
		t.Errorf("DeclareInput.services does not take null: %v", at(schemas, "DeclareInput", "properties", "services"))
	}
	if ref := at(schemas, "TokenInput", "properties", "role", "$ref"); ref != "#/components/schemas/APIRole" {
		t.Errorf("TokenInput.role (required) is %v", at(schemas, "TokenInput", "properties", "role"))
	}
	var states []any
	for _, p := range at(doc, "paths", "/api/v1/incidents", "get", "parameters").([]any) {
		if at(p, "name") == "state" {
			states = append(states, at(p, "schema", "$ref"))
		}
	}
	if !reflect.DeepEqual(states, []any{"#/components/schemas/State"}) {
		t.Errorf("the state query parameter: %v", states)
	}

	// Formats: times are date-time; durations are Go's, and the pattern
	// takes what herald.Duration writes.
	if f := at(schemas, "Incident", "properties", "declared_at", "format"); f != "date-time" {
		t.Errorf("Incident.declared_at format %v", f)
	}
	before := at(schemas, "Reminder", "properties", "before")
	d, _ := herald.Duration(90 * time.Minute).MarshalText()
	if at(before, "type") != "string" || !regexp.MustCompile(at(before, "pattern").(string)).Match(d) {
		t.Errorf("Reminder.before %v does not describe %q", before, d)
	}
}

// TestOpenAPI_DocumentsPlainRoutes holds plainOps to the API endpoints that
// server.go registers by hand, outside the route table: one added there
// without a description here fails.
func TestOpenAPI_DocumentsPlainRoutes(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	registered := map[string]bool{}
	re := regexp.MustCompile(`\.Handle(?:Func)?\("([A-Z]+ /(?:api/v1|v2)/[^"]*)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			registered[m[1]] = true
		}
	}
	if len(registered) < 5 {
		t.Fatalf("found only %v in the sources", registered)
	}
	documented := map[string]bool{}
	for _, o := range plainOps {
		documented[o.method+" "+o.path] = true
	}
	for p := range registered {
		if !documented[p] {
			t.Errorf("%s is served but not in plainOps", p)
		}
	}
	for p := range documented {
		if !registered[p] {
			t.Errorf("plainOps documents %s, which server.go does not register", p)
		}
	}
}

// answerChecker checks JSON answers against the schemas the document gives
// for them: the required fields are there, enums hold, nothing documented
// as an array or object comes back null.
type answerChecker struct {
	doc      map[string]any
	schemas  map[string]any
	patterns []answerPattern
}

type answerPattern struct {
	re     *regexp.Regexp
	path   string
	params int
}

func newAnswerChecker(doc map[string]any) *answerChecker {
	c := &answerChecker{doc: doc, schemas: at(doc, "components", "schemas").(map[string]any)}
	for p := range at(doc, "paths").(map[string]any) {
		re := regexp.MustCompile("^" + pathParam.ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$")
		c.patterns = append(c.patterns, answerPattern{re, p, strings.Count(p, "{")})
	}
	// The most literal template wins (/components/changes over /components/{id}).
	slices.SortFunc(c.patterns, func(a, b answerPattern) int { return a.params - b.params })
	return c
}

// check returns what is wrong with an answer; nothing when its operation
// or status is not documented with a JSON body.
func (c *answerChecker) check(method, path string, status int, body []byte) []string {
	for _, p := range c.patterns {
		if !p.re.MatchString(path) {
			continue
		}
		op := at(c.doc, "paths", p.path, strings.ToLower(method))
		if op == nil {
			continue
		}
		resp := at(op, "responses", strconv.Itoa(status))
		schema := at(resp, "content", "application/json", "schema")
		switch {
		case resp == nil && status < 300:
			return []string{method + " " + p.path + ": status " + strconv.Itoa(status) + " is not documented"}
		case resp == nil:
			// An error the operation does not list (a 500, say) still
			// has the one error shape.
			schema = map[string]any{"$ref": "#/components/schemas/ErrorBody"}
		}
		if schema == nil {
			return nil
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return []string{method + " " + p.path + ": " + err.Error()}
		}
		return c.value(schema, v, method+" "+p.path+" "+strconv.Itoa(status)+":")
	}
	return nil
}

// checkRequest checks a request body against the operation's request
// schema.
func (c *answerChecker) checkRequest(method, path string, body []byte) []string {
	for _, p := range c.patterns {
		if !p.re.MatchString(path) {
			continue
		}
		schema := at(c.doc, "paths", p.path, strings.ToLower(method), "requestBody", "content", "application/json", "schema")
		if schema == nil {
			continue
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return []string{method + " " + p.path + " request: " + err.Error()}
		}
		return c.value(schema, v, method+" "+p.path+" request:")
	}
	return nil
}

func (c *answerChecker) value(schema, v any, where string) []string {
	s, _ := schema.(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		return c.value(c.schemas[strings.TrimPrefix(ref, "#/components/schemas/")], v, where)
	}
	if anyOf, ok := s["anyOf"].([]any); ok {
		var errs []string
		for _, alt := range anyOf {
			e := c.value(alt, v, where)
			if e == nil {
				return nil
			}
			errs = append(errs, e...)
		}
		return errs
	}
	var errs []string
	if c, ok := s["const"]; ok && v != c {
		errs = append(errs, fmt.Sprintf("%s %v is not %v", where, v, c))
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s %v is not one of %v", where, v, enum))
	}
	typ, _ := s["type"].(string)
	okType := map[string]bool{
		"":        true,
		"string":  isType[string](v),
		"boolean": isType[bool](v),
		"number":  isType[float64](v),
		"integer": isType[float64](v) && v.(float64) == float64(int64(v.(float64))),
		"array":   isType[[]any](v),
		"object":  isType[map[string]any](v),
		"null":    v == nil,
	}[typ]
	if !okType {
		return append(errs, fmt.Sprintf("%s %s is %T, not %s", where, short(v), v, typ))
	}
	if s["format"] == "date-time" {
		if _, err := time.Parse(time.RFC3339Nano, v.(string)); err != nil {
			errs = append(errs, where+" "+err.Error())
		}
	}
	if pattern, ok := s["pattern"].(string); ok && !regexp.MustCompile(pattern).MatchString(v.(string)) {
		errs = append(errs, fmt.Sprintf("%s %q does not match %s", where, v, pattern))
	}
	switch v := v.(type) {
	case []any:
		for i, x := range v {
			errs = append(errs, c.value(s["items"], x, fmt.Sprintf("%s[%d]", where, i))...)
		}
	case map[string]any:
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, ok := v[r.(string)]; !ok {
					errs = append(errs, fmt.Sprintf("%s required %s is missing", where, r))
				}
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, x := range v {
			if ps, ok := props[k]; ok {
				errs = append(errs, c.value(ps, x, where+"."+k)...)
			} else if ap, ok := s["additionalProperties"]; ok {
				if pn, ok := s["propertyNames"]; ok {
					errs = append(errs, c.value(pn, k, where+" key")...)
				}
				errs = append(errs, c.value(ap, x, where+"."+k)...)
			} else if props != nil {
				errs = append(errs, where+" "+k+" is not documented")
			}
		}
	}
	return errs
}

func isType[T any](v any) bool { _, ok := v.(T); return ok }

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		b = append(b[:80], "..."...)
	}
	return string(b)
}

// checkAnswers wraps a handler so that every JSON answer it gives is
// checked against the document; mismatches fail t. The answer goes through
// to the client as it is written (a copy is kept), so deadlines, flushing
// and everything else about the real connection work as without it.
func checkAnswers(t testing.TB, doc map[string]any, h http.Handler) http.Handler {
	c := newAnswerChecker(doc)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &teeWriter{ResponseWriter: w}
		var in bytes.Buffer
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(r.Body, &in), r.Body}
		h.ServeHTTP(tw, r)
		if tw.json {
			for _, e := range c.check(r.Method, r.URL.Path, tw.status, tw.body.Bytes()) {
				t.Errorf("answer does not match openapi.json: %s", e)
			}
		}
		// A body the server took must be one the document allows: what
		// it calls required was there, enums held.
		if tw.status/100 == 2 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			for _, e := range c.checkRequest(r.Method, r.URL.Path, in.Bytes()) {
				t.Errorf("a body the server took does not match openapi.json: %s", e)
			}
		}
	})
}

// teeWriter keeps the status and a copy of a JSON body.
type teeWriter struct {
	http.ResponseWriter
	status int
	json   bool
	body   bytes.Buffer
}

func (w *teeWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.json = strings.HasPrefix(w.Header().Get("Content-Type"), "application/json")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *teeWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.json {
		w.body.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type testPair[A, B any] struct {
	First  A `json:"first"`
	Second B `json:"second"`
}

// Generic and anonymous types get names the meta-schema accepts.
func TestOpenAPI_SchemaNames(t *testing.T) {
	for _, c := range []struct {
		t    reflect.Type
		hint string
		want string
	}{
		{reflect.TypeOf(testPair[*herald.Incident, []herald.State]{}), "", "testPair_Incident_State"},
		{reflect.TypeOf(struct{ A int }{}), "amWebhookAlertsItem", "amWebhookAlertsItem"},
		{reflect.TypeOf(struct{ A int }{}), "", "Anonymous"},
		{reflect.TypeOf(herald.Incident{}), "ignored", "Incident"},
	} {
		if got := schemaName(c.t, c.hint); got != c.want {
			t.Errorf("schemaName(%v, %q) = %q, want %q", c.t, c.hint, got, c.want)
		}
	}
	g := newSchemaGen()
	ref := g.ref(reflect.TypeOf(testPair[herald.Severity, struct{ X string }]{}), modeOut, "")
	def := g.defs[strings.TrimPrefix(ref["$ref"].(string), "#/components/schemas/")].(map[string]any)
	second := def["properties"].(map[string]any)["second"].(map[string]any)["$ref"]
	if ref["$ref"] != "#/components/schemas/testPair_Severity_struct_X_string" || second != "#/components/schemas/testPair_Severity_struct_X_stringSecond" {
		t.Errorf("generic with an anonymous argument: %v, its field %v", ref, second)
	}
}
