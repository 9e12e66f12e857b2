package server

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
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

func (s *Server) withURL(inc *herald.Incident, err error) (*herald.Incident, error) {
	if inc != nil {
		inc.URL = s.cfg.Links.Incident(inc.Reference)
	}
	return inc, err
}

func (s *Server) declareIncident(r *http.Request, a herald.Actor, in herald.DeclareInput) (*herald.Incident, error) {
	return s.withURL(s.app.Incidents.DeclareIncident(r.Context(), a, in))
}

func (s *Server) listIncidents(r *http.Request, a herald.Actor, _ noBody) (IncidentList, error) {
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
		return IncidentList{}, err
	}
	list, err := s.app.Incidents.Incidents(r.Context(), f)
	if err != nil {
		return IncidentList{}, err
	}
	out := IncidentList{Incidents: list}
	for _, inc := range list {
		s.withURL(inc, nil)
	}
	if n := len(list); n > 0 && n == f.Limit && list[n-1].Number > 1 {
		next := list[n-1].Number
		out.NextBefore = &next
	}
	return out, nil
}

func (s *Server) getIncident(r *http.Request, a herald.Actor, _ noBody) (*herald.Incident, error) {
	return s.withURL(s.app.Incidents.Incident(r.Context(), r.PathValue("id")))
}

func (s *Server) updateIncident(r *http.Request, a herald.Actor, in herald.UpdateInput) (*herald.Incident, error) {
	inc, err := s.app.Incidents.UpdateIncident(r.Context(), a, r.PathValue("id"), in)
	if he, ok := err.(*herald.Error); ok {
		if cur, ok := he.Current.(*herald.Incident); ok {
			s.withURL(cur, nil)
		}
	}
	return s.withURL(inc, err)
}

func (s *Server) getTimeline(r *http.Request, a herald.Actor, _ noBody) (Timeline, error) {
	entries, err := s.app.Incidents.Timeline(r.Context(), r.PathValue("id"), r.URL.Query().Get("kind"))
	return Timeline{Entries: entries}, err
}

func (s *Server) addNote(r *http.Request, a herald.Actor, in herald.NoteInput) (herald.TimelineEntry, error) {
	return s.app.Incidents.AddNote(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) getDecisions(r *http.Request, a herald.Actor, _ noBody) (Timeline, error) {
	entries, err := s.app.Incidents.Timeline(r.Context(), r.PathValue("id"), herald.EntryDecision)
	return Timeline{Entries: entries}, err
}

func (s *Server) addDecision(r *http.Request, a herald.Actor, in herald.DecisionInput) (herald.TimelineEntry, error) {
	return s.app.Incidents.RecordDecision(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) assignRole(r *http.Request, a herald.Actor, in herald.RoleInput) (*herald.Incident, error) {
	return s.withURL(s.app.Incidents.AssignRole(r.Context(), a, r.PathValue("id"), r.PathValue("role"), in))
}

func (s *Server) unassignRole(r *http.Request, a herald.Actor, _ noBody) (*herald.Incident, error) {
	return s.withURL(s.app.Incidents.UnassignRole(r.Context(), a, r.PathValue("id"), r.PathValue("role")))
}

func (s *Server) label(r *http.Request, a herald.Actor, in herald.LabelInput) (*herald.Incident, error) {
	return s.withURL(s.app.Incidents.Label(r.Context(), a, r.PathValue("id"), in))
}

func (s *Server) listFollowUps(r *http.Request, a herald.Actor, _ noBody) (FollowUps, error) {
	list, err := s.app.Incidents.FollowUps(r.Context(), r.PathValue("id"))
	return FollowUps{FollowUps: list}, err
}

func (s *Server) addFollowUp(r *http.Request, a herald.Actor, in herald.FollowUpInput) (herald.FollowUp, error) {
	return s.app.Incidents.AddFollowUp(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) updateFollowUp(r *http.Request, a herald.Actor, in herald.FollowUpInput) (herald.FollowUp, error) {
	return s.app.Incidents.UpdateFollowUp(r.Context(), a, r.PathValue("id"), r.PathValue("followup"), in)
}

func (s *Server) listReviews(r *http.Request, a herald.Actor, _ noBody) (Reviews, error) {
	list, err := s.app.Incidents.Reviews(r.Context(), r.PathValue("id"))
	return Reviews{Reviews: list}, err
}

func (s *Server) review(r *http.Request, a herald.Actor, in herald.ReviewInput) (herald.Review, error) {
	return s.app.Incidents.Review(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) getMeasures(r *http.Request, a herald.Actor, _ noBody) (herald.Measures, error) {
	return s.app.Incidents.Measures(r.Context(), r.PathValue("id"))
}

func (s *Server) exportMarkdown(r *http.Request, a herald.Actor, _ noBody) (markdownDoc, error) {
	rec, err := s.app.Incidents.Export(r.Context(), r.PathValue("id"))
	if err != nil {
		return "", err
	}
	return markdownDoc(rec.Markdown()), nil
}
