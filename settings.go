package herald

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// Incident role keys that the process names. The list of roles on an
// incident is configurable; these three are the default and the ones other
// rules refer to.
const (
	RoleIncidentLead   = "incident_lead"  // the IM / IMOC: leads, decides, does not debug
	RoleEngineerOnCall = "eoc"            // the engineer on call: investigates and mitigates
	RoleCommunications = "communications" // the CMOC: tells everyone affected
)

// RoleDef is one incident role an organisation uses.
type RoleDef struct {
	Key  string `json:"key" required:"true"`
	Name string `json:"name" required:"true"`
}

// Review kinds after an incident (R54).
const (
	ReviewInternal = "internal"
	ReviewExternal = "external"
)

// Review requirements.
const (
	ReviewRequired  = "required"   // due automatically when the incident resolves
	ReviewOnRequest = "on_request" // due once somebody asks for it
	ReviewNone      = "none"       // not done for this severity
)

// ReviewPolicy says which post-incident reviews a severity needs, and how
// soon after resolution (or after the request) they are due.
type ReviewPolicy struct {
	Internal   string `json:"internal" required:"true" enum:"review_requirement"`
	External   string `json:"external" required:"true" enum:"review_requirement"`
	WithinDays int    `json:"within_days" required:"true"`
}

// Requirement returns the policy for a review kind.
func (p ReviewPolicy) Requirement(kind string) string {
	if kind == ReviewExternal {
		return p.External
	}
	return p.Internal
}

// Settings are the organisation's choices. Every number the process names
// (7 days to a review, who decides what) is a default here, never a constant
// buried in code.
type Settings struct {
	// ReferencePrefix makes an incident's reference: "INC" gives "INC-42".
	ReferencePrefix   string                    `json:"reference_prefix" required:"true"`
	IncidentRoles     []RoleDef                 `json:"incident_roles" required:"true"`
	Reviews           map[Severity]ReviewPolicy `json:"reviews" required:"true"`
	DecisionAuthority map[string]AuthorityRule  `json:"decision_authority"`

	// EscalationTemplates are the durations of R05's and R07's escalation
	// templates (herald policy template).
	EscalationTemplates EscalationTemplates `json:"escalation_templates"`

	// Page is how the public status page looks.
	Page PageSettings `json:"page" required:"true"`
	// IncidentLink says what happens when an update lacks the incident's
	// link (R14): "append" adds it, "require" refuses the update, "off"
	// lets it go without.
	IncidentLink string `json:"incident_link" required:"true" enum:"link_mode"`
	// UpdateLimits bound the length of a public update (R14).
	UpdateLimits UpdateLimits `json:"update_limits"`
	// Cadence is the time between public updates by state and severity
	// (R13), unless an update announces when the next one comes; 0s: none
	// owed. A number saved by an older release is read as minutes.
	Cadence CadenceTable `json:"cadence"`
	// RoleServices binds incident roles to the services that page them
	// ("Incident Management - CMOC"): role key -> service id or name.
	RoleServices map[string]string `json:"role_services"`
	// PageRoles lists, per severity, the roles a declaration pages (R01:
	// S1 and S2 page the incident lead, the engineer and communications).
	PageRoles map[Severity][]string `json:"page_roles"`
	// CoverService pages the support manager on call when a responder is
	// already engaged in another active incident (R06); empty pages the
	// engaged responder anyway.
	CoverService string `json:"cover_service,omitempty"`
	// Paging says what happens when a page would reach nobody.
	Paging PagingSettings `json:"paging"`
	// Monitoring is how long an incident stays in Monitoring before it is
	// ready to resolve (R16); the incident lead may change it per incident
	// or skip monitoring. Read it with MonitoringPeriod.
	Monitoring Duration `json:"monitoring"`
	// LegacyMonitoringMinutes is the monitoring period as older releases
	// saved it, in minutes: read when given (it then sets Monitoring), never
	// written. Deprecated: send monitoring ("30m").
	LegacyMonitoringMinutes *int `json:"monitoring_minutes,omitempty"`
	// StatusTemplates are texts for the usual updates (R15). {name},
	// {components}, {next_update} and {link} are filled in.
	StatusTemplates map[string]string `json:"status_templates"`
	// Checklists are each incident role's tasks by stage (R08), role key
	// -> stages; see checklist.go. Left out (or empty), the defaults hold;
	// a role given [] has no list.
	Checklists map[string][]ChecklistStage `json:"checklists,omitempty"`
	// Sessions bound console sign-ins.
	Sessions SessionSettings `json:"sessions"`
	// Playbook times the prompts that hold the team to the practice:
	// update reminders (R13) and the rules that follow.
	Playbook PlaybookSettings `json:"playbook"`
	// RequireAllClear makes resolving a status incident linked to an
	// incident wait for the incident lead's recorded all-clear (R17).
	RequireAllClear bool `json:"require_all_clear"`
	// Guard is what the content guard refuses in public updates and
	// customer messages (R45): internal hosts, IP addresses, log lines,
	// stack traces, staff addresses, dashboard links. See guard.go.
	Guard GuardPatterns `json:"guard"`
	// SupportRegions maps each cloud region code a tenant may run in to
	// the support region that serves it (AMER, EMEA, APAC): a tenant's
	// regions must be listed here (tenant.go).
	SupportRegions RegionTable `json:"support_regions"`
	// Notices are the choices of customer notices (noticethread.go).
	Notices NoticeSettings `json:"notices"`
	// Approvals say who approves customer messages (R44, noticeapproval.go).
	Approvals ApprovalSettings `json:"approvals"`
	// Handover says which rotations hand over at each shift's end and
	// when a missing handover is reminded (handover.go, R60).
	Handover HandoverSettings `json:"handover"`
	// OnCall times the notices to the incoming person at each hand-off
	// (oncallswap.go).
	OnCall OnCallSettings `json:"oncall"`
	// Tickets are the choices of support ticket coupling (tickets.go, R20).
	Tickets TicketSettings `json:"tickets"`
	// Chat are the chat-ops choices (chat.go): the call bridge.
	Chat ChatSettings `json:"chat"`
	// Measures are the choices of the measures report (measures_report.go).
	Measures MeasuresSettings `json:"measures"`
}

