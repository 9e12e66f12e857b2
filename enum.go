package herald

// Fixed values of fields that are plain strings. Validation checks against
// these lists (or, where each value needs its own check, a test holds the
// switch to the list), and the OpenAPI document reads them, so the
// documented enum and what the API accepts cannot drift apart.
var (
	// ContactKinds are the kinds of a contact method.
	ContactKinds = []string{"email", "webhook", "slack", "teams", "sms", "voice", "mattermost"}
	// RotationKinds are the rotations of a schedule layer.
	RotationKinds = []string{RotationDaily, RotationWeekly, RotationCustom}
	// TargetTypes are what an escalation level pages.
	TargetTypes = []string{TargetUser, TargetSchedule, TargetColleague, TargetManagers}
	// ReviewKinds are the post-incident reviews.
	ReviewKinds = []string{ReviewInternal, ReviewExternal}
	// ReviewRequirements say when a review is due.
	ReviewRequirements = []string{ReviewRequired, ReviewOnRequest, ReviewNone}
	// LinkModes say what happens to an update without the incident link.
	LinkModes = []string{LinkAppend, LinkRequire, LinkOff}
	// SubscriberKinds are the kinds of a status page subscriber.
	SubscriberKinds = []string{"email", "webhook", "slack", "teams", "mattermost"}
	// MaintenanceEvents are the events of a maintenance's updates.
	MaintenanceEvents = []string{EventScheduled, EventReminder, EventStarted, EventUpdate, EventCompleted, EventRescheduled, EventCancelled}
	// EventActions are PagerDuty Events API v2 actions.
	EventActions = []string{"trigger", "acknowledge", "resolve"}
	// EventSeverities are PagerDuty Events API v2 payload severities.
	EventSeverities = []string{"critical", "error", "warning", "info"}
)

// FieldEnum returns the values named by a struct field's `enum:"name"` tag,
// for a plain string field that takes one of fixed values; nil for an
// unknown name.
func FieldEnum(name string) []string {
	return map[string][]string{
		"contact_kind":           ContactKinds,
		"rotation":               RotationKinds,
		"target_type":            TargetTypes,
		"review_kind":            ReviewKinds,
		"review_requirement":     ReviewRequirements,
		"link_mode":              LinkModes,
		"subscriber_kind":        SubscriberKinds,
		"maintenance_event":      MaintenanceEvents,
		"decision_kind":          DecisionKinds,
		"event_action":           EventActions,
		"event_severity":         EventSeverities,
		"policy_template":        PolicyTemplates,
		"contact_request_status": ContactRequestStatuses,
		"handover_status":        HandoverStatuses,
		"guard_kind":             GuardKinds,
		"ticket_system":          TicketSystemKinds,
		"component_review":       ComponentReviewModes,
		"proposal_action":        ProposalActions,
		"proposal_state":         ProposalStates,
	}[name]
}

// enumStrings turns a list of values of a string type into strings, for the
// Enum methods.
func enumStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
