package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Organisation settings and API tokens (admins only).
func (c *Console) settingsRoutes() []route {
	admin := herald.RoleAdmin
	return []route{
		{method: "GET", path: "/app/settings", role: admin, serve: c.settings},
		{method: "POST", path: "/app/settings", role: admin, serve: c.saveSettings},
		{method: "POST", path: "/app/settings/tokens", role: admin, serve: c.createToken},
		{method: "POST", path: "/app/settings/tokens/{token}/revoke", role: admin, serve: c.revokeToken},
	}
}

// settingsView is the settings screen: the organisation's settings as a
// form (the fields of PUT /api/v1/settings that people change by hand),
// and the API tokens.
type settingsView struct {
	Settings herald.Settings
	// Idle and Max are the session durations as written ("12h").
	Idle, Max  string
	States     []herald.State
	Severities []herald.Severity
	Templates  []string
	LinkModes  []string
	Tokens     []herald.Token
	Users      []herald.User
	Roles      []herald.APIRole
	// NewToken is the token just created: its secret is on this answer
	// and nowhere else.
	NewToken *herald.Token
	// Playbook holds the reminder fields as typed (cadence_settings.go).
	Playbook map[string]string
	// ChannelPlatforms are the platforms that can open a channel for an
	// incident declared outside chat (R01).
	ChannelPlatforms []string
	// Form names the form that was refused ("settings", "token"), with its
	// error and, for a token, its input.
	Form  string
	Error *herald.Error
	Input url.Values
}

// ChannelOn says whether the settings open channels on a platform.
func (v settingsView) ChannelOn(p string) bool {
	return slices.Contains(v.Settings.Chat.Channels.Platforms, p)
}

// ChannelFor says whether incidents of a severity get a channel.
func (v settingsView) ChannelFor(s herald.Severity) bool {
	return slices.Contains(v.Settings.Chat.Channels.For(), s)
}

func (c *Console) settings(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	s, err := c.cfg.Services.Settings.Settings(r.Context())
	if err != nil {
		return err
	}
	return c.renderSettings(w, r, a, http.StatusOK, settingsView{Settings: s})
}

func (c *Console) renderSettings(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, v settingsView) error {
	ctx := r.Context()
	var err error
	if v.Tokens, err = c.cfg.Services.People.Tokens(ctx); err != nil {
		return err
	}
	if v.Users, err = c.cfg.Services.People.Users(ctx); err != nil {
		return err
	}
	if v.Idle == "" {
		v.Idle = shortDuration(time.Duration(v.Settings.Sessions.Idle))
	}
	if v.Max == "" {
		v.Max = shortDuration(time.Duration(v.Settings.Sessions.Max))
	}
	v.States, v.Severities, v.Roles = herald.States, herald.Severities, herald.APIRoles
	v.LinkModes = []string{herald.LinkAppend, herald.LinkRequire, herald.LinkOff}
	v.ChannelPlatforms = herald.ChannelPlatforms
	for k := range v.Settings.StatusTemplates {
		v.Templates = append(v.Templates, k)
	}
	slices.Sort(v.Templates)
	if v.Input == nil {
		v.Input = url.Values{"role": {string(herald.RoleViewer)}}
	}
	c.render(w, r, status, "settings", a, v)
	return nil
}

