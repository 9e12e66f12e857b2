package server

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// IncidentList is a page of incidents.
type IncidentList struct {
	Incidents []*herald.Incident `json:"incidents"`
	// NextBefore is the before= of the next page, or null on the last page.
	NextBefore *int64 `json:"next_before"`
}

// Timeline is a list of timeline entries.
type Timeline struct {
	Entries []herald.TimelineEntry `json:"entries"`
}

// FollowUps is a list of follow-ups.
type FollowUps struct {
	FollowUps []herald.FollowUp `json:"follow_ups"`
}

// Reviews is a list of reviews.
type Reviews struct {
	Reviews []herald.Review `json:"reviews"`
}

// markdown documents a text/markdown answer.
type markdown struct{}

func (s *Server) withURL(inc *herald.Incident) *herald.Incident {
	inc.URL = s.cfg.BaseURL + "/api/v1/incidents/" + inc.Reference
	return inc
}

func (s *Server) declareIncident(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	var in herald.DeclareInput
	if err := decode(r, &in); err != nil {
		return err
	}
	inc, err := s.store.DeclareIncident(r.Context(), a, in)
	if err != nil {
		return err
	}
	s.withURL(inc)
	w.Header().Set("Location", inc.URL)
	writeJSON(w, http.StatusCreated, inc)
	return nil
}

func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	q := r.URL.Query()
	f := herald.ListFilter{State: herald.State(q.Get("state")), Severity: herald.Severity(q.Get("severity"))}
	fe := herald.FieldErrors{}
	intParam := func(name string) int64 {
		v := q.Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			fe.Add(name, "must be a whole number")
		}
		return n
	}
	f.Before = intParam("before")
	f.Limit = int(intParam("limit"))
	if v := q.Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fe.Add("active", "must be true or false")
		}
		f.Active = &b
	}
	if err := fe.Err(); err != nil {
		return err
	}
	list, err := s.store.Incidents(r.Context(), f)
	if err != nil {
		return err
	}
	out := IncidentList{Incidents: list}
	for _, inc := range list {
		s.withURL(inc)
	}
	if n := len(list); n > 0 && n == f.Limit && list[n-1].Number > 1 {
		next := list[n-1].Number
		out.NextBefore = &next
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	inc, err := s.store.Incident(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.withURL(inc))
	return nil
}

func (s *Server) updateIncident(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	var in herald.UpdateInput
	if err := decode(r, &in); err != nil {
		return err
	}
	inc, err := s.store.UpdateIncident(r.Context(), a, r.PathValue("id"), in)
	if he, ok := err.(*herald.Error); ok && he.Current != nil {
		if cur, ok := he.Current.(*herald.Incident); ok {
			s.withURL(cur)
		}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.withURL(inc))
	return nil
}

func (s *Server) getTimeline(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	entries, err := s.store.Timeline(r.Context(), r.PathValue("id"), r.URL.Query().Get("kind"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Timeline{Entries: entries})
	return nil
}

func (s *Server) addNote(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	var in herald.NoteInput
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := s.store.AddNote(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) getDecisions(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	entries, err := s.store.Timeline(r.Context(), r.PathValue("id"), herald.EntryDecision)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Timeline{Entries: entries})
	return nil
}

func (s *Server) addDecision(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	var in herald.DecisionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := s.store.RecordDecision(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) assignRole(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	var in herald.RoleInput
	if err := decode(r, &in); err != nil {
		return err
	}
	inc, err := s.store.AssignRole(r.Context(), a, r.PathValue("id"), r.PathValue("role"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.withURL(inc))
	return nil
}

func (s *Server) unassignRole(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	inc, err := s.store.UnassignRole(r.Context(), a, r.PathValue("id"), r.PathValue("role"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.withURL(inc))
	return nil
}

func (s *Server) label(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	var in store.LabelInput
	if err := decode(r, &in); err != nil {
		return err
	}
	inc, err := s.store.Label(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.withURL(inc))
	return nil
}

func (s *Server) listFollowUps(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	list, err := s.store.FollowUps(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, FollowUps{FollowUps: list})
	return nil
}

func (s *Server) addFollowUp(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	var in herald.FollowUpInput
	if err := decode(r, &in); err != nil {
		return err
	}
	f, err := s.store.AddFollowUp(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

func (s *Server) updateFollowUp(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	var in herald.FollowUpInput
	if err := decode(r, &in); err != nil {
		return err
	}
	f, err := s.store.UpdateFollowUp(r.Context(), a, r.PathValue("id"), r.PathValue("followup"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) listReviews(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	list, err := s.store.Reviews(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Reviews{Reviews: list})
	return nil
}

func (s *Server) review(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	var in herald.ReviewInput
	if err := decode(r, &in); err != nil {
		return err
	}
	rv, err := s.store.Review(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rv)
	return nil
}

func (s *Server) exportMarkdown(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	rec, err := s.store.Export(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="`+rec.Incident.Reference+`.md"`)
	w.Write([]byte(rec.Markdown()))
	return nil
}
