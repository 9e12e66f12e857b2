package server

import (
	"encoding"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/statuspage"
)

// openAPI builds the OpenAPI 3.1 document from the route table and the
// endpoints outside it (plainOps), with JSON schemas derived from the Go
// types that the handlers decode and encode: names, required fields, enums
// and formats all come from the types, so the document cannot drift from
// the code. scripts/test checks the result with an OpenAPI validator.
func (s *Server) openAPI() map[string]any {
	ops := make([]opSpec, 0, len(s.routes)+len(plainOps))
	for _, rt := range s.routes {
		ops = append(ops, routeSpec(rt))
	}
	ops = append(ops, plainOps...)
	if s.cfg.Pages != nil {
		ops = append(ops, v2Ops()...)
	}
	// A first pass finds the Go type names that more than one package uses
	// (none today; once store.ComponentChange and herald.ComponentChange),
	// so that the second can keep the plain name for the root package's type.
	first := newSchemaGen()
	first.document(ops)
	g := newSchemaGen()
	for name, types := range first.byName {
		if len(types) > 1 {
			g.shared[name] = true
		}
	}
	paths := g.document(ops)
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Herald API",
			"version": s.cfg.Version,
			"description": "Incident response and communications. Send an API token as `Authorization: Bearer hrd_...`; " +
				"each operation names the least role it needs in `x-herald-role` (" + strings.Join(herald.RoleViewer.Enum(), " < ") + "; a higher role may do what a lower one may). " +
				"Every error is {\"error\":{\"code\",\"message\",\"fields\"}}.",
		},
		"servers": []any{map[string]any{"url": s.cfg.Links.Base()}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{
				"type": "http", "scheme": "bearer", "bearerFormat": "hrd_...",
				"description": "An API token of role " + strings.Join(herald.RoleViewer.Enum(), ", ") + ". The role an operation needs is in its security requirement and in x-herald-role.",
			}},
		},
	}
}

// auth says who may call an operation.
type auth int

const (
	authRole     auth = iota // a bearer token of at least opSpec.role
	authPublic               // anyone
	authOptional             // anyone; a token of opSpec.role may do more
	authKey                  // anyone holding an integration key (in the path or the body)
)

// opSpec describes one operation. Routes of the table become one through
// routeSpec; the endpoints outside it are listed in plainOps.
type opSpec struct {
	method, path   string
	opID           string // default: derived from method and path
	summary, desc  string
	auth           auth
	role           herald.APIRole
	in             any    // a value of the request body's type
	inContent      string // default application/json
	create         bool   // the body creates: fields tagged required:"create" are required
	query          []param
	responses      []resp
	csvDescription string // the columns, when in or out is CSV
}

// resp is one documented answer. body is a value of its type; nil for an
// answer without a body.
type resp struct {
	status  int
	desc    string
	body    any
	content string // default application/json
}

// csvDoc marks a CSV body, whose columns opSpec.csvDescription gives.
type csvDoc string

func (o opSpec) id() string {
	if o.opID != "" {
		return o.opID
	}
	p := strings.NewReplacer("/api/v1/", "", "{", "", "}", "", "/", "_", "-", "_", ".", "_").Replace(o.path)
	return strings.ToLower(o.method) + "_" + strings.TrimLeft(p, "_")
}

func errResp(status int, desc string) resp {
	return resp{status: status, desc: desc, body: ErrorBody{}}
}

// routeSpec describes a route of the table, with the answers every route of
// its kind can give.
func routeSpec(rt route) opSpec {
	o := opSpec{method: rt.method, path: rt.path, summary: rt.summary, role: rt.role, in: rt.in, query: rt.query,
		create: rt.method == "POST", auth: authRole}
	if rt.role == "" {
		o.auth = authPublic
	}
	ok := resp{status: rt.status, desc: http.StatusText(rt.status), body: rt.out}
	switch rt.out.(type) {
	case markdownDoc:
		ok.content = "text/markdown"
	case calendarDoc:
		ok.content = "text/calendar"
	}
	o.responses = append(o.responses, ok)
	if alt, isAlt := rt.out.(interface{ AltStatuses() map[int]string }); isAlt {
		for _, status := range slices.Sorted(maps.Keys(alt.AltStatuses())) {
			o.responses = append(o.responses, resp{status: status, desc: alt.AltStatuses()[status], body: rt.out})
		}
	}
	if rt.in != nil || len(rt.query) > 0 {
		o.responses = append(o.responses, errResp(400, "Invalid input; error.fields names each offending field"))
	}
	if rt.in != nil {
		o.responses = append(o.responses, errResp(413, "Body over the size limit"))
	}
	if strings.Contains(rt.path, "{") {
		o.responses = append(o.responses, errResp(404, "Not found"))
	}
	if rt.method == "PATCH" || rt.method == "PUT" || rt.method == "POST" {
		o.responses = append(o.responses,
			errResp(409, "Conflict: a stale version (error.current holds the current resource) or a duplicate"),
			errResp(422, "The process does not allow this now (an illegal state move, a decision by the wrong role)"))
	}
	return o
}

