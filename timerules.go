package herald

import (
	"strings"
	"time"
)

// Prompt kinds of the playbook's time rules.
const (
	// PromptMonitoringOver tells the incident lead that the monitoring
	// period passed without recurrence: the incident is ready to resolve (R16).
	PromptMonitoringOver = "monitoring_over"
	// PromptRecurred tells the incident lead and the communications role
	// that the problem came back while monitoring: the incident is managed
	// again and a public update is due (R16).
	PromptRecurred = "recurred"
	// PromptCommunicationsNotEngaged tells the incident lead that nobody
	// answered as communications within the time R52 gives.
	PromptCommunicationsNotEngaged = "communications_not_engaged"
	// PromptNoDirector tells the incident lead that an S1 went unmitigated
	// past R53's time and Herald had nobody to escalate to.
	PromptNoDirector = "no_director"
)

// LabelMitigated is the label, and the decision kind or first word of a
// decision, that says an incident is mitigated (R53).
const LabelMitigated = "mitigated"

// EngagementRules time who must be engaged in an incident, and when (R52,
// R53). A zero duration turns its rule off.
type EngagementRules struct {
	// CommunicationsWithin is how soon after the start of customer impact
	// the communications role must be engaged at S1 and S2 (R52): its page
	// acknowledged, or its holder acting on the incident.
	CommunicationsWithin Duration `json:"communications_within"`
	// DirectorAfter is how long an S1 may go without being mitigated before
	// the director is paged (R53).
	DirectorAfter Duration `json:"director_after"`
	// DirectorService is the service (id or name) whose escalation policy
	// reaches the director. Empty: nobody is paged, the timeline says so and
	// the incident lead is prompted instead.
	DirectorService string `json:"director_service,omitempty"`
}

// DefaultEngagement is the source's timing: 10 minutes, 1 hour.
func DefaultEngagement() EngagementRules {
	return EngagementRules{CommunicationsWithin: Duration(10 * time.Minute), DirectorAfter: Duration(time.Hour)}
}

func (e *EngagementRules) validate(fe FieldErrors) {
	for name, d := range map[string]Duration{"communications_within": e.CommunicationsWithin, "director_after": e.DirectorAfter} {
		if d < 0 || time.Duration(d) > 7*24*time.Hour {
			fe.Add("playbook.engagement."+name, "must be between 0s (off) and 168h")
		}
	}
	if e.DirectorService = strings.TrimSpace(e.DirectorService); len(e.DirectorService) > 254 {
		fe.Add("playbook.engagement.director_service", tooLong(len(e.DirectorService), 254, "characters"))
	}
}

// Mitigated reports whether a decision says the incident is mitigated: its
// kind is "mitigated", or what was decided starts with the word (R53).
func (d Decision) Mitigated() bool {
	if strings.EqualFold(d.Kind, LabelMitigated) {
		return true
	}
	w := strings.ToLower(strings.TrimSpace(d.What))
	rest, ok := strings.CutPrefix(w, LabelMitigated)
	return ok && (rest == "" || strings.IndexAny(rest[:1], " :;,.-(") == 0)
}

// IsMitigatedLabel reports whether a label says the incident is mitigated:
// "mitigated", or a scoped label ending in it ("Status::Mitigated").
func IsMitigatedLabel(name string) bool {
	l, err := ParseLabel(name)
	if err != nil {
		return false
	}
	last := l.Name
	if l.Scope != "" {
		last = strings.TrimPrefix(l.Name, l.Scope+"::")
	}
	return strings.EqualFold(last, LabelMitigated)
}

// CheckImpactStart refuses an impact start after the declaration (a later
// one is the declaration itself) or more than a week before it.
func CheckImpactStart(start *time.Time, declared time.Time) error {
	if start == nil {
		return nil
	}
	switch {
	case start.After(declared):
		return &Error{Code: EInvalid, Message: "impact_started_at must be at or before the declaration",
			Fields: map[string]string{"impact_started_at": "must be at or before " + declared.UTC().Format(time.RFC3339)}}
	case declared.Sub(*start) > 7*24*time.Hour:
		return &Error{Code: EInvalid, Message: "impact_started_at must be within a week before the declaration",
			Fields: map[string]string{"impact_started_at": "must be within a week before the declaration"}}
	}
	return nil
}
