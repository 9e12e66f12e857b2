package console

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/httperr"
)

// Status page administration: the screens below /app/status where the
// page's components and groups, its maintenances and its subscribers and
// stakeholder channels are kept. Each action is the API's, with the API's
// role (internal/server/routes.go): components, imports, exports and
// stakeholder channels need an admin; maintenances a responder.
const (
	componentsPath   = "/app/status/components"
	maintenancesPath = "/app/status/maintenances"
	subscribersPath  = "/app/status/subscribers"
)

func (c *Console) statusAdminRoutes() []route {
	return []route{
		{method: "GET", path: componentsPath, role: herald.RoleViewer, serve: c.components},
		{method: "POST", path: componentsPath, role: herald.RoleAdmin, serve: c.createComponent},
		{method: "POST", path: componentsPath + "/{id}", role: herald.RoleAdmin, serve: c.updateComponent},
		{method: "POST", path: componentsPath + "/{id}/delete", role: herald.RoleAdmin, serve: c.deleteComponent},

		{method: "GET", path: maintenancesPath, role: herald.RoleViewer, serve: c.maintenances},
		{method: "POST", path: maintenancesPath, role: herald.RoleResponder, serve: c.createMaintenance},
		{method: "GET", path: maintenancesPath + "/{id}", role: herald.RoleViewer, serve: c.maintenance},
		{method: "POST", path: maintenancesPath + "/{id}", role: herald.RoleResponder, serve: c.editMaintenance},
		{method: "POST", path: maintenancesPath + "/{id}/updates", role: herald.RoleResponder, serve: c.postMaintenanceUpdate},
		{method: "POST", path: maintenancesPath + "/{id}/automation-off", role: herald.RoleResponder, serve: c.maintenanceAutomationOff},

		{method: "GET", path: subscribersPath, role: herald.RoleViewer, serve: c.subscribers},
		{method: "GET", path: subscribersPath + "/export.csv", role: herald.RoleAdmin, serve: c.exportSubscribers},
		{method: "POST", path: subscribersPath + "/import", role: herald.RoleAdmin, serve: c.importSubscribers},
		{method: "POST", path: subscribersPath + "/channels", role: herald.RoleAdmin, serve: c.addStakeholderChannel},
	}
}

// form is a submitted form shown again after a refusal: which form on the
// screen it was (ID), the person's input, and what was wrong with it. The
// zero form is "nothing submitted": every field shows its stored value.
type form struct {
	ID     string
	Values url.Values
	Error  string
	Fields map[string]string
	// Lines are further reasons, one per line (an import's bad rows).
	Lines []string
}

// On reports whether the submitted form is the one named id.
func (f form) On(id string) bool { return f.ID != "" && f.ID == id }

// Val is what field of form id shows: the person's input after a refusal
// of that form, otherwise dflt.
func (f form) Val(id, field, dflt string) string {
	if f.On(id) {
		return f.Values.Get(field)
	}
	return dflt
}

// Checked is whether a checkbox of form id is ticked: as submitted after a
// refusal of that form, otherwise dflt.
func (f form) Checked(id, field, value string, dflt bool) bool {
	if f.On(id) {
		for _, v := range f.Values[field] {
			if v == value {
				return true
			}
		}
		return false
	}
	return dflt
}

// Field is the reason a field of form id was refused ("" if none).
func (f form) Field(id, field string) string {
	if f.On(id) {
		return f.Fields[field]
	}
	return ""
}

// refused turns a refusal of the person's input (invalid input, a rule of
// the store) into a form to show again, with the status the API gives the
// same refusal. Any other error is not the person's: ok is false.
func refused(r *http.Request, id string, err error) (form, int, bool) {
	switch herald.ErrorCode(err) {
	case herald.EInvalid, herald.EUnprocessable, herald.EConflict:
	default:
		return form{}, 0, false
	}
	he, status, _ := httperr.Of(err)
	return form{ID: id, Values: r.PostForm, Error: he.Message, Fields: he.Fields, Lines: guardLines(he.Fields)}, status, true
}

func optional(s string) *string { return &s }

// --- Components and groups ---

