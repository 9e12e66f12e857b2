package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

func (c *Console) oncallRoutes() []route {
	return []route{
		{method: "GET", path: "/app/oncall", role: herald.RoleViewer, serve: c.oncall},
		{method: "GET", path: "/app/oncall/schedules/{id}", role: herald.RoleViewer, serve: c.schedule},
		{method: "POST", path: "/app/oncall/schedules/{id}/take", role: herald.RoleResponder, serve: c.takeShift},
		{method: "POST", path: "/app/oncall/schedules/{id}/overrides", role: herald.RoleResponder, serve: c.addOverride},
		{method: "POST", path: "/app/oncall/schedules/{id}/overrides/{override}/delete", role: herald.RoleResponder, serve: c.deleteOverride},
		{method: "GET", path: "/app/oncall/policies", role: herald.RoleViewer, serve: c.policies},
		{method: "GET", path: "/app/oncall/policies/{id}", role: herald.RoleViewer, serve: c.policies},
		{method: "POST", path: "/app/oncall/policies", role: herald.RoleAdmin, serve: c.createPolicy},
		{method: "GET", path: "/app/oncall/services", role: herald.RoleViewer, serve: c.services},
		{method: "POST", path: "/app/oncall/services", role: herald.RoleAdmin, serve: c.createService},
	}
}

// timelineDays is how far ahead a schedule's timeline reaches.
const timelineDays = 14

// userNames maps user ids to names, for every screen that shows who.
func (c *Console) userNames(ctx context.Context) (map[string]string, []herald.User, error) {
	users, err := c.cfg.Services.People.Users(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[string]string, len(users))
	for _, u := range users {
		names[u.ID] = u.Name
	}
	return names, users, nil
}

// --- The on-call overview ---

type oncallView struct {
	Schedules []oncallRow
}

type oncallRow struct {
	Schedule *herald.Schedule
	// Now is who is on call now (nil: nobody); Next is who follows (nil:
	// nobody within the next 28 days).
	Now, Next *shiftRow
}

// shiftRow is one stretch on call, with the name shown.
type shiftRow struct {
	Who      string
	Start    time.Time
	End      time.Time
	Override bool
}

func (c *Console) oncall(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx, now := r.Context(), c.cfg.Clock.Now()
	names, _, err := c.userNames(ctx)
	if err != nil {
		return err
	}
	list, err := c.cfg.Services.Schedules.Schedules(ctx)
	if err != nil {
		return err
	}
	v := oncallView{}
	for _, s := range list {
		row := oncallRow{Schedule: s}
		shifts, err := s.Shifts(now, now.Add(28*24*time.Hour))
		if err != nil {
			return err
		}
		for i, sh := range shifts {
			sr := &shiftRow{Who: names[sh.UserID], Start: sh.Start, End: sh.End, Override: sh.Override}
			if i == 0 && !sh.Start.After(now) {
				row.Now = sr
				continue
			}
			row.Next = sr
			break
		}
		v.Schedules = append(v.Schedules, row)
	}
	c.render(w, r, http.StatusOK, "oncall", a, v)
	return nil
}

// --- One schedule as a timeline ---

type scheduleView struct {
	Schedule *herald.Schedule
	// Zone is the zone the timeline is drawn in: the viewer's choice (tz
	// in the query), else the schedule's. ZoneError says why a choice was
	// not used.
	Zone, ZoneError string
	Days            []dayView
	Overrides       []overrideRow
	Users           []herald.User
	Me              string
	Form            overrideForm
	Errors          map[string]string
	// Error is a refusal of an action shown above the forms.
	Error string
}

type overrideForm struct {
	User, Start, End string
}

type overrideRow struct {
	ID, Who    string
	Start, End timeLabel
	// SwapOf names who offered the shift, when the override is a swap.
	SwapOf string
}

// timeLabel is an instant written in the timeline's zone and in UTC.
type timeLabel struct {
	ISO, Local, UTC string
}

