package herald

import (
	"slices"
	"strings"
	"time"
)

// Escalation target types (TargetTypes).
const (
	TargetUser     = "user"     // one person
	TargetSchedule = "schedule" // whoever is on call on a schedule
	// TargetColleague is another engineer in the time zone of a schedule
	// (R07): Colleague says who.
	TargetColleague = "colleague"
	// TargetManagers is every user marked as a manager: "all of
	// management" (R07).
	TargetManagers = "managers"
)

// FindingNoManagers is the doctor's finding for an escalation policy that
// pages all managers when nobody is marked as one.
const FindingNoManagers = "no_managers"

// RepeatStart is the level (from 0) a repeat round starts at.
func (p *EscalationPolicy) RepeatStart() int {
	if p.RepeatFromLevel > 1 && p.RepeatFromLevel <= len(p.Levels) {
		return p.RepeatFromLevel - 1
	}
	return 0
}

// MaxSnooze bounds a snooze: a page snoozed longer is a page that should be
// resolved.
const MaxSnooze = 24 * time.Hour

// SnoozeInput acknowledges a page until a time: Until, or For from now.
// When it ends the page is triggered again and escalation starts again
// from level 1.
type SnoozeInput struct {
	Until *time.Time `json:"until,omitempty"`
	For   Duration   `json:"for,omitempty"`
}

// End validates the snooze and returns when it ends, seen from now.
func (in *SnoozeInput) End(now time.Time) (time.Time, error) {
	fe := FieldErrors{}
	var end time.Time
	switch {
	case in.Until != nil && in.For != 0:
		fe.Add("until", "give until or for, not both")
	case in.Until != nil:
		end = in.Until.UTC()
	case in.For > 0:
		end = now.Add(time.Duration(in.For))
	default:
		fe.Add("for", "give until (a time) or for (a duration like 1h)")
	}
	if err := fe.Err(); err != nil {
		return time.Time{}, err
	}
	field := "until"
	if in.Until == nil {
		field = "for"
	}
	if end.Sub(now) < time.Minute || end.Sub(now) > MaxSnooze {
		fe.Add(field, "a snooze ends between 1m and 24h from now")
	}
	return end.Truncate(time.Second), fe.Err()
}

// EscalationTemplates are the durations of the escalation templates
// Herald offers for the incident roles (R05, R07). Each is a setting
// written as a duration; a template applied later uses the values of the
// moment (a policy made from it keeps its own timeouts).
type EscalationTemplates struct {
	// LeadAfter is how long the engineer has to acknowledge before the
	// incident lead is paged (R05: 30m).
	LeadAfter Duration `json:"lead_after"`
	// LeadAckWithin is how long the incident lead has to acknowledge
	// before management is paged (R05: 30m).
	LeadAckWithin Duration `json:"lead_ack_within"`
	// ColleagueAfter is how long the engineer has to answer the direct
	// message before another engineer in the time zone is paged (R07:
	// 10m).
	ColleagueAfter Duration `json:"colleague_after"`
	// ColleagueAckWithin is how long that engineer has before all of
	// management is paged (R07 names no time: 10m).
	ColleagueAckWithin Duration `json:"colleague_ack_within"`
	// ManagementAckWithin is the last level's timeout: how long
	// management has before the fallback (settings paging.fallback).
	ManagementAckWithin Duration `json:"management_ack_within"`
}

// DefaultEscalationTemplates are the source's numbers.
func DefaultEscalationTemplates() EscalationTemplates {
	return EscalationTemplates{
		LeadAfter:           Duration(30 * time.Minute),
		LeadAckWithin:       Duration(30 * time.Minute),
		ColleagueAfter:      Duration(10 * time.Minute),
		ColleagueAckWithin:  Duration(10 * time.Minute),
		ManagementAckWithin: Duration(30 * time.Minute),
	}
}

func (e *EscalationTemplates) validate(fe FieldErrors) {
	for name, d := range map[string]Duration{"lead_after": e.LeadAfter, "lead_ack_within": e.LeadAckWithin, "colleague_after": e.ColleagueAfter,
		"colleague_ack_within": e.ColleagueAckWithin, "management_ack_within": e.ManagementAckWithin} {
		if d == 0 {
			continue // unset in stored settings: the default applies
		}
		if d < Duration(time.Minute) || d > Duration(24*time.Hour) || d%Duration(time.Minute) != 0 {
			fe.Add("escalation_templates", name+" must be whole minutes from 1m to 24h, like 30m")
		}
	}
}

// withDefaults fills unset durations (settings stored before a field
// existed) with the source's.
func (e EscalationTemplates) withDefaults() EscalationTemplates {
	d := DefaultEscalationTemplates()
	for _, p := range []struct{ v, def *Duration }{{&e.LeadAfter, &d.LeadAfter}, {&e.LeadAckWithin, &d.LeadAckWithin},
		{&e.ColleagueAfter, &d.ColleagueAfter}, {&e.ColleagueAckWithin, &d.ColleagueAckWithin}, {&e.ManagementAckWithin, &d.ManagementAckWithin}} {
		if *p.v == 0 {
			*p.v = *p.def
		}
	}
	return e
}

