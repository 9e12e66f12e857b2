package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// NUL bytes and invalid UTF-8 are refused with 400 naming the field, on
// both databases, wherever they come in: path parameters, query values,
// JSON strings (typed fields and raw JSON alike), event routing keys, the
// Alertmanager webhook, CSV and form fields. (PostgreSQL cannot store
// either in text and answered 500; SQLite stored them.)
func TestBytes_NULAndInvalidUTF8Are400NamingTheField(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		var logs bytes.Buffer
		e := setupPublic(t, d, logTo(&logs))
		ctx := context.Background()
		svc, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "Checkout"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Checkout errors", Severity: "S3"}); err != nil {
			t.Fatal(err)
		}
		key := svc.IntegrationKey
		event := func(routingKey, dedupKey, summary, details string) string {
			return `{"routing_key":"` + routingKey + `","event_action":"trigger","dedup_key":"` + dedupKey +
				`","payload":{"summary":"` + summary + `","source":"prometheus","severity":"critical","custom_details":` + details + `}}`
		}
		am := func(groupKey, alertname string) string {
			return `{"version":"4","groupKey":"` + groupKey + `","status":"firing","receiver":"herald","commonLabels":{"alertname":"` + alertname + `"},"alerts":[]}`
		}
		const form = "application/x-www-form-urlencoded"
		for _, c := range []struct {
			name, method, path, ctype, body string
			field                           string // named in the answer
		}{
			{"path NUL", "GET", "/api/v1/incidents/%00", "", "", "id"},
			{"path invalid UTF-8", "GET", "/api/v1/incidents/%FF", "", "", "id"},
			{"path NUL, second parameter", "DELETE", "/api/v1/schedules/Primary/overrides/a%00b", "", "", "override"},
			{"query NUL", "GET", "/api/v1/incidents?state=%00", "", "", "state"},
			{"query invalid UTF-8", "GET", "/api/v1/incidents/INC-1/timeline?kind=%C3%28", "", "", "kind"},
			{"JSON string NUL", "POST", "/api/v1/incidents", "application/json", `{"title":"a\u0000b","severity":"S3"}`, "title"},
			{"JSON string invalid UTF-8", "POST", "/api/v1/incidents", "application/json", "{\"title\":\"a\xffb\",\"severity\":\"S3\"}", "title"},
			{"JSON list element", "POST", "/api/v1/incidents", "application/json", `{"title":"a","severity":"S3","labels":["ok","x\u0000"]}`, "labels[1]"},
			{"routing key NUL", "POST", "/v2/enqueue", "application/json", event(`\u0000`, "d", "s", "{}"), "routing_key"},
			{"routing key invalid UTF-8", "POST", "/v2/enqueue", "application/json", event("\xc3\x28", "d", "s", "{}"), "routing_key"},
			{"dedup key NUL", "POST", "/v2/enqueue", "application/json", event(key, `d\u0000`, "s", "{}"), "dedup_key"},
			{"summary invalid UTF-8", "POST", "/v2/enqueue", "application/json", event(key, "d", "s\xfe", "{}"), "payload.summary"},
			{"raw JSON detail NUL", "POST", "/v2/enqueue", "application/json", event(key, "d", "s", `{"rate":"\u0000"}`), "payload.custom_details.rate"},
			{"raw JSON detail invalid UTF-8", "POST", "/v2/enqueue", "application/json", event(key, "d", "s", "{\"r\xffate\":1}"), "payload.custom_details"},
			{"Alertmanager key NUL", "POST", "/api/v1/ingest/alertmanager/%00", "application/json", am("g", "a"), "key"},
			{"Alertmanager group key NUL", "POST", "/api/v1/ingest/alertmanager/" + key, "application/json", am(`g\u0000`, "a"), "groupKey"},
			{"Alertmanager label invalid UTF-8", "POST", "/api/v1/ingest/alertmanager/" + key, "application/json", am("g", "High\xffLatency"), "commonLabels.alertname"},
			{"subscriber NUL", "POST", "/api/v1/subscribers", "application/json", `{"email":"ann@example.com","components":["\u0000"]}`, "components[0]"},
			{"CSV field NUL", "POST", "/api/v1/subscribers/import", "text/csv", "kind,target\nemail,ann\x00@example.com\n", "line 2"},
			{"form field NUL", "POST", "/subscribe", form, "email=ann%40example.com&component=%00", ""},
		} {
			resp, body := e.rawBody(t, c.method, c.path, adminSecret, c.ctype, c.body)
			if resp.StatusCode != 400 || !strings.Contains(body, c.field) {
				t.Errorf("%s: %s %s: %d %s", c.name, c.method, c.path, resp.StatusCode, body)
			}
		}
		// Text that only looks like them is fine.
		for _, body := range []string{`{"title":"C:\\u0000 and ünïcödé","severity":"S3"}`} {
			if resp, b := e.rawBody(t, "POST", "/api/v1/incidents", adminSecret, "application/json", body); resp.StatusCode != 201 {
				t.Errorf("%s: %d %s", body, resp.StatusCode, b)
			}
		}
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("errors logged: %s", logs.String())
		}
	})
}

func (e *env) rawBody(t testing.TB, method, path, token, contentType, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
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
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestCheckJSONText_NamesThePath(t *testing.T) {
	for body, want := range map[string]string{
		`{"a":"ok","b":{"c":[1,{"d":"x\u0000"}]}}`: "b.c[1].d",
		`{"a":[["ok"],["ok","\u0000"]]}`:           "a[1][1]",
		`{"a":{"k\u0000":1}}`:                      "a",
		`{"k\u0000":1}`:                            "body",
		"{\"a\":1,\"b\":\"\xc3\x28\"}":             "b",
		`{"a":"C:\\u0000"}`:                        "",
		`{"a":"ünïcödé","b":[true,null,1.5]}`:      "",
	} {
		err := checkJSONText([]byte(body))
		got := ""
		if err != nil {
			for f := range err.(*herald.Error).Fields {
				got = f
			}
		}
		if got != want {
			t.Errorf("%s: named %q (%v), want %q", body, got, err, want)
		}
	}
}

// The check on a typical event, which has neither NUL nor invalid UTF-8.
func BenchmarkCheckJSONText_Event(b *testing.B) {
	body := []byte(`{"routing_key":"0123456789abcdef0123456789abcdef","event_action":"trigger","dedup_key":"checkout-5xx",` +
		`"payload":{"summary":"Checkout 5xx above 5% on eu-west-1","source":"prometheus","severity":"critical",` +
		`"custom_details":{"rate":0.07,"instance":"checkout-7f9c","runbook":"https://wiki.example.com/runbooks/checkout"}}}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := checkJSONText(body); err != nil {
			b.Fatal(err)
		}
	}
}
