package server

import (
	"encoding/json"

	"github.com/heraldhq/herald"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// openAPI builds the OpenAPI 3.1 document from the route table, with JSON
// schemas derived from the Go types that the handlers decode and encode.
// Deriving it means the document cannot drift from the code.
func (s *Server) openAPI() map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	pathParam := regexp.MustCompile(`\{([a-z_]+)\}`)
	errResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(ErrorBody{}))}}}
	}
	for _, rt := range s.routes {
		op := map[string]any{
			"summary":     rt.summary,
			"operationId": operationID(rt),
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.query {
			params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.in != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(rt.in))}}}
		}
		ok := map[string]any{"description": http.StatusText(rt.status)}
		switch rt.out.(type) {
		case nil:
		case markdownDoc:
			ok["content"] = map[string]any{"text/markdown": map[string]any{"schema": map[string]any{"type": "string"}}}
		case calendarDoc:
			ok["content"] = map[string]any{"text/calendar": map[string]any{"schema": map[string]any{"type": "string"}}}
		default:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(rt.out))}}
		}
		responses := map[string]any{strconv.Itoa(rt.status): ok}
		if rt.in != nil || len(rt.query) > 0 {
			responses["400"] = errResp("Invalid input; error.fields names each offending field")
		}
		if rt.in != nil {
			responses["413"] = errResp("Body over the size limit")
		}
		if rt.role != "" {
			responses["401"] = errResp("Missing or invalid token")
			responses["403"] = errResp("The token's role is not enough: needs " + string(rt.role))
			op["security"] = []any{map[string]any{"bearer": []any{}}}
			op["description"] = "Needs the " + string(rt.role) + " role."
		}
		if strings.Contains(rt.path, "{") {
			responses["404"] = errResp("Not found")
		}
		if rt.method == "PATCH" || rt.method == "PUT" || rt.method == "POST" {
			responses["409"] = errResp("Conflict: a stale version (error.current holds the current resource) or a duplicate")
			responses["422"] = errResp("The process does not allow this now (an illegal state move, a decision by the wrong role)")
		}
		op["responses"] = responses
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	// The ingestion endpoints are outside the route table (the integration
	// key is their credential, and their bodies and errors are PagerDuty's
	// and Alertmanager's); they are described here.
	for _, x := range ingestionOps {
		paths[x.path] = map[string]any{"post": map[string]any{
			"summary": x.summary, "operationId": x.id,
			"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(x.in))}}},
			"responses":   x.responses,
		}}
		if strings.Contains(x.path, "{key}") {
			paths[x.path]["post"].(map[string]any)["parameters"] = []any{map[string]any{"name": "key", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}}
		}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Herald API",
			"version":     s.cfg.Version,
			"description": "Incident response and communications. Every error is {\"error\":{\"code\",\"message\",\"fields\"}}.",
		},
		"servers": []any{map[string]any{"url": s.cfg.BaseURL}},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         g.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
}

func operationID(rt route) string {
	p := strings.NewReplacer("/api/v1/", "", "{", "", "}", "", "/", "_", "-", "_", ".", "_").Replace(rt.path)
	return strings.ToLower(rt.method) + "_" + p
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	json.NewEncoder(w).Encode(s.openAPI())
}

// schemaGen turns Go types into JSON Schema, naming struct types once in
// components/schemas.
type schemaGen struct{ defs map[string]any }

var timeType = reflect.TypeOf(time.Time{})
var rawType = reflect.TypeOf(json.RawMessage{})

func (g *schemaGen) ref(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == timeType {
		return g.schema(t)
	}
	name := t.Name()
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = map[string]any{} // placeholder against recursion
		props := map[string]any{}
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if f.Anonymous && tag == "" {
				// An embedded struct's fields are the outer object's.
				et := f.Type
				for et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				g.ref(et)
				for k, v := range g.defs[et.Name()].(map[string]any)["properties"].(map[string]any) {
					props[k] = v
				}
				continue
			}
			if !f.IsExported() {
				continue
			}
			if tag == "-" {
				continue
			}
			fname, _, _ := strings.Cut(tag, ",")
			if fname == "" {
				fname = f.Name
			}
			props[fname] = g.schema(f.Type)
		}
		g.defs[name] = map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{"type": "object"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := g.schema(t.Elem())
		return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	case reflect.Struct:
		return g.ref(t)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	}
	return map[string]any{}
}

var ingestionOps = []struct {
	path, id, summary string
	in                any
	responses         map[string]any
}{
	{"/v2/enqueue", "post_v2_enqueue", "PagerDuty Events API v2: trigger, acknowledge or resolve by dedup key (routing_key is a service's integration key)",
		herald.Event{}, map[string]any{
			"202": map[string]any{"description": `{"status":"success","message":"Event processed","dedup_key":"..."}`},
			"400": map[string]any{"description": `{"status":"invalid event","message":"Event object is invalid","errors":[...]}`},
			"404": map[string]any{"description": "unknown routing_key (the same answer for every unknown key)"},
			"413": map[string]any{"description": "body over the size limit"},
		}},
	{"/api/v1/subscribers", "post_subscribers", "Subscribe an e-mail address (double opt-in), a webhook, or a Slack or Teams webhook to status page updates; open to anyone, rate limited; an admin token may add confirmed subscribers",
		herald.SubscriberInput{}, map[string]any{
			"202": map[string]any{"description": "accepted (the same answer whether or not the address was subscribed already)"},
			"201": map[string]any{"description": "created, with an admin token"},
			"400": map[string]any{"description": "invalid input; error.fields names the field"},
		}},
	{"/api/v1/subscribers/import", "post_subscribers_import", "Import subscribers from CSV (admin; header kind,target,components; all rows or none; imported subscribers are confirmed)",
		CSVUpload{}, map[string]any{
			"200": map[string]any{"description": `{"created": n, "skipped": n}`},
			"400": map[string]any{"description": "a row does not validate; nothing was imported"},
		}},
	{"/api/v1/ingest/alertmanager/{key}", "post_ingest_alertmanager", "Prometheus Alertmanager webhook (version 4): a firing group triggers a page keyed by groupKey, a resolved one resolves it",
		amWebhook{}, map[string]any{
			"200": map[string]any{"description": "processed"},
			"400": map[string]any{"description": "not an Alertmanager version 4 payload"},
			"404": map[string]any{"description": "unknown integration key"},
			"413": map[string]any{"description": "body over the size limit"},
		}},
}

// CSVUpload documents a text/csv request body.
type CSVUpload struct{}
