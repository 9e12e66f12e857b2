package herald

import (
	"slices"
	"strings"
)

// Decision kinds with rules about who may take them (R10, R51). Any other
// decision is "general": any responder may record it.
const (
	DecisionGeneral              = "general"
	DecisionFailover             = "failover"
	DecisionEmergencyMaintenance = "emergency_maintenance"
	DecisionSeverity             = "severity"
	DecisionStatusPage           = "status_page"
	// DecisionAllClear is the incident lead's all-clear: the status
	// incident may be resolved (R17).
	DecisionAllClear = "all_clear"
	// DecisionCostMitigation is a mitigation that costs money (scaling
	// infrastructure up): it needs an approval (R55).
	DecisionCostMitigation = "cost_mitigation"
	// DecisionMonitoring is a change of an incident's monitoring period:
	// shortening, lengthening or skipping it is the incident lead's call
	// (R16, monitoring.go).
	DecisionMonitoring = "monitoring"
)

// DecisionKinds lists the known decision kinds.
var DecisionKinds = []string{DecisionGeneral, DecisionFailover, DecisionEmergencyMaintenance, DecisionSeverity, DecisionStatusPage, DecisionAllClear, DecisionCostMitigation, DecisionMonitoring}

// Decision is a choice made during an incident, with its rationale (R50):
// "fail over: 30-45 minutes to recover against 2-4 hours to restore".
type Decision struct {
	Kind      string `json:"kind" enum:"decision_kind"`
	What      string `json:"what"`
	Rationale string `json:"rationale"`
	// DecidedBy is the user who recorded the decision and answers for it:
	// always the caller, whose authority was checked (R51). A name given
	// by the caller would let anyone decide in an authorised person's name.
	DecidedBy     string `json:"decided_by"`
	DecidedByName string `json:"decided_by_name"`
	// OnBehalfOf names whom the caller says they decided for (a scribe
	// writing down the lead's call). It is information only: it grants
	// nothing, and authority is the caller's own.
	OnBehalfOf     string `json:"on_behalf_of,omitempty"`
	OnBehalfOfName string `json:"on_behalf_of_name,omitempty"`
	// Awaits says who must still approve or concur before the decision
	// is complete (R51, R55, R56), in words; empty when it needs nobody
	// else. It is what the rules asked when the decision was recorded.
	Awaits string `json:"awaits,omitempty"`
}

// DecisionInput records a decision. The decider is always the caller.
type DecisionInput struct {
	Kind      string `json:"kind" enum:"decision_kind"`
	What      string `json:"what" required:"true"`
	Rationale string `json:"rationale" required:"true"`
	// OnBehalfOf (user id or e-mail, optional) is recorded beside the
	// caller as whom they decided for; it does not lend authority.
	OnBehalfOf string `json:"on_behalf_of,omitempty"`
}

// Normalize validates the decision.
func (in *DecisionInput) Normalize() error {
	fe := FieldErrors{}
	in.Kind = strings.ToLower(strings.TrimSpace(in.Kind))
	if in.Kind == "" {
		in.Kind = DecisionGeneral
	}
	if !slices.Contains(DecisionKinds, in.Kind) {
		fe.Add("kind", "must be one of "+strings.Join(DecisionKinds, ", "))
	}
	in.What = strings.TrimSpace(in.What)
	checkText(fe, "what", in.What, MaxTitleLen*5, true)
	in.Rationale = strings.TrimSpace(in.Rationale)
	checkText(fe, "rationale", in.Rationale, MaxSummaryLen, true)
	in.OnBehalfOf = strings.TrimSpace(in.OnBehalfOf)
	return fe.Err()
}

// AuthorityRule says who may take one kind of decision.
//
// Roles are incident roles whose holders may decide. When none of them is
// staffed on the incident, Fallback roles decide instead (the EOC decides on
// public communication when there is no incident lead, R10); when neither is
// staffed the decision is open to any responder unless RequireStaffed is set,
// in which case it is refused until someone takes the role (a failover is
// the incident lead's call and nobody else's, R51). Manager requires the
// decider to be an engineering manager or above.
type AuthorityRule struct {
	Roles          []string `json:"roles,omitempty"`
	Fallback       []string `json:"fallback,omitempty"`
	RequireStaffed bool     `json:"require_staffed,omitempty"`
	Manager        bool     `json:"manager,omitempty"`
	// Qualification names a qualification the decider must hold, dated on
	// or before the day (R56: only people trained for failover decide one).
	Qualification string `json:"qualification,omitempty"`
	// Approval, when set, makes the decision complete only once a second
	// person has approved it (R55, R56) or concurred (R51: severity, the
	// lead with the engineer).
	Approval *ApprovalRule `json:"approval,omitempty"`
}

// CheckAuthority reports whether user may take a decision of kind on inc,
// by the organisation's rules. It returns an EForbidden or EUnprocessable
// *Error that says who may.
func (s *Settings) CheckAuthority(kind string, inc *Incident, user *User) error {
	rule, ok := s.DecisionAuthority[kind]
	if !ok {
		return nil
	}
	what := DecisionWhat(kind)
	if rule.Manager && !user.Manager {
		return Errorf(EForbidden, "%s is decided by an engineering manager or above; %s is not marked as one", what, user.Name)
	}
	for _, roles := range [][]string{rule.Roles, rule.Fallback} {
		staffed := false
		for _, role := range roles {
			if a, ok := inc.Role(role); ok {
				staffed = true
				if a.UserID == user.ID {
					return nil
				}
			}
		}
		if staffed {
			return Errorf(EForbidden, "%s is decided by the %s of this incident; %s does not hold that role", what, strings.Join(s.roleNames(roles), " or "), user.Name)
		}
	}
	if rule.RequireStaffed && len(rule.Roles) > 0 {
		return Errorf(EUnprocessable, "%s is decided by the %s; assign one to the incident first", what, strings.Join(s.roleNames(rule.Roles), " or "))
	}
	return nil
}

// DecisionWhat names a decision kind in a sentence.
func DecisionWhat(kind string) string {
	switch kind {
	case DecisionFailover:
		return "a failover"
	case DecisionEmergencyMaintenance:
		return "emergency maintenance"
	case DecisionSeverity:
		return "a severity change"
	case DecisionStatusPage:
		return "public status communication"
	case DecisionAllClear:
		return "the all-clear"
	case DecisionCostMitigation:
		return "a cost-impacting mitigation"
	case DecisionMonitoring:
		return "a change of the monitoring period"
	}
	return "this decision"
}
