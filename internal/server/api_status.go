package server

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// Components is the list of status page components.
type Components struct {
	Components []herald.Component `json:"components"`
}

// StatusIncidents is a list of status incidents.
type StatusIncidents struct {
	Incidents []*herald.StatusIncident `json:"incidents"`
}

// Maintenances is a list of maintenances.
type Maintenances struct {
	Maintenances []*herald.Maintenance `json:"maintenances"`
}

// PublishResult answers a publication: the incident as it now stands (or
// would stand, on a dry run), the checks its text passed, and the text.
type PublishResult struct {
	*herald.StatusIncident
	Checks []herald.Check `json:"checks"`
	Text   string         `json:"text"`
	DryRun bool           `json:"dry_run"`
	// Findings are the content guard's (R45), with their positions in
	// text: on a dry run they are shown instead of refusing, and on an
	// override they are what was published anyway.
	Findings []herald.GuardFinding `json:"findings"`
}

// HTTPStatus is 200 for a dry run, else the route's status.
func (p PublishResult) HTTPStatus(def int) int {
	if p.DryRun {
		return http.StatusOK
	}
	return def
}

// AltStatuses documents the status HTTPStatus may give instead.
func (PublishResult) AltStatuses() map[int]string {
	return map[int]string{http.StatusOK: "A dry run: the checks and the preview; nothing was published"}
}

// PostmortemInput links a post-mortem to a resolved status incident, or
// (without postmortem_url) corrects an open one's title and components
// (R22), published with the next update.
type PostmortemInput struct {
	PostmortemURL string    `json:"postmortem_url,omitempty"`
	Name          string    `json:"name,omitempty"`
	Components    *[]string `json:"components,omitempty"`
}

// Templates lists the status update templates.
type Templates struct {
	Templates map[string]string `json:"templates"`
}

func dryRun(r *http.Request) (bool, error) {
	v := r.URL.Query().Get("dry_run")
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, &herald.Error{Code: herald.EInvalid, Message: "dry_run must be true or false", Fields: map[string]string{"dry_run": "must be true or false"}}
	}
	return b, nil
}

func (s *Server) listComponents(r *http.Request, a herald.Actor, _ noBody) (Components, error) {
	cs, err := s.app.StatusPage.Components(r.Context())
	return Components{Components: cs}, err
}

// ComponentChanges is the record of changes to components.
type ComponentChanges struct {
	Changes []herald.ComponentLogEntry `json:"changes"`
}

func (s *Server) listComponentChanges(r *http.Request, a herald.Actor, _ noBody) (ComponentChanges, error) {
	list, err := s.app.StatusPage.ComponentChanges(r.Context(), 200)
	return ComponentChanges{Changes: list}, err
}

func (s *Server) createComponent(r *http.Request, a herald.Actor, in herald.ComponentInput) (herald.Component, error) {
	return s.app.StatusPage.CreateComponent(r.Context(), a, in)
}

