package server

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// snoozePage acknowledges a page until a time; when it ends the page is
// triggered again from level 1.
func (s *Server) snoozePage(r *http.Request, a herald.Actor, in herald.SnoozeInput) (*herald.Page, error) {
	return s.app.Paging.SnoozePage(r.Context(), a, r.PathValue("id"), in)
}

// policyFromTemplate makes an escalation policy from R05's or R07's
// template, with the organisation's times (settings escalation_templates).
func (s *Server) policyFromTemplate(r *http.Request, a herald.Actor, in herald.PolicyTemplateInput) (*herald.EscalationPolicy, error) {
	settings, err := s.app.Settings.Settings(r.Context())
	if err != nil {
		return nil, err
	}
	pin, err := settings.PolicyFromTemplate(in)
	if err != nil {
		return nil, err
	}
	return s.app.Paging.CreateEscalationPolicy(r.Context(), pin)
}
