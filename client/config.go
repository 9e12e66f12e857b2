package client

import (
	"context"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/config"
)

// Export reads the configuration as a document; secrets are named by
// environment variables (target_env), never given.
func (c *ConfigClient) Export(ctx context.Context) (*config.Document, error) {
	var d config.Document
	err := c.do(ctx, "GET", "/api/v1/config", nil, &d)
	return &d, err
}

// Plan says what applying doc would change, changing nothing. Secret
// targets must be resolved (Target set) before.
func (c *ConfigClient) Plan(ctx context.Context, doc *config.Document, prune bool) (config.Plan, error) {
	var p config.Plan
	err := c.do(ctx, "POST", "/api/v1/config/plan"+pruneQuery(prune), doc, &p)
	return p, err
}

// Apply makes the configuration match doc, all or nothing, and returns
// the changes made.
func (c *ConfigClient) Apply(ctx context.Context, doc *config.Document, prune bool) (config.Plan, error) {
	var p config.Plan
	err := c.do(ctx, "POST", "/api/v1/config/apply"+pruneQuery(prune), doc, &p)
	return p, err
}

func pruneQuery(prune bool) string {
	if prune {
		return "?prune=true"
	}
	return ""
}

// List lists the teams by name.
func (c *TeamClient) List(ctx context.Context) ([]herald.Team, error) {
	var out struct {
		Teams []herald.Team `json:"teams"`
	}
	err := c.do(ctx, "GET", "/api/v1/teams", nil, &out)
	return out.Teams, err
}

// Get reads a team by id or name.
func (c *TeamClient) Get(ctx context.Context, ref string) (herald.Team, error) {
	var t herald.Team
	err := c.do(ctx, "GET", "/api/v1/teams/"+esc(ref), nil, &t)
	return t, err
}

// Create adds a team.
func (c *TeamClient) Create(ctx context.Context, in herald.TeamInput) (herald.Team, error) {
	var t herald.Team
	err := c.do(ctx, "POST", "/api/v1/teams", in, &t)
	return t, err
}

// Update replaces a team's name and members.
func (c *TeamClient) Update(ctx context.Context, ref string, in herald.TeamInput) (herald.Team, error) {
	var t herald.Team
	err := c.do(ctx, "PUT", "/api/v1/teams/"+esc(ref), in, &t)
	return t, err
}

// Delete removes a team.
func (c *TeamClient) Delete(ctx context.Context, ref string) error {
	return c.do(ctx, "DELETE", "/api/v1/teams/"+esc(ref), nil, nil)
}