// plainOps are the endpoints served outside the route table (server.go's
// plainRoutes): their credentials, bodies or answers are not the table's.
// TestOpenAPI_DocumentsPlainRoutes holds this list to the patterns that
// plainRoutes registers.
var plainOps = []opSpec{
	{method: "GET", path: "/api/v1/openapi.json", opID: "get_openapi", auth: authPublic,
		summary:   "This document",
		responses: []resp{{status: 200, desc: "The OpenAPI 3.1 document", body: map[string]any{}}}},
	{method: "POST", path: "/v2/enqueue", opID: "post_v2_enqueue", auth: authKey,
		summary: "PagerDuty Events API v2: trigger, acknowledge or resolve by dedup key",
		desc:    "The routing_key in the body is a service's integration key; no API token is needed.",
		in:      herald.Event{},
		responses: []resp{
			{status: 202, desc: "Event processed", body: pdResponse{}},
			{status: 400, desc: "Event object is invalid; errors lists why", body: pdResponse{}},
			{status: 404, desc: "Unknown routing_key (the same answer for every unknown key)", body: pdResponse{}},
			{status: 413, desc: "Body over the size limit", body: pdResponse{}},
		}},
	{method: "POST", path: "/api/v1/ingest/alertmanager/{key}", opID: "post_ingest_alertmanager", auth: authKey,
		summary: "Prometheus Alertmanager webhook (version 4): a firing group triggers a page keyed by groupKey, a resolved one resolves it",
		desc:    "The key in the path is a service's integration key; no API token is needed.",
		in:      amWebhook{},
		responses: []resp{
			{status: 200, desc: "Processed", body: amAnswer{}},
			{status: 400, desc: "Not an Alertmanager version 4 payload", body: amAnswer{}},
			{status: 404, desc: "Unknown integration key", body: amAnswer{}},
			{status: 413, desc: "Body over the size limit", body: amAnswer{}},
		}},
	{method: "POST", path: "/api/v1/subscribers", opID: "post_subscribers", auth: authOptional, role: herald.RoleAdmin,
		summary: "Subscribe an e-mail address (double opt-in), a webhook, or a Slack, Teams or Mattermost webhook to status page updates",
		desc:    "Open to anyone, rate limited per client address. With an admin token the subscriber is created at once (confirmed: true skips the opt-in) and the answer is 201 with the subscriber.",
		in:      herald.SubscriberInput{},
		responses: []resp{
			{status: 202, desc: "Accepted (the same answer whether or not the address was subscribed already)", body: SubscribeAccepted{}},
			{status: 201, desc: "Created, with an admin token", body: herald.Subscriber{}},
			errResp(400, "Invalid input; error.fields names the field"),
			errResp(401, "A token was sent and it is not valid"),
			errResp(403, "confirmed: true without an admin token"),
			errResp(413, "Body over the size limit"),
			errResp(422, "Too many sign-ups from this address; try again later"),
		}},
	{method: "GET", path: "/api/v1/subscribers/export.csv", opID: "get_subscribers_export_csv", auth: authRole, role: herald.RoleAdmin,
		summary:        "Export the status page subscribers as CSV",
		csvDescription: "Header kind,target,components,confirmed,created_at; kind is " + strings.Join(herald.SubscriberKinds, ", ") + "; components are ids separated by spaces.",
		responses: []resp{
			{status: 200, desc: "The subscribers, one per row", body: csvDoc(""), content: "text/csv"},
		}},
	{method: "POST", path: "/api/v1/subscribers/import", opID: "post_subscribers_import", auth: authRole, role: herald.RoleAdmin,
		summary:        "Import subscribers from CSV; all rows or none; imported subscribers are confirmed",
		in:             csvDoc(""),
		inContent:      "text/csv",
		csvDescription: "Header kind,target,components as the export writes it (components optional, separated by spaces); kind is " + strings.Join(herald.SubscriberKinds, ", ") + ".",
		responses: []resp{
			{status: 200, desc: "Imported", body: ImportResult{}},
			errResp(400, "A row does not validate; nothing was imported"),
			errResp(413, "Body over the size limit"),
		}},
	{method: "GET", path: "/api/v1/tenants/export.csv", opID: "get_tenants_export_csv", auth: authRole, role: herald.RoleViewer,
		summary:        "Export the tenants as CSV",
		csvDescription: tenantCSVDescription,
		responses: []resp{
			{status: 200, desc: "The tenants, one per row, by name", body: csvDoc(""), content: "text/csv"},
		}},
	{method: "POST", path: "/api/v1/tenants/import", opID: "post_tenants_import", auth: authRole, role: herald.RoleAdmin,
		summary:        "Create or replace tenants by name from CSV; all rows or none",
		in:             csvDoc(""),
		inContent:      "text/csv",
		csvDescription: tenantCSVDescription + " name and primary_region are required.",
		responses: []resp{
			{status: 200, desc: "Imported", body: herald.TenantImportResult{}},
			errResp(400, "A row does not validate (error.fields names \"line N: field\"); nothing was imported"),
			errResp(413, "Body over the size limit"),
		}},
}

