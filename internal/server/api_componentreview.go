package server

import (
	"net/http"
	"slices"

	"github.com/heraldhq/herald"
)

// ComponentProposals lists proposed changes to the components (R21).
type ComponentProposals struct {
	Proposals []herald.ComponentProposal `json:"proposals"`
}

func (s *Server) listComponentProposals(r *http.Request, a herald.Actor, _ noBody) (ComponentProposals, error) {
	state := r.URL.Query().Get("state")
	if state != "" && !slices.Contains(herald.ProposalStates, state) {
		return ComponentProposals{}, &herald.Error{Code: herald.EInvalid, Message: "state must be pending, approved or rejected", Fields: map[string]string{"state": "must be pending, approved or rejected"}}
	}
	list, err := s.app.StatusPage.ComponentProposals(r.Context(), state)
	return ComponentProposals{Proposals: list}, err
}

func (s *Server) proposeComponentChange(r *http.Request, a herald.Actor, in herald.ComponentProposalInput) (herald.ComponentProposal, error) {
	return s.app.StatusPage.ProposeComponentChange(r.Context(), a, in)
}

func (s *Server) getComponentProposal(r *http.Request, a herald.Actor, _ noBody) (herald.ComponentProposal, error) {
	return s.app.StatusPage.ComponentProposal(r.Context(), r.PathValue("id"))
}

func (s *Server) approveComponentProposal(r *http.Request, a herald.Actor, _ noBody) (herald.ComponentProposal, error) {
	return s.app.StatusPage.ApproveComponentProposal(r.Context(), a, r.PathValue("id"))
}

func (s *Server) rejectComponentProposal(r *http.Request, a herald.Actor, in herald.ProposalRejectInput) (herald.ComponentProposal, error) {
	return s.app.StatusPage.RejectComponentProposal(r.Context(), a, r.PathValue("id"), in)
}
