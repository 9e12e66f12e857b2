package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/heraldhq/herald"
)

// Teams: who belongs to which team, and the schedules, policies and
// services each owns. A small screen beside People: teams are mostly
// written by configuration as code (herald apply), and here an admin can
// add one or change its members by hand.
func (c *Console) teamsRoutes() []route {
	admin := herald.RoleAdmin
	return []route{
		{method: "GET", path: "/app/teams", role: admin, serve: c.teams},
		{method: "POST", path: "/app/teams", role: admin, serve: c.createTeam},
		{method: "POST", path: "/app/teams/{id}/members", role: admin, serve: c.setTeamMembers},
		{method: "POST", path: "/app/teams/{id}/delete", role: admin, serve: c.deleteTeam},
	}
}

type teamsView struct {
	Teams []herald.Team
	// Form names the refused form ("create" or a team's id), with its
	// input and error.
	Form  string
	Input url.Values
	Error *herald.Error
}

func (c *Console) teams(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderTeams(w, r, a, http.StatusOK, teamsView{})
}

func (c *Console) renderTeams(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, v teamsView) error {
	list, err := c.cfg.Services.Teams.Teams(r.Context())
	if err != nil {
		return err
	}
	v.Teams = list
	if v.Input == nil {
		v.Input = url.Values{}
	}
	c.render(w, r, status, "teams", a, v)
	return nil
}

// members reads the members field: e-mail addresses separated by commas,
// spaces or lines.
func members(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

func (c *Console) createTeam(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	t, err := c.cfg.Services.Teams.CreateTeam(r.Context(), herald.TeamInput{Name: r.PostForm.Get("name"), Members: members(r.PostForm.Get("members"))})
	if err != nil {
		if herr, status, ok := refusal(err); ok {
			return c.renderTeams(w, r, a, status, teamsView{Form: "create", Input: r.PostForm, Error: herr})
		}
		return err
	}
	c.log.Info("team created", "team", t.ID, "by", a.User.ID)
	redirect(w, r, "/app/teams", "Team "+t.Name+" was added.")
	return nil
}

func (c *Console) setTeamMembers(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	t, err := c.cfg.Services.Teams.Team(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := c.cfg.Services.Teams.UpdateTeam(ctx, t.ID, herald.TeamInput{Name: t.Name, Members: members(r.PostForm.Get("members"))}); err != nil {
		if herr, status, ok := refusal(err); ok {
			return c.renderTeams(w, r, a, status, teamsView{Form: t.ID, Input: r.PostForm, Error: herr})
		}
		return err
	}
	redirect(w, r, "/app/teams", "The members of "+t.Name+" were saved.")
	return nil
}

func (c *Console) deleteTeam(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	t, err := c.cfg.Services.Teams.Team(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := c.cfg.Services.Teams.DeleteTeam(ctx, t.ID); err != nil {
		return err
	}
	c.log.Info("team deleted", "team", t.ID, "by", a.User.ID)
	redirect(w, r, "/app/teams", "Team "+t.Name+" was removed.")
	return nil
}
