package herald

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"
)

// PublishPlan is what publishing one update to a status incident changes,
// decided before anything is written: the store loads the incident and the
// components, asks PlanPublish, and writes the plan. Keeping the decision
// here lets the rules of R11-R17 be read and tested without a database.
type PublishPlan struct {
	// Components is the status of every component the incident affects
	// after the update (R11); all operational when it resolves (R17).
	Components map[string]ComponentStatus
	// Order lists those components by name; Names are their names.
	Order, Names []string
	// Changes are the components whose status the update changes, or that
	// it adds to the incident.
	Changes []ComponentChange
	// Text is what is published: the body or the filled template, with the
	// incident link (R14); Checks are the results of R14's checks.
	Text   string
	Checks []Check
	// Overridden is set when checks failed and the publisher overrode them.
	Overridden bool
	// Findings are the content guard's (R45) in Text (and in the name when
	// GuardName); GuardOverride is set when the publisher overrode them.
	Findings      []GuardFinding
	GuardOverride *GuardOverride
	// Status is the incident's state after the update; Impact its impact
	// (derived from the worst component status when the incident's impact
	// is automatic).
	Status State
	Impact Impact
	// ResolvedAt, MonitoringUntil (R16) and NextUpdateDue (R13) are the
	// incident's times after the update; nil when they do not apply.
	ResolvedAt, MonitoringUntil, NextUpdateDue *time.Time
	// Notice is what the subscribers of the affected components are told
	// (R11): "[Acme] Identified: Checkout errors" and the published text.
	Notice Notice
}

// PublishInput is what PlanPublish decides from.
type PublishInput struct {
	Incident *StatusIncident
	Update   StatusUpdateInput
	// Components are every component of the page.
	Components []Component
	Settings   Settings
	// Severity sets the cadence (R13): the internal incident's, or one read
	// from the impact.
	Severity Severity
	// Link is the public link of the incident (R14).
	Link string
	// AutoImpact derives the impact from the worst component status.
	AutoImpact bool
	Now        time.Time
	// GuardName also guards the incident's name (R45): it is new, or this
	// update publishes a new one.
	GuardName bool
	// DryRun shows the guard's findings as checks instead of refusing.
	DryRun bool
}