type componentsView struct {
	Components []componentRow
	Groups     []string
	Form       form
	// Review says changes are proposals another admin approves (R21);
	// Proposals are those pending (componentreview.go).
	Review    bool
	Proposals []herald.ComponentProposal
}

type componentRow struct {
	herald.Component
	// GroupName is the name of the group it is in ("" at the top level).
	GroupName string
}

func (c *Console) components(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.showComponents(w, r, a, http.StatusOK, form{})
}

func (c *Console) showComponents(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, f form) error {
	list, err := c.cfg.Services.StatusPage.Components(r.Context())
	if err != nil {
		return err
	}
	v := componentsView{Form: f}
	names := map[string]string{}
	for _, cp := range list {
		names[cp.ID] = cp.Name
		if cp.Group {
			v.Groups = append(v.Groups, cp.Name)
		}
	}
	for _, cp := range list {
		v.Components = append(v.Components, componentRow{Component: cp, GroupName: names[cp.GroupID]})
	}
	if v.Review, v.Proposals, err = c.componentReview(r.Context()); err != nil {
		return err
	}
	c.render(w, r, status, "components", a, v)
	return nil
}

// componentInput reads the component form. Fields the form does not carry
// stay unset (a group's form has no group field: groups do not nest).
func componentInput(r *http.Request) (herald.ComponentInput, error) {
	in := herald.ComponentInput{}
	if _, ok := r.PostForm["name"]; ok {
		in.Name = optional(r.PostFormValue("name"))
	}
	if _, ok := r.PostForm["description"]; ok {
		in.Description = optional(r.PostFormValue("description"))
	}
	if _, ok := r.PostForm["group"]; ok {
		in.Group = optional(r.PostFormValue("group"))
	}
	if p := strings.TrimSpace(r.PostFormValue("position")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return in, herald.FieldErrors{"position": "must be a whole number (lower comes first)"}.Err()
		}
		in.Position = &n
	}
	return in, nil
}

func (c *Console) createComponent(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	in, err := componentInput(r)
	if review, _, rerr := c.componentReview(r.Context()); rerr != nil || review {
		return c.proposeComponent(w, r, a, rerr, "create", herald.ComponentProposalInput{Action: herald.ProposalCreate, Change: in}, err)
	}
	var cp herald.Component
	if err == nil {
		cp, err = c.cfg.Services.StatusPage.CreateComponent(r.Context(), a, in)
	}
	if err != nil {
		if f, status, ok := refused(r, "create", err); ok {
			return c.showComponents(w, r, a, status, f)
		}
		return err
	}
	redirect(w, r, componentsPath, "Added "+cp.Name+".")
	return nil
}

func (c *Console) updateComponent(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	in, err := componentInput(r)
	if review, _, rerr := c.componentReview(r.Context()); rerr != nil || review {
		return c.proposeComponent(w, r, a, rerr, id, herald.ComponentProposalInput{Action: herald.ProposalUpdate, Component: id, Change: in}, err)
	}
	var cp herald.Component
	if err == nil {
		cp, err = c.cfg.Services.StatusPage.UpdateComponent(r.Context(), a, id, in)
	}
	if err != nil {
		if f, status, ok := refused(r, id, err); ok {
			return c.showComponents(w, r, a, status, f)
		}
		return err
	}
	redirect(w, r, componentsPath, "Saved "+cp.Name+".")
	return nil
}

func (c *Console) deleteComponent(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	if review, _, rerr := c.componentReview(r.Context()); rerr != nil || review {
		return c.proposeComponent(w, r, a, rerr, "delete-"+id, herald.ComponentProposalInput{Action: herald.ProposalDelete, Component: id}, nil)
	}
	if err := c.cfg.Services.StatusPage.DeleteComponent(r.Context(), a, id); err != nil {
		if f, status, ok := refused(r, "delete-"+id, err); ok {
			f.Error = "Not deleted: " + f.Error
			return c.showComponents(w, r, a, status, f)
		}
		return err
	}
	redirect(w, r, componentsPath, "Component deleted.")
	return nil
}

// --- Maintenances ---

type maintenancesView struct {
	InProgress, Upcoming, Past []*herald.Maintenance
	// Components are those a maintenance can name (groups cannot be).
	Components []herald.Component
	Form       form
}

