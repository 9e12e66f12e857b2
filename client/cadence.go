package client

import (
	"context"

	"github.com/heraldhq/herald"
)

// NoMaterialUpdates publishes "no material updates" (R15) on the open status
// incident of an incident (INC-42): its template, with the same state and
// components, so the cadence is kept.
func (c *StatusPageClient) NoMaterialUpdates(ctx context.Context, ref string, dryRun bool) (PublishResult, error) {
	var out PublishResult
	return out, c.do(ctx, "POST", dry("/api/v1/incidents/"+esc(ref)+"/no-material-updates", dryRun), struct{}{}, &out)
}

// SendInternalUpdate sends an update about an incident to the internal
// stakeholder channels.
func (c *IncidentClient) SendInternalUpdate(ctx context.Context, ref, body string) (herald.InternalUpdate, error) {
	var out herald.InternalUpdate
	return out, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/internal-updates", herald.InternalUpdateInput{Body: body}, &out)
}

// InternalUpdates lists an incident's stakeholder notices and internal
// updates, oldest first.
func (c *IncidentClient) InternalUpdates(ctx context.Context, ref string) ([]herald.InternalUpdate, error) {
	var out struct {
		Updates []herald.InternalUpdate `json:"internal_updates"`
	}
	return out.Updates, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/internal-updates", nil, &out)
}

// Prompts lists the reminders the playbook sent about an incident.
func (c *IncidentClient) Prompts(ctx context.Context, ref string) ([]herald.Prompt, error) {
	var out struct {
		Prompts []herald.Prompt `json:"prompts"`
	}
	return out.Prompts, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/prompts", nil, &out)
}
