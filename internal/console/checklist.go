package console

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/heraldhq/herald"
)

// The checklists (R08): on the incident screen each role's list by stage,
// with a button to check or uncheck an item by hand; and the settings
// screen where an admin edits the lists.
func (c *Console) checklistRoutes() []route {
	return []route{
		{method: "POST", path: "/app/incidents/{ref}/checklist", role: herald.RoleResponder, serve: c.incidentAction("checklist", c.checkItem)},
		{method: "GET", path: "/app/settings/checklists", role: herald.RoleAdmin, serve: c.checklistSettings},
		{method: "POST", path: "/app/settings/checklists", role: herald.RoleAdmin, serve: c.saveChecklists},
	}
}

// checkItem checks or unchecks one item by hand; an item Herald checks
// itself takes a note saying why it is done without Herald seeing it.
func (c *Console) checkItem(r *http.Request, a herald.Actor, ref string) (string, error) {
	f := r.PostForm
	on := f.Get("checked") != "false"
	_, err := c.cfg.Services.Incidents.CheckItem(r.Context(), a, ref, herald.CheckInput{Role: f.Get("role"), Item: f.Get("item"), Checked: &on, Note: f.Get("note")})
	if err != nil {
		return "", err
	}
	if on {
		return "Checked.", nil
	}
	return "Unchecked.", nil
}

// checklistsView is the settings screen of the checklists: each role's
// list as it is, and the whole document as JSON to edit.
type checklistsView struct {
	Settings herald.Settings
	// Roles are the incident roles in order, with their lists.
	Roles []checklistRole
	// JSON is the checklists document in the editor: the saved one, or
	// what was typed when it was refused.
	JSON  string
	Rules []string
	Error *herald.Error
}

type checklistRole struct {
	Key, Name string
	Stages    []herald.ChecklistStage
}

func (c *Console) checklistSettings(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	s, err := c.cfg.Services.Settings.Settings(r.Context())
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(s.Checklists, "", "  ")
	if err != nil {
		return err
	}
	c.renderChecklists(w, r, a, http.StatusOK, s, string(b), nil)
	return nil
}

func (c *Console) renderChecklists(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, s herald.Settings, doc string, he *herald.Error) {
	v := &checklistsView{Settings: s, JSON: doc, Rules: herald.ChecklistRules, Error: he}
	for _, rd := range s.IncidentRoles {
		v.Roles = append(v.Roles, checklistRole{Key: rd.Key, Name: rd.Name, Stages: s.Checklists[rd.Key]})
	}
	c.render(w, r, status, "checklists", a, v)
}

// saveChecklists replaces the checklists with the JSON typed in the
// editor, as PUT /api/v1/settings would; every other setting keeps its
// value. A refusal shows the editor again as typed, with each field that
// is wrong.
func (c *Console) saveChecklists(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	s, err := c.cfg.Services.Settings.Settings(ctx)
	if err != nil {
		return err
	}
	doc := r.PostForm.Get("checklists")
	var lists map[string][]herald.ChecklistStage
	if err := json.Unmarshal([]byte(doc), &lists); err != nil || lists == nil {
		msg := "must be a JSON object: role key -> list of stages"
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			msg = "is not valid JSON: " + se.Error()
		case errors.As(err, &te):
			msg = "has " + te.Value + " where " + te.Type.String() + " belongs (at " + te.Field + ")"
		}
		he := &herald.Error{Code: herald.EInvalid, Message: "checklists " + msg, Fields: map[string]string{"checklists": msg}}
		c.renderChecklists(w, r, a, http.StatusBadRequest, s, doc, he)
		return nil
	}
	s.Checklists = lists
	if _, err := c.cfg.Services.Settings.SaveSettings(ctx, s); err != nil {
		he, status, ok := refusal(err)
		if !ok {
			return err
		}
		c.renderChecklists(w, r, a, status, s, doc, he)
		return nil
	}
	c.log.Info("checklists saved", "by", a.User.ID)
	redirect(w, r, "/app/settings/checklists", "Checklists saved.")
	return nil
}