type maintenanceView struct {
	M          *herald.Maintenance
	Components []herald.Component
	// Names gives each component id its name.
	Names map[string]string
	Form  form
}

// Chosen reports whether component id is ticked in the edit form.
func (v maintenanceView) Chosen(id string) bool {
	in := false
	for _, c := range v.M.Components {
		if c == id {
			in = true
		}
	}
	return v.Form.Checked("edit", "components", id, in)
}

// Reminders writes the maintenance's reminders as the form takes them
// ("24h, 1h").
func (v maintenanceView) Reminders() string {
	var out []string
	for _, r := range v.M.Reminders {
		out = append(out, shortDuration(time.Duration(r.Before)))
	}
	return strings.Join(out, ", ")
}

// SkipChannels are the channels the update form can uncheck (R11), ticked
// as the person left them after a refusal.
func (v maintenanceView) SkipChannels() []composeChannel {
	var out []composeChannel
	for _, k := range herald.SubscriberKinds {
		out = append(out, composeChannel{Kind: k, Label: channelLabels[k], Skip: v.Form.Checked("update", "skip", k, false)})
	}
	return out
}

// InputTime is a time in UTC as a datetime-local input takes it.
func (maintenanceView) InputTime(t time.Time) string { return inputTime(t) }

// Short writes a duration without trailing zero units ("1h30m").
func (maintenanceView) Short(d herald.Duration) string { return shortDuration(time.Duration(d)) }

func inputTime(t time.Time) string {
	t = t.UTC()
	if t.Second() != 0 {
		return t.Format("2006-01-02T15:04:05")
	}
	return t.Format("2006-01-02T15:04")
}

// parseUTC reads a time the form gives in UTC: what a datetime-local input
// sends ("2026-12-01T02:00"), with or without seconds, or RFC 3339.
func parseUTC(fe herald.FieldErrors, field, v string) *time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			t = t.UTC()
			return &t
		}
	}
	fe.Add(field, "must be a date and time in UTC, like 2026-12-01T02:00")
	return nil
}

// parseReminders reads "24h, 1h" (commas or spaces between).
func parseReminders(fe herald.FieldErrors, v string) []herald.Duration {
	out := []herald.Duration{}
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		var d herald.Duration
		if err := d.UnmarshalText([]byte(s)); err != nil {
			fe.Add("reminders", "each reminder is a time before the start, like 24h or 90m, separated by commas")
			continue
		}
		out = append(out, d)
	}
	return out
}

// leafComponents are the components a maintenance can name.
func (c *Console) leafComponents(r *http.Request) ([]herald.Component, map[string]string, error) {
	list, err := c.cfg.Services.StatusPage.Components(r.Context())
	if err != nil {
		return nil, nil, err
	}
	var out []herald.Component
	names := map[string]string{}
	for _, cp := range list {
		names[cp.ID] = cp.Name
		if !cp.Group {
			out = append(out, cp)
		}
	}
	return out, names, nil
}

func (c *Console) maintenances(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.showMaintenances(w, r, a, http.StatusOK, form{})
}

func (c *Console) showMaintenances(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, f form) error {
	ms, err := c.cfg.Services.Maintenances.Maintenances(r.Context(), 500)
	if err != nil {
		return err
	}
	comps, _, err := c.leafComponents(r)
	if err != nil {
		return err
	}
	v := maintenancesView{Components: comps, Form: f}
	for _, m := range ms {
		switch m.Status {
		case herald.MaintenanceInProgress:
			v.InProgress = append(v.InProgress, m)
		case herald.MaintenanceScheduled:
			v.Upcoming = append(v.Upcoming, m)
		default:
			v.Past = append(v.Past, m)
		}
	}
	// Upcoming soonest first; the rest as listed (newest start first).
	sort.SliceStable(v.Upcoming, func(i, j int) bool { return v.Upcoming[i].ScheduledFor.Before(v.Upcoming[j].ScheduledFor) })
	c.render(w, r, status, "maintenances", a, v)
	return nil
}