// PagingSettings are the organisation's paging choices.
type PagingSettings struct {
	// Fallback is a user (id or e-mail) or a schedule (id or name) paged
	// when a page would otherwise reach nobody: the last level of its
	// policy reached nobody (no working contact method, nobody on call),
	// or its service has no policy. Empty: nobody is paged then, and the
	// gap is only logged, shown and counted.
	Fallback string `json:"fallback,omitempty"`
}

// PageSettings brand the public status page.
type PageSettings struct {
	Name    string     `json:"name" required:"true"`
	LogoURL string     `json:"logo_url,omitempty"`
	Accent  string     `json:"accent_color" required:"true"` // CSS colour, #rrggbb
	Links   []PageLink `json:"links,omitempty"`
	// TimeZone is shown beside UTC times; empty shows UTC only.
	TimeZone string `json:"time_zone,omitempty"`
	// ComponentReview says whether changes to the page's components need
	// a second admin's approval (R21, componentreview.go): off (empty
	// reads as off) or required.
	ComponentReview string `json:"component_review,omitempty" enum:"component_review"`
}

// PageLink is a link in the page's header or footer.
type PageLink struct {
	Label string `json:"label" required:"true"`
	URL   string `json:"url" required:"true"`
}

// Incident link modes.
const (
	LinkAppend  = "append"
	LinkRequire = "require"
	LinkOff     = "off"
)

// NextUpdateAfter returns the cadence interval for a state and severity,
// or 0 when no further update is owed.
func (s *Settings) NextUpdateAfter(state State, sev Severity) time.Duration {
	return time.Duration(s.Cadence[state][sev])
}

