package server

import (
	"net/http"
	"slices"

	"github.com/heraldhq/herald"
)

// Customer notice threads (docs/NOTICES.md; R41, R42, R48, R49).

// NoticeThreads is a list of notice threads.
type NoticeThreads struct {
	Threads []herald.NoticeThread `json:"threads"`
}

// NoticeTemplates are the notice templates with the variables they may use.
type NoticeTemplates struct {
	Templates map[string]string       `json:"templates"`
	Variables []herald.NoticeVariable `json:"variables"`
	Kinds     []string                `json:"kinds"`
}

// NoticeTemplateInput replaces one notice template.
type NoticeTemplateInput struct {
	Text string `json:"text" required:"true"`
}

func (s *Server) openIncidentNotices(r *http.Request, a herald.Actor, _ noBody) (herald.NoticeOpenResult, error) {
	return s.app.Notices.OpenIncidentNotices(r.Context(), a, r.PathValue("id"))
}

func (s *Server) openMaintenanceNotices(r *http.Request, a herald.Actor, _ noBody) (herald.NoticeOpenResult, error) {
	return s.app.Notices.OpenMaintenanceNotices(r.Context(), a, r.PathValue("id"))
}

func (s *Server) incidentNotices(r *http.Request, a herald.Actor, _ noBody) (herald.IncidentNotices, error) {
	return s.app.Notices.IncidentNotices(r.Context(), r.PathValue("id"))
}

func (s *Server) incidentNoticeThreads(r *http.Request, a herald.Actor, _ noBody) (NoticeThreads, error) {
	list, err := s.app.Notices.NoticeThreads(r.Context(), "incident", r.PathValue("id"))
	return NoticeThreads{Threads: list}, err
}

func (s *Server) maintenanceNoticeThreads(r *http.Request, a herald.Actor, _ noBody) (NoticeThreads, error) {
	list, err := s.app.Notices.NoticeThreads(r.Context(), "maintenance", r.PathValue("id"))
	return NoticeThreads{Threads: list}, err
}

func (s *Server) getNoticeThread(r *http.Request, a herald.Actor, _ noBody) (herald.NoticeThread, error) {
	return s.app.Notices.NoticeThread(r.Context(), r.PathValue("id"))
}

func (s *Server) sendNotice(r *http.Request, a herald.Actor, in herald.NoticeSendInput) (herald.NoticeMessage, error) {
	return s.app.Notices.SendNotice(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) previewNotice(r *http.Request, a herald.Actor, in herald.NoticeSendInput) (herald.NoticeMessage, error) {
	return s.app.Notices.PreviewNotice(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) listNoticeTemplates(r *http.Request, a herald.Actor, _ noBody) (NoticeTemplates, error) {
	st, err := s.app.Settings.Settings(r.Context())
	return NoticeTemplates{Templates: st.Notices.Templates, Variables: herald.NoticeVariables, Kinds: herald.NoticeTemplateKinds}, err
}

// putNoticeTemplate replaces one template in the settings, validated as
// the whole settings document is.
func (s *Server) putNoticeTemplate(r *http.Request, a herald.Actor, in NoticeTemplateInput) (NoticeTemplates, error) {
	kind := r.PathValue("kind")
	if !slices.Contains(herald.NoticeTemplateKinds, kind) {
		return NoticeTemplates{}, herald.Errorf(herald.ENotFound, "no notice template %q", kind)
	}
	st, err := s.app.Settings.Settings(r.Context())
	if err != nil {
		return NoticeTemplates{}, err
	}
	st.Notices.Templates[kind] = in.Text
	if st, err = s.app.Settings.SaveSettings(r.Context(), st); err != nil {
		return NoticeTemplates{}, err
	}
	return NoticeTemplates{Templates: st.Notices.Templates, Variables: herald.NoticeVariables, Kinds: herald.NoticeTemplateKinds}, nil
}

// Approvals of customer messages (R44).

// NoticeApprovals is a list of approvals.
type NoticeApprovals struct {
	Approvals []herald.NoticeApproval `json:"approvals"`
}

func (s *Server) requestNoticeApproval(r *http.Request, a herald.Actor, in herald.NoticeSendInput) (herald.NoticeApproval, error) {
	return s.app.Notices.RequestNoticeApproval(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) pendingNoticeApprovals(r *http.Request, a herald.Actor, _ noBody) (NoticeApprovals, error) {
	list, err := s.app.Notices.PendingApprovals(r.Context())
	return NoticeApprovals{Approvals: list}, err
}

func (s *Server) incidentNoticeApprovals(r *http.Request, a herald.Actor, _ noBody) (NoticeApprovals, error) {
	list, err := s.app.Notices.IncidentPendingApprovals(r.Context(), r.PathValue("id"))
	return NoticeApprovals{Approvals: list}, err
}

func (s *Server) getNoticeApproval(r *http.Request, a herald.Actor, _ noBody) (herald.NoticeApproval, error) {
	return s.app.Notices.NoticeApproval(r.Context(), r.PathValue("id"))
}

func (s *Server) approveNotice(r *http.Request, a herald.Actor, in herald.NoticeDecisionInput) (herald.NoticeApproval, error) {
	return s.app.Notices.ApproveNotice(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) rejectNotice(r *http.Request, a herald.Actor, in herald.NoticeDecisionInput) (herald.NoticeApproval, error) {
	return s.app.Notices.RejectNotice(r.Context(), a, r.PathValue("id"), in)
}