func (c *Console) createMaintenance(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	fe := herald.FieldErrors{}
	comps := r.PostForm["components"]
	if comps == nil {
		comps = []string{}
	}
	reminders := parseReminders(fe, r.PostFormValue("reminders"))
	auto := r.PostFormValue("auto_transition") == "on"
	in := herald.MaintenanceInput{
		Name: optional(r.PostFormValue("name")), Body: optional(r.PostFormValue("body")),
		ScheduledFor: parseUTC(fe, "scheduled_for", r.PostFormValue("scheduled_for")), ScheduledUntil: parseUTC(fe, "scheduled_until", r.PostFormValue("scheduled_until")),
		Components: &comps, Reminders: &reminders, AutoTransition: &auto, MutePaging: mutePaging(r),
	}
	in.Kind, in.Security = maintenanceKind(r)
	in.OverrideGuard, in.OverrideGuardReason = guardOverride(r)
	err := fe.Err()
	var m *herald.Maintenance
	if err == nil {
		m, err = c.cfg.Services.Maintenances.CreateMaintenance(r.Context(), a, in)
	}
	if err != nil {
		if f, status, ok := refused(r, "create", err); ok {
			return c.showMaintenances(w, r, a, status, f)
		}
		return err
	}
	redirect(w, r, maintenancesPath+"/"+url.PathEscape(m.ID), "Scheduled; subscribers are told.")
	return nil
}

func (c *Console) maintenance(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.showMaintenance(w, r, a, http.StatusOK, form{})
}

