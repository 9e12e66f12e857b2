package console

import (
	"context"
	"errors"
	"net/http"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/httperr"
	"github.com/heraldhq/herald/internal/links"
)

// The cadence screens: the one action an update reminder links to. "No
// material updates" (R15) shows the filled template and one Publish
// button; "internal update" is a text box whose content goes to the
// stakeholder channels. Both are plain forms that answer 303 back to the
// incident, and show the refusal beside the form with the input kept.
func (c *Console) cadenceRoutes() []route {
	return []route{
		{method: "GET", path: links.NoMaterialUpdates, role: herald.RoleViewer, serve: c.noMaterialForm},
		{method: "POST", path: links.NoMaterialUpdates, role: herald.RoleResponder, serve: c.noMaterialPublish},
		{method: "GET", path: links.InternalUpdate, role: herald.RoleViewer, serve: c.internalForm},
		{method: "POST", path: links.InternalUpdate, role: herald.RoleResponder, serve: c.internalSend},
	}
}

// cadenceView is either screen: the incident, and for R15 the text that
// would be published with its checks, for the internal update the
// updates sent so far and the person's input.
type cadenceView struct {
	Incident *herald.Incident
	// Preview is what "no material updates" would publish; nil when
	// nothing can be (NoStatus says why).
	Preview  *herald.Preview
	NoStatus bool
	Failed   []herald.Check
	// Updates are the stakeholder notices and internal updates sent;
	// Channels counts the stakeholder channels.
	Updates  []herald.InternalUpdate
	Channels int
	Body     string
	Problem  *herald.Error
}

// incidentRef is the path's {id}: the route table uses the links'
// patterns, whose one value is named id.
func incidentRef(r *http.Request) string { return r.PathValue("id") }

func (c *Console) noMaterialForm(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v, err := c.loadNoMaterial(r.Context(), a, incidentRef(r))
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "nomaterial", a, v)
	return nil
}

// loadNoMaterial previews the update: a dry run through the same path
// the Publish button takes, so what is shown is what goes out.
func (c *Console) loadNoMaterial(ctx context.Context, a herald.Actor, ref string) (*cadenceView, error) {
	inc, err := c.cfg.Services.Incidents.Incident(ctx, ref)
	if err != nil {
		return nil, err
	}
	v := &cadenceView{Incident: inc}
	p, err := c.cfg.Services.StatusPage.NoMaterialUpdates(ctx, a, inc.Reference, true)
	var he *herald.Error
	switch {
	case err == nil:
		v.Preview = &p
	case inc.StatusIncidentID == "" && herald.ErrorCode(err) == herald.EUnprocessable:
		v.NoStatus = true
	case errors.As(err, &he) && (he.Code == herald.EUnprocessable || he.Code == herald.EInvalid):
		// The template fails its checks (a long title) or is missing:
		// show why, and point to the full form.
		v.Preview, v.Problem = &p, he
		for _, ch := range p.Checks {
			if !ch.OK {
				v.Failed = append(v.Failed, ch)
			}
		}
	default:
		return nil, err
	}
	return v, nil
}

func (c *Console) noMaterialPublish(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	inc, err := c.cfg.Services.Incidents.Incident(ctx, incidentRef(r))
	if err != nil {
		return err
	}
	p, err := c.cfg.Services.StatusPage.NoMaterialUpdates(ctx, a, inc.Reference, false)
	if err == nil {
		msg := `Published "no material updates"`
		if p.Incident != nil && p.Incident.NextUpdateDue != nil {
			msg += "; next update due " + p.Incident.NextUpdateDue.UTC().Format("15:04") + " UTC"
		}
		redirect(w, r, incidentPath(inc.Reference), msg)
		return nil
	}
	var he *herald.Error
	if !errors.As(err, &he) || (he.Code != herald.EUnprocessable && he.Code != herald.EInvalid) {
		return err
	}
	v, lerr := c.loadNoMaterial(ctx, a, inc.Reference)
	if lerr != nil {
		return lerr
	}
	v.Problem = he
	_, status, _ := httperr.Of(he)
	c.render(w, r, status, "nomaterial", a, v)
	return nil
}

func (c *Console) internalForm(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v, err := c.loadInternal(r.Context(), incidentRef(r))
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "internalupdate", a, v)
	return nil
}

func (c *Console) loadInternal(ctx context.Context, ref string) (*cadenceView, error) {
	s := c.cfg.Services
	inc, err := s.Incidents.Incident(ctx, ref)
	if err != nil {
		return nil, err
	}
	v := &cadenceView{Incident: inc}
	if v.Updates, err = s.Subscribers.InternalUpdates(ctx, inc.Reference); err != nil {
		return nil, err
	}
	channels, err := s.Subscribers.StakeholderChannels(ctx)
	if err != nil {
		return nil, err
	}
	v.Channels = len(channels)
	return v, nil
}

func (c *Console) internalSend(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	inc, err := c.cfg.Services.Incidents.Incident(ctx, incidentRef(r))
	if err != nil {
		return err
	}
	body := r.PostForm.Get("body")
	_, err = c.cfg.Services.Subscribers.SendInternalUpdate(ctx, a, inc.Reference, herald.InternalUpdateInput{Body: body})
	if err == nil {
		redirect(w, r, incidentPath(inc.Reference), "Internal update sent to the stakeholder channels")
		return nil
	}
	var he *herald.Error
	if !errors.As(err, &he) || (he.Code != herald.EUnprocessable && he.Code != herald.EInvalid) {
		return err
	}
	v, lerr := c.loadInternal(ctx, inc.Reference)
	if lerr != nil {
		return lerr
	}
	v.Body, v.Problem = body, he
	_, status, _ := httperr.Of(he)
	c.render(w, r, status, "internalupdate", a, v)
	return nil
}
