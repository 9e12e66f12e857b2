package herald

import (
	"fmt"
	"time"
)

// MonitoringChange says how publishing update u on status incident s at
// now changes its monitoring period (R16), in words; "" when the period
// runs as the setting says. Asking for a period other than the setting's
// (monitor_for_minutes), setting a new one while monitoring, resolving
// without having monitored, and resolving before the period ends are the
// changes the rule gives to the incident lead.
func (st *Settings) MonitoringChange(s *StatusIncident, u StatusUpdateInput, now time.Time) string {
	switch {
	case u.Status == Monitoring && u.MonitorFor > 0 && s.Status == Monitoring:
		return fmt.Sprintf("setting a new monitoring period (%d minutes from now)", u.MonitorFor)
	case u.Status == Monitoring && u.MonitorFor > 0 && time.Duration(u.MonitorFor)*time.Minute != st.MonitoringPeriod():
		return fmt.Sprintf("monitoring for %d minutes instead of %d (the setting)", u.MonitorFor, int(st.MonitoringPeriod()/time.Minute))
	case u.Status == Resolved && (s.Status == Resolved || len(s.Updates) == 0):
		return "" // already resolved, or posted resolved afterwards: no period to skip
	case u.Status == Resolved && s.Status != Monitoring:
		return "resolving without monitoring"
	case u.Status == Resolved && s.MonitoringUntil != nil && now.Before(*s.MonitoringUntil):
		return "resolving before monitoring ends (" + s.MonitoringUntil.UTC().Format("15:04") + " UTC)"
	}
	return ""
}

// CheckMonitoringChange refuses a change of inc's monitoring period (what
// MonitoringChange names) to user unless the organisation's rules let
// them decide it (decision kind monitoring: the incident lead, and any
// responder while nobody leads, like the all-clear). The refusal names
// R16.
func (st *Settings) CheckMonitoringChange(change string, inc *Incident, user *User) error {
	if change == "" {
		return nil
	}
	err := st.CheckAuthority(DecisionMonitoring, inc, user)
	if e, ok := err.(*Error); ok {
		return &Error{Code: e.Code, Message: "R16: " + change + " is " + DecisionWhat(DecisionMonitoring) + ", and " + trimWhat(e.Message)}
	}
	return err
}

// trimWhat drops CheckAuthority's leading "a change of the monitoring
// period is " so the refusal reads as one sentence.
func trimWhat(msg string) string {
	prefix := DecisionWhat(DecisionMonitoring) + " is "
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		return "it is " + msg[len(prefix):]
	}
	return msg
}

// ResolvingChange says how resolving an incident that is in state from
// changes its monitoring period (R16): skipping it (never in Monitoring),
// or shortening it (resolved before the period that began at since ends).
// "" when the period has run.
func (st *Settings) ResolvingChange(from State, since, now time.Time) string {
	switch {
	case from == Resolved:
		return ""
	case from != Monitoring:
		return "resolving without monitoring"
	case now.Before(since.Add(st.MonitoringPeriod())):
		return "resolving before monitoring ends (" + since.Add(st.MonitoringPeriod()).UTC().Format("15:04") + " UTC)"
	}
	return ""
}
