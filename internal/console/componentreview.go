package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/heraldhq/herald"
)

// Reviewed changes to components (R21) on the components screen: with
// page.component_review required, its forms propose instead of changing,
// and the pending proposals are listed there with approve and reject for
// the other admins (the proposer sees theirs waiting, and may withdraw it
// by rejecting it with a reason).

const proposalsPath = componentsPath + "/proposals"

func (c *Console) componentReviewRoutes() []route {
	return []route{
		{method: "POST", path: proposalsPath + "/{id}/approve", role: herald.RoleAdmin, serve: c.approveComponentProposal},
		{method: "POST", path: proposalsPath + "/{id}/reject", role: herald.RoleAdmin, serve: c.rejectComponentProposal},
	}
}

// componentReview says whether component changes are reviewed, and lists
// the pending proposals.
func (c *Console) componentReview(ctx context.Context) (bool, []herald.ComponentProposal, error) {
	s, err := c.cfg.Services.Settings.Settings(ctx)
	if err != nil {
		return false, nil, err
	}
	list, err := c.cfg.Services.StatusPage.ComponentProposals(ctx, herald.ProposalPending)
	return s.Page.ReviewsComponents(), list, err
}

// proposeComponent proposes what a components form asked for (R21). An
// edit form sends every field: those equal to the component's proposes
// nothing, so the proposal reads as what changes.
func (c *Console) proposeComponent(w http.ResponseWriter, r *http.Request, a herald.Actor, rerr error, formID string, in herald.ComponentProposalInput, inputErr error) error {
	if rerr != nil {
		return rerr
	}
	err := inputErr
	if err == nil && in.Action == herald.ProposalUpdate {
		err = c.keepChanged(r.Context(), &in)
	}
	var p herald.ComponentProposal
	if err == nil {
		p, err = c.cfg.Services.StatusPage.ProposeComponentChange(r.Context(), a, in)
	}
	if err != nil {
		if f, status, ok := refused(r, formID, err); ok {
			fields := map[string]string{}
			for k, v := range f.Fields { // the form's fields are the change's
				fields[strings.TrimPrefix(k, "change.")] = v
			}
			f.Fields = fields
			if in.Action == herald.ProposalDelete {
				f.Error = "Not proposed: " + f.Error
			}
			return c.showComponents(w, r, a, status, f)
		}
		return err
	}
	redirect(w, r, componentsPath, "Proposed: "+p.Summary+". Another admin approves it before it changes the page (R21).")
	return nil
}

// keepChanged drops the fields of an update equal to the component's.
func (c *Console) keepChanged(ctx context.Context, in *herald.ComponentProposalInput) error {
	list, err := c.cfg.Services.StatusPage.Components(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, cp := range list {
		names[cp.ID] = cp.Name
	}
	for _, cp := range list {
		if cp.ID != in.Component {
			continue
		}
		ch := &in.Change
		if ch.Name != nil && *ch.Name == cp.Name {
			ch.Name = nil
		}
		if ch.Description != nil && *ch.Description == cp.Description {
			ch.Description = nil
		}
		if ch.Group != nil && *ch.Group == names[cp.GroupID] {
			ch.Group = nil
		}
		if ch.Position != nil && *ch.Position == cp.Position {
			ch.Position = nil
		}
	}
	return nil
}

func (c *Console) approveComponentProposal(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	p, err := c.cfg.Services.StatusPage.ApproveComponentProposal(r.Context(), a, id)
	if err != nil {
		if f, status, ok := refused(r, "proposal-"+id, err); ok {
			f.Error = "Not approved: " + f.Error
			return c.showComponents(w, r, a, status, f)
		}
		return err
	}
	redirect(w, r, componentsPath, "Approved and applied: "+p.Summary+".")
	return nil
}

func (c *Console) rejectComponentProposal(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	p, err := c.cfg.Services.StatusPage.RejectComponentProposal(r.Context(), a, id, herald.ProposalRejectInput{Reason: r.PostFormValue("reason")})
	if err != nil {
		if f, status, ok := refused(r, "proposal-"+id, err); ok {
			return c.showComponents(w, r, a, status, f)
		}
		return err
	}
	redirect(w, r, componentsPath, "Rejected: "+p.Summary+".")
	return nil
}