// tenantCSVDescription says what the columns of a tenant file hold.
const tenantCSVDescription = "Header name,product_version,primary_region,disaster_recovery,secondary_region,emails,account_manager,customer_success,support_engineer,maintenance_window,business_hours,compliance,components,services. " +
	"Lists (emails, components, services) are separated by ';'; a contact is 'Name <address>'; maintenance_window is 'WEEKDAY HH:MM DURATION TIMEZONE' (monday 02:00 4h Europe/Berlin); " +
	"business_hours is 'DAYS HH:MM-HH:MM TIMEZONE' (mon,tue,wed,thu,fri 09:00-17:00 Europe/Berlin); components are ids, services ids or names."

// v2Ops describes the status page's Statuspage-compatible documents
// under /api/v2, from the documents the page renders.
func v2Ops() []opSpec {
	docs := statuspage.V2Documents()
	paths := slices.Sorted(maps.Keys(docs))
	ops := make([]opSpec, 0, len(paths))
	for _, p := range paths {
		ops = append(ops, opSpec{method: "GET", path: p, auth: authPublic,
			summary:   strings.TrimPrefix(p, "/api/v2/") + ", as Atlassian Statuspage's public API v2 serves it",
			responses: []resp{{status: 200, desc: "OK", body: docs[p]}}})
	}
	// A tenant's private status page serves the same documents below its
	// URL, for that tenant only (internal/statuspage/private.go).
	for _, p := range paths {
		ops = append(ops, opSpec{method: "GET", path: strings.TrimSuffix(links.PrivatePage, "/") + p, auth: authPublic,
			summary:   strings.TrimPrefix(p, "/api/v2/") + " of a tenant's private status page: only that tenant's components, incidents and maintenances. The token in the path is the page's credential; an unknown or rotated one is 404",
			responses: []resp{{status: 200, desc: "OK", body: docs[p]}, {status: 404, desc: "No private page has this token"}}})
	}
	return ops
}

// amAnswer is the answer of the Alertmanager webhook (writeAM).
type amAnswer struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// document describes the operations, filling g.defs.
func (g *schemaGen) document(ops []opSpec) map[string]map[string]any {
	// Answers first, so that a type used both ways keeps its own name for
	// the answer and its request variant is the one renamed.
	g.ref(reflect.TypeOf(ErrorBody{}), modeOut, "")
	for _, o := range ops {
		for _, r := range o.responses {
			if _, text := r.body.(csvDoc); r.body != nil && !text {
				g.ref(reflect.TypeOf(r.body), modeOut, o.id()+strconv.Itoa(r.status))
			}
		}
	}
	paths := map[string]map[string]any{}
	for _, o := range ops {
		if paths[o.path] == nil {
			paths[o.path] = map[string]any{}
		}
		paths[o.path][strings.ToLower(o.method)] = g.operation(o)
	}
	return paths
}

