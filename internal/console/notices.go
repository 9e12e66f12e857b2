package console

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/heraldhq/herald"
)

// Customer notices (docs/NOTICES.md): an incident's threads, one per
// affected tenant; a thread with its messages out and replies in and the
// compose form (a template, its variables, the content guard's override);
// and the templates with the notice settings (admin).
func (c *Console) noticesRoutes() []route {
	admin, responder, viewer := herald.RoleAdmin, herald.RoleResponder, herald.RoleViewer
	return []route{
		{method: "GET", path: "/app/incidents/{ref}/notices", role: viewer, serve: c.incidentNoticesScreen},
		{method: "POST", path: "/app/incidents/{ref}/notices", role: responder, serve: c.openIncidentNotices},
		{method: "GET", path: "/app/notices/{id}", role: viewer, serve: c.noticeThread},
		{method: "POST", path: "/app/notices/{id}", role: responder, serve: c.sendNotice},
		{method: "GET", path: "/app/settings/notices", role: admin, serve: c.noticeSettings},
		{method: "POST", path: "/app/settings/notices", role: admin, serve: c.saveNoticeSettings},
	}
}

// incidentNotices reads the incident's view of its tenants for the
// incident screen.
func (c *Console) incidentNotices(ctx context.Context, id string) (*herald.IncidentNotices, error) {
	if c.cfg.Services.Notices == nil {
		return nil, nil
	}
	v, err := c.cfg.Services.Notices.IncidentNotices(ctx, id)
	return &v, err
}

type incidentNoticesView struct {
	Incident *herald.Incident
	View     herald.IncidentNotices
	Threads  []herald.NoticeThread
	Error    *herald.Error
}

func (c *Console) incidentNoticesScreen(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderIncidentNotices(w, r, a, http.StatusOK, nil)
}

func (c *Console) renderIncidentNotices(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, herr *herald.Error) error {
	ctx, s := r.Context(), c.cfg.Services
	inc, err := s.Incidents.Incident(ctx, r.PathValue("ref"))
	if err != nil {
		return err
	}
	v := incidentNoticesView{Incident: inc, Error: herr}
	if v.View, err = s.Notices.IncidentNotices(ctx, inc.ID); err != nil {
		return err
	}
	if v.Threads, err = s.Notices.NoticeThreads(ctx, "incident", inc.ID); err != nil {
		return err
	}
	c.render(w, r, status, "notices", a, v)
	return nil
}

func (c *Console) openIncidentNotices(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref := r.PathValue("ref")
	res, err := c.cfg.Services.Notices.OpenIncidentNotices(r.Context(), a, ref)
	if err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		return c.renderIncidentNotices(w, r, a, status, herr)
	}
	msg := "No new thread: every affected tenant has one."
	if n := len(res.Opened); n > 0 {
		msg = "Notice threads opened: " + joinNames(res.Opened) + "."
	}
	redirect(w, r, "/app/incidents/"+url.PathEscape(ref)+"/notices", msg)
	return nil
}