func label(t time.Time, loc *time.Location) timeLabel {
	return timeLabel{ISO: t.UTC().Format(time.RFC3339), Local: t.In(loc).Format("Mon 2 Jan 15:04"), UTC: t.UTC().Format("Mon 2 Jan 15:04 UTC")}
}

type dayView struct {
	ISO, Label string
	Final      []segment
	Layers     []layerDay
	Overrides  []segment
	// NowX is where now falls on today's bar, in percent; "" on other days.
	NowX string
}

type layerDay struct {
	Name string
	Segs []segment
}

// segment is the part of a stretch on call that falls on one day.
type segment struct {
	Who, UserID string
	Override    bool
	// From and To are the segment's clock times in the zone ("24:00" for
	// the end of the day); FromUTC and ToUTC the same instants in UTC.
	From, To, FromUTC, ToUTC string
	FromISO, ToISO           string
	// X and W place it on the day's bar, in percent.
	X, W string
	// Shift is the whole stretch (it may span days): what "take this
	// shift" overrides. Take says the button is offered.
	Shift timeLabel
	End   timeLabel
	Take  bool
	// Gap marks a stretch with nobody on call, written out as such.
	Gap        bool
	start, end time.Time
}

func (c *Console) schedule(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v, err := c.loadSchedule(r.Context(), r.PathValue("id"), r.URL.Query().Get("tz"), a)
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "schedule", a, v)
	return nil
}

// zoneFor is the zone a timeline is drawn in: the viewer's choice when it
// is a known zone, else the schedule's.
func zoneFor(s *herald.Schedule, tz string) (*time.Location, string, string) {
	if tz = strings.TrimSpace(tz); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc, loc.String(), ""
		}
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	msg := ""
	if tz != "" {
		msg = fmt.Sprintf("%q is not a known time zone; showing the schedule's (%s)", tz, loc)
	}
	return loc, loc.String(), msg
}

func (c *Console) loadSchedule(ctx context.Context, ref, tz string, a herald.Actor) (*scheduleView, error) {
	now := c.cfg.Clock.Now()
	// The overrides that end after today's midnight, wherever it is.
	s, err := c.cfg.Services.Schedules.Schedule(ctx, ref, now.Add(-26*time.Hour))
	if err != nil {
		return nil, err
	}
	names, users, err := c.userNames(ctx)
	if err != nil {
		return nil, err
	}
	loc, zone, zerr := zoneFor(s, tz)
	v := &scheduleView{Schedule: s, Zone: zone, ZoneError: zerr, Users: users, Me: a.User.ID, Errors: map[string]string{},
		Form: overrideForm{User: a.User.ID}}
	n := now.In(loc)
	day0 := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	end := day0.AddDate(0, 0, timelineDays)
	// Shifts are asked for beyond the window so that a stretch crossing
	// its end is taken whole; they are cut to each day below.
	final, err := s.Shifts(day0, end.AddDate(0, 0, timelineDays))
	if err != nil {
		return nil, err
	}
	layers := make([][]herald.Shift, len(s.Layers))
	for i, l := range s.Layers {
		one := herald.Schedule{TimeZone: s.TimeZone, Layers: []herald.Layer{l}}
		if layers[i], err = one.Shifts(day0, end); err != nil {
			return nil, err
		}
	}
	var overrides []herald.Shift
	for _, o := range s.Overrides {
		overrides = append(overrides, herald.Shift{UserID: o.UserID, Start: o.Start, End: o.End, Override: true})
		if o.End.After(now) {
			row := overrideRow{ID: o.ID, Who: names[o.UserID], Start: label(o.Start, loc), End: label(o.End, loc)}
			if o.Swap != nil {
				row.SwapOf = orUnknown(names[o.Swap.OfferedBy], o.Swap.OfferedBy)
			}
			v.Overrides = append(v.Overrides, row)
		}
	}
	for d := 0; d < timelineDays; d++ {
		from, to := day0.AddDate(0, 0, d), day0.AddDate(0, 0, d+1)
		dv := dayView{ISO: from.Format("2006-01-02"), Label: from.Format("Monday 2 January")}
		if !now.Before(from) && now.Before(to) {
			dv.NowX = pct(now.Sub(from), to.Sub(from))
		}
		for _, sh := range final {
			if seg, ok := cut(sh, from, to, loc, names); ok {
				seg.Take = a.Role.Allows(herald.RoleResponder) && sh.End.After(now) && sh.UserID != a.User.ID
				whole := sh
				if whole.Start.Before(now) {
					whole.Start = now
				}
				seg.Shift, seg.End = label(whole.Start, loc), label(whole.End, loc)
				dv.Final = append(dv.Final, seg)
			}
		}
		dv.Final = withGaps(dv.Final, from, to, loc)
		for i := range dv.Final {
			// Nobody on call: a responder may cover that part of the day.
			if g := &dv.Final[i]; g.Gap && g.end.After(now) && a.Role.Allows(herald.RoleResponder) {
				g.Take, g.Shift, g.End = true, label(maxTime(g.start, now), loc), label(g.end, loc)
			}
		}
		for i, l := range s.Layers {
			ld := layerDay{Name: l.Name}
			for _, sh := range layers[i] {
				if seg, ok := cut(sh, from, to, loc, names); ok {
					ld.Segs = append(ld.Segs, seg)
				}
			}
			dv.Layers = append(dv.Layers, ld)
		}
		for _, sh := range overrides {
			if seg, ok := cut(sh, from, to, loc, names); ok {
				dv.Overrides = append(dv.Overrides, seg)
			}
		}
		v.Days = append(v.Days, dv)
	}
	return v, nil
}

