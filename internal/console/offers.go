package console

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/heraldhq/herald"
)

// The shift swap screen: the open shift offers, with Take (or Withdraw for
// your own); your upcoming shifts, each with a form to offer it (or a
// window of it) with a note; and the recent swaps, who offered and who
// took. Anyone with the responder role may take an offer (oncallswap.go).
func (c *Console) offersRoutes() []route {
	return []route{
		{method: "GET", path: "/app/oncall/offers", role: herald.RoleViewer, serve: c.offers},
		{method: "POST", path: "/app/oncall/offers", role: herald.RoleResponder, serve: c.offerShift},
		{method: "POST", path: "/app/oncall/offers/{id}/take", role: herald.RoleResponder, serve: c.takeOffer},
		{method: "POST", path: "/app/oncall/offers/{id}/withdraw", role: herald.RoleResponder, serve: c.withdrawOffer},
	}
}

// offersAhead is how far ahead your shifts are listed to offer.
const offersAhead = 28 * 24 * time.Hour

type offersView struct {
	Open, Swaps []herald.ShiftOffer
	Mine        []myShift
	Me          string
	// Input and Error are the offer form's, when it was refused; Form
	// says which shift's form (schedule id and start) it was.
	Input url.Values
	Error *herald.Error
}

// myShift is one of the signed-in person's upcoming shifts.
type myShift struct {
	ScheduleID, Schedule string
	Start, End           time.Time
	// Key tells this shift's form apart (its inputs' ids); StartInput and
	// EndInput are the window its form offers unless changed (UTC).
	Key, StartInput, EndInput string
}

func (c *Console) offers(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderOffers(w, r, a, http.StatusOK, nil, nil)
}

func (c *Console) renderOffers(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, in url.Values, herr *herald.Error) error {
	ctx, s, now := r.Context(), c.cfg.Services.Schedules, c.cfg.Clock.Now()
	v := offersView{Me: a.User.ID, Input: in, Error: herr}
	if v.Input == nil {
		v.Input = url.Values{}
	}
	var err error
	if v.Open, err = s.ShiftOffers(ctx, herald.ShiftOfferFilter{Status: string(herald.OfferOpen)}); err != nil {
		return err
	}
	if v.Swaps, err = s.ShiftOffers(ctx, herald.ShiftOfferFilter{Status: string(herald.OfferTaken), Limit: 500}); err != nil {
		return err
	}
	// The twenty latest windows first.
	for i, j := 0, len(v.Swaps)-1; i < j; i, j = i+1, j-1 {
		v.Swaps[i], v.Swaps[j] = v.Swaps[j], v.Swaps[i]
	}
	if len(v.Swaps) > 20 {
		v.Swaps = v.Swaps[:20]
	}
	if a.Role.Allows(herald.RoleResponder) {
		list, err := s.Schedules(ctx)
		if err != nil {
			return err
		}
		for _, sch := range list {
			shifts, err := sch.Shifts(now, now.Add(offersAhead))
			if err != nil {
				continue // a schedule that cannot be evaluated offers nothing here
			}
			for _, h := range herald.Handoffs(shifts, now.Add(-time.Nanosecond)) {
				if h.UserID != a.User.ID {
					continue
				}
				start := h.Start
				if start.Before(now) {
					start = now
				}
				v.Mine = append(v.Mine, myShift{ScheduleID: sch.ID, Schedule: sch.Name, Start: start, End: h.End,
					Key: fmt.Sprintf("%s-%d", sch.ID, h.Start.Unix()), StartInput: start.UTC().Format("2006-01-02T15:04"), EndInput: h.End.UTC().Format("2006-01-02T15:04")})
			}
		}
	}
	c.render(w, r, status, "offers", a, v)
	return nil
}

// offerShift offers a shift, or the window of it typed in the shift's
// form (UTC); a refusal shows the screen again with what was typed.
func (c *Console) offerShift(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	fe := herald.FieldErrors{}
	in := herald.ShiftOfferInput{Note: r.PostFormValue("note")}
	if t := parseUTC(fe, "start", r.PostFormValue("start")); t != nil {
		in.Start = *t
	}
	if t := parseUTC(fe, "end", r.PostFormValue("end")); t != nil {
		in.End = *t
	}
	schedule := r.PostFormValue("schedule")
	if schedule == "" {
		fe.Add("schedule", "choose the schedule of the shift")
	}
	err := fe.Err()
	var o herald.ShiftOffer
	if err == nil {
		o, err = c.cfg.Services.Schedules.OfferShift(r.Context(), a, schedule, in)
	}
	if err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		return c.renderOffers(w, r, a, status, r.PostForm, herr)
	}
	redirect(w, r, "/app/oncall/offers", fmt.Sprintf("You offered %s from %s to %s.", o.ScheduleName, utcLabel(o.Start), utcLabel(o.End)))
	return nil
}

func (c *Console) takeOffer(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	o, err := c.cfg.Services.Schedules.TakeShiftOffer(r.Context(), a, r.PathValue("id"))
	if err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		return c.renderOffers(w, r, a, status, nil, herr)
	}
	start := o.Start
	if o.TakenAt != nil && o.TakenAt.After(start) {
		start = *o.TakenAt
	}
	redirect(w, r, "/app/oncall/offers", fmt.Sprintf("You are on call for %s from %s to %s; %s is told.", o.ScheduleName, utcLabel(start), utcLabel(o.End), o.OfferedByName))
	return nil
}

func (c *Console) withdrawOffer(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if _, err := c.cfg.Services.Schedules.WithdrawShiftOffer(r.Context(), a, r.PathValue("id")); err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		return c.renderOffers(w, r, a, status, nil, herr)
	}
	redirect(w, r, "/app/oncall/offers", "Offer withdrawn.")
	return nil
}

func utcLabel(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
