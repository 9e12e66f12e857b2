package chatops

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
)

// StatusInput is a public update written in a platform's composer (the
// Slack modal): the state, the text and the component statuses chosen
// there.
type StatusInput struct {
	State      herald.State
	Text       string
	Components map[string]herald.ComponentStatus
}

// PublishStatus publishes an update written in a composer, as `status
// <text>` confirmed does: the responder role the API's route needs, then
// the API's own service call (the next update of the open status
// incident, or the first, which creates it), where R10's decision, the
// 220/280 checks and the content guard refuse with their fields.
func (e *Executor) PublishStatus(ctx context.Context, actor herald.Actor, ref string, in StatusInput) (herald.ChatReply, error) {
	if !actor.Role.Valid() || actor.User.ID == "" {
		return herald.ChatReply{}, herald.Errorf(herald.EUnauthenticated, "you are not signed in to Herald")
	}
	if !actor.Role.Allows(herald.RoleResponder) {
		return herald.ChatReply{}, herald.Errorf(herald.EForbidden, "publishing needs the responder role in Herald; %s is a %s", actor.User.Name, actor.Role)
	}
	inc, err := e.Services.Incidents.Incident(ctx, ref)
	if err != nil {
		return herald.ChatReply{}, err
	}
	up := herald.StatusUpdateInput{Status: in.State, Body: in.Text, Components: in.Components}
	var pv herald.Preview
	if inc.StatusIncidentID != "" {
		pv, err = e.Services.StatusPage.PublishUpdate(ctx, actor, inc.StatusIncidentID, up, false)
	} else {
		pv, err = e.Services.StatusPage.CreateStatusIncident(ctx, actor, herald.StatusIncidentInput{Name: inc.Title, IncidentID: inc.ID, StatusUpdateInput: up}, false)
	}
	if err != nil {
		return herald.ChatReply{}, err
	}
	r := herald.ChatReply{Text: fmt.Sprintf("%s published on the status page for %s:\n%s", actor.User.Name, inc.Reference, pv.Text), Incident: inc.Reference}
	if pv.Incident != nil {
		r.Link = e.Links.StatusIncident(pv.Incident.ID)
	}
	return r, nil
}

// NoMaterial publishes "no material updates" for an incident (the
// cadence reminder's button, herald.NoMaterialCommand), as the API does:
// the responder role, and R15's checks in the service.
func (e *Executor) NoMaterial(ctx context.Context, actor herald.Actor, ref string) (herald.ChatReply, error) {
	if !actor.Role.Allows(herald.RoleResponder) {
		return herald.ChatReply{}, herald.Errorf(herald.EForbidden, "publishing needs the responder role in Herald; %s is a %s", actor.User.Name, actor.Role)
	}
	pv, err := e.Services.StatusPage.NoMaterialUpdates(ctx, actor, ref, false)
	if err != nil {
		return herald.ChatReply{}, err
	}
	return herald.ChatReply{Text: actor.User.Name + " published on the status page for " + ref + ":\n" + pv.Text, Incident: ref}, nil
}