// queryTypes gives the type the handlers parse a query parameter as, by
// name (the routes use each name in one sense); others are strings.
var queryTypes = map[string]any{
	"state":    herald.State(""),
	"severity": herald.Severity(""),
	"status":   herald.PageStatus(""),
	"active":   false,
	"dry_run":  false,
	"before":   int64(0),
	"limit":    0,
	"at":       time.Time{},
	"from":     time.Time{},
	"to":       time.Time{},
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func (g *schemaGen) operation(o opSpec) map[string]any {
	op := map[string]any{"summary": o.summary, "operationId": o.id()}
	desc := []string{}
	if o.desc != "" {
		desc = append(desc, o.desc)
	}
	responses := map[string]any{}
	for _, r := range o.responses {
		responses[strconv.Itoa(r.status)] = g.response(o, r)
	}
	switch o.auth {
	case authRole:
		op["security"] = []any{map[string]any{"bearer": []any{string(o.role)}}}
		op["x-herald-role"] = string(o.role)
		desc = append(desc, "Needs a token with the "+string(o.role)+" role or higher.")
		if _, ok := responses["401"]; !ok {
			responses["401"] = g.response(o, errResp(401, "Missing or invalid token"))
		}
		responses["403"] = g.response(o, errResp(403, "The token's role is not enough: needs "+string(o.role)))
	case authOptional:
		op["security"] = []any{map[string]any{}, map[string]any{"bearer": []any{string(o.role)}}}
		desc = append(desc, "Public; a token with the "+string(o.role)+" role may do more.")
	case authPublic, authKey:
		op["security"] = []any{}
		if o.auth == authPublic {
			desc = append(desc, "Public: no token.")
		}
	}
	op["description"] = strings.Join(desc, " ")
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(o.path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	for _, q := range o.query {
		schema := map[string]any{"type": "string"}
		if v, ok := queryTypes[q.name]; ok {
			schema = g.schema(reflect.TypeOf(v), modeIn, q.name)
		}
		params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": schema})
	}
	if params != nil {
		op["parameters"] = params
	}
	if o.in != nil {
		ct, schema := o.inContent, map[string]any(nil)
		if ct == "" {
			ct = "application/json"
		}
		if _, isCSV := o.in.(csvDoc); isCSV {
			schema = map[string]any{"type": "string", "description": o.csvDescription}
		} else {
			mode := modeIn
			if o.create {
				mode = modeCreate
			}
			schema = g.ref(reflect.TypeOf(o.in), mode, o.id()+"Request")
		}
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{ct: map[string]any{"schema": schema}}}
	}
	op["responses"] = responses
	return op
}

func (g *schemaGen) response(o opSpec, r resp) map[string]any {
	out := map[string]any{"description": r.desc}
	if r.body == nil {
		return out
	}
	ct := r.content
	if ct == "" {
		ct = "application/json"
	}
	var schema map[string]any
	switch r.body.(type) {
	case csvDoc:
		schema = map[string]any{"type": "string", "description": o.csvDescription}
	case markdownDoc, calendarDoc:
		schema = map[string]any{"type": "string"}
	case map[string]any:
		schema = g.value(r.body, o.id()+strconv.Itoa(r.status))
	default:
		schema = g.ref(reflect.TypeOf(r.body), modeOut, o.id()+strconv.Itoa(r.status))
	}
	out["content"] = map[string]any{ct: map[string]any{"schema": schema}}
	return out
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	json.NewEncoder(w).Encode(s.openAPI())
}

// orZero widens the schema of an optional request field to take the Go
// zero value of its type: decoding cannot tell a missing field from one
// sent as its zero value, so a field that may be left out may also be sent
// empty, as Go clients do (null for a nil slice or map, "" for a string
// with fixed values, meaning the default).
func (g *schemaGen) orZero(s map[string]any, t reflect.Type) map[string]any {
	switch {
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Map:
		return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	case t.Kind() == reflect.String && s["enum"] != nil:
		return map[string]any{"type": "string", "enum": append(slices.Clone(s["enum"].([]string)), "")}
	case t.Kind() == reflect.String && s["$ref"] != nil:
		return map[string]any{"anyOf": []any{s, map[string]any{"const": "", "description": "The default"}}}
	}
	return s
}

// value describes an answer built as a map (the /api/v2 documents): an
// object with the map's keys, each described by its value's type.
func (g *schemaGen) value(v any, hint string) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		return g.ref(reflect.TypeOf(v), modeOut, hint)
	}
	if len(m) == 0 {
		return map[string]any{"type": "object"}
	}
	props := map[string]any{}
	keys := slices.Sorted(maps.Keys(m))
	for _, k := range keys {
		props[k] = g.value(m[k], hint+"_"+k)
	}
	return map[string]any{"type": "object", "properties": props, "required": keys}
}

