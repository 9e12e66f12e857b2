package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The real PagerDuty Go client, pointed at Herald, pages through it.
func TestIngest_PagerDutyEventsV2WithTheRealClient(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		svc, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "Checkout"})
		if err != nil {
			t.Fatal(err)
		}
		pd := pagerduty.NewClient("unused", pagerduty.WithV2EventsAPIEndpoint(e.http.URL))
		ev := &pagerduty.V2Event{RoutingKey: svc.IntegrationKey, Action: "trigger", DedupKey: "checkout-5xx",
			Payload: &pagerduty.V2Payload{Summary: "Checkout 5xx above 5%", Source: "prometheus", Severity: "critical",
				Component: "checkout", Group: "web", Class: "http", Details: map[string]any{"rate": 0.07}},
			Links: []any{map[string]string{"href": "https://grafana.example.com/d/1", "text": "Dashboard"}}}
		for range 3 {
			resp, err := pd.ManageEventWithContext(ctx, ev)
			if err != nil || resp.Status != "success" || resp.Message != "Event processed" || resp.DedupKey != "checkout-5xx" {
				t.Fatalf("trigger: %+v %v", resp, err)
			}
		}
		pages, _ := e.db.Paging.Pages(ctx, svc.ID, "", 10)
		if len(pages) != 1 || pages[0].Count != 3 || !strings.Contains(string(pages[0].Details), "0.07") {
			t.Fatalf("pages %+v", pages)
		}
		if _, err := pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: svc.IntegrationKey, Action: "acknowledge", DedupKey: "checkout-5xx"}); err != nil {
			t.Fatal(err)
		}
		if _, err := pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: svc.IntegrationKey, Action: "resolve", DedupKey: "checkout-5xx"}); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.db.Paging.Page(ctx, pages[0].ID); p.Status != herald.PageResolved || p.AckedAt == nil {
			t.Fatalf("after ack and resolve: %+v", p)
		}

		// Invalid events are refused (the client reports the status; the
		// body is PagerDuty's shape, checked below).
		_, err = pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: svc.IntegrationKey, Action: "trigger", Payload: &pagerduty.V2Payload{Summary: "x"}})
		var pe pagerduty.APIError
		if !errors.As(err, &pe) || pe.StatusCode != 400 {
			t.Fatalf("invalid event: %#v", err)
		}
		resp, err := http.Post(e.http.URL+"/v2/enqueue", "application/json", strings.NewReader(`{"routing_key":"`+svc.IntegrationKey+`","event_action":"trigger","payload":{"summary":"x"}}`))
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Status, Message string
			Errors          []string
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 400 || body.Status != "invalid event" || body.Message != "Event object is invalid" || len(body.Errors) != 2 {
			t.Fatalf("error shape: %d %+v", resp.StatusCode, body)
		}
		// Unknown keys: 404, whatever the key.
		_, err = pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: "0123456789abcdef0123456789abcdef", Action: "resolve", DedupKey: "x"})
		if !errors.As(err, &pe) || pe.StatusCode != 404 {
			t.Fatalf("unknown key: %#v", err)
		}
		if pages, _ := e.db.Paging.Pages(ctx, svc.ID, "", 10); len(pages) != 1 {
			t.Fatalf("refused events made pages: %d", len(pages))
		}
	})
}

func TestAPI_ManualPageAckAndResolve(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		if _, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "GDCMOC"}); err != nil {
			t.Fatal(err)
		}
		resp, eb := e.raw(t, "POST", "/api/v1/pages", adminSecret, "application/json", `{"service":"GDCMOC","summary":"S1 complete outage, investigating mitigation"}`)
		if resp.StatusCode != 201 {
			t.Fatalf("manual page: %d %+v", resp.StatusCode, eb)
		}
		pages, _ := e.db.Paging.Pages(ctx, "", herald.PageTriggered, 10)
		if len(pages) != 1 || !strings.HasPrefix(pages[0].Source, "manual: ") {
			t.Fatalf("pages %+v", pages)
		}
		if resp, _ := e.raw(t, "POST", "/api/v1/pages/"+pages[0].ID+"/acknowledge", adminSecret, "", ""); resp.StatusCode != 200 {
			t.Fatalf("ack: %d", resp.StatusCode)
		}
		if resp, _ := e.raw(t, "POST", "/api/v1/pages/"+pages[0].ID+"/resolve", adminSecret, "", ""); resp.StatusCode != 200 {
			t.Fatalf("resolve: %d", resp.StatusCode)
		}
		resp, eb = e.raw(t, "POST", "/api/v1/pages", adminSecret, "application/json", `{"service":"nope","summary":"x"}`)
		if resp.StatusCode != 400 || eb.Error.Fields["service"] == "" {
			t.Fatalf("unknown service: %d %+v", resp.StatusCode, eb)
		}
		resp, _ = e.raw(t, "POST", "/api/v1/pages", adminSecret, "application/json", `{"service":"GDCMOC"}`)
		if resp.StatusCode != 400 {
			t.Fatalf("no summary: %d", resp.StatusCode)
		}
	})
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"error"}}`))
	f.Add([]byte(`{"event_action":"resolve","dedup_key":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var ev herald.Event
		if decodeJSON(strings.NewReader(string(b)), &ev) != nil {
			return
		}
		errs := ev.Validate()
		if len(errs) == 0 && ev.EventAction == "trigger" && (ev.Payload == nil || strings.TrimSpace(ev.Payload.Summary) == "") {
			t.Fatalf("accepted a trigger without a summary: %+v", ev)
		}
		if len(errs) == 0 && ev.EventAction != "trigger" && ev.EventAction != "acknowledge" && ev.EventAction != "resolve" {
			t.Fatalf("accepted action %q", ev.EventAction)
		}
	})
}

func FuzzDecodeAlertmanager(f *testing.F) {
	f.Add([]byte(`{"version":"4","groupKey":"{}:{alertname=\"x\"}","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"x"}}]}`))
	f.Add([]byte(`{"version":"4","status":"resolved"}`))
	e := setup(f, store.SQLite, 4096)
	svc, err := e.db.Paging.CreateService(context.Background(), herald.ServiceInput{Name: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, err := http.Post(e.http.URL+"/api/v1/ingest/alertmanager/"+svc.IntegrationKey, "application/json", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("status %d for %q", resp.StatusCode, b)
		}
	})
}
