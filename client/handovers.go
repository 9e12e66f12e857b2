package client

import (
	"context"
	"net/url"

	"github.com/heraldhq/herald"
)

// Handovers lists the handovers you may read (R60): status draft,
// submitted or acknowledged (empty: all); mine for those you hand over or
// take over.
func (c *HandoverClient) Handovers(ctx context.Context, status string, mine bool) ([]herald.Handover, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	if mine {
		q.Set("mine", "true")
	}
	var out struct {
		Handovers []herald.Handover `json:"handovers"`
	}
	return out.Handovers, c.do(ctx, "GET", "/api/v1/handovers?"+q.Encode(), nil, &out)
}

// Handover reads one handover.
func (c *HandoverClient) Handover(ctx context.Context, id string) (herald.Handover, error) {
	var out herald.Handover
	return out, c.do(ctx, "GET", "/api/v1/handovers/"+esc(id), nil, &out)
}

// StartHandover drafts the handover of your current shift on a schedule early.
func (c *HandoverClient) StartHandover(ctx context.Context, schedule string) (herald.Handover, error) {
	var out herald.Handover
	return out, c.do(ctx, "POST", "/api/v1/handovers", herald.HandoverStart{Schedule: schedule}, &out)
}

// SaveHandover stores your edits of a draft.
func (c *HandoverClient) SaveHandover(ctx context.Context, id string, in herald.HandoverEdit) (herald.Handover, error) {
	var out herald.Handover
	return out, c.do(ctx, "PUT", "/api/v1/handovers/"+esc(id), in, &out)
}

// SubmitHandover submits a handover after its shift ended.
func (c *HandoverClient) SubmitHandover(ctx context.Context, id string, in herald.HandoverEdit) (herald.Handover, error) {
	var out herald.Handover
	return out, c.do(ctx, "POST", "/api/v1/handovers/"+esc(id)+"/submit", in, &out)
}

// AcknowledgeHandover is the incoming person's receipt.
func (c *HandoverClient) AcknowledgeHandover(ctx context.Context, id string) (herald.Handover, error) {
	var out herald.Handover
	return out, c.do(ctx, "POST", "/api/v1/handovers/"+esc(id)+"/ack", nil, &out)
}

// HandoverRotations says which schedule each handing-over role uses.
func (c *HandoverClient) HandoverRotations(ctx context.Context) ([]herald.HandoverRotation, error) {
	var out struct {
		Rotations []herald.HandoverRotation `json:"rotations"`
	}
	return out.Rotations, c.do(ctx, "GET", "/api/v1/handovers/rotations", nil, &out)
}

// HandOverRole hands an incident role over live, with a note for the timeline.
func (c *HandoverClient) HandOverRole(ctx context.Context, ref, role string, in herald.RoleHandoverInput) (*herald.Incident, error) {
	var out herald.Incident
	if err := c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/roles/"+esc(role)+"/handover", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
