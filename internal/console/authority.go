package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Who may do what, on the incident and people screens: the status page
// drafts that wait for the decision (R10) with Approve for whoever may
// take it, the lead's all-clear (R17), decisions that wait for a second
// person with Approve or Concur for whoever may give it (R51, R55, R56),
// and people's dated qualifications for admins (R56).
func (c *Console) authorityRoutes() []route {
	const inc = "/app/incidents/{ref}"
	return []route{
		{method: "POST", path: inc + "/decisions/{id}/approve", role: herald.RoleResponder, serve: c.incidentAction("approve", c.approveDecision)},
		{method: "POST", path: inc + "/all-clear", role: herald.RoleResponder, serve: c.incidentAction("all-clear", c.allClear)},
		{method: "POST", path: inc + "/status-drafts/{id}/approve", role: herald.RoleResponder, serve: c.incidentAction("draft", c.approveDraft)},
		{method: "POST", path: inc + "/status-drafts/{id}/discard", role: herald.RoleResponder, serve: c.incidentAction("draft", c.discardDraft)},
		{method: "POST", path: "/app/people/{id}/qualifications", role: herald.RoleAdmin, serve: c.setQualification},
		{method: "POST", path: "/app/people/{id}/qualifications/{name}/remove", role: herald.RoleAdmin, serve: c.removeQualification},
	}
}

// authorityView is the incident screen's part about who may do what. Its
// methods take the signed-in person, so each button shows only to whoever
// may use it.
type authorityView struct {
	ctx      context.Context
	svc      herald.Services
	inc      *herald.Incident
	settings herald.Settings
	now      time.Time
	quals    map[string][]herald.Qualification

	// Drafts are the status page drafts waiting for the decision.
	Drafts []herald.StatusDraft
	// Pending are the decisions waiting for a second person.
	Pending []herald.DecisionStatus
	// StatusOpen: a linked status incident is open, so the all-clear
	// (R17) is what resolving it waits for.
	StatusOpen bool
	// AllClear is the latest all-clear, if any.
	AllClear *herald.DecisionStatus
}

func (c *Console) loadAuthority(ctx context.Context, inc *herald.Incident, settings herald.Settings, status *herald.StatusIncident) (*authorityView, error) {
	v := &authorityView{ctx: ctx, svc: c.cfg.Services, inc: inc, settings: settings, now: c.cfg.Clock.Now(), quals: map[string][]herald.Qualification{}}
	var err error
	if v.Drafts, err = c.cfg.Services.StatusPage.StatusDrafts(ctx, inc.ID); err != nil {
		return nil, err
	}
	pending := v.Drafts[:0:0]
	for _, d := range v.Drafts {
		if d.State == herald.DraftPending {
			pending = append(pending, d)
		}
	}
	v.Drafts = pending
	decs, err := c.cfg.Services.Incidents.Decisions(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	for i, d := range decs {
		if !d.Complete {
			v.Pending = append(v.Pending, d)
		}
		if d.Decision.Kind == herald.DecisionAllClear {
			v.AllClear = &decs[i]
		}
	}
	v.StatusOpen = status != nil && status.Status != herald.Resolved
	return v, nil
}

func (v *authorityView) qualsOf(a herald.Actor) []herald.Qualification {
	q, ok := v.quals[a.User.ID]
	if !ok {
		q, _ = v.svc.People.Qualifications(v.ctx, a.User.ID)
		v.quals[a.User.ID] = q
	}
	return q
}

// MayDecide reports whether a may take a decision of kind on the incident.
func (v *authorityView) MayDecide(a herald.Actor, kind string) bool {
	if !a.Role.Allows(herald.RoleResponder) {
		return false
	}
	return v.settings.CheckDecider(kind, v.inc, &a.User, v.qualsOf(a), v.now) == nil
}

// MayApprove reports whether a may approve (or concur with) d.
func (v *authorityView) MayApprove(a herald.Actor, d herald.DecisionStatus) bool {
	if !a.Role.Allows(herald.RoleResponder) {
		return false
	}
	return v.settings.CheckApproval(d.Decision, v.inc, &a.User, v.qualsOf(a), v.now) == nil
}

// MayDiscard reports whether a may discard d: its author, or whoever may
// approve it.
func (v *authorityView) MayDiscard(a herald.Actor, d herald.StatusDraft) bool {
	return a.Role.Allows(herald.RoleResponder) && (d.DraftedBy == a.User.ID || v.MayDecide(a, herald.DecisionStatusPage))
}

// Verb is what the button completing d says.
func (v *authorityView) Verb(d herald.DecisionStatus) string {
	if strings.HasPrefix(d.Decision.Awaits, "the concurrence") {
		return "Concur"
	}
	return "Approve"
}

func (c *Console) approveDecision(r *http.Request, a herald.Actor, ref string) (string, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return "", herald.Errorf(herald.ENotFound, "no decision %q", r.PathValue("id"))
	}
	st, err := c.cfg.Services.Incidents.ApproveDecision(r.Context(), a, ref, id, herald.ApprovalInput{Comment: r.PostForm.Get("comment")})
	if err != nil {
		return "", err
	}
	return "Recorded: the decision “" + st.Decision.What + "” is complete.", nil
}

