package console

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// The settings screen's reminders: when the communications role is
// reminded of public updates (R13) and of internal stakeholder updates,
// and the internal cadence by severity. Every timing is a duration, as
// written in the settings document ("2m", "30m").

// playbookKeys are the form's fields, each with the setting it edits.
func playbookFields(s *herald.Settings) map[string]*herald.Duration {
	p := &s.Playbook
	if p.Internal.Interval == nil {
		p.Internal.Interval = map[herald.Severity]herald.Duration{}
	}
	m := map[string]*herald.Duration{
		"pb.updates.before":     &p.Updates.Before,
		"pb.updates.every":      &p.Updates.Every,
		"pb.updates.lead_after": &p.Updates.LeadAfter,
		"pb.internal.before":    &p.Internal.Reminders.Before,
		// R52 and R53 (timerules.go).
		"pb.engage.communications_within": &p.Engagement.CommunicationsWithin,
		"pb.engage.director_after":        &p.Engagement.DirectorAfter,
	}
	for _, sev := range herald.Severities {
		d := p.Internal.Interval[sev]
		m["pb.internal."+string(sev)] = &d
		p.Internal.Interval[sev] = d // written back by readPlaybookForm
	}
	return m
}

// readPlaybookForm applies the reminder fields of the settings form to s
// and returns them as typed, so a refused form shows them again. A form
// without them (pb.form absent: a page from before they existed) leaves
// the settings as they are.
func readPlaybookForm(f url.Values, s *herald.Settings, fe herald.FieldErrors) map[string]string {
	if f.Get("pb.form") == "" {
		return nil
	}
	typed := map[string]string{}
	for key, to := range playbookFields(s) {
		raw := strings.TrimSpace(f.Get(key))
		typed[key] = raw
		if raw == "" {
			raw = "0s"
		}
		if err := to.UnmarshalText([]byte(raw)); err != nil {
			fe.Add(key, "must be a duration like 2m, 30m or 1h (0 or empty: none)")
		}
		if sev, ok := strings.CutPrefix(key, "pb.internal.S"); ok {
			s.Playbook.Internal.Interval[herald.Severity("S"+sev)] = *to
		}
	}
	s.Playbook.Updates.Off = f.Get("pb.updates.off") == "on"
	s.Playbook.Internal.Reminders.Off = f.Get("pb.internal.off") == "on"
	s.Playbook.Engagement.DirectorService = strings.TrimSpace(f.Get("pb.engage.director_service"))
	s.RequireAllClear = f.Get("pb.require_all_clear") == "on"
	for _, k := range []string{"pb.updates.off", "pb.internal.off", "pb.engage.director_service", "pb.require_all_clear"} {
		typed[k] = f.Get(k)
	}
	return typed
}

// PB is a reminder field's value: as typed when the form was refused,
// else the setting written as a duration ("" for none).
func (v settingsView) PB(key string) string {
	if typed, ok := v.Playbook[key]; ok {
		return typed
	}
	s := v.Settings
	switch key {
	case "pb.updates.off":
		return onOff(s.Playbook.Updates.Off)
	case "pb.internal.off":
		return onOff(s.Playbook.Internal.Reminders.Off)
	case "pb.engage.director_service":
		return s.Playbook.Engagement.DirectorService
	case "pb.require_all_clear":
		return onOff(s.RequireAllClear)
	}
	if d := playbookFields(&s)[key]; d != nil && *d > 0 {
		return shortDuration(time.Duration(*d))
	}
	return ""
}

// formDuration reads a duration field of the settings form: "10m", "1h",
// a bare number as minutes (what the form took before), empty as 0.
func formDuration(raw string) (herald.Duration, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, true
	}
	if n, err := strconv.Atoi(raw); err == nil {
		return herald.Duration(time.Duration(n) * time.Minute), true
	}
	var d herald.Duration
	return d, d.UnmarshalText([]byte(raw)) == nil
}

// Dur writes a setting's duration as the form takes it ("10m", "0s").
func (v settingsView) Dur(d herald.Duration) string {
	if d == 0 {
		return "0s"
	}
	return shortDuration(time.Duration(d))
}

// Typed is what was typed into a field of a refused form, or def.
func (v settingsView) Typed(key, def string) string {
	if typed, ok := v.Playbook[key]; ok {
		return typed
	}
	return def
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return ""
}
