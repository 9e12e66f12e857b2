package server

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// The external review's approval and publication (R54), and follow-ups
// across incidents.

func (s *Server) approveReview(r *http.Request, a herald.Actor, in herald.ReviewApprovalInput) (herald.Review, error) {
	return s.app.Incidents.ApproveReview(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) publishReview(r *http.Request, a herald.Actor, _ noBody) (herald.Review, error) {
	return s.app.Incidents.PublishReview(r.Context(), a, r.PathValue("id"))
}

func (s *Server) listAllFollowUps(r *http.Request, a herald.Actor, _ noBody) (FollowUps, error) {
	q := r.URL.Query()
	fe := herald.FieldErrors{}
	boolParam := func(name string) bool {
		v := q.Get(name)
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			fe.Add(name, "must be true or false")
		}
		return b
	}
	f := herald.FollowUpFilter{Overdue: boolParam("overdue"), Open: boolParam("open"), Owner: q.Get("owner")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.Add("limit", "must be a whole number")
		}
		f.Limit = n
	}
	if err := fe.Err(); err != nil {
		return FollowUps{}, err
	}
	list, err := s.app.Incidents.ListFollowUps(r.Context(), f)
	return FollowUps{FollowUps: list}, err
}