func (s *Server) updateComponent(r *http.Request, a herald.Actor, in herald.ComponentInput) (herald.Component, error) {
	return s.app.StatusPage.UpdateComponent(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) deleteComponent(r *http.Request, a herald.Actor, _ noBody) (noBody, error) {
	return noBody{}, s.app.StatusPage.DeleteComponent(r.Context(), a, r.PathValue("id"))
}

func (s *Server) listStatusIncidents(r *http.Request, a herald.Actor, _ noBody) (StatusIncidents, error) {
	list, err := s.app.StatusPage.StatusIncidents(r.Context(), 100)
	return StatusIncidents{Incidents: list}, err
}

func (s *Server) getStatusIncident(r *http.Request, a herald.Actor, _ noBody) (*herald.StatusIncident, error) {
	return s.app.StatusPage.StatusIncident(r.Context(), r.PathValue("id"))
}

func publishResult(p herald.Preview, dry bool, err error) (PublishResult, error) {
	if err != nil {
		return PublishResult{}, err
	}
	fs := p.Findings
	if fs == nil {
		fs = []herald.GuardFinding{}
	}
	return PublishResult{StatusIncident: p.Incident, Checks: p.Checks, Text: p.Text, DryRun: dry, Findings: fs}, nil
}

// GuardCheckInput is a text for the content guard, checked as a public
// update is (the page's own links allowed).
type GuardCheckInput struct {
	Text string `json:"text" required:"true"`
}

// GuardCheckResult is what the content guard found in a text.
type GuardCheckResult struct {
	OK       bool                  `json:"ok"`
	Findings []herald.GuardFinding `json:"findings"`
}

// guardCheck runs the content guard (R45) with the organisation's
// patterns, for the composer to show findings while someone writes.
func (s *Server) guardCheck(r *http.Request, a herald.Actor, in GuardCheckInput) (GuardCheckResult, error) {
	if len(in.Text) > 20000 {
		return GuardCheckResult{}, &herald.Error{Code: herald.EInvalid, Message: "text is too long", Fields: map[string]string{"text": "must be at most 20000 bytes"}}
	}
	st, err := s.app.Settings.Settings(r.Context())
	if err != nil {
		return GuardCheckResult{}, err
	}
	fs := herald.Guard(in.Text, st.PublicGuard(s.cfg.Links.Base()))
	if fs == nil {
		fs = []herald.GuardFinding{}
	}
	return GuardCheckResult{OK: len(fs) == 0, Findings: fs}, nil
}

func (s *Server) createStatusIncident(r *http.Request, a herald.Actor, in herald.StatusIncidentInput) (PublishResult, error) {
	dry, err := dryRun(r)
	if err != nil {
		return PublishResult{}, err
	}
	p, err := s.app.StatusPage.CreateStatusIncident(r.Context(), a, in, dry)
	return publishResult(p, dry, err)
}

func (s *Server) publishUpdate(r *http.Request, a herald.Actor, in herald.StatusUpdateInput) (PublishResult, error) {
	dry, err := dryRun(r)
	if err != nil {
		return PublishResult{}, err
	}
	p, err := s.app.StatusPage.PublishUpdate(r.Context(), a, r.PathValue("id"), in, dry)
	return publishResult(p, dry, err)
}

func (s *Server) setPostmortem(r *http.Request, a herald.Actor, in PostmortemInput) (*herald.StatusIncident, error) {
	if in.Name != "" || in.Components != nil {
		if in.PostmortemURL != "" {
			return nil, &herald.Error{Code: herald.EInvalid, Message: "postmortem_url goes alone: it is added once resolved, while name and components change only while open (R22)",
				Fields: map[string]string{"postmortem_url": "send it without name and components"}}
		}
		return s.app.StatusPage.EditStatusIncident(r.Context(), a, r.PathValue("id"), herald.StatusIncidentEdit{Name: in.Name, Components: in.Components})
	}
	return s.app.StatusPage.SetPostmortem(r.Context(), a, r.PathValue("id"), in.PostmortemURL)
}

func (s *Server) listTemplates(r *http.Request, a herald.Actor, _ noBody) (Templates, error) {
	st, err := s.app.Settings.Settings(r.Context())
	return Templates{Templates: st.StatusTemplates}, err
}

func (s *Server) listMaintenances(r *http.Request, a herald.Actor, _ noBody) (Maintenances, error) {
	list, err := s.app.Maintenances.Maintenances(r.Context(), 100)
	return Maintenances{Maintenances: list}, err
}

func (s *Server) getMaintenance(r *http.Request, a herald.Actor, _ noBody) (*herald.Maintenance, error) {
	return s.app.Maintenances.Maintenance(r.Context(), r.PathValue("id"))
}

func (s *Server) createMaintenance(r *http.Request, a herald.Actor, in herald.MaintenanceInput) (*herald.Maintenance, error) {
	return s.app.Maintenances.CreateMaintenance(r.Context(), a, in)
}

func (s *Server) updateMaintenance(r *http.Request, a herald.Actor, in herald.MaintenanceInput) (*herald.Maintenance, error) {
	return s.app.Maintenances.UpdateMaintenance(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) postMaintenanceUpdate(r *http.Request, a herald.Actor, in herald.MaintenanceUpdateInput) (*herald.Maintenance, error) {
	return s.app.Maintenances.PostMaintenanceUpdate(r.Context(), a, r.PathValue("id"), in)
}
