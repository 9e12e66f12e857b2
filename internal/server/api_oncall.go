package server

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/heraldhq/herald"
)

// Schedules is a list of schedules.
type Schedules struct {
	Schedules []*herald.Schedule `json:"schedules"`
}

// OnCallAnswer says who is on call for a schedule at a moment.
type OnCallAnswer struct {
	Schedule string        `json:"schedule"`
	At       time.Time     `json:"at"`
	OnCall   *herald.User  `json:"on_call"` // null when nobody is
	Layer    string        `json:"layer,omitempty"`
	Override bool          `json:"override"`
	Shadows  []herald.User `json:"shadows"`
	Until    time.Time     `json:"until"`
}

// ShiftList is the final schedule over a window.
type ShiftList struct {
	Schedule string        `json:"schedule"`
	From     time.Time     `json:"from"`
	To       time.Time     `json:"to"`
	Shifts   []ShiftAnswer `json:"shifts"`
}

// ShiftAnswer is one shift with its person.
type ShiftAnswer struct {
	herald.Shift
	User herald.User `json:"user"`
}

func timeParam(r *http.Request, name string, def time.Time) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, &herald.Error{Code: herald.EInvalid, Message: name + " must be an RFC 3339 time, like 2026-12-01T09:00:00Z", Fields: map[string]string{name: "must be RFC 3339"}}
	}
	// The range schedules accept on input: every answer (until, shift
	// ends) then stays representable and every walk over it short.
	fe := herald.FieldErrors{}
	if herald.CheckTimeRange(fe, name, t); len(fe) > 0 {
		return t, fe.Err()
	}
	return t.UTC(), nil
}

func (s *Server) users(r *http.Request) (map[string]herald.User, error) {
	list, err := s.app.People.Users(r.Context())
	if err != nil {
		return nil, err
	}
	out := make(map[string]herald.User, len(list))
	for _, u := range list {
		out[u.ID] = u
	}
	return out, nil
}

func (s *Server) listSchedules(r *http.Request, a herald.Actor, _ noBody) (Schedules, error) {
	list, err := s.app.Schedules.Schedules(r.Context())
	return Schedules{Schedules: list}, err
}

func (s *Server) createSchedule(r *http.Request, a herald.Actor, in herald.ScheduleInput) (*herald.Schedule, error) {
	return s.app.Schedules.CreateSchedule(r.Context(), in)
}

func (s *Server) getSchedule(r *http.Request, a herald.Actor, _ noBody) (*herald.Schedule, error) {
	return s.app.Schedules.Schedule(r.Context(), r.PathValue("id"), s.db.Now())
}

func (s *Server) updateSchedule(r *http.Request, a herald.Actor, in herald.ScheduleInput) (*herald.Schedule, error) {
	return s.app.Schedules.UpdateSchedule(r.Context(), r.PathValue("id"), in)
}

