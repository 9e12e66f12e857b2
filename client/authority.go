package client

import (
	"context"
	"net/url"
	"strconv"

	"github.com/heraldhq/herald"
)

// Who may do what (R10, R17, R51, R55, R56).

// Decisions lists an incident's decisions with their approvals.
func (c *IncidentClient) Decisions(ctx context.Context, ref string) ([]herald.DecisionStatus, error) {
	var out struct {
		Decisions []herald.DecisionStatus `json:"decisions"`
	}
	return out.Decisions, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/decisions/approvals", nil, &out)
}

// ApproveDecision approves (or concurs with) a decision, by its timeline
// entry id.
func (c *IncidentClient) ApproveDecision(ctx context.Context, ref string, decisionID int64, in herald.ApprovalInput) (herald.DecisionStatus, error) {
	var out herald.DecisionStatus
	return out, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/decisions/"+strconv.FormatInt(decisionID, 10)+"/approve", in, &out)
}

// DraftStatusIncident saves an incident's first public update as a draft
// for whoever decides on the status page (R10).
func (c *StatusPageClient) DraftStatusIncident(ctx context.Context, in herald.StatusIncidentInput) (herald.StatusDraft, error) {
	var out herald.StatusDraft
	return out, c.do(ctx, "POST", "/api/v1/status-drafts", in, &out)
}

// StatusDrafts lists an incident's drafts, or with ref empty every
// pending draft.
func (c *StatusPageClient) StatusDrafts(ctx context.Context, ref string) ([]herald.StatusDraft, error) {
	var out struct {
		Drafts []herald.StatusDraft `json:"drafts"`
	}
	path := "/api/v1/status-drafts"
	if ref != "" {
		path += "?incident=" + url.QueryEscape(ref)
	}
	return out.Drafts, c.do(ctx, "GET", path, nil, &out)
}

// ApproveStatusDraft decides and publishes a draft as drafted.
func (c *StatusPageClient) ApproveStatusDraft(ctx context.Context, id string) (PublishResult, error) {
	var out PublishResult
	return out, c.do(ctx, "POST", "/api/v1/status-drafts/"+esc(id)+"/approve", nil, &out)
}

// DiscardStatusDraft discards a pending draft.
func (c *StatusPageClient) DiscardStatusDraft(ctx context.Context, id string) (herald.StatusDraft, error) {
	var out herald.StatusDraft
	return out, c.do(ctx, "POST", "/api/v1/status-drafts/"+esc(id)+"/discard", nil, &out)
}

// Qualifications lists what a user is trained for (R56).
func (c *PeopleClient) Qualifications(ctx context.Context, user string) ([]herald.Qualification, error) {
	var out struct {
		Qualifications []herald.Qualification `json:"qualifications"`
	}
	return out.Qualifications, c.do(ctx, "GET", "/api/v1/users/"+esc(user)+"/qualifications", nil, &out)
}

// SetQualification records a user's qualification from a date (YYYY-MM-DD;
// empty for today).
func (c *PeopleClient) SetQualification(ctx context.Context, user, name, since string) (herald.Qualification, error) {
	var out herald.Qualification
	return out, c.do(ctx, "PUT", "/api/v1/users/"+esc(user)+"/qualifications/"+esc(name), herald.QualificationInput{Since: since}, &out)
}

// RemoveQualification removes a user's qualification.
func (c *PeopleClient) RemoveQualification(ctx context.Context, user, name string) error {
	return c.do(ctx, "DELETE", "/api/v1/users/"+esc(user)+"/qualifications/"+esc(name), nil, nil)
}