// schemaMode says which way a schema describes a type: an answer, where
// every field without omitempty (and not a pointer) is always present; or
// a request body, where only the fields tagged required:"true" must be
// sent (the ones validation refuses to go without), and also those tagged
// required:"create" when the body creates something.
type schemaMode int

const (
	modeOut schemaMode = iota
	modeIn
	modeCreate
)

type schemaKey struct {
	t    reflect.Type
	mode schemaMode
}

// schemaGen turns Go types into JSON Schema, naming struct types and enum
// types once each in components/schemas.
type schemaGen struct {
	defs  map[string]any
	names map[schemaKey]string
	taken map[string]bool
	// byName records the types seen under each base name; shared holds
	// the names that types of several packages have.
	byName map[string]map[reflect.Type]bool
	shared map[string]bool
}

func newSchemaGen() *schemaGen {
	return &schemaGen{defs: map[string]any{}, names: map[schemaKey]string{}, taken: map[string]bool{},
		byName: map[string]map[reflect.Type]bool{}, shared: map[string]bool{}}
}

var (
	timeType     = reflect.TypeOf(time.Time{})
	rawType      = reflect.TypeOf(json.RawMessage{})
	durationType = reflect.TypeOf(herald.Duration(0))
	enumerType   = reflect.TypeOf((*interface{ Enum() []string })(nil)).Elem()
	textType     = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
	rootPkg      = reflect.TypeOf(herald.Incident{}).PkgPath()
)

// schemaName makes a component name (^[a-zA-Z0-9._-]+$) for a type: its Go
// name, with the package paths of generic type arguments dropped
// ("List[github.com/heraldhq/herald.Incident]" is "List_Incident"), or hint
// for an anonymous type.
func schemaName(t reflect.Type, hint string) string {
	name := t.Name()
	if name == "" {
		name = hint
	}
	name = regexp.MustCompile(`[\w./-]*\.|\*`).ReplaceAllString(name, "")
	name = regexp.MustCompile(`[^a-zA-Z0-9._-]+`).ReplaceAllString(name, "_")
	name = strings.Trim(name, "_")
	if name == "" {
		name = "Anonymous"
	}
	return name
}

