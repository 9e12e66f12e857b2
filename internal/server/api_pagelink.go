package server

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// Pages and incidents (issue 11, item 14), and the components a service
// runs on (item 15: what a maintenance mutes).

// declareFromPage declares an incident linked to the page in the same
// transaction (the declaration's pages field, with this page first).
func (s *Server) declareFromPage(r *http.Request, a herald.Actor, in herald.DeclareInput) (*herald.Incident, error) {
	p, err := s.app.Paging.Page(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	in.Pages = append([]string{p.ID}, in.Pages...)
	return s.withURL(s.app.Incidents.DeclareIncident(r.Context(), a, in))
}

func (s *Server) linkPage(r *http.Request, a herald.Actor, in herald.PageLinkInput) (*herald.Page, error) {
	return s.app.Paging.LinkPage(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) unlinkPage(r *http.Request, a herald.Actor, _ noBody) (*herald.Page, error) {
	return s.app.Paging.UnlinkPage(r.Context(), a, r.PathValue("id"))
}

// LinkedPages is the list of an incident's pages.
type LinkedPages struct {
	Pages []herald.LinkedPage `json:"pages"`
}

func (s *Server) incidentPages(r *http.Request, a herald.Actor, _ noBody) (LinkedPages, error) {
	list, err := s.app.Incidents.IncidentPages(r.Context(), r.PathValue("id"))
	return LinkedPages{Pages: list}, err
}

func (s *Server) setServiceComponents(r *http.Request, a herald.Actor, in herald.ServiceComponentsInput) (*herald.Service, error) {
	return s.app.Paging.SetServiceComponents(r.Context(), r.PathValue("id"), in)
}