// saveSettings applies the form to the current settings and saves the
// whole document, as PUT /api/v1/settings does: the fields the form does
// not show keep their values. A refused form is shown again as typed.
func (c *Console) saveSettings(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	s, err := c.cfg.Services.Settings.Settings(ctx)
	if err != nil {
		return err
	}
	f, fe := r.PostForm, herald.FieldErrors{}
	s.Page.Name = strings.TrimSpace(f.Get("page_name"))
	s.Page.Accent = strings.TrimSpace(f.Get("page_accent"))
	s.Page.TimeZone = strings.TrimSpace(f.Get("page_time_zone"))
	s.Page.LogoURL = strings.TrimSpace(f.Get("page_logo_url"))
	if v := f.Get("page_component_review"); v != "" { // R21; a form without it keeps it
		s.Page.ComponentReview = v
	}
	s.IncidentLink = f.Get("incident_link")
	if f.Has("chat_channels_form") { // R01; a form without the section keeps the setting
		s.Chat.Channels = herald.ChannelSettings{Platforms: f["chat_channels_platform"]}
		for _, sev := range f["chat_channels_severity"] {
			s.Chat.Channels.Severities = append(s.Chat.Channels.Severities, herald.Severity(sev))
		}
	}
	v := settingsView{Idle: f.Get("session_idle"), Max: f.Get("session_max")}
	v.Playbook = readPlaybookForm(f, &s, fe)
	if v.Playbook == nil {
		v.Playbook = map[string]string{}
	}
	v.Playbook["monitoring_minutes"] = f.Get("monitoring_minutes")
	if d, ok := formDuration(f.Get("monitoring_minutes")); !ok {
		fe.Add("monitoring_minutes", "must be a duration like 30m or 2h (a bare number is minutes)")
	} else {
		s.Monitoring = d
	}
	for _, fd := range []struct {
		field, value string
		to           *herald.Duration
	}{{"sessions.idle", v.Idle, &s.Sessions.Idle}, {"sessions.max", v.Max, &s.Sessions.Max}} {
		if err := fd.to.UnmarshalText([]byte(fd.value)); err != nil {
			fe.Add(fd.field, "must be a duration like 30m, 12h or 168h")
		}
	}
	cadence := herald.CadenceTable{}
	for _, st := range herald.States {
		cadence[st] = map[herald.Severity]herald.Duration{}
		for _, sev := range herald.Severities {
			key := "cadence." + string(st) + "." + string(sev)
			v.Playbook[key] = f.Get(key)
			d, ok := formDuration(f.Get(key))
			if !ok {
				fe.Add(key, "must be a duration like 10m (a bare number is minutes; empty: none owed)")
			}
			cadence[st][sev] = d
		}
	}
	s.Cadence = cadence
	templates := map[string]string{}
	for k, vs := range f {
		if name, ok := strings.CutPrefix(k, "template."); ok && strings.TrimSpace(vs[0]) != "" {
			templates[name] = vs[0] // an emptied template is removed (a built-in one returns to its default when read)
		}
	}
	if name := strings.TrimSpace(f.Get("new_template_name")); name != "" {
		if text := f.Get("new_template_text"); strings.TrimSpace(text) != "" {
			templates[name] = text
		} else {
			fe.Add("new_template_text", "a new template needs its text")
		}
	}
	s.StatusTemplates = templates
	v.Settings = s
	if err := fe.Err(); err != nil {
		v.Form, v.Error = "settings", err.(*herald.Error)
		return c.renderSettings(w, r, a, http.StatusBadRequest, v)
	}
	if _, err := c.cfg.Services.Settings.SaveSettings(ctx, s); err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		v.Form, v.Error = "settings", herr
		return c.renderSettings(w, r, a, status, v)
	}
	c.log.Info("settings saved", "by", a.User.ID)
	redirect(w, r, "/app/settings", "Settings saved.")
	return nil
}

// createToken issues an API token and shows its secret on this answer,
// once: it is not in a redirect's URL, and no later page can show it.
func (c *Console) createToken(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	s, err := c.cfg.Services.Settings.Settings(ctx)
	if err != nil {
		return err
	}
	t, err := c.cfg.Services.People.CreateToken(ctx, a, herald.TokenInput{Name: r.PostForm.Get("name"),
		Role: herald.APIRole(r.PostForm.Get("role")), UserID: r.PostForm.Get("user")})
	if err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		return c.renderSettings(w, r, a, status, settingsView{Settings: s, Form: "token", Error: herr, Input: r.PostForm})
	}
	c.log.Info("API token created", "token", t.ID, "role", t.Role, "by", a.User.ID)
	return c.renderSettings(w, r, a, http.StatusCreated, settingsView{Settings: s, NewToken: &t})
}

func (c *Console) revokeToken(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if err := c.cfg.Services.People.RevokeToken(r.Context(), r.PathValue("token")); err != nil {
		return err
	}
	c.log.Info("API token revoked", "token", r.PathValue("token"), "by", a.User.ID)
	redirect(w, r, "/app/settings", "The token is revoked: it no longer works.")
	return nil
}
