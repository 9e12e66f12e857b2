package slack_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/slack"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// interact posts an interaction payload signed as Slack does.
func (e *env) interact(t *testing.T, payload map[string]any) (int, []byte) {
	t.Helper()
	raw, _ := json.Marshal(payload)
	resp, b := e.post(t, "/slack/interactive", "application/x-www-form-urlencoded", url.Values{"payload": {string(raw)}}.Encode(), 0, secret)
	return resp.StatusCode, b
}

func slackUser(id string) map[string]any {
	return map[string]any{"id": id, "username": strings.ToLower(id), "team_id": "T1"}
}

// lastView is the view of the last views.open or views.update, checked
// against Block Kit's limits.
func (e *env) lastView(t *testing.T, method string) slack.View {
	t.Helper()
	calls := e.slack.called(method)
	if len(calls) == 0 {
		t.Fatalf("no %s", method)
	}
	v := slack.View(calls[len(calls)-1].Args["view"].(map[string]any))
	if err := slack.CheckView(v); err != nil {
		t.Fatalf("%s breaks Block Kit's limits: %v\n%v", method, err, v)
	}
	return v
}

func viewBlock(v slack.View, prefix string) map[string]any {
	for _, b := range v["blocks"].([]any) {
		m := b.(map[string]any)
		if id, _ := m["block_id"].(string); strings.HasPrefix(id, prefix) {
			return m
		}
	}
	return nil
}

// viewState is a view as Slack sends it back in a payload: its id, hash,
// callback, metadata and the values of its inputs.
func viewState(v slack.View, values map[string]map[string]any) map[string]any {
	return map[string]any{"id": "V1", "hash": "h1", "callback_id": v["callback_id"], "private_metadata": v["private_metadata"],
		"state": map[string]any{"values": values}}
}

func typed(block, text string) map[string]map[string]any {
	return map[string]map[string]any{block: {"message": map[string]any{"type": "plain_text_input", "value": text}}}
}