// cut is the part of a stretch that falls on the day [from, to).
func cut(sh herald.Shift, from, to time.Time, loc *time.Location, names map[string]string) (segment, bool) {
	start, end := sh.Start, sh.End
	if start.Before(from) {
		start = from
	}
	if end.After(to) {
		end = to
	}
	if !end.After(start) {
		return segment{}, false
	}
	clock := func(t time.Time) string {
		if t.Equal(to) {
			return "24:00"
		}
		return t.In(loc).Format("15:04")
	}
	day := to.Sub(from)
	return segment{Who: names[sh.UserID], UserID: sh.UserID, Override: sh.Override,
		From: clock(start), To: clock(end), FromUTC: start.UTC().Format("Jan 2 15:04"), ToUTC: end.UTC().Format("Jan 2 15:04"),
		FromISO: start.UTC().Format(time.RFC3339), ToISO: end.UTC().Format(time.RFC3339),
		X: pct(start.Sub(from), day), W: pct(end.Sub(start), day), start: start, end: end}, true
}

// withGaps adds the stretches of a day that nobody covers, so that the
// list says "nobody" where the bar is empty.
func withGaps(segs []segment, from, to time.Time, loc *time.Location) []segment {
	var out []segment
	at := from
	gap := func(until time.Time) {
		if g, ok := cut(herald.Shift{Start: at, End: until}, from, to, loc, nil); ok {
			g.Gap = true
			out = append(out, g)
		}
	}
	for _, s := range segs {
		gap(s.start)
		out = append(out, s)
		at = s.end
	}
	gap(to)
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func pct(part, whole time.Duration) string {
	return strconv.FormatFloat(float64(part)*100/float64(whole), 'f', 2, 64)
}

// schedulePath is the schedule's screen, in the zone the person chose.
func schedulePath(id, tz string) string {
	p := "/app/oncall/schedules/" + url.PathEscape(id)
	if tz != "" {
		p += "?tz=" + url.QueryEscape(tz)
	}
	return p
}

// takeShift puts the signed-in person on call over a shown shift: an
// override for that window, from now if it has begun (an override in the
// past would rewrite who was on call).
func (c *Console) takeShift(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id, tz := r.PathValue("id"), r.PostFormValue("tz")
	start, err1 := time.Parse(time.RFC3339, r.PostFormValue("start"))
	end, err2 := time.Parse(time.RFC3339, r.PostFormValue("end"))
	if err1 != nil || err2 != nil {
		return &herald.Error{Code: herald.EInvalid, Message: "the shift's start and end are missing or not times", Fields: map[string]string{"start": "RFC 3339 time", "end": "RFC 3339 time"}}
	}
	if now := c.cfg.Clock.Now(); start.Before(now) {
		start = now
	}
	o, err := c.cfg.Services.Schedules.AddOverride(r.Context(), a, id, herald.OverrideInput{User: a.User.ID, Start: start, End: end})
	if err != nil {
		return c.scheduleRefused(w, r, a, id, tz, overrideForm{}, err)
	}
	redirect(w, r, schedulePath(id, tz), fmt.Sprintf("You are on call from %s to %s.", o.Start.UTC().Format("2006-01-02 15:04 UTC"), o.End.UTC().Format("2006-01-02 15:04 UTC")))
	return nil
}

// addOverride puts someone on call for a window given in the timeline's
// zone (the form says which).
func (c *Console) addOverride(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id, tz := r.PathValue("id"), r.PostFormValue("tz")
	f := overrideForm{User: r.PostFormValue("user"), Start: r.PostFormValue("start"), End: r.PostFormValue("end")}
	s, err := c.cfg.Services.Schedules.Schedule(r.Context(), id, c.cfg.Clock.Now())
	if err != nil {
		return err
	}
	loc, _, _ := zoneFor(s, tz)
	fe := herald.FieldErrors{}
	parse := func(field, v string) time.Time {
		t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(v), loc)
		if err != nil {
			fe.Add(field, "a date and time like 2026-12-01T09:00 ("+loc.String()+")")
		}
		return t
	}
	start, end := parse("start", f.Start), parse("end", f.End)
	if f.User == "" {
		fe.Add("user", "choose who is on call")
	}
	if err := fe.Err(); err != nil {
		return c.scheduleRefused(w, r, a, id, tz, f, err)
	}
	o, err := c.cfg.Services.Schedules.AddOverride(r.Context(), a, s.ID, herald.OverrideInput{User: f.User, Start: start, End: end})
	if err != nil {
		return c.scheduleRefused(w, r, a, id, tz, f, err)
	}
	redirect(w, r, schedulePath(id, tz), fmt.Sprintf("Override added: %s to %s.", o.Start.UTC().Format("2006-01-02 15:04 UTC"), o.End.UTC().Format("2006-01-02 15:04 UTC")))
	return nil
}