func (c *Console) showMaintenance(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, f form) error {
	m, err := c.cfg.Services.Maintenances.Maintenance(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	comps, names, err := c.leafComponents(r)
	if err != nil {
		return err
	}
	c.render(w, r, status, "maintenance", a, maintenanceView{M: m, Components: comps, Names: names, Form: f})
	return nil
}

// editMaintenance saves the edit form. The window and the reminders are
// sent to the store only when the person changed them (the form carries
// what it showed), so saving a new text does not reschedule, and a new
// window is a rescheduling that subscribers are told about (R31).
func (c *Console) editMaintenance(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	fe := herald.FieldErrors{}
	comps := r.PostForm["components"]
	if comps == nil {
		comps = []string{}
	}
	in := herald.MaintenanceInput{Name: optional(r.PostFormValue("name")), Body: optional(r.PostFormValue("body")), Components: &comps, MutePaging: mutePaging(r)}
	in.Kind, in.Security = maintenanceKind(r)
	in.OverrideGuard, in.OverrideGuardReason = guardOverride(r)
	changed := func(field string) bool {
		return strings.TrimSpace(r.PostFormValue(field)) != strings.TrimSpace(r.PostFormValue("was_"+field))
	}
	if changed("scheduled_for") {
		if in.ScheduledFor = parseUTC(fe, "scheduled_for", r.PostFormValue("scheduled_for")); in.ScheduledFor == nil {
			fe.Add("scheduled_for", "is required")
		}
	}
	if changed("scheduled_until") {
		if in.ScheduledUntil = parseUTC(fe, "scheduled_until", r.PostFormValue("scheduled_until")); in.ScheduledUntil == nil {
			fe.Add("scheduled_until", "is required")
		}
	}
	if changed("reminders") {
		rs := parseReminders(fe, r.PostFormValue("reminders"))
		in.Reminders = &rs
	}
	err := fe.Err()
	if err == nil {
		_, err = c.cfg.Services.Maintenances.UpdateMaintenance(r.Context(), a, id, in)
	}
	if err != nil {
		if f, status, ok := refused(r, "edit", err); ok {
			return c.showMaintenance(w, r, a, status, f)
		}
		return err
	}
	flash := "Saved."
	if in.ScheduledFor != nil || in.ScheduledUntil != nil {
		flash = "Rescheduled; subscribers are told."
	}
	redirect(w, r, maintenancesPath+"/"+url.PathEscape(id), flash)
	return nil
}

// postMaintenanceUpdate posts an update; the button pressed may also start,
// complete or cancel the maintenance by hand.
func (c *Console) postMaintenanceUpdate(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	in := herald.MaintenanceUpdateInput{Body: r.PostFormValue("body"), Status: herald.MaintenanceStatus(r.PostFormValue("status"))}
	in.OverrideGuard, in.OverrideGuardReason = guardOverride(r)
	for _, k := range r.PostForm["skip"] {
		if in.Channels == nil {
			in.Channels = map[string]bool{}
		}
		in.Channels[k] = false
	}
	if _, err := c.cfg.Services.Maintenances.PostMaintenanceUpdate(r.Context(), a, id, in); err != nil {
		if f, status, ok := refused(r, "update", err); ok {
			return c.showMaintenance(w, r, a, status, f)
		}
		return err
	}
	flash := "Update posted."
	switch in.Status {
	case herald.MaintenanceInProgress:
		flash = "Started."
	case herald.MaintenanceCompleted:
		flash = "Completed."
	case herald.MaintenanceCancelled:
		flash = "Cancelled."
	}
	redirect(w, r, maintenancesPath+"/"+url.PathEscape(id), flash)
	return nil
}

// maintenanceAutomationOff turns automation off, for good: the store
// refuses to turn it back on (R30). The form must carry the ticked
// confirmation that says so.
func (c *Console) maintenanceAutomationOff(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	var err error = &herald.Error{Code: herald.EInvalid, Message: "automation was not turned off: tick the box to confirm that it cannot be turned back on",
		Fields: map[string]string{"confirm": "tick to confirm"}}
	if r.PostFormValue("confirm") == "yes" {
		off := false
		_, err = c.cfg.Services.Maintenances.UpdateMaintenance(r.Context(), a, id, herald.MaintenanceInput{AutoTransition: &off})
	}
	if err != nil {
		if f, status, ok := refused(r, "automation", err); ok {
			return c.showMaintenance(w, r, a, status, f)
		}
		return err
	}
	redirect(w, r, maintenancesPath+"/"+url.PathEscape(id), "Automation is off: start, update and complete this maintenance by hand.")
	return nil
}

// --- Subscribers and stakeholder channels ---

type subscribersView struct {
	Kinds    []kindCount
	Total    kindCount
	Channels []herald.Subscriber
	// Secret is a new webhook channel's signing secret, shown once.
	Secret string
	Form   form
}

type kindCount struct {
	Kind                                  string
	Confirmed, Unconfirmed, Paused, Total int
}

// subscriberKinds are the kinds in the order the page lists them.
var subscriberKinds = []string{"email", "webhook", "slack", "teams", "mattermost"}

func (c *Console) subscribers(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.showSubscribers(w, r, a, http.StatusOK, form{}, "")
}

func (c *Console) showSubscribers(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, f form, secret string) error {
	s := c.cfg.Services.Subscribers
	counts, err := s.SubscriberCounts(r.Context())
	if err != nil {
		return err
	}
	channels, err := s.StakeholderChannels(r.Context())
	if err != nil {
		return err
	}
	v := subscribersView{Form: f, Secret: secret, Total: kindCount{Kind: "all"}}
	kinds := append([]string{}, subscriberKinds...)
	for k := range counts {
		if !contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, k := range kinds {
		m := counts[k]
		kc := kindCount{Kind: k, Confirmed: m["confirmed"], Unconfirmed: m["unconfirmed"], Paused: m["paused"]}
		kc.Total = kc.Confirmed + kc.Unconfirmed + kc.Paused
		v.Total.Confirmed += kc.Confirmed
		v.Total.Unconfirmed += kc.Unconfirmed
		v.Total.Paused += kc.Paused
		v.Total.Total += kc.Total
		v.Kinds = append(v.Kinds, kc)
	}
	// As the API does (internal/server/redact.go): a channel's URL is its
	// credential, shown to admins only; e-mail addresses are shown.
	for _, ch := range channels {
		ch.Secret = ""
		if a.Role != herald.RoleAdmin && ch.Kind != "email" {
			ch.Target = herald.Mask(ch.Target)
		}
		v.Channels = append(v.Channels, ch)
	}
	c.render(w, r, status, "subscribers", a, v)
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// exportSubscribers streams the export, in the API's format.
func (c *Console) exportSubscribers(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="subscribers.csv"`)
	err := herald.WriteSubscribersCSV(w, func(fn func(herald.Subscriber) error) error {
		return c.cfg.Services.Subscribers.ExportSubscribers(r.Context(), fn)
	})
	if err != nil {
		// The answer has begun: all that is left is to log it.
		c.log.Error("export subscribers", "err", err)
	}
	return nil
}

// maxImport is the largest CSV file an import takes, as the API.
const maxImport = 64 << 20

// importSubscribers reads an uploaded CSV (the API's format) and imports
// it all or not at all; a refusal names the first bad line, then the rest.
func (c *Console) importSubscribers(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxImport+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return c.importRefused(w, r, a, herald.Errorf(herald.EInvalid, "choose a CSV file to import (at most 64 MiB)"))
	}
	defer r.MultipartForm.RemoveAll()
	file, _, err := r.FormFile("file")
	if err != nil {
		return c.importRefused(w, r, a, herald.Errorf(herald.EInvalid, "choose a CSV file to import"))
	}
	defer file.Close()
	rows, err := herald.ReadSubscribersCSV(file)
	created, skipped := 0, 0
	if err == nil {
		created, skipped, err = c.cfg.Services.Subscribers.ImportSubscribers(r.Context(), rows)
	}
	if err != nil {
		return c.importRefused(w, r, a, err)
	}
	redirect(w, r, subscribersPath, "Imported "+strconv.Itoa(created)+" subscribers (confirmed); "+strconv.Itoa(skipped)+" were subscribed already.")
	return nil
}

// importRefused shows the page again with why nothing was imported: the
// store names each bad row "line N" (the header is line 1); they are listed
// by line, the first one in the message.
func (c *Console) importRefused(w http.ResponseWriter, r *http.Request, a herald.Actor, err error) error {
	f, status, ok := refused(r, "import", err)
	if !ok {
		return err
	}
	type bad struct {
		line int
		text string
	}
	var lines []bad
	for k, v := range f.Fields {
		if n, err := strconv.Atoi(strings.TrimPrefix(k, "line ")); err == nil && strings.HasPrefix(k, "line ") {
			lines = append(lines, bad{n, "Line " + strconv.Itoa(n) + ": " + strings.TrimPrefix(v, herald.EInvalid+": ")})
		}
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].line < lines[j].line })
	if len(lines) > 0 {
		f.Error = lines[0].text
		for _, l := range lines[1:] {
			f.Lines = append(f.Lines, l.text)
		}
	}
	f.Error = "Nothing was imported. " + f.Error
	f.Fields = nil
	return c.showSubscribers(w, r, a, status, f, "")
}

// addStakeholderChannel adds an internal channel. A webhook channel's
// signing secret is shown on the answer itself, once, never in a URL.
func (c *Console) addStakeholderChannel(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	target := r.PostFormValue("target")
	in := herald.SubscriberInput{}
	switch r.PostFormValue("kind") {
	case "email":
		in.Email = target
	case "webhook":
		in.WebhookURL = target
	case "slack":
		in.SlackURL = target
	case "teams":
		in.TeamsURL = target
	case "mattermost":
		in.MattermostURL = target
	}
	var err error = herald.FieldErrors{"kind": "choose e-mail, webhook, Slack, Teams or Mattermost"}.Err()
	var ch herald.Subscriber
	if contains(subscriberKinds, r.PostFormValue("kind")) {
		ch, err = c.cfg.Services.Subscribers.AddStakeholderChannel(r.Context(), in)
	}
	if err != nil {
		if f, status, ok := refused(r, "channel", err); ok {
			// The store names the field after the kind (email, webhook_url...);
			// the form has one target field.
			for k, v := range f.Fields {
				if k != "kind" {
					f.Fields = map[string]string{"target": v}
					break
				}
			}
			return c.showSubscribers(w, r, a, status, f, "")
		}
		return err
	}
	if ch.Secret != "" {
		return c.showSubscribers(w, r, a, http.StatusCreated, form{}, ch.Secret)
	}
	msg := "Stakeholder channel added."
	if ch.Warning != "" {
		msg += " Warning: " + ch.Warning + "."
	}
	redirect(w, r, subscribersPath, msg)
	return nil
}

// EventTitle names a maintenance event as people read it.
func (maintenanceView) EventTitle(event string) string { return herald.EventTitle(event) }
