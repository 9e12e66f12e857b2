package server

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// Handovers is a list of handovers (R60).
type Handovers struct {
	Handovers []herald.Handover `json:"handovers"`
}

// HandoverRotations says which schedule each handing-over role uses.
type HandoverRotations struct {
	Rotations []herald.HandoverRotation `json:"rotations"`
}

func (s *Server) listHandovers(r *http.Request, a herald.Actor, _ noBody) (Handovers, error) {
	q := r.URL.Query()
	f := herald.HandoverFilter{Status: q.Get("status"), Mine: q.Get("mine") == "true"}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return Handovers{}, &herald.Error{Code: herald.EInvalid, Message: "limit must be a whole number", Fields: map[string]string{"limit": "must be a whole number"}}
		}
		f.Limit = n
	}
	list, err := s.app.Handovers.Handovers(r.Context(), a, f)
	return Handovers{Handovers: list}, err
}

func (s *Server) startHandover(r *http.Request, a herald.Actor, in herald.HandoverStart) (herald.Handover, error) {
	return s.app.Handovers.StartHandover(r.Context(), a, in)
}

func (s *Server) getHandover(r *http.Request, a herald.Actor, _ noBody) (herald.Handover, error) {
	return s.app.Handovers.Handover(r.Context(), a, r.PathValue("id"))
}

func (s *Server) saveHandover(r *http.Request, a herald.Actor, in herald.HandoverEdit) (herald.Handover, error) {
	return s.app.Handovers.SaveHandover(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) submitHandover(r *http.Request, a herald.Actor, in herald.HandoverEdit) (herald.Handover, error) {
	return s.app.Handovers.SubmitHandover(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) ackHandover(r *http.Request, a herald.Actor, _ noBody) (herald.Handover, error) {
	return s.app.Handovers.AcknowledgeHandover(r.Context(), a, r.PathValue("id"))
}

func (s *Server) listHandoverRotations(r *http.Request, a herald.Actor, _ noBody) (HandoverRotations, error) {
	list, err := s.app.Handovers.HandoverRotations(r.Context())
	return HandoverRotations{Rotations: list}, err
}

func (s *Server) handOverRole(r *http.Request, a herald.Actor, in herald.RoleHandoverInput) (*herald.Incident, error) {
	return s.withURL(s.app.Handovers.HandOverRole(r.Context(), a, r.PathValue("id"), r.PathValue("role"), in))
}
