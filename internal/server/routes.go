package server

import (
	"net/http"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// route is one JSON API endpoint. The table below is the single source of
// the API surface: the mux is built from it, and so is the OpenAPI document,
// so a route cannot exist without being described.
type route struct {
	method, path string
	role         herald.APIRole // the least role that may call it; "" for public
	summary      string
	in           any     // the request body's type, for the documentation
	out          any     // the success body's type; nil for none
	status       int     // the success status
	query        []param // query parameters
	handle       func(http.ResponseWriter, *http.Request, herald.Actor) error
}

type param struct{ name, desc string }

func (s *Server) apiRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/me", role: herald.RoleViewer, summary: "Who the token belongs to and its role",
			out: Me{}, status: 200, handle: s.getMe},

		{method: "POST", path: "/api/v1/incidents", role: herald.RoleResponder, summary: "Declare an incident",
			in: herald.DeclareInput{}, out: herald.Incident{}, status: 201, handle: s.declareIncident},
		{method: "GET", path: "/api/v1/incidents", role: herald.RoleViewer, summary: "List incidents, newest first",
			out: IncidentList{}, status: 200, handle: s.listIncidents, query: []param{
				{"state", "investigating, identified, monitoring or resolved"}, {"active", "true for unresolved incidents, false for resolved"},
				{"severity", "S1 to S4"}, {"before", "only incidents numbered below this (the next_before of the previous page)"}, {"limit", "1 to 200, default 50"}}},
		{method: "GET", path: "/api/v1/incidents/{id}", role: herald.RoleViewer, summary: "One incident, by id, number or reference (INC-42)",
			out: herald.Incident{}, status: 200, handle: s.getIncident},
		{method: "PATCH", path: "/api/v1/incidents/{id}", role: herald.RoleResponder, summary: "Change an incident's fields or state; send the version you read",
			in: herald.UpdateInput{}, out: herald.Incident{}, status: 200, handle: s.updateIncident},
		{method: "GET", path: "/api/v1/incidents/{id}/timeline", role: herald.RoleViewer, summary: "The incident's timeline, oldest first",
			out: Timeline{}, status: 200, handle: s.getTimeline, query: []param{{"kind", "only entries of this kind (note, decision, state_change, ...)"}}},
		{method: "POST", path: "/api/v1/incidents/{id}/timeline", role: herald.RoleResponder, summary: "Add a note to the timeline",
			in: herald.NoteInput{}, out: herald.TimelineEntry{}, status: 201, handle: s.addNote},
		{method: "GET", path: "/api/v1/incidents/{id}/decisions", role: herald.RoleViewer, summary: "The decision log",
			out: Timeline{}, status: 200, handle: s.getDecisions},
		{method: "POST", path: "/api/v1/incidents/{id}/decisions", role: herald.RoleResponder, summary: "Record a decision with its rationale",
			in: herald.DecisionInput{}, out: herald.TimelineEntry{}, status: 201, handle: s.addDecision},
		{method: "PUT", path: "/api/v1/incidents/{id}/roles/{role}", role: herald.RoleResponder, summary: "Assign or hand over an incident role",
			in: herald.RoleInput{}, out: herald.Incident{}, status: 200, handle: s.assignRole},
		{method: "DELETE", path: "/api/v1/incidents/{id}/roles/{role}", role: herald.RoleResponder, summary: "Leave an incident role empty",
			out: herald.Incident{}, status: 200, handle: s.unassignRole},
		{method: "POST", path: "/api/v1/incidents/{id}/labels", role: herald.RoleResponder, summary: "Add and remove labels; a scoped label replaces its scope",
			in: store.LabelInput{}, out: herald.Incident{}, status: 200, handle: s.label},
		{method: "GET", path: "/api/v1/incidents/{id}/follow-ups", role: herald.RoleViewer, summary: "The incident's follow-ups",
			out: FollowUps{}, status: 200, handle: s.listFollowUps},
		{method: "POST", path: "/api/v1/incidents/{id}/follow-ups", role: herald.RoleResponder, summary: "Add a follow-up (corrective action)",
			in: herald.FollowUpInput{}, out: herald.FollowUp{}, status: 201, handle: s.addFollowUp},
		{method: "PATCH", path: "/api/v1/incidents/{id}/follow-ups/{followup}", role: herald.RoleResponder, summary: "Change a follow-up, for example mark it done",
			in: herald.FollowUpInput{}, out: herald.FollowUp{}, status: 200, handle: s.updateFollowUp},
		{method: "GET", path: "/api/v1/incidents/{id}/reviews", role: herald.RoleViewer, summary: "Post-incident reviews and when they are due",
			out: Reviews{}, status: 200, handle: s.listReviews},
		{method: "POST", path: "/api/v1/incidents/{id}/reviews", role: herald.RoleResponder, summary: "Request a review, or record it as completed",
			in: herald.ReviewInput{}, out: herald.Review{}, status: 200, handle: s.review},
		{method: "GET", path: "/api/v1/incidents/{id}/export.md", role: herald.RoleViewer, summary: "The incident and its timeline as Markdown, the draft of a review",
			out: markdown{}, status: 200, handle: s.exportMarkdown},

		{method: "GET", path: "/api/v1/users", role: herald.RoleViewer, summary: "List users",
			out: Users{}, status: 200, handle: s.listUsers},
		{method: "POST", path: "/api/v1/users", role: herald.RoleAdmin, summary: "Add a user",
			in: herald.UserInput{}, out: herald.User{}, status: 201, handle: s.createUser},
		{method: "GET", path: "/api/v1/tokens", role: herald.RoleAdmin, summary: "List active API tokens (never their secrets)",
			out: Tokens{}, status: 200, handle: s.listTokens},
		{method: "POST", path: "/api/v1/tokens", role: herald.RoleAdmin, summary: "Create an API token; the secret is in this answer only",
			in: herald.TokenInput{}, out: herald.Token{}, status: 201, handle: s.createToken},
		{method: "DELETE", path: "/api/v1/tokens/{token}", role: herald.RoleAdmin, summary: "Revoke an API token",
			status: 204, handle: s.revokeToken},
		{method: "GET", path: "/api/v1/settings", role: herald.RoleViewer, summary: "The organisation's settings",
			out: herald.Settings{}, status: 200, handle: s.getSettings},
		{method: "PUT", path: "/api/v1/settings", role: herald.RoleAdmin, summary: "Replace the organisation's settings",
			in: herald.Settings{}, out: herald.Settings{}, status: 200, handle: s.putSettings},
	}
}