func (c *Console) deleteOverride(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id, tz := r.PathValue("id"), r.PostFormValue("tz")
	if err := c.cfg.Services.Schedules.DeleteOverride(r.Context(), id, r.PathValue("override")); err != nil {
		return err
	}
	redirect(w, r, schedulePath(id, tz), "Override removed.")
	return nil
}

// scheduleRefused shows the schedule again with what was typed and why it
// was refused; anything but a refusal of the input is the error page's.
func (c *Console) scheduleRefused(w http.ResponseWriter, r *http.Request, a herald.Actor, id, tz string, f overrideForm, err error) error {
	var he *herald.Error
	if !errors.As(err, &he) || (he.Code != herald.EInvalid && he.Code != herald.EUnprocessable) {
		return err
	}
	v, lerr := c.loadSchedule(r.Context(), id, tz, a)
	if lerr != nil {
		return lerr
	}
	if f != (overrideForm{}) {
		v.Form = f
	}
	v.Error = he.Message
	for k, m := range he.Fields {
		v.Errors[k] = m
	}
	status := http.StatusBadRequest
	if he.Code == herald.EUnprocessable {
		status = http.StatusUnprocessableEntity
	}
	c.render(w, r, status, "schedule", a, v)
	return nil
}

// --- Escalation policies ---

type policiesView struct {
	Policies []policyRow
	// One is set when a single policy is shown.
	One       bool
	Users     []herald.User
	Schedules []*herald.Schedule
	Form      policyForm
	Errors    map[string]string
	Error     string
}

type policyRow struct {
	*herald.EscalationPolicy
	Levels []levelRow
}

type levelRow struct {
	N       int
	Timeout int
	Targets []string
	Next    string
}

// policyLevels is how many level rows the create form offers; blank rows
// are skipped, and the API takes up to 20.
const policyLevels = 4

