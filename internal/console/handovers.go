package console

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// The handover screens (R60): the list of the handovers the person may
// read (their rotations', every one for admins), one handover with the
// outgoing person's edit and submit form and the incoming person's
// acknowledgement, and the live handover of an incident role.
func (c *Console) handoversRoutes() []route {
	return []route{
		{method: "GET", path: "/app/handovers", role: herald.RoleViewer, serve: c.handovers},
		{method: "POST", path: "/app/handovers", role: herald.RoleResponder, serve: c.startHandover},
		{method: "GET", path: "/app/handovers/{id}", role: herald.RoleViewer, serve: c.handover},
		{method: "POST", path: "/app/handovers/{id}/save", role: herald.RoleResponder, serve: c.editHandover(false)},
		{method: "POST", path: "/app/handovers/{id}/submit", role: herald.RoleResponder, serve: c.editHandover(true)},
		{method: "POST", path: "/app/handovers/{id}/ack", role: herald.RoleResponder, serve: c.ackHandover},
		{method: "GET", path: "/app/incidents/{ref}/roles/{role}/handover", role: herald.RoleViewer, serve: c.roleHandover},
		{method: "POST", path: "/app/incidents/{ref}/roles/{role}/handover", role: herald.RoleResponder, serve: c.doRoleHandover},
	}
}

type handoversView struct {
	// Show is "mine" (the default), "open" (not acknowledged) or "all".
	Show      string
	Shows     []followUpShow
	List      []herald.Handover
	Rotations []herald.HandoverRotation
	Input     url.Values
	Error     *herald.Error
}

func (c *Console) handovers(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderHandovers(w, r, a, http.StatusOK, nil, nil)
}

func (c *Console) renderHandovers(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, in url.Values, herr *herald.Error) error {
	v := handoversView{Show: r.URL.Query().Get("show"), Input: in, Error: herr,
		Shows: []followUpShow{{"mine", "Mine"}, {"open", "Not acknowledged"}, {"all", "All"}}}
	if v.Input == nil {
		v.Input = url.Values{}
	}
	s := c.cfg.Services.Handovers
	f := herald.HandoverFilter{Limit: 200}
	switch v.Show {
	case "open", "all":
	default:
		v.Show, f.Mine = "mine", true
	}
	list, err := s.Handovers(r.Context(), a, f)
	if err != nil {
		return err
	}
	for _, h := range list {
		if v.Show != "open" || h.Status != herald.HandoverAcknowledged {
			v.List = append(v.List, h)
		}
	}
	if v.Rotations, err = s.HandoverRotations(r.Context()); err != nil {
		return err
	}
	c.render(w, r, status, "handovers", a, v)
	return nil
}

func (c *Console) startHandover(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	h, err := c.cfg.Services.Handovers.StartHandover(r.Context(), a, herald.HandoverStart{Schedule: r.PostFormValue("schedule")})
	if err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		return c.renderHandovers(w, r, a, status, r.PostForm, herr)
	}
	redirect(w, r, "/app/handovers/"+url.PathEscape(h.ID), "Draft started; submit it once your shift has ended.")
	return nil
}

// handoverItemView is an item with its form key (section|ref).
type handoverItemView struct {
	herald.HandoverItem
	Key string
}

type handoverSectionView struct {
	herald.HandoverSection
	Items []handoverItemView
	// Edit shows the item forms; Now is for "due in".
	Edit bool
	Now  time.Time
}

type handoverView struct {
	Handover herald.Handover
	Note     string
	Sections []handoverSectionView
	// Outgoing: the signed-in person edits and submits; Incoming: they
	// acknowledge.
	Outgoing, Incoming bool
	Error              *herald.Error
}

func (c *Console) handover(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderHandover(w, r, a, http.StatusOK, nil, nil)
}

