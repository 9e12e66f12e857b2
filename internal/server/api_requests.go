package server

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// ContactRequests is a list of contact requests.
type ContactRequests struct {
	ContactRequests []herald.ContactRequest `json:"contact_requests"`
}

// NoteText is a note's text.
type NoteText struct {
	Text string `json:"text" required:"true"`
}

func (s *Server) listContactRequests(r *http.Request, a herald.Actor, _ noBody) (ContactRequests, error) {
	q := r.URL.Query()
	f := herald.ContactRequestFilter{Status: q.Get("status"), Owner: q.Get("owner")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return ContactRequests{}, &herald.Error{Code: herald.EInvalid, Message: "limit must be a whole number", Fields: map[string]string{"limit": "must be a whole number"}}
		}
		f.Limit = n
	}
	list, err := s.app.Requests.ContactRequests(r.Context(), f)
	return ContactRequests{ContactRequests: list}, err
}

func (s *Server) openContactRequest(r *http.Request, a herald.Actor, in herald.ContactRequestInput) (herald.ContactRequest, error) {
	return s.app.Requests.OpenContactRequest(r.Context(), a, in)
}

func (s *Server) getContactRequest(r *http.Request, a herald.Actor, _ noBody) (herald.ContactRequest, error) {
	return s.app.Requests.ContactRequest(r.Context(), r.PathValue("id"))
}

func (s *Server) noteContactRequest(r *http.Request, a herald.Actor, in NoteText) (herald.ContactRequest, error) {
	return s.app.Requests.NoteContactRequest(r.Context(), a, r.PathValue("id"), in.Text)
}

func (s *Server) completeContactRequest(r *http.Request, a herald.Actor, in herald.ContactRequestClose) (herald.ContactRequest, error) {
	return s.app.Requests.CompleteContactRequest(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) cancelContactRequest(r *http.Request, a herald.Actor, in herald.ContactRequestClose) (herald.ContactRequest, error) {
	return s.app.Requests.CancelContactRequest(r.Context(), a, r.PathValue("id"), in)
}
