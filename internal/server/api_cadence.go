package server

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// Prompts lists the reminders the playbook sent about an incident.
type Prompts struct {
	Prompts []herald.Prompt `json:"prompts"`
}

// InternalUpdates lists an incident's stakeholder notices and internal
// updates, oldest first.
type InternalUpdates struct {
	Updates []herald.InternalUpdate `json:"internal_updates"`
}

func (s *Server) listPrompts(r *http.Request, a herald.Actor, _ noBody) (Prompts, error) {
	list, err := s.app.Incidents.Prompts(r.Context(), r.PathValue("id"))
	if list == nil {
		list = []herald.Prompt{}
	}
	return Prompts{Prompts: list}, err
}

// noMaterialUpdates publishes "no material updates" (R15) on the incident's
// open status incident: the same as POST /status-incidents/{id}/updates
// with template no_material_updates and the current status, without having
// to know either.
func (s *Server) noMaterialUpdates(r *http.Request, a herald.Actor, _ noBody) (PublishResult, error) {
	dry, err := dryRun(r)
	if err != nil {
		return PublishResult{}, err
	}
	p, err := s.app.StatusPage.NoMaterialUpdates(r.Context(), a, r.PathValue("id"), dry)
	return publishResult(p, dry, err)
}

func (s *Server) sendInternalUpdate(r *http.Request, a herald.Actor, in herald.InternalUpdateInput) (herald.InternalUpdate, error) {
	return s.app.Subscribers.SendInternalUpdate(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) listInternalUpdates(r *http.Request, a herald.Actor, _ noBody) (InternalUpdates, error) {
	list, err := s.app.Subscribers.InternalUpdates(r.Context(), r.PathValue("id"))
	return InternalUpdates{Updates: list}, err
}