// renderHandover shows a handover; with in (a refused form), what was
// typed replaces what is stored.
func (c *Console) renderHandover(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, in url.Values, herr *herald.Error) error {
	h, err := c.cfg.Services.Handovers.Handover(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := handoverView{Handover: h, Note: h.Note, Error: herr,
		Outgoing: h.Status == herald.HandoverDraft && a.User.ID == h.UserID,
		Incoming: h.Status == herald.HandoverSubmitted && a.User.ID != h.UserID && (h.IncomingID == "" || a.User.ID == h.IncomingID)}
	if in != nil {
		v.Note = in.Get("note")
	}
	for _, s := range h.Sections {
		sv := handoverSectionView{HandoverSection: s, Edit: v.Outgoing && a.Role.Allows(herald.RoleResponder), Now: c.cfg.Clock.Now()}
		for _, it := range s.Items {
			iv := handoverItemView{HandoverItem: it, Key: s.Key + "|" + it.Ref}
			if in != nil {
				iv.Note = in.Get("note:" + iv.Key)
				iv.Reassign = in.Get("reassign:"+iv.Key) != ""
			}
			sv.Items = append(sv.Items, iv)
		}
		v.Sections = append(v.Sections, sv)
	}
	c.render(w, r, status, "handover", a, v)
	return nil
}

// handoverEdit reads the edit form: one "item" per drafted item (its
// section|ref), with its note and reassign checkbox.
func handoverEdit(form url.Values) herald.HandoverEdit {
	in := herald.HandoverEdit{Note: form.Get("note")}
	for _, key := range form["item"] {
		section, ref, ok := strings.Cut(key, "|")
		if !ok {
			continue
		}
		move := form.Get("reassign:"+key) != ""
		in.Items = append(in.Items, herald.HandoverItemEdit{Section: section, Ref: ref, Note: form.Get("note:" + key), Reassign: &move})
	}
	return in
}

func (c *Console) editHandover(submit bool) func(http.ResponseWriter, *http.Request, herald.Actor) error {
	return func(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
		s, id := c.cfg.Services.Handovers, r.PathValue("id")
		if err := r.ParseForm(); err != nil {
			return herald.Errorf(herald.EInvalid, "the form could not be read")
		}
		in := handoverEdit(r.PostForm)
		var err error
		msg := "Draft saved."
		if submit {
			var h herald.Handover
			h, err = s.SubmitHandover(r.Context(), a, id, in)
			msg = "Handover submitted."
			if n := len(h.Reassigned); n > 0 {
				msg += " Handed over to " + h.IncomingName + ": " + strings.Join(h.Reassigned, "; ") + "."
			}
		} else {
			_, err = s.SaveHandover(r.Context(), a, id, in)
		}
		if err != nil {
			herr, status, ok := refusal(err)
			if !ok {
				return err
			}
			return c.renderHandover(w, r, a, status, r.PostForm, herr)
		}
		redirect(w, r, "/app/handovers/"+url.PathEscape(id), msg)
		return nil
	}
}

func (c *Console) ackHandover(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	if _, err := c.cfg.Services.Handovers.AcknowledgeHandover(r.Context(), a, id); err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		return c.renderHandover(w, r, a, status, nil, herr)
	}
	redirect(w, r, "/app/handovers/"+url.PathEscape(id), "Handover acknowledged.")
	return nil
}

type roleHandoverView struct {
	Incident *herald.Incident
	Role     string
	RoleName string
	Holder   herald.RoleAssignment
	Held     bool
	Users    []herald.User
	Input    url.Values
	Error    *herald.Error
}

func (c *Console) roleHandover(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderRoleHandover(w, r, a, http.StatusOK, nil, nil)
}

func (c *Console) renderRoleHandover(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, in url.Values, herr *herald.Error) error {
	ctx := r.Context()
	inc, err := c.cfg.Services.Incidents.Incident(ctx, r.PathValue("ref"))
	if err != nil {
		return err
	}
	s, err := c.cfg.Services.Settings.Settings(ctx)
	if err != nil {
		return err
	}
	role := r.PathValue("role")
	if !s.HasRole(role) {
		return herald.Errorf(herald.ENotFound, "no incident role %q", role)
	}
	users, err := c.cfg.Services.People.Users(ctx)
	if err != nil {
		return err
	}
	if in == nil {
		in = url.Values{}
	}
	holder, held := inc.Role(role)
	c.render(w, r, status, "role-handover", a, roleHandoverView{Incident: inc, Role: role, RoleName: s.RoleName(role), Holder: holder, Held: held,
		Users: users, Input: in, Error: herr})
	return nil
}

func (c *Console) doRoleHandover(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref, role := r.PathValue("ref"), r.PathValue("role")
	inc, err := c.cfg.Services.Handovers.HandOverRole(r.Context(), a, ref, role, herald.RoleHandoverInput{To: r.PostFormValue("to"), Note: r.PostFormValue("note")})
	if err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		return c.renderRoleHandover(w, r, a, status, r.PostForm, herr)
	}
	redirect(w, r, "/app/incidents/"+url.PathEscape(inc.Reference), "Role handed over; the timeline records it.")
	return nil
}