func chosen(values map[string]map[string]any, block, value string) map[string]map[string]any {
	values[block] = map[string]any{"select": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": value}}}
	return values
}

// The status composer as a modal: /herald status opens it (views.open on
// the trigger) with the state, the templates, the message and its count;
// typing updates the count against 220/280 (views.update); a template
// fills the message; submitting checks the text (empty, too long) and
// R10 beside the fields, then publishes through the API's call and
// closes; a viewer is refused. Every view is within Block Kit's limits.
func TestStatusModal_ComposeCheckPublish(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		if a := e.slash(t, "U1", "CGENERAL", "declare S2 Search is slow"); !strings.Contains(a.Text, "declared INC-1") {
			t.Fatalf("declare: %+v", a)
		}
		a := e.slash(t, "U1", "CGENERAL", "status INC-1")
		if a.Text != "" || len(a.Blocks) != 0 {
			t.Fatalf("the composer was posted instead of opened: %+v", a)
		}
		opened := e.slack.called("views.open")
		if len(opened) != 1 || opened[0].Args["trigger_id"] != "13345224609.738474920.8088930838d88f008e0" {
			t.Fatalf("views.open: %+v", opened)
		}
		v := e.lastView(t, "views.open")
		if v["callback_id"] != slack.StatusCallback || !strings.Contains(fmt.Sprint(v["title"]), "Status update") {
			t.Fatalf("view: %v", v)
		}
		state := viewBlock(v, "state")
		if state == nil || !strings.Contains(fmt.Sprint(state["element"].(map[string]any)["initial_option"]), "investigating") {
			t.Fatalf("state: %v", state)
		}
		tmpl := viewBlock(v, "template")
		if tmpl == nil || tmpl["dispatch_action"] != true || !strings.Contains(fmt.Sprint(tmpl), "investigating") {
			t.Fatalf("templates: %v", tmpl)
		}
		msg := viewBlock(v, "message-")
		if msg == nil || msg["block_id"] != "message-0" || msg["dispatch_action"] != true ||
			!strings.Contains(fmt.Sprint(msg["element"].(map[string]any)["dispatch_action_config"]), "on_character_entered") {
			t.Fatalf("message: %v", msg)
		}
		if c := fmt.Sprint(viewBlock(v, "count")); !strings.Contains(c, "0 of 220 characters before the link") || !strings.Contains(c, "24 of 280 in all") {
			t.Fatalf("count: %s", c)
		}

		// Typing: the count follows, and says when it is too long.
		text := "We are looking into slow searches."
		if code, _ := e.interact(t, map[string]any{"type": "block_actions", "user": slackUser("U1"), "team": map[string]any{"id": "T1"},
			"view": viewState(v, typed("message-0", text)), "actions": []any{map[string]any{"type": "plain_text_input", "block_id": "message-0", "action_id": "message", "value": text}}}); code != 200 {
			t.Fatalf("typing: %d", code)
		}
		e.app.Drain()
		up := e.lastView(t, "views.update")
		if c := fmt.Sprint(viewBlock(up, "count")); !strings.Contains(c, "34 of 220 characters before the link") || !strings.Contains(c, "58 of 280 in all") || strings.Contains(c, "Too long") {
			t.Fatalf("count while typing: %s", c)
		}
		if calls := e.slack.called("views.update"); calls[0].Args["view_id"] != "V1" || calls[0].Args["hash"] != "h1" {
			t.Fatalf("views.update: %+v", calls[0].Args)
		}
		long := strings.Repeat("slow ", 50)
		e.interact(t, map[string]any{"type": "block_actions", "user": slackUser("U1"), "view": viewState(v, typed("message-0", long)),
			"actions": []any{map[string]any{"type": "plain_text_input", "block_id": "message-0", "action_id": "message", "value": long}}})
		e.app.Drain()
		if c := fmt.Sprint(viewBlock(e.lastView(t, "views.update"), "count")); !strings.Contains(c, "Too long: 249 of 220") {
			t.Fatalf("count of a long text: %s", c)
		}

		// A template fills the message: a new message block, with the
		// template's text for this incident.
		e.interact(t, map[string]any{"type": "block_actions", "user": slackUser("U1"), "view": viewState(v, chosen(typed("message-0", long), "template", "investigating")),
			"actions": []any{map[string]any{"type": "static_select", "block_id": "template", "action_id": "select", "selected_option": map[string]any{"value": "investigating"}}}})
		e.app.Drain()
		filled := e.lastView(t, "views.update")
		msg = viewBlock(filled, "message-")
		initial, _ := msg["element"].(map[string]any)["initial_value"].(string)
		if msg["block_id"] != "message-1" || !strings.Contains(initial, "We are investigating problems with our services") || strings.Contains(initial, "{") ||
			!strings.Contains(fmt.Sprint(viewBlock(filled, "count")), fmt.Sprintf("%d of 220", len(initial))) {
			t.Fatalf("template: %v", msg)
		}
		if !strings.Contains(fmt.Sprint(filled["private_metadata"]), `"v":1`) {
			t.Fatalf("metadata: %v", filled["private_metadata"])
		}

		// Submitting: empty, too long, then R10 (no status page decision
		// yet) are shown beside the fields; nothing is published.
		submit := func(user string, values map[string]map[string]any) map[string]any {
			t.Helper()
			code, b := e.interact(t, map[string]any{"type": "view_submission", "user": slackUser(user), "team": map[string]any{"id": "T1"}, "view": viewState(filled, values)})
			if code != 200 {
				t.Fatalf("submission: %d %s", code, b)
			}
			if len(b) == 0 {
				return nil
			}
			var out map[string]any
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("%v: %s", err, b)
			}
			return out
		}
		for _, c := range []struct{ text, want string }{
			{"   ", "Write the update"},
			{long, "249 characters before the link: at most 220"},
			{strings.Repeat(" http://a", 20), "at most 280"}, // short links count as 23 each
			{text, "R10"},
		} {
			out := submit("U1", chosen(typed("message-1", c.text), "state", "identified"))
			errs, _ := out["errors"].(map[string]any)
			if out["response_action"] != "errors" || !strings.Contains(fmt.Sprint(errs["message-1"]), c.want) {
				t.Fatalf("%q: %v", c.text, out)
			}
		}
		if inc, _ := e.db.Incidents.Incident(e.ctx, "INC-1"); inc.StatusIncidentID != "" {
			t.Fatalf("published despite the errors: %+v", inc)
		}
		if _, err := e.db.Incidents.RecordDecision(e.ctx, e.alice, "INC-1", herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "status page", Rationale: "customers see it"}); err != nil {
			t.Fatal(err)
		}
		// A viewer is refused as the API refuses them.
		if _, err := e.db.Chat.ChatUser(e.ctx, herald.ChatSlack, "T1", "UV", "vera@example.com"); err != nil {
			t.Fatal(err)
		}
		if out := submit("UV", chosen(typed("message-1", text), "state", "identified")); !strings.Contains(fmt.Sprint(out["errors"]), "responder role") {
			t.Fatalf("viewer: %v", out)
		}
		// Published: the modal closes (an empty answer), the status page
		// has the text in the state chosen, and the channel is told.
		if out := submit("U1", chosen(typed("message-1", text), "state", "identified")); out != nil {
			t.Fatalf("not closed: %v", out)
		}
		inc, _ := e.db.Incidents.Incident(e.ctx, "INC-1")
		si, err := e.db.StatusPage.StatusIncident(e.ctx, inc.StatusIncidentID)
		if err != nil || si.Status != herald.Identified || len(si.Updates) != 1 || !strings.HasPrefix(si.Updates[0].Body, text) {
			t.Fatalf("status incident: %+v %v", si, err)
		}
		e.drain(t)
		e.slack.mu.Lock()
		got := fmt.Sprint(e.slack.responses)
		e.slack.mu.Unlock()
		if !strings.Contains(got, "Alice published on the status page for INC-1") || !strings.Contains(got, "in_channel") {
			t.Fatalf("told: %s", got)
		}
	})
}