func (s *Server) addOverride(r *http.Request, a herald.Actor, in herald.OverrideInput) (herald.Override, error) {
	return s.app.Schedules.AddOverride(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) deleteOverride(r *http.Request, a herald.Actor, _ noBody) (noBody, error) {
	return noBody{}, s.app.Schedules.DeleteOverride(r.Context(), r.PathValue("id"), r.PathValue("override"))
}

func (s *Server) onCall(r *http.Request, a herald.Actor, _ noBody) (OnCallAnswer, error) {
	at, err := timeParam(r, "at", s.db.Now())
	if err != nil {
		return OnCallAnswer{}, err
	}
	sch, err := s.app.Schedules.Schedule(r.Context(), r.PathValue("id"), at)
	if err != nil {
		return OnCallAnswer{}, err
	}
	users, err := s.users(r)
	if err != nil {
		return OnCallAnswer{}, err
	}
	oc, ok := sch.OnCallAt(at)
	out := OnCallAnswer{Schedule: sch.Name, At: at, Layer: oc.Layer, Override: oc.Override, Shadows: []herald.User{}, Until: oc.Until}
	if ok {
		u := users[oc.UserID]
		out.OnCall = &u
		for _, id := range oc.Shadows {
			out.Shadows = append(out.Shadows, users[id])
		}
	}
	return out, nil
}

// maxShiftWindow bounds a shifts query.
const maxShiftWindow = 92 * 24 * time.Hour

func (s *Server) shifts(r *http.Request, a herald.Actor, _ noBody) (ShiftList, error) {
	now := s.db.Now()
	from, err := timeParam(r, "from", now)
	if err != nil {
		return ShiftList{}, err
	}
	to, err := timeParam(r, "to", from.Add(14*24*time.Hour))
	if err != nil {
		return ShiftList{}, err
	}
	if !to.After(from) || to.Sub(from) > maxShiftWindow {
		return ShiftList{}, &herald.Error{Code: herald.EInvalid, Message: "to must be after from, at most 92 days later", Fields: map[string]string{"to": "after from, within 92 days"}}
	}
	sch, err := s.app.Schedules.Schedule(r.Context(), r.PathValue("id"), from)
	if err != nil {
		return ShiftList{}, err
	}
	users, err := s.users(r)
	if err != nil {
		return ShiftList{}, err
	}
	shifts, err := sch.Shifts(from, to)
	if err != nil {
		return ShiftList{}, err
	}
	out := ShiftList{Schedule: sch.Name, From: from, To: to, Shifts: []ShiftAnswer{}}
	for _, sh := range shifts {
		out.Shifts = append(out.Shifts, ShiftAnswer{Shift: sh, User: users[sh.UserID]})
	}
	return out, nil
}

// userShiftsICS is a user's shifts on every schedule, as an iCalendar
// feed, for someone signed in with a token.
func (s *Server) userShiftsICS(r *http.Request, a herald.Actor, _ noBody) (calendarDoc, error) {
	u, err := s.app.People.User(r.Context(), r.PathValue("id"))
	if err != nil {
		return "", err
	}
	return s.shiftsCalendar(r, u, "")
}

// feedShiftsICS is the feed calendar apps subscribe to: the token in the
// path stands for the person, since calendar apps send no credentials.
func (s *Server) feedShiftsICS(r *http.Request, _ herald.Actor, _ noBody) (calendarDoc, error) {
	u, err := s.app.People.CalendarFeedUser(r.Context(), r.PathValue("token"))
	if err != nil {
		return "", err
	}
	return s.shiftsCalendar(r, u, "")
}

// feedScheduleICS is a schedule's final rotation, everyone's shifts, for
// anyone holding a calendar feed token.
func (s *Server) feedScheduleICS(r *http.Request, _ herald.Actor, _ noBody) (calendarDoc, error) {
	if _, err := s.app.People.CalendarFeedUser(r.Context(), r.PathValue("token")); err != nil {
		return "", err
	}
	return s.shiftsCalendar(r, herald.User{}, r.PathValue("schedule"))
}

// shiftsCalendar is one person's shifts on every schedule (u set), or one
// schedule's shifts for everyone (schedule set), over the calendar window.
// Event UIDs come from the schedule, the person and the shift's start, so
// the same shift keeps its UID across fetches.
func (s *Server) shiftsCalendar(r *http.Request, u herald.User, schedule string) (calendarDoc, error) {
	from, to := herald.CalendarWindow(s.db.Now())
	var list []*herald.Schedule
	name := "On call: " + u.Name
	if schedule != "" {
		sch, err := s.app.Schedules.Schedule(r.Context(), schedule, from)
		if err != nil {
			return "", err
		}
		list, name = []*herald.Schedule{sch}, "On call: "+sch.Name
	} else {
		all, err := s.app.Schedules.Schedules(r.Context())
		if err != nil {
			return "", err
		}
		list = all
	}
	// Names are needed only on a schedule's feed, which shows everyone: a
	// person's own feed does not read every user on each fetch.
	var users map[string]herald.User
	if u.ID == "" {
		var err error
		if users, err = s.users(r); err != nil {
			return "", err
		}
	}
	var events []herald.CalendarEvent
	for _, sch := range list {
		shifts, err := sch.Shifts(from, to)
		if err != nil {
			return "", err
		}
		for _, sh := range shifts {
			if u.ID != "" && sh.UserID != u.ID {
				continue
			}
			summary := "On call: " + sch.Name
			if u.ID == "" {
				summary = "On call: " + users[sh.UserID].Name + " (" + sch.Name + ")"
			}
			if sh.Override {
				summary += ", override"
			}
			events = append(events, herald.CalendarEvent{
				UID:     fmt.Sprintf("%s-%s-%d@herald", sch.ID, sh.UserID, sh.Start.Unix()),
				Summary: summary, Start: sh.Start, End: sh.End, Stamp: sch.UpdatedAt,
			})
		}
	}
	slices.SortStableFunc(events, func(a, b herald.CalendarEvent) int { return a.Start.Compare(b.Start) })
	return calendarDoc(herald.Calendar(name, events)), nil
}

// calendarFeed says whether the user has a calendar feed.
func (s *Server) calendarFeed(r *http.Request, a herald.Actor, _ noBody) (herald.CalendarFeed, error) {
	u, err := s.selfOrAdminFor(r, a, "calendar feed")
	if err != nil {
		return herald.CalendarFeed{}, err
	}
	return s.app.People.CalendarFeed(r.Context(), u.ID)
}

// newCalendarFeed makes the user's calendar feed links, replacing the old.
func (s *Server) newCalendarFeed(r *http.Request, a herald.Actor, _ noBody) (herald.CalendarFeed, error) {
	u, err := s.selfOrAdminFor(r, a, "calendar feed")
	if err != nil {
		return herald.CalendarFeed{}, err
	}
	f, err := s.app.People.NewCalendarFeed(r.Context(), u.ID)
	if err != nil {
		return f, err
	}
	f.URL, f.SchedulesURL = s.cfg.Links.CalendarFeed(f.Token), s.cfg.Links.ScheduleFeeds(f.Token)
	return f, nil
}

// revokeCalendarFeed ends the user's calendar feed.
func (s *Server) revokeCalendarFeed(r *http.Request, a herald.Actor, _ noBody) (noBody, error) {
	u, err := s.selfOrAdminFor(r, a, "calendar feed")
	if err != nil {
		return noBody{}, err
	}
	return noBody{}, s.app.People.RevokeCalendarFeed(r.Context(), u.ID)
}