type policyForm struct {
	Name, Repeat string
	Levels       []levelForm
	// RepeatFrom and AckExpiry are as typed (escalation_form.go).
	RepeatFrom, AckExpiry string
}

type levelForm struct {
	N        int
	Timeout  string
	Selected map[string]bool
}

func newPolicyForm() policyForm {
	f := policyForm{Repeat: "0"}
	for i := 1; i <= policyLevels; i++ {
		lf := levelForm{N: i, Selected: map[string]bool{}}
		if i == 1 {
			lf.Timeout = "15"
		}
		f.Levels = append(f.Levels, lf)
	}
	return f
}

func (c *Console) policies(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v, err := c.loadPolicies(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "policies", a, v)
	return nil
}

func (c *Console) loadPolicies(ctx context.Context, one string) (*policiesView, error) {
	names, users, err := c.userNames(ctx)
	if err != nil {
		return nil, err
	}
	schedules, err := c.cfg.Services.Schedules.Schedules(ctx)
	if err != nil {
		return nil, err
	}
	schedNames := map[string]string{}
	for _, s := range schedules {
		schedNames[s.ID] = s.Name
	}
	var list []*herald.EscalationPolicy
	if one != "" {
		p, err := c.cfg.Services.Paging.EscalationPolicy(ctx, one)
		if err != nil {
			return nil, err
		}
		list = []*herald.EscalationPolicy{p}
	} else if list, err = c.cfg.Services.Paging.EscalationPolicies(ctx); err != nil {
		return nil, err
	}
	v := &policiesView{One: one != "", Users: users, Schedules: schedules, Form: newPolicyForm(), Errors: map[string]string{}}
	for _, p := range list {
		v.Policies = append(v.Policies, policyRow{EscalationPolicy: p, Levels: describeLevels(p, names, schedNames)})
	}
	return v, nil
}

// describeLevels writes each level's targets by name and what follows it.
func describeLevels(p *herald.EscalationPolicy, users, schedules map[string]string) []levelRow {
	var out []levelRow
	for i, l := range p.Levels {
		lr := levelRow{N: i + 1, Timeout: l.TimeoutMinutes}
		for _, t := range l.Targets {
			switch t.Type {
			case "schedule":
				lr.Targets = append(lr.Targets, "whoever is on call on "+orUnknown(schedules[t.ID], t.ID))
			case herald.TargetColleague, herald.TargetManagers:
				lr.Targets = append(lr.Targets, describeTarget(t, schedules))
			default:
				lr.Targets = append(lr.Targets, orUnknown(users[t.ID], t.ID))
			}
		}
		switch {
		case i+1 < len(p.Levels):
			lr.Next = fmt.Sprintf("level %d", i+2)
		case p.Repeat > 0:
			lr.Next = fmt.Sprintf("level %d again (repeats %d more times)", p.RepeatStart()+1, p.Repeat)
		default:
			lr.Next = "nobody more: escalation stops"
		}
		out = append(out, lr)
	}
	return out
}

func orUnknown(name, id string) string {
	if name == "" {
		return "unknown (" + id + ")"
	}
	return name
}

