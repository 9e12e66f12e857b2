package server

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// ShiftOffers is a list of shift offers.
type ShiftOffers struct {
	Offers []herald.ShiftOffer `json:"offers"`
}

func (s *Server) listShiftOffers(r *http.Request, a herald.Actor, _ noBody) (ShiftOffers, error) {
	q := r.URL.Query()
	f := herald.ShiftOfferFilter{Schedule: q.Get("schedule"), Status: q.Get("status")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return ShiftOffers{}, &herald.Error{Code: herald.EInvalid, Message: "limit must be a whole number", Fields: map[string]string{"limit": "must be a whole number"}}
		}
		f.Limit = n
	}
	list, err := s.app.Schedules.ShiftOffers(r.Context(), f)
	return ShiftOffers{Offers: list}, err
}

func (s *Server) offerShift(r *http.Request, a herald.Actor, in herald.ShiftOfferInput) (herald.ShiftOffer, error) {
	return s.app.Schedules.OfferShift(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) getShiftOffer(r *http.Request, a herald.Actor, _ noBody) (herald.ShiftOffer, error) {
	return s.app.Schedules.ShiftOffer(r.Context(), r.PathValue("id"))
}

func (s *Server) takeShiftOffer(r *http.Request, a herald.Actor, _ noBody) (herald.ShiftOffer, error) {
	return s.app.Schedules.TakeShiftOffer(r.Context(), a, r.PathValue("id"))
}

func (s *Server) withdrawShiftOffer(r *http.Request, a herald.Actor, _ noBody) (herald.ShiftOffer, error) {
	return s.app.Schedules.WithdrawShiftOffer(r.Context(), a, r.PathValue("id"))
}
