package server

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// approveMaintenance records an engineering manager's approval of an
// emergency maintenance (R33).
func (s *Server) approveMaintenance(r *http.Request, a herald.Actor, in herald.ApprovalInput) (*herald.Maintenance, error) {
	return s.app.Maintenances.ApproveMaintenance(r.Context(), a, r.PathValue("id"), in)
}
