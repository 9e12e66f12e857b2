package server

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// The checklists of an incident's roles (R08): read, and checked by hand.

func (s *Server) getChecklist(r *http.Request, a herald.Actor, _ noBody) (herald.Checklist, error) {
	return s.app.Incidents.Checklist(r.Context(), r.PathValue("id"))
}

func (s *Server) checkItem(r *http.Request, a herald.Actor, in herald.CheckInput) (herald.Checklist, error) {
	return s.app.Incidents.CheckItem(r.Context(), a, r.PathValue("id"), in)
}
