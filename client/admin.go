package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/heraldhq/herald"
)

// The parts of the API the command line reached last: escalating a page,
// the settings document, stakeholder channels, subscribers, templates and
// new escalation policies.

// EscalatePage pages a chosen level (from 1) of the page's policy now;
// escalation carries on from there.
func (c *PagingClient) EscalatePage(ctx context.Context, id string, level int) (herald.Page, error) {
	var out herald.Page
	return out, c.do(ctx, "POST", "/api/v1/pages/"+esc(id)+"/escalate", map[string]int{"level": level}, &out)
}

// CreatePolicy adds an escalation policy.
func (c *PagingClient) CreatePolicy(ctx context.Context, in herald.EscalationPolicyInput) (herald.EscalationPolicy, error) {
	var out herald.EscalationPolicy
	return out, c.do(ctx, "POST", "/api/v1/escalation-policies", in, &out)
}

// SettingsDocument returns the settings as the server sends them, so that
// a read, change and write back keeps every key, known to this client or
// not.
func (c *SettingsClient) SettingsDocument(ctx context.Context) (json.RawMessage, error) {
	var out json.RawMessage
	return out, c.do(ctx, "GET", "/api/v1/settings", nil, &out)
}

// PutSettingsDocument replaces the settings with a JSON document; the
// server checks it and answers with what it saved.
func (c *SettingsClient) PutSettingsDocument(ctx context.Context, doc json.RawMessage) (json.RawMessage, error) {
	var out json.RawMessage
	return out, c.do(ctx, "PUT", "/api/v1/settings", doc, &out)
}

// StatusTemplates returns the texts for the usual updates, by name.
func (c *StatusPageClient) StatusTemplates(ctx context.Context) (map[string]string, error) {
	var out struct {
		Templates map[string]string `json:"templates"`
	}
	return out.Templates, c.do(ctx, "GET", "/api/v1/status-templates", nil, &out)
}

// StakeholderChannels lists the internal channels that receive
// stakeholder notices (URLs masked; admins see scheme, host and last 4
// characters).
func (c *StatusPageClient) StakeholderChannels(ctx context.Context) ([]herald.Subscriber, error) {
	var out struct {
		Channels []herald.Subscriber `json:"channels"`
	}
	return out.Channels, c.do(ctx, "GET", "/api/v1/stakeholder-channels", nil, &out)
}

// AddStakeholderChannel adds an internal stakeholder channel: one of
// email, webhook_url, slack_url or teams_url.
func (c *StatusPageClient) AddStakeholderChannel(ctx context.Context, in herald.SubscriberInput) (herald.Subscriber, error) {
	var out herald.Subscriber
	return out, c.do(ctx, "POST", "/api/v1/stakeholder-channels", in, &out)
}

// SubscriberCounts returns the status page subscribers by kind, then by
// confirmed, unconfirmed and paused.
func (c *StatusPageClient) SubscriberCounts(ctx context.Context) (map[string]map[string]int, error) {
	var out struct {
		Counts map[string]map[string]int `json:"counts"`
	}
	return out.Counts, c.do(ctx, "GET", "/api/v1/subscribers/counts", nil, &out)
}

// ExportSubscribers returns every subscriber as CSV (admin).
func (c *StatusPageClient) ExportSubscribers(ctx context.Context) (string, error) {
	var out string
	return out, c.do(ctx, "GET", "/api/v1/subscribers/export.csv", nil, &out)
}

// ImportResult says what an import did: subscribers created, and those
// skipped as subscribed already.
type ImportResult struct {
	Created int `json:"created"`
	Skipped int `json:"skipped"`
}

// ImportSubscribers sends a CSV with the export's header (admin): all rows
// or none; imported subscribers are confirmed.
func (c *StatusPageClient) ImportSubscribers(ctx context.Context, csv io.Reader) (ImportResult, error) {
	var out ImportResult
	req, err := http.NewRequestWithContext(ctx, "POST", c.baseURL+"/api/v1/subscribers/import", csv)
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		var eb struct {
			Error Error `json:"error"`
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(b, &eb) != nil || eb.Error.Code == "" {
			return out, &Error{Status: resp.StatusCode, Code: "http", Message: strings.TrimSpace(string(b))}
		}
		eb.Error.Status = resp.StatusCode
		return out, &eb.Error
	}
	return out, json.NewDecoder(resp.Body).Decode(&out)
}