func (c *Console) allClear(r *http.Request, a herald.Actor, ref string) (string, error) {
	_, err := c.cfg.Services.Incidents.RecordDecision(r.Context(), a, ref, herald.DecisionInput{Kind: herald.DecisionAllClear,
		What: "All clear", Rationale: r.PostForm.Get("rationale")})
	return "All-clear recorded: the status page incident may be resolved.", err
}

func (c *Console) approveDraft(r *http.Request, a herald.Actor, ref string) (string, error) {
	p, err := c.cfg.Services.StatusPage.ApproveStatusDraft(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return "", err
	}
	return "Draft approved and published on the status page: " + p.Incident.Name + ".", nil
}

func (c *Console) discardDraft(r *http.Request, a herald.Actor, ref string) (string, error) {
	d, err := c.cfg.Services.StatusPage.DiscardStatusDraft(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return "", err
	}
	return "Draft discarded: " + d.Name + ".", nil
}

// statusDraft saves the composer's new status incident as a draft for
// whoever decides on the status page (R10), and goes to its incident.
func (c *Console) statusDraft(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	f, upd, err := readCompose(r)
	if err == nil {
		in := herald.StatusIncidentInput{Name: f.Name, IncidentID: f.IncidentRef, Impact: herald.Impact(f.Impact), StatusUpdateInput: upd}
		if in.Impact == "auto" {
			in.Impact = ""
		}
		var d herald.StatusDraft
		if d, err = c.cfg.Services.StatusPage.DraftStatusIncident(r.Context(), a, in); err == nil {
			redirect(w, r, incidentPath(d.Reference), "Draft saved: it waits for the decision on the status page (R10).")
			return nil
		}
	}
	v, verr := c.composeView(r.Context(), nil, f, r.PostForm)
	if verr != nil {
		return verr
	}
	if f.IncidentRef != "" {
		v.Linked, _ = c.cfg.Services.Incidents.Incident(r.Context(), f.IncidentRef)
	}
	return c.composed(w, r, a, v, upd, herald.Preview{}, err)
}

func (c *Console) setQualification(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref, base, _ := target(r, a)
	name := r.PostForm.Get("name")
	q, err := c.cfg.Services.People.SetQualification(r.Context(), a, ref, name, herald.QualificationInput{Since: r.PostForm.Get("since")})
	if err != nil {
		return c.formFail(w, r, a, "qualification", err)
	}
	redirect(w, r, base, "Qualification recorded: "+q.Name+" since "+q.Since+".")
	return nil
}

func (c *Console) removeQualification(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref, base, _ := target(r, a)
	name := r.PathValue("name")
	if err := c.cfg.Services.People.RemoveQualification(r.Context(), a, ref, name); err != nil {
		return c.formFail(w, r, a, "qualification", err)
	}
	redirect(w, r, base, "Qualification removed: "+name+".")
	return nil
}