// PlanPublish decides what an update does. Its errors are *Error: a
// component that does not exist or is a group, an unknown template, or
// (with the plan's Text and Checks filled in, for the publisher to see)
// failed checks that were not overridden.
func PlanPublish(in PublishInput) (PublishPlan, error) {
	s, u, settings := in.Incident, in.Update, in.Settings
	byID := map[string]Component{}
	for _, c := range in.Components {
		byID[c.ID] = c
	}
	var ids []string
	for cid := range u.Components {
		ids = append(ids, cid)
	}
	sort.Strings(ids)
	if err := CheckComponents(byID, ids); err != nil {
		return PublishPlan{}, err
	}

	// The new component statuses.
	p := PublishPlan{Components: map[string]ComponentStatus{}, Status: u.Status, Impact: s.Impact}
	for cid, st := range s.Components {
		p.Components[cid] = st
	}
	for _, cid := range ids {
		p.Components[cid] = u.Components[cid]
	}
	if u.Status == Resolved {
		for cid := range p.Components {
			p.Components[cid] = Operational
		}
	}
	for cid := range p.Components {
		p.Order = append(p.Order, cid)
	}
	sort.Slice(p.Order, func(i, j int) bool { return byID[p.Order[i]].Name < byID[p.Order[j]].Name })
	for _, cid := range p.Order {
		old, had := s.Components[cid]
		if !had {
			old = byID[cid].Status
		}
		p.Names = append(p.Names, byID[cid].Name)
		if old != p.Components[cid] || !had {
			p.Changes = append(p.Changes, ComponentChange{ID: cid, Name: byID[cid].Name, OldStatus: old, NewStatus: p.Components[cid]})
		}
	}

	// The text: from a template when asked, with the incident link.
	next := time.Duration(u.NextUpdateIn) * time.Minute
	if next == 0 {
		next = settings.NextUpdateAfter(u.Status, in.Severity)
	}
	// The text says whole minutes: a cadence under one (a test's) reads
	// as the minute it falls in.
	nextIn := int((next + time.Minute - 1) / time.Minute)
	body := u.Body
	if u.Template != "" {
		t, ok := settings.StatusTemplates[u.Template]
		if !ok {
			return PublishPlan{}, &Error{Code: EInvalid, Message: "no status template " + u.Template, Fields: map[string]string{"template": "unknown template; see GET /api/v1/status-templates"}}
		}
		compText := strings.Join(p.Names, ", ")
		if compText == "" {
			compText = "our service"
		}
		body = FillTemplate(t, s.Name, compText, nextIn, in.Link)
	}
	p.Text = body
	// The guard reads what the publisher wrote (or the template made):
	// the link Herald appends is its own, and findings keep their places.
	written := p.Text
	if settings.IncidentLink == LinkAppend && !strings.Contains(p.Text, in.Link) {
		written = strings.TrimSpace(p.Text)
		p.Text = written + " " + in.Link
	}
	p.Checks = CheckUpdate(p.Text, in.Link, settings.IncidentLink != LinkOff, settings.UpdateLimits)
	// The notice is decided before the checks, so a publisher whose text
	// fails them still sees what the subscribers would be told.
	p.Notice = Notice{Event: "incident.update", Subject: fmt.Sprintf("[%s] %s: %s", settings.Page.Name, p.Status.Title(), s.Name), Body: p.Text, URL: in.Link}
	var refusal *Error
	if failed := FailedChecks(p.Checks); len(failed) > 0 {
		if !u.OverrideChecks {
			refusal = &Error{Code: EUnprocessable, Fields: map[string]string{},
				Message: "the update fails its checks (" + strings.Join(failed, ", ") + "); shorten it, or send override_checks: true"}
			for _, c := range p.Checks {
				if !c.OK {
					refusal.Fields[c.Name] = c.Message
				}
			}
		} else {
			p.Overridden = true
		}
	}
	// The content guard (R45): the name when it is new, then the text.
	guard := settings.PublicGuard(in.Link)
	if in.GuardName {
		p.Findings = GuardFields(guard, [2]string{"name", s.Name})
	}
	p.Findings = append(p.Findings, GuardFields(guard, [2]string{"body", written})...)
	if len(p.Findings) > 0 {
		p.Checks = append(p.Checks, GuardChecks(p.Findings)...)
		switch {
		case u.OverrideGuard:
			p.GuardOverride = &GuardOverride{Reason: u.OverrideGuardReason, Findings: p.Findings}
		case in.DryRun:
			// A preview shows the findings as checks.
		case refusal == nil:
			refusal = GuardError(p.Findings)
		default:
			ge := GuardError(p.Findings)
			refusal.Message += "; " + ge.Message
			maps.Copy(refusal.Fields, ge.Fields)
		}
	}
	if refusal != nil {
		return p, refusal
	}

	// The incident's state and times.
	now := in.Now
	if p.Status == Resolved {
		p.ResolvedAt = &now
	}
	if in.AutoImpact {
		worst := Operational
		for _, st := range p.Components {
			worst = Worst(worst, st)
		}
		p.Impact = ImpactOf(worst)
	}
	switch {
	case p.Status == Monitoring && (s.Status != Monitoring || u.MonitorFor > 0):
		period := settings.MonitoringPeriod()
		if u.MonitorFor > 0 {
			period = time.Duration(u.MonitorFor) * time.Minute
		}
		t := now.Add(period)
		p.MonitoringUntil = &t
	case p.Status == Monitoring:
		p.MonitoringUntil = s.MonitoringUntil
	}
	if p.Status != Resolved && next > 0 {
		t := now.Add(next)
		p.NextUpdateDue = &t
	}
	return p, nil
}

// CheckComponents refuses component ids an incident cannot name: one that
// does not exist, or a group (its members are named instead).
func CheckComponents(byID map[string]Component, ids []string) error {
	fe := FieldErrors{}
	for _, cid := range ids {
		c, ok := byID[cid]
		switch {
		case !ok:
			fe.Add("components", "no component "+cid)
		case c.Group:
			fe.Add("components", c.Name+" is a group: name its components")
		}
	}
	return fe.Err()
}
