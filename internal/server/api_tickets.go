package server

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// Support ticket coupling (R20): an incident's tag, keywords, window and
// sweeps, and the connected ticket system (whose token never comes back).

func (s *Server) getIncidentTickets(r *http.Request, a herald.Actor, _ noBody) (herald.IncidentTickets, error) {
	return s.app.Tickets.IncidentTickets(r.Context(), r.PathValue("id"))
}

func (s *Server) setIncidentTickets(r *http.Request, a herald.Actor, in herald.TicketCouplingInput) (herald.IncidentTickets, error) {
	return s.app.Tickets.SetIncidentTickets(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) sweepTickets(r *http.Request, a herald.Actor, in herald.SweepInput) (herald.TicketSweep, error) {
	return s.app.Tickets.Sweep(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) tagTickets(r *http.Request, a herald.Actor, in herald.TagTicketsInput) (herald.TicketSweep, error) {
	return s.app.Tickets.TagTickets(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) getTicketSweep(r *http.Request, a herald.Actor, _ noBody) (herald.TicketSweep, error) {
	return s.app.Tickets.TicketSweep(r.Context(), r.PathValue("id"), r.PathValue("sweep"))
}

func (s *Server) getTicketConnection(r *http.Request, a herald.Actor, _ noBody) (herald.TicketConnection, error) {
	return s.app.Tickets.TicketConnection(r.Context())
}

func (s *Server) connectTicketSystem(r *http.Request, a herald.Actor, in herald.TicketConnectionInput) (herald.TicketConnection, error) {
	return s.app.Tickets.ConnectTicketSystem(r.Context(), a, in)
}

func (s *Server) disconnectTicketSystem(r *http.Request, a herald.Actor, _ noBody) (noBody, error) {
	return noBody{}, s.app.Tickets.DisconnectTicketSystem(r.Context(), a)
}
