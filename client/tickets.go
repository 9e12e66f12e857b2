package client

import (
	"context"

	"github.com/heraldhq/herald"
)

// IncidentTickets reads an incident's support ticket tag, keywords,
// search window and latest sweeps (R20).
func (c *TicketsClient) IncidentTickets(ctx context.Context, ref string) (herald.IncidentTickets, error) {
	var out herald.IncidentTickets
	return out, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/tickets", nil, &out)
}

// SetIncidentTickets sets a confidential incident's tag by hand, or the
// keywords its tickets are searched for.
func (c *TicketsClient) SetIncidentTickets(ctx context.Context, ref string, in herald.TicketCouplingInput) (herald.IncidentTickets, error) {
	var out herald.IncidentTickets
	return out, c.do(ctx, "PUT", "/api/v1/incidents/"+esc(ref)+"/tickets", in, &out)
}

// Sweep queues a sweep of the incident's window for untagged tickets; it
// runs in the background: read it back with TicketSweep.
func (c *TicketsClient) Sweep(ctx context.Context, ref string, in herald.SweepInput) (herald.TicketSweep, error) {
	var out herald.TicketSweep
	return out, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/tickets/sweeps", in, &out)
}

// TicketSweep reads one sweep of the incident.
func (c *TicketsClient) TicketSweep(ctx context.Context, ref, id string) (herald.TicketSweep, error) {
	var out herald.TicketSweep
	return out, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/tickets/sweeps/"+esc(id), nil, &out)
}

// TagTickets queues the tagging of tickets the last sweep found.
func (c *TicketsClient) TagTickets(ctx context.Context, ref string, in herald.TagTicketsInput) (herald.TicketSweep, error) {
	var out herald.TicketSweep
	return out, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/tickets/tag", in, &out)
}

// TicketConnection reads the connected ticket system (never its token).
func (c *TicketsClient) TicketConnection(ctx context.Context) (herald.TicketConnection, error) {
	var out herald.TicketConnection
	return out, c.do(ctx, "GET", "/api/v1/tickets/connection", nil, &out)
}

// ConnectTicketSystem connects a ticket system; an empty token keeps the
// stored one.
func (c *TicketsClient) ConnectTicketSystem(ctx context.Context, in herald.TicketConnectionInput) (herald.TicketConnection, error) {
	var out herald.TicketConnection
	return out, c.do(ctx, "PUT", "/api/v1/tickets/connection", in, &out)
}

// DisconnectTicketSystem forgets the connection and its token.
func (c *TicketsClient) DisconnectTicketSystem(ctx context.Context) error {
	return c.do(ctx, "DELETE", "/api/v1/tickets/connection", nil, nil)
}