func (c *Console) createPolicy(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	f := policyForm{Name: r.PostForm.Get("name"), Repeat: r.PostForm.Get("repeat")}
	in := herald.EscalationPolicyInput{Name: f.Name}
	fe := herald.FieldErrors{}
	policyRoundsForm(r, &f, &in, fe)
	if f.Repeat != "" {
		n, err := strconv.Atoi(strings.TrimSpace(f.Repeat))
		if err != nil {
			fe.Add("repeat", "a whole number from 0 to 10")
		}
		in.Repeat = n
	}
	for i := 1; i <= policyLevels; i++ {
		k := strconv.Itoa(i)
		lf := levelForm{N: i, Timeout: r.PostForm.Get("timeout_" + k), Selected: map[string]bool{}}
		var targets []herald.Target
		for _, t := range r.PostForm["targets_"+k] {
			kind, id, ok := strings.Cut(t, ":")
			if !ok {
				continue
			}
			lf.Selected[t] = true
			targets = append(targets, herald.Target{Type: kind, ID: id})
		}
		f.Levels = append(f.Levels, lf)
		if len(targets) == 0 && strings.TrimSpace(lf.Timeout) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(lf.Timeout))
		if err != nil {
			fe.Add("timeout_"+k, "minutes before the next level, a whole number")
		}
		in.Levels = append(in.Levels, herald.EscalationLevel{TimeoutMinutes: n, Targets: targets})
	}
	err := fe.Err()
	var p *herald.EscalationPolicy
	if err == nil {
		p, err = c.cfg.Services.Paging.CreateEscalationPolicy(r.Context(), in)
	}
	if err != nil {
		var he *herald.Error
		if !errors.As(err, &he) || (he.Code != herald.EInvalid && he.Code != herald.EConflict && he.Code != herald.EUnprocessable) {
			return err
		}
		v, lerr := c.loadPolicies(r.Context(), "")
		if lerr != nil {
			return lerr
		}
		v.Form, v.Error = f, he.Message
		for k, m := range he.Fields {
			v.Errors[k] = m
		}
		c.render(w, r, httpStatus(he.Code), "policies", a, v)
		return nil
	}
	redirect(w, r, "/app/oncall/policies/"+url.PathEscape(p.ID), "Escalation policy "+p.Name+" created.")
	return nil
}

// httpStatus is the status a refused form is shown again with.
func httpStatus(code string) int {
	switch code {
	case herald.EConflict:
		return http.StatusConflict
	case herald.EUnprocessable:
		return http.StatusUnprocessableEntity
	}
	return http.StatusBadRequest
}

// --- Services ---

type servicesView struct {
	Services []serviceRow
	Policies []*herald.EscalationPolicy
	Form     herald.ServiceInput
	Errors   map[string]string
	Error    string
}

// serviceRow is a service as the console shows it. Key is the integration
// key for admins and empty for everyone else: the key is the credential
// of /v2/enqueue, so it never reaches a page a non-admin sees, not even
// masked (the API shows non-admins its last four characters; the console
// shows nothing).
type serviceRow struct {
	*herald.Service
	Key    string
	HasKey bool
	Policy string
}

func (c *Console) services(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v, err := c.loadServices(r.Context(), a)
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "services", a, v)
	return nil
}

func (c *Console) loadServices(ctx context.Context, a herald.Actor) (*servicesView, error) {
	list, err := c.cfg.Services.Paging.Services(ctx)
	if err != nil {
		return nil, err
	}
	policies, err := c.cfg.Services.Paging.EscalationPolicies(ctx)
	if err != nil {
		return nil, err
	}
	pnames := map[string]string{}
	for _, p := range policies {
		pnames[p.ID] = p.Name
	}
	v := &servicesView{Policies: policies, Errors: map[string]string{}}
	for _, s := range list {
		cp := *s
		row := serviceRow{Service: &cp, HasKey: s.IntegrationKey != "", Policy: pnames[s.EscalationPolicyID]}
		if a.Role == herald.RoleAdmin {
			row.Key = s.IntegrationKey
		}
		cp.IntegrationKey = ""
		v.Services = append(v.Services, row)
	}
	return v, nil
}

func (c *Console) createService(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	in := herald.ServiceInput{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), EscalationPolicyID: r.PostFormValue("escalation_policy_id")}
	s, err := c.cfg.Services.Paging.CreateService(r.Context(), in)
	if err != nil {
		var he *herald.Error
		if !errors.As(err, &he) || (he.Code != herald.EInvalid && he.Code != herald.EConflict) {
			return err
		}
		v, lerr := c.loadServices(r.Context(), a)
		if lerr != nil {
			return lerr
		}
		v.Form, v.Error = in, he.Message
		for k, m := range he.Fields {
			v.Errors[k] = m
		}
		c.render(w, r, httpStatus(he.Code), "services", a, v)
		return nil
	}
	redirect(w, r, "/app/oncall/services", "Service "+s.Name+" added; its integration key is in the list.")
	return nil
}