func joinNames(l []string) string {
	out := ""
	for i, s := range l {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

type noticeThreadView struct {
	Thread    herald.NoticeThread
	Reference string // the incident's, when the thread is an incident's
	Kinds     []string
	Input     url.Values
	Preview   *herald.NoticeMessage
	Error     *herald.Error
	// Findings: the content guard refused the text (R45); the form offers
	// the override.
	Findings bool
}

func (c *Console) noticeThread(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderNoticeThread(w, r, a, http.StatusOK, noticeThreadView{})
}

func (c *Console) renderNoticeThread(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, v noticeThreadView) error {
	ctx := r.Context()
	th, err := c.cfg.Services.Notices.NoticeThread(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	v.Thread, v.Kinds = th, herald.NoticeTemplateKinds
	if v.Input == nil {
		v.Input = url.Values{"template": {herald.NoticeUpdate}}
		if th.FirstSentAt == nil {
			v.Input.Set("template", herald.NoticeInvestigationStart)
		}
	}
	if th.IncidentID != "" {
		if inc, err := c.cfg.Services.Incidents.Incident(ctx, th.IncidentID); err == nil {
			v.Reference = inc.Reference
		}
	}
	c.render(w, r, status, "notice", a, v)
	return nil
}

// sendNotice sends (or, with preview, fills in) a notice from the compose
// form; a refusal shows the form again with what was typed.
func (c *Console) sendNotice(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.EInvalid, "unreadable form")
	}
	f := r.PostForm
	in := herald.NoticeSendInput{Template: f.Get("template"), Body: f.Get("body"), Status: f.Get("status"), ActionsTaken: f.Get("actions_taken"),
		NextSteps: f.Get("next_steps"), NextUpdate: f.Get("next_update"), OverrideGuard: f.Get("override_guard") == "on", OverrideGuardReason: f.Get("override_guard_reason"),
		Class: herald.NoticeClass(f.Get("class"))}
	switch f.Get("substantial") { // R43, R47: the writer says whether it is news
	case "yes":
		in.Substantial = new(true)
	case "no":
		in.Substantial = new(false)
	}
	if in.Body != "" && f.Get("use_body") != "on" {
		in.Body = "" // the body box holds a preview unless it is to be sent as written
	}
	s := c.cfg.Services.Notices
	switch f.Get("action") {
	case "ask":
		// R44: the text as it would go is stored and the approvers asked.
		ap, err := s.RequestNoticeApproval(r.Context(), a, id, in)
		if err != nil {
			herr, status, ok := refusal(err)
			if !ok {
				return err
			}
			return c.renderNoticeThread(w, r, a, status, noticeThreadView{Input: f, Error: herr})
		}
		redirect(w, r, "/app/approvals/"+url.PathEscape(ap.ID), "Approval asked: "+ap.Approvers+" is prompted.")
		return nil
	case "send_approved":
		in = herald.NoticeSendInput{ApprovalID: f.Get("approval_id"), OverrideGuard: in.OverrideGuard, OverrideGuardReason: in.OverrideGuardReason}
	}
	if f.Get("action") == "preview" {
		m, err := s.PreviewNotice(r.Context(), a, id, in)
		if err != nil {
			herr, status, ok := refusal(err)
			if !ok {
				return err
			}
			return c.renderNoticeThread(w, r, a, status, noticeThreadView{Input: f, Error: herr})
		}
		return c.renderNoticeThread(w, r, a, http.StatusOK, noticeThreadView{Input: f, Preview: &m})
	}
	m, err := s.SendNotice(r.Context(), a, id, in)
	if err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		guard := herr.Code == herald.EUnprocessable && slices.ContainsFunc(mapKeys(herr.Fields), func(k string) bool { return len(k) > 5 && k[:5] == "body:" })
		return c.renderNoticeThread(w, r, a, status, noticeThreadView{Input: f, Error: herr, Findings: guard})
	}
	flash := "Notice queued: it goes out by e-mail in a moment."
	for _, w := range m.Warnings {
		flash += " Warning: " + w
	}
	redirect(w, r, "/app/notices/"+url.PathEscape(id), flash)
	return nil
}

func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

type noticeSettingsView struct {
	Notices   herald.NoticeSettings
	Approvals herald.ApprovalSettings
	Kinds     []string
	Variables []herald.NoticeVariable
	Input     url.Values
	Error     *herald.Error
}

// ReviewClasses are the classes whose review is a setting (R44); Modes
// the choices; Mode a class's.
func (v noticeSettingsView) ReviewClasses() []herald.NoticeClass {
	return []herald.NoticeClass{herald.ClassIncident, herald.ClassOutOfBand, herald.ClassOther}
}

func (v noticeSettingsView) Modes() []string {
	return []string{herald.ReviewModeOff, herald.ReviewModeOptional, herald.ReviewModeRequired}
}

func (v noticeSettingsView) Mode(c herald.NoticeClass) string { return v.Approvals.Mode(c) }

// Interval and Reminder are the durations as typed, or as saved.
func (v noticeSettingsView) Interval() string {
	if v.Input != nil {
		return v.Input.Get("update_interval")
	}
	return herald.ShortDuration(time.Duration(v.Notices.UpdateInterval))
}

