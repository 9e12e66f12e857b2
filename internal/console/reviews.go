package console

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// The review screens (R54): the external review's approval and publication
// on the incident screen, and the follow-ups across incidents, overdue ones
// first.
func (c *Console) reviewsRoutes() []route {
	const inc = "/app/incidents/{ref}"
	return []route{
		{method: "GET", path: "/app/follow-ups", role: herald.RoleViewer, serve: c.followUps},
		{method: "POST", path: inc + "/reviews/external/approve", role: herald.RoleResponder, serve: c.incidentAction("review", c.approveReview)},
		{method: "POST", path: inc + "/reviews/external/publish", role: herald.RoleResponder, serve: c.incidentAction("review", c.publishReview)},
	}
}

// approveReview approves the draft the approver saw: the form carries its
// link, so a draft changed meanwhile is not approved unread.
func (c *Console) approveReview(r *http.Request, a herald.Actor, ref string) (string, error) {
	_, err := c.cfg.Services.Incidents.ApproveReview(r.Context(), a, ref, herald.ReviewApprovalInput{Link: r.PostForm.Get("link")})
	return "External review approved: it may now be published to customers.", err
}

func (c *Console) publishReview(r *http.Request, a herald.Actor, ref string) (string, error) {
	_, err := c.cfg.Services.Incidents.PublishReview(r.Context(), a, ref)
	return "External review published to customers.", err
}

// followUpsView is the follow-ups screen: one list, chosen by Show.
type followUpsView struct {
	// Show is "overdue" (the default), "open" or "mine" (open ones the
	// signed-in person owns).
	Show  string
	List  []herald.FollowUp
	Shows []followUpShow
}

type followUpShow struct{ Key, Label string }

func (c *Console) followUps(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v := followUpsView{Show: r.URL.Query().Get("show"), Shows: []followUpShow{{"overdue", "Overdue"}, {"open", "All open"}, {"mine", "Mine"}}}
	f := herald.FollowUpFilter{Open: true}
	switch v.Show {
	case "open":
	case "mine":
		f.Owner = a.User.ID
	default:
		v.Show, f.Overdue = "overdue", true
	}
	var err error
	if v.List, err = c.cfg.Services.Incidents.ListFollowUps(r.Context(), f); err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "followups", a, v)
	return nil
}
