package client

import (
	"context"
	"net/url"

	"github.com/heraldhq/herald"
)

// ComponentChanges lists the recorded changes to components, newest first.
func (c *StatusPageClient) ComponentChanges(ctx context.Context) ([]herald.ComponentLogEntry, error) {
	var out struct {
		Changes []herald.ComponentLogEntry `json:"changes"`
	}
	return out.Changes, c.do(ctx, "GET", "/api/v1/components/changes", nil, &out)
}

// ProposeComponentChange proposes a change to the components for another
// admin to approve (R21).
func (c *StatusPageClient) ProposeComponentChange(ctx context.Context, in herald.ComponentProposalInput) (herald.ComponentProposal, error) {
	var out herald.ComponentProposal
	return out, c.do(ctx, "POST", "/api/v1/component-proposals", in, &out)
}

// ComponentProposals lists proposals in state ("" for all), newest first.
func (c *StatusPageClient) ComponentProposals(ctx context.Context, state string) ([]herald.ComponentProposal, error) {
	var out struct {
		Proposals []herald.ComponentProposal `json:"proposals"`
	}
	path := "/api/v1/component-proposals"
	if state != "" {
		path += "?state=" + url.QueryEscape(state)
	}
	return out.Proposals, c.do(ctx, "GET", path, nil, &out)
}

// ComponentProposal reads one proposal.
func (c *StatusPageClient) ComponentProposal(ctx context.Context, id string) (herald.ComponentProposal, error) {
	var out herald.ComponentProposal
	return out, c.do(ctx, "GET", "/api/v1/component-proposals/"+esc(id), nil, &out)
}

// ApproveComponentProposal approves and applies a proposal.
func (c *StatusPageClient) ApproveComponentProposal(ctx context.Context, id string) (herald.ComponentProposal, error) {
	var out herald.ComponentProposal
	return out, c.do(ctx, "POST", "/api/v1/component-proposals/"+esc(id)+"/approve", nil, &out)
}

// RejectComponentProposal rejects a proposal with the reason.
func (c *StatusPageClient) RejectComponentProposal(ctx context.Context, id, reason string) (herald.ComponentProposal, error) {
	var out herald.ComponentProposal
	return out, c.do(ctx, "POST", "/api/v1/component-proposals/"+esc(id)+"/reject", herald.ProposalRejectInput{Reason: reason}, &out)
}