func (v noticeSettingsView) Check() string {
	if v.Input != nil {
		return v.Input.Get("check_interval")
	}
	return herald.ShortDuration(time.Duration(v.Notices.CheckInterval))
}

// SummaryAfter is notices.cadence.summary_after as typed or saved (R47).
func (v noticeSettingsView) SummaryAfter() string {
	if v.Input != nil {
		return v.Input.Get("summary_after")
	}
	return herald.ShortDuration(time.Duration(v.Notices.Cadence.SummaryAfter))
}

func (v noticeSettingsView) Reminder() string {
	if v.Input != nil {
		return v.Input.Get("reply_reminder")
	}
	return herald.ShortDuration(time.Duration(v.Notices.ReplyReminder))
}

func (c *Console) noticeSettings(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	s, err := c.cfg.Services.Settings.Settings(r.Context())
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "notice-settings", a, noticeSettingsView{Notices: s.Notices, Approvals: s.Approvals, Kinds: herald.NoticeTemplateKinds, Variables: herald.NoticeVariables})
	return nil
}

// saveNoticeSettings saves the notice settings and templates; a refused
// form comes back with what was typed and each field's error.
func (c *Console) saveNoticeSettings(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.EInvalid, "unreadable form")
	}
	f := r.PostForm
	s, err := c.cfg.Services.Settings.Settings(ctx)
	if err != nil {
		return err
	}
	n := s.Notices
	n.Templates = map[string]string{}
	n.Product, n.ReplyDomain = f.Get("product"), f.Get("reply_domain")
	fe := herald.FieldErrors{}
	for name, d := range map[string]*herald.Duration{"update_interval": &n.UpdateInterval, "reply_reminder": &n.ReplyReminder, "check_interval": &n.CheckInterval} {
		v, err := time.ParseDuration(f.Get(name))
		if err != nil {
			fe.Add("notices."+name, "must be a duration like 30m or 2h")
			continue
		}
		*d = herald.Duration(v)
	}
	if v, err := time.ParseDuration(f.Get("summary_after")); err == nil {
		n.Cadence.SummaryAfter = herald.Duration(v)
	} else {
		fe.Add("notices.cadence.summary_after", "must be a duration like 4h")
	}
	for _, k := range herald.NoticeTemplateKinds {
		n.Templates[k] = f.Get("template_" + k)
	}
	// R44's settings, when the form has them.
	ap := s.Approvals
	ap.Review = maps.Clone(ap.Review)
	if ap.Review == nil {
		ap.Review = map[herald.NoticeClass]string{}
	}
	if f.Has("security_team") {
		ap.SecurityTeam = f.Get("security_team")
	}
	for _, cl := range (noticeSettingsView{}).ReviewClasses() {
		if f.Has("review_" + string(cl)) {
			ap.Review[cl] = f.Get("review_" + string(cl))
		}
	}
	if err := fe.Err(); err == nil {
		s.Notices, s.Approvals = n, ap
		_, err = c.cfg.Services.Settings.SaveSettings(ctx, s)
		if err == nil {
			redirect(w, r, "/app/settings/notices", "Notice settings saved.")
			return nil
		}
		fe = nil
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		c.render(w, r, status, "notice-settings", a, noticeSettingsView{Notices: n, Approvals: ap, Kinds: herald.NoticeTemplateKinds, Variables: herald.NoticeVariables, Input: f, Error: herr})
		return nil
	}
	herr, status, _ := refusal(fe.Err())
	c.render(w, r, status, "notice-settings", a, noticeSettingsView{Notices: n, Approvals: ap, Kinds: herald.NoticeTemplateKinds, Variables: herald.NoticeVariables, Input: f, Error: herr})
	return nil
}

// NoticeView is the tenants' view the "notices-tenants" partial shows.
func (v *incidentView) NoticeView() *herald.IncidentNotices { return v.Notices }

// NoticeView is the tenants' view the "notices-tenants" partial shows.
func (v incidentNoticesView) NoticeView() *herald.IncidentNotices { return &v.View }