// claim reserves a unique component name for key.
func (g *schemaGen) claim(key schemaKey, base string) string {
	if n, ok := g.names[key]; ok {
		return n
	}
	if g.byName[base] == nil {
		g.byName[base] = map[reflect.Type]bool{}
	}
	g.byName[base][key.t] = true
	name := base
	if g.shared[base] && key.t.PkgPath() != rootPkg && key.t.PkgPath() != "" {
		// Types of two packages have this name: the root package's keeps
		// it, the other is prefixed with its package (store.Foo would be
		// "StoreFoo").
		pkg := key.t.PkgPath()[strings.LastIndex(key.t.PkgPath(), "/")+1:]
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + base
	}
	for i := 2; g.taken[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	g.taken[name] = true
	g.names[key] = name
	return name
}

// ref returns a schema for t, a $ref for a struct or an enum type.
func (g *schemaGen) ref(t reflect.Type, mode schemaMode, hint string) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == timeType {
		return g.schema(t, mode, hint)
	}
	if mode == modeCreate && !hasCreateFields(t) {
		mode = modeIn
	}
	key := schemaKey{t, mode}
	if name, ok := g.names[key]; ok {
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	base := schemaName(t, hint)
	if mode != modeOut && g.names[schemaKey{t, modeOut}] != "" {
		base += "Request" // the same type in answers has other required fields
	}
	if mode == modeCreate {
		base += "Create"
	}
	name := g.claim(key, base)
	g.defs[name] = map[string]any{} // placeholder against recursion
	props := map[string]any{}
	var required []string
	fieldMode := mode
	if fieldMode == modeCreate {
		fieldMode = modeIn
	}
	for _, f := range jsonFields(t) {
		s := g.schema(f.typ, fieldMode, name+f.goName)
		if f.enum != "" {
			values := herald.FieldEnum(f.enum)
			if values == nil {
				panic("openapi: unknown enum tag " + f.enum + " on " + t.String() + "." + f.goName)
			}
			if s["type"] == "array" {
				s["items"] = map[string]any{"type": "string", "enum": values}
			} else {
				s = map[string]any{"type": "string", "enum": values}
			}
		}
		switch mode {
		case modeOut:
			if !f.omitempty && f.typ.Kind() != reflect.Pointer {
				required = append(required, f.name)
			}
		default:
			if f.required == "true" || (mode == modeCreate && f.required == "create") {
				required = append(required, f.name)
			} else {
				s = g.orZero(s, f.typ)
			}
		}
		if f.doc != "" {
			s["description"] = f.doc
		}
		props[f.name] = s
	}
	def := map[string]any{"type": "object", "properties": props}
	if required != nil {
		def["required"] = required
	}
	g.defs[name] = def
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func (g *schemaGen) schema(t reflect.Type, mode schemaMode, hint string) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{"description": "Any JSON value"}
	case t == durationType:
		// herald.Duration marshals as Go writes durations ("1h30m0s"), not
		// as ISO 8601, so no format: a pattern says what is accepted.
		return map[string]any{"type": "string", "pattern": `^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$`,
			"description": "A duration as Go writes it: 90m, 1h30m, 24h; answers give it as 1h30m0s", "examples": []any{"1h30m0s"}}
	case t.Kind() != reflect.Pointer && t.Implements(enumerType):
		key := schemaKey{t, modeOut}
		if name, ok := g.names[key]; ok {
			return map[string]any{"$ref": "#/components/schemas/" + name}
		}
		name := g.claim(key, schemaName(t, hint))
		g.defs[name] = map[string]any{"type": "string", "enum": reflect.Zero(t).Interface().(interface{ Enum() []string }).Enum()}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	case t.Kind() != reflect.Pointer && t.Implements(textType):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := g.schema(t.Elem(), mode, hint)
		return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	case reflect.Struct:
		return g.ref(t, mode, hint)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer", "format": "int32"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number", "format": "double"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem(), mode, hint+"Item")}
	case reflect.Map:
		s := map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem(), mode, hint+"Value")}
		if t.Key().Implements(enumerType) {
			s["propertyNames"] = g.schema(t.Key(), mode, hint+"Key")
		}
		return s
	}
	return map[string]any{}
}

// jsonField is a struct field as encoding/json sees it.
type jsonField struct {
	name, goName   string
	typ            reflect.Type
	omitempty      bool
	required, enum string // the required and enum tags
	doc            string // the doc tag: the property's description
}

// jsonFields lists the fields encoding/json writes for a struct, in order,
// with the fields of embedded structs promoted (an outer field of the same
// name wins). An embedded struct's tag optional:"a,b" makes its promoted
// fields a and b optional in the outer type.
func jsonFields(t reflect.Type) []jsonField {
	var own, promoted []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		et := f.Type
		for et.Kind() == reflect.Pointer {
			et = et.Elem()
		}
		if f.Anonymous && name == "" && et.Kind() == reflect.Struct {
			optional := strings.Split(f.Tag.Get("optional"), ",")
			for _, ef := range jsonFields(et) {
				if slices.Contains(optional, ef.name) {
					ef.required = ""
				}
				promoted = append(promoted, ef)
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		o := strings.Split(opts, ",")
		jf := jsonField{name: name, goName: f.Name, typ: f.Type, omitempty: slices.Contains(o, "omitempty"),
			required: f.Tag.Get("required"), enum: f.Tag.Get("enum"), doc: f.Tag.Get("doc")}
		if slices.Contains(o, "string") {
			jf.typ = reflect.TypeOf("")
		}
		own = append(own, jf)
	}
	// Outer fields shadow promoted ones of the same name.
	out := own
	for _, pf := range promoted {
		if !slices.ContainsFunc(out, func(f jsonField) bool { return f.name == pf.name }) {
			out = append(out, pf)
		}
	}
	return out
}

func hasCreateFields(t reflect.Type) bool {
	return slices.ContainsFunc(jsonFields(t), func(f jsonField) bool { return f.required == "create" })
}