// The next update's modal has a status per component of the status page
// incident, opened from the "Status update" button (its trigger); the
// status chosen is published with the update, as the API's components.
func TestStatusModal_ComponentStatusesFromTheButton(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d)
		e.slash(t, "U1", "CGENERAL", "declare S2 Search is slow")
		if _, err := e.db.Incidents.RecordDecision(e.ctx, e.alice, "INC-1", herald.DecisionInput{Kind: herald.DecisionStatusPage, What: "status page", Rationale: "customers see it"}); err != nil {
			t.Fatal(err)
		}
		comp, err := e.db.StatusPage.CreateComponent(e.ctx, e.alice, herald.ComponentInput{Name: ptr("Search")})
		if err != nil {
			t.Fatal(err)
		}
		inc, _ := e.db.Incidents.Incident(e.ctx, "INC-1")
		if _, err := e.db.StatusPage.CreateStatusIncident(e.ctx, e.alice, herald.StatusIncidentInput{Name: inc.Title, IncidentID: inc.ID,
			StatusUpdateInput: herald.StatusUpdateInput{Status: herald.Investigating, Body: "Searches are slow.", Components: map[string]herald.ComponentStatus{comp.ID: herald.DegradedPerformance}}}, false); err != nil {
			t.Fatal(err)
		}
		e.interact(t, map[string]any{"type": "block_actions", "user": slackUser("U1"), "team": map[string]any{"id": "T1"}, "channel": map[string]any{"id": "CGENERAL"},
			"trigger_id": "trigger-2", "response_url": e.slack.srv.URL + "/respond",
			"actions": []any{map[string]any{"action_id": "publish-2", "value": "status INC-1"}}})
		e.app.Drain()
		v := e.lastView(t, "views.open")
		cb := viewBlock(v, "component:"+comp.ID)
		if cb == nil || cb["label"].(map[string]any)["text"] != "Search" || !strings.Contains(fmt.Sprint(cb["element"].(map[string]any)["initial_option"]), "degraded_performance") {
			t.Fatalf("component: %v", cb)
		}
		if strings.Contains(fmt.Sprint(v), "first public update") {
			t.Fatal("the next update is told it is the first")
		}
		values := chosen(chosen(typed("message-0", "Search is down for everyone."), "state", "identified"), "component:"+comp.ID, "major_outage")
		code, b := e.interact(t, map[string]any{"type": "view_submission", "user": slackUser("U1"), "team": map[string]any{"id": "T1"}, "view": viewState(v, values)})
		if code != 200 || len(b) != 0 {
			t.Fatalf("submission: %d %s", code, b)
		}
		inc, _ = e.db.Incidents.Incident(e.ctx, "INC-1")
		si, err := e.db.StatusPage.StatusIncident(e.ctx, inc.StatusIncidentID)
		if err != nil {
			t.Fatal(err)
		}
		if si.Components[comp.ID] != herald.MajorOutage || len(si.Updates) != 2 || si.Status != herald.Identified {
			t.Fatalf("status incident: %+v", si)
		}
		// Without a trigger (an old button), the composer is answered as a
		// message, as before.
		e.interact(t, map[string]any{"type": "block_actions", "user": slackUser("U1"), "team": map[string]any{"id": "T1"}, "channel": map[string]any{"id": "CGENERAL"},
			"response_url": e.slack.srv.URL + "/respond", "actions": []any{map[string]any{"action_id": "publish-2", "value": "status INC-1"}}})
		e.drain(t)
		if n := len(e.slack.called("views.open")); n != 1 {
			t.Fatalf("views.open without a trigger: %d", n)
		}
		e.slack.mu.Lock()
		got := fmt.Sprint(e.slack.responses)
		e.slack.mu.Unlock()
		if !strings.Contains(got, "Status update for INC-1") {
			t.Fatalf("composer message: %s", got)
		}
	})
}

func ptr[T any](v T) *T { return &v }