// DefaultSettings are the process as the handbook describes it.
func DefaultSettings() Settings {
	onRequest := ReviewPolicy{Internal: ReviewOnRequest, External: ReviewNone, WithinDays: 7}
	return Settings{
		ReferencePrefix:     "INC",
		EscalationTemplates: DefaultEscalationTemplates(),
		IncidentRoles: []RoleDef{
			{Key: RoleIncidentLead, Name: "Incident Lead"},
			{Key: RoleEngineerOnCall, Name: "Engineer on Call"},
			{Key: RoleCommunications, Name: "Communications Manager"},
		},
		Reviews: map[Severity]ReviewPolicy{
			S1: {Internal: ReviewRequired, External: ReviewRequired, WithinDays: 7},
			S2: onRequest, S3: onRequest, S4: onRequest,
		},
		DecisionAuthority: map[string]AuthorityRule{
			// R51, R56: the incident lead, trained for failover, approved by
			// another person trained for it.
			DecisionFailover: {Roles: []string{RoleIncidentLead}, RequireStaffed: true, Qualification: QualificationFailover,
				Approval: &ApprovalRule{Qualification: QualificationFailover}},
			DecisionEmergencyMaintenance: {Manager: true},
			// R51: the lead with the engineer: one records, the other concurs.
			DecisionSeverity: {Roles: []string{RoleIncidentLead, RoleEngineerOnCall},
				Approval: &ApprovalRule{Roles: []string{RoleIncidentLead, RoleEngineerOnCall}}},
			DecisionStatusPage: {Roles: []string{RoleIncidentLead}, Fallback: []string{RoleEngineerOnCall}},
			// R17: the incident lead's; open to the responders while nobody leads.
			DecisionAllClear: {Roles: []string{RoleIncidentLead}},
			// R16: the incident lead's; open to the responders while nobody leads.
			DecisionMonitoring: {Roles: []string{RoleIncidentLead}},
			// R55: any responder proposes; an engineering manager approves.
			DecisionCostMitigation: {Approval: &ApprovalRule{Manager: true}},
		},
		Page:         PageSettings{Name: "Service Status", Accent: "#1f6feb", ComponentReview: ComponentReviewOff},
		Checklists:   DefaultChecklists(),
		RoleServices: map[string]string{},
		PageRoles: map[Severity][]string{
			S1: {RoleIncidentLead, RoleEngineerOnCall, RoleCommunications},
			S2: {RoleIncidentLead, RoleEngineerOnCall, RoleCommunications},
			S3: {}, S4: {},
		},
		IncidentLink:    LinkAppend,
		UpdateLimits:    DefaultUpdateLimits,
		Playbook:        DefaultPlaybook(),
		Monitoring:      Duration(30 * time.Minute),
		RequireAllClear: true,
		Guard:           DefaultGuardPatterns(),
		SupportRegions:  DefaultSupportRegions(),
		Notices:         DefaultNoticeSettings(),
		Approvals:       DefaultApprovalSettings(),
		Handover:        DefaultHandover(),
		OnCall:          DefaultOnCallSettings(),
		Tickets:         DefaultTicketSettings(),
		Measures:        DefaultMeasuresSettings(),
		Sessions:        SessionSettings{Idle: Duration(12 * time.Hour), Max: Duration(7 * 24 * time.Hour)},
		Cadence: CadenceTable{
			Investigating: {S1: minutes(10), S2: minutes(15), S3: minutes(15), S4: minutes(15)},
			Identified:    {S1: minutes(10), S2: minutes(30), S3: minutes(30), S4: minutes(30)},
			Monitoring:    {S1: minutes(30), S2: minutes(60), S3: minutes(60), S4: minutes(60)},
			Resolved:      {S1: 0, S2: 0, S3: 0, S4: 0},
		},
		StatusTemplates: map[string]string{
			"investigating":       "We are investigating problems with {components}. Next update in {next_update} minutes.",
			"identified":          "We have identified the cause of the problems with {components} and are working on a fix. Next update in {next_update} minutes.",
			"monitoring":          "A fix is in place for {components} and we are monitoring the results. Next update in {next_update} minutes.",
			"resolved":            "This incident is resolved: {components} work normally again. Thank you for your patience.",
			"no_material_updates": "No material updates: we are still working on {name}. Next update in {next_update} minutes.",
		},
	}
}

func minutes(n int) Duration { return Duration(time.Duration(n) * time.Minute) }

// FillTemplate renders a status template.
func FillTemplate(tmpl, name, components string, nextUpdate int, link string) string {
	next := "-"
	if nextUpdate > 0 {
		next = itoa(nextUpdate)
	}
	return strings.NewReplacer("{name}", name, "{components}", components, "{next_update}", next, "{link}", link).Replace(tmpl)
}

var roleKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
var prefixRE = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,9}$`)

// Validate checks settings as a whole before they are stored.
func (s *Settings) Validate() error {
	fe := FieldErrors{}
	s.Upgrade()
	s.Sessions.validate(fe)
	s.Playbook.validate(fe)
	s.UpdateLimits.validate(fe)
	s.Guard.validate(fe)
	if !prefixRE.MatchString(s.ReferencePrefix) {
		fe.Add("reference_prefix", "must be 1 to 10 capital letters or digits, starting with a letter")
	}
	if len(s.IncidentRoles) == 0 {
		fe.Add("incident_roles", "at least one role is needed")
	}
	seen := map[string]bool{}
	for _, r := range s.IncidentRoles {
		if !roleKeyRE.MatchString(r.Key) {
			fe.Add("incident_roles", "role key "+quote(r.Key)+" must be lower-case letters, digits and _")
		}
		if seen[r.Key] {
			fe.Add("incident_roles", "role "+quote(r.Key)+" is listed twice")
		}
		seen[r.Key] = true
		if strings.TrimSpace(r.Name) == "" || len(r.Name) > MaxNameLen {
			fe.Add("incident_roles", "role "+quote(r.Key)+" needs a name of at most "+itoa(MaxNameLen)+" characters")
		}
	}
	for _, sev := range Severities {
		p, ok := s.Reviews[sev]
		if !ok {
			fe.Add("reviews", "a policy for "+string(sev)+" is needed")
			continue
		}
		for _, v := range []string{p.Internal, p.External} {
			if !slices.Contains(ReviewRequirements, v) {
				fe.Add("reviews", string(sev)+": internal and external must be required, on_request or none")
			}
		}
		if p.WithinDays < 1 || p.WithinDays > 365 {
			fe.Add("reviews", string(sev)+": within_days must be between 1 and 365")
		}
	}
	for sev := range s.Reviews {
		if !sev.Valid() {
			fe.Add("reviews", "unknown severity "+quote(string(sev)))
		}
	}
	for kind, rule := range s.DecisionAuthority {
		if !slices.Contains(DecisionKinds, kind) {
			fe.Add("decision_authority", "unknown decision kind "+quote(kind))
		}
		roles := append(slices.Clone(rule.Roles), rule.Fallback...)
		quals := []string{rule.Qualification}
		if rule.Approval != nil {
			roles = append(roles, rule.Approval.Roles...)
			quals = append(quals, rule.Approval.Qualification)
		}
		for _, r := range roles {
			if !seen[r] {
				fe.Add("decision_authority", kind+": role "+quote(r)+" is not one of the incident roles")
			}
		}
		for _, q := range quals {
			if q != "" && CheckQualificationName(q) != nil {
				fe.Add("decision_authority", kind+": qualification "+quote(q)+" must be lower-case letters, digits, - and _")
			}
		}
	}
	s.EscalationTemplates.validate(fe)
	if strings.TrimSpace(s.Page.Name) == "" || len(s.Page.Name) > MaxNameLen {
		fe.Add("page", "name must be 1 to "+itoa(MaxNameLen)+" characters")
	}
	if !colorRE.MatchString(s.Page.Accent) {
		fe.Add("page", "accent_color must be a colour like #1f6feb")
	}
	if s.Page.LogoURL != "" && CheckLink(s.Page.LogoURL) != nil {
		fe.Add("page", "logo_url must be an http or https URL")
	}
	for _, l := range s.Page.Links {
		if strings.TrimSpace(l.Label) == "" || CheckLink(l.URL) != nil {
			fe.Add("page", "each link needs a label and an http or https URL")
		}
	}
	if s.Page.TimeZone != "" {
		if _, err := time.LoadLocation(s.Page.TimeZone); err != nil {
			fe.Add("page", "time_zone "+quote(s.Page.TimeZone)+" is not a known time zone")
		}
	}
	if s.Page.ComponentReview != "" && !slices.Contains(ComponentReviewModes, s.Page.ComponentReview) {
		fe.Add("page", "component_review must be off or required")
	}
	if !slices.Contains(LinkModes, s.IncidentLink) {
		fe.Add("incident_link", "must be append, require or off")
	}
	for _, st := range States {
		for _, sev := range Severities {
			if d := time.Duration(s.Cadence[st][sev]); d < 0 || d > 24*time.Hour || (d > 0 && d < time.Second) {
				fe.Add("cadence", st.Title()+" "+string(sev)+": must be 0s (none owed) or between 1s and 24h")
			}
		}
	}
	for role := range s.RoleServices {
		if !seen[role] {
			fe.Add("role_services", "role "+quote(role)+" is not one of the incident roles")
		}
	}
	for sev, roles := range s.PageRoles {
		if !sev.Valid() {
			fe.Add("page_roles", "unknown severity "+quote(string(sev)))
		}
		for _, r := range roles {
			if !seen[r] {
				fe.Add("page_roles", string(sev)+": role "+quote(r)+" is not one of the incident roles")
			}
		}
	}
	if s.Paging.Fallback = strings.TrimSpace(s.Paging.Fallback); len(s.Paging.Fallback) > 254 {
		fe.Add("paging", "fallback "+tooLong(len(s.Paging.Fallback), 254, "characters"))
	}
	if d := s.MonitoringPeriod(); d < 0 || d > 7*24*time.Hour {
		fe.Add("monitoring", "must be between 0s and 168h (a week)")
	}
	s.validateChecklists(fe, seen)
	s.SupportRegions.validate(fe)
	s.Notices.validate(fe)
	s.Approvals.validate(fe)
	s.Handover.validate(fe)
	s.OnCall.validate(fe)
	s.Tickets.validate(fe)
	s.Chat.Bridge.validate(fe)
	s.Chat.Channels.validate(fe)
	s.Measures.validate(fe)
	for name, t := range s.StatusTemplates {
		if strings.TrimSpace(t) == "" || len(t) > 2000 {
			fe.Add("status_templates", quote(name)+" must be 1 to 2000 characters")
		}
	}
	return fe.Err()
}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// HasRole reports whether key is a configured incident role.
func (s *Settings) HasRole(key string) bool {
	return slices.ContainsFunc(s.IncidentRoles, func(r RoleDef) bool { return r.Key == key })
}

// RoleName returns the display name of an incident role.
func (s *Settings) RoleName(key string) string {
	for _, r := range s.IncidentRoles {
		if r.Key == key {
			return r.Name
		}
	}
	return key
}

func (s *Settings) roleNames(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = s.RoleName(k)
	}
	return out
}
