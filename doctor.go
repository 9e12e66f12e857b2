package herald

// Finding is one configuration gap that `herald doctor` reports: something
// that would make a page reach nobody, or a message go nowhere, found before
// an incident finds it.
type Finding struct {
	Kind     string `json:"kind"`     // one of the Finding kinds
	Severity string `json:"severity"` // SeverityWarning or SeverityError
	Message  string `json:"message"`  // what is wrong, in plain words
	Fix      string `json:"fix"`      // what to do about it
}

// Finding severities: an error means a page or a message can go nowhere
// today; a warning means it could.
const (
	SeverityWarning = "warning"
	SeverityError   = "error"
)

// Finding kinds.
const (
	FindingUserUnreachable = "user_unreachable"  // a user without a working contact method
	FindingScheduleGap     = "schedule_gap"      // a schedule with nobody on call for a while in the next 14 days
	FindingServiceNoPolicy = "service_no_policy" // a service without an escalation policy
	FindingRoleUnbound     = "role_unbound"      // an incident role that declarations page, bound to no service
	FindingFallbackMissing = "fallback_missing"  // settings paging.fallback names nobody
	FindingSMTPMissing     = "smtp_missing"      // e-mail is used but no SMTP server is configured
	FindingTeamsConnector  = "teams_connector"   // a Teams URL is an old Office 365 connector's, to replace with a Workflow
)

// Report is what `herald doctor` shows: every finding, errors first.
type Report struct {
	Findings []Finding `json:"findings"`
	Errors   int       `json:"errors"`
	Warnings int       `json:"warnings"`
}
