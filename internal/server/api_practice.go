package server

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// PracticeRuns is a list of practice runs (R63).
type PracticeRuns struct {
	Runs []herald.PracticeRun `json:"runs"`
}

func (s *Server) listPracticeRuns(r *http.Request, a herald.Actor, _ noBody) (PracticeRuns, error) {
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return PracticeRuns{}, &herald.Error{Code: herald.EInvalid, Message: "limit must be a positive whole number", Fields: map[string]string{"limit": "must be a positive whole number"}}
		}
		limit = n
	}
	runs, err := s.app.Practice.PracticeRuns(r.Context(), limit)
	return PracticeRuns{Runs: runs}, err
}

func (s *Server) startPractice(r *http.Request, a herald.Actor, in herald.PracticeStartInput) (*herald.PracticeRun, error) {
	return s.app.Practice.StartPractice(r.Context(), a, in)
}

func (s *Server) getPracticeRun(r *http.Request, a herald.Actor, _ noBody) (*herald.PracticeRun, error) {
	return s.app.Practice.PracticeRun(r.Context(), r.PathValue("id"))
}

func (s *Server) finishPractice(r *http.Request, a herald.Actor, _ noBody) (*herald.PracticeRun, error) {
	return s.app.Practice.FinishPractice(r.Context(), a, r.PathValue("id"))
}

func (s *Server) practiceSandbox(r *http.Request, a herald.Actor, _ noBody) (*herald.SandboxPage, error) {
	return s.app.Practice.SandboxPage(r.Context(), r.PathValue("id"))
}