// Escalation templates.
const (
	// TemplateIncidentRoles is R05: the engineer on call, after 30
	// minutes unacknowledged the incident lead, who has 30 minutes before
	// management is paged.
	TemplateIncidentRoles = "r05"
	// TemplateUnanswered is R07: a direct message to the engineer, after
	// 10 minutes another engineer in the same time zone, then all of
	// management.
	TemplateUnanswered = "r07"
)

// PolicyTemplates lists the templates.
var PolicyTemplates = []string{TemplateIncidentRoles, TemplateUnanswered}

// PolicyTemplateInput makes an escalation policy from a template.
type PolicyTemplateInput struct {
	Template string `json:"template" required:"true" enum:"policy_template"`
	// Name is the policy's name; empty gives the template's own.
	Name string `json:"name,omitempty"`
	// Engineer is the engineers' schedule (id or name), level 1 of both
	// templates; R07's colleague is found in its time zone.
	Engineer string `json:"engineer" required:"true"`
	// Lead is the incident leads' schedule (id or name), R05's level 2.
	Lead string `json:"lead,omitempty"`
}

// PolicyFromTemplate builds the policy a template makes, with the
// organisation's durations (settings escalation_templates).
func (s *Settings) PolicyFromTemplate(in PolicyTemplateInput) (EscalationPolicyInput, error) {
	fe := FieldErrors{}
	in.Engineer, in.Lead, in.Name = strings.TrimSpace(in.Engineer), strings.TrimSpace(in.Lead), strings.TrimSpace(in.Name)
	if !slices.Contains(PolicyTemplates, in.Template) {
		fe.Add("template", "must be r05 (incident roles) or r07 (unanswered engineer)")
	}
	if in.Engineer == "" {
		fe.Add("engineer", "the engineers' schedule is required")
	}
	if in.Template == TemplateIncidentRoles && in.Lead == "" {
		fe.Add("lead", "the incident leads' schedule is required by r05")
	}
	if err := fe.Err(); err != nil {
		return EscalationPolicyInput{}, err
	}
	t := s.EscalationTemplates.withDefaults()
	mins := func(d Duration) int { return int(time.Duration(d) / time.Minute) }
	managers := EscalationLevel{TimeoutMinutes: mins(t.ManagementAckWithin), Targets: []Target{{Type: TargetManagers}}}
	var out EscalationPolicyInput
	switch in.Template {
	case TemplateIncidentRoles:
		out = EscalationPolicyInput{Name: "Incident roles (R05)", Levels: []EscalationLevel{
			{TimeoutMinutes: mins(t.LeadAfter), Targets: []Target{{Type: TargetSchedule, ID: in.Engineer}}},
			{TimeoutMinutes: mins(t.LeadAckWithin), Targets: []Target{{Type: TargetSchedule, ID: in.Lead}}},
			managers,
		}}
	default:
		out = EscalationPolicyInput{Name: "Unanswered engineer (R07)", Levels: []EscalationLevel{
			{TimeoutMinutes: mins(t.ColleagueAfter), Targets: []Target{{Type: TargetSchedule, ID: in.Engineer}}},
			{TimeoutMinutes: mins(t.ColleagueAckWithin), Targets: []Target{{Type: TargetColleague, ID: in.Engineer}}},
			managers,
		}}
	}
	if in.Name != "" {
		out.Name = in.Name
	}
	return out, nil
}

// colleagueLookahead is how far ahead Colleague looks in a rotation for
// the next engineer.
const colleagueLookahead = 14 * 24 * time.Hour

// Colleague picks "another engineer in the current time zone" (R07) for
// schedule s at t, skipping the people in skip (the engineer on call and
// whoever the page notified already). In order: whoever comes next in s's
// own rotation (the next shift, up to two weeks ahead); then whoever is on
// call now on another schedule in the same time zone; then anyone in the
// rotations of those schedules. ok is false when nobody is left.
func Colleague(s *Schedule, all []*Schedule, t time.Time, skip map[string]bool) (string, bool) {
	free := func(id string) bool { return id != "" && !skip[id] }
	if shifts, err := s.Shifts(t, t.Add(colleagueLookahead)); err == nil {
		for _, sh := range shifts {
			if free(sh.UserID) {
				return sh.UserID, true
			}
		}
	}
	var same []*Schedule
	for _, o := range all {
		if o.ID != s.ID && o.TimeZone == s.TimeZone {
			same = append(same, o)
		}
	}
	for _, o := range same {
		if oc, ok := o.OnCallAt(t); ok && free(oc.UserID) {
			return oc.UserID, true
		}
	}
	for _, o := range append([]*Schedule{s}, same...) {
		for _, l := range o.Layers {
			for _, u := range l.Users {
				if free(u) {
					return u, true
				}
			}
		}
	}
	return "", false
}
