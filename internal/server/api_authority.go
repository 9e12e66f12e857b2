package server

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// Who may do what (R10, R17, R51, R55, R56): decisions with their
// approvals, status page drafts that wait for the decision, and people's
// qualifications.

// DecisionStatuses is an incident's decisions with their approvals.
type DecisionStatuses struct {
	Decisions []herald.DecisionStatus `json:"decisions"`
}

func (s *Server) listDecisionStatus(r *http.Request, a herald.Actor, _ noBody) (DecisionStatuses, error) {
	list, err := s.app.Incidents.Decisions(r.Context(), r.PathValue("id"))
	return DecisionStatuses{Decisions: list}, err
}

func (s *Server) approveDecision(r *http.Request, a herald.Actor, in herald.ApprovalInput) (herald.DecisionStatus, error) {
	id, err := strconv.ParseInt(r.PathValue("decision"), 10, 64)
	if err != nil {
		return herald.DecisionStatus{}, herald.Errorf(herald.ENotFound, "no decision %q", r.PathValue("decision"))
	}
	return s.app.Incidents.ApproveDecision(r.Context(), a, r.PathValue("id"), id, in)
}

// StatusDrafts is a list of status page drafts.
type StatusDrafts struct {
	Drafts []herald.StatusDraft `json:"drafts"`
}

func (s *Server) listStatusDrafts(r *http.Request, a herald.Actor, _ noBody) (StatusDrafts, error) {
	list, err := s.app.StatusPage.StatusDrafts(r.Context(), r.URL.Query().Get("incident"))
	return StatusDrafts{Drafts: list}, err
}

func (s *Server) draftStatusIncident(r *http.Request, a herald.Actor, in herald.StatusIncidentInput) (herald.StatusDraft, error) {
	return s.app.StatusPage.DraftStatusIncident(r.Context(), a, in)
}

func (s *Server) approveStatusDraft(r *http.Request, a herald.Actor, _ noBody) (PublishResult, error) {
	p, err := s.app.StatusPage.ApproveStatusDraft(r.Context(), a, r.PathValue("id"))
	return publishResult(p, false, err)
}

func (s *Server) discardStatusDraft(r *http.Request, a herald.Actor, _ noBody) (herald.StatusDraft, error) {
	return s.app.StatusPage.DiscardStatusDraft(r.Context(), a, r.PathValue("id"))
}

// Qualifications is what a user is trained for.
type Qualifications struct {
	Qualifications []herald.Qualification `json:"qualifications"`
}

func (s *Server) listQualifications(r *http.Request, a herald.Actor, _ noBody) (Qualifications, error) {
	list, err := s.app.People.Qualifications(r.Context(), r.PathValue("id"))
	return Qualifications{Qualifications: list}, err
}

func (s *Server) setQualification(r *http.Request, a herald.Actor, in herald.QualificationInput) (herald.Qualification, error) {
	return s.app.People.SetQualification(r.Context(), a, r.PathValue("id"), r.PathValue("name"), in)
}

func (s *Server) removeQualification(r *http.Request, a herald.Actor, _ noBody) (noBody, error) {
	return noBody{}, s.app.People.RemoveQualification(r.Context(), a, r.PathValue("id"), r.PathValue("name"))
}
