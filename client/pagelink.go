package client

import (
	"context"

	"github.com/heraldhq/herald"
)

// Pages and incidents, and the components a service runs on.

// DeclareFromPage declares an incident from a page; the page is linked to
// it.
func (c *PagingClient) DeclareFromPage(ctx context.Context, id string, in herald.DeclareInput) (herald.Incident, error) {
	var out herald.Incident
	return out, c.do(ctx, "POST", "/api/v1/pages/"+esc(id)+"/declare", in, &out)
}

// LinkPage attaches a page to an incident (id, number or reference).
func (c *PagingClient) LinkPage(ctx context.Context, id, incident string) (herald.Page, error) {
	var out herald.Page
	return out, c.do(ctx, "PUT", "/api/v1/pages/"+esc(id)+"/incident", herald.PageLinkInput{Incident: incident}, &out)
}

// UnlinkPage detaches a page from its incident.
func (c *PagingClient) UnlinkPage(ctx context.Context, id string) (herald.Page, error) {
	var out herald.Page
	return out, c.do(ctx, "DELETE", "/api/v1/pages/"+esc(id)+"/incident", nil, &out)
}

// SetServiceComponents replaces the status page components a service runs
// on (admin).
func (c *PagingClient) SetServiceComponents(ctx context.Context, service string, components []string) (herald.Service, error) {
	var out herald.Service
	return out, c.do(ctx, "PUT", "/api/v1/services/"+esc(service)+"/components", herald.ServiceComponentsInput{Components: components}, &out)
}

// Pages lists the pages linked to an incident with their acknowledgement,
// escalation steps and time to acknowledge.
func (c *IncidentClient) Pages(ctx context.Context, ref string) ([]herald.LinkedPage, error) {
	var out struct {
		Pages []herald.LinkedPage `json:"pages"`
	}
	return out.Pages, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/pages", nil, &out)
}
