package herald

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// ApprovalRule says who completes a decision that one person cannot take
// alone: a holder of one of Roles on the incident (severity: the incident
// lead with the engineer, R51), an engineering manager or above (R55), or
// someone holding Qualification (R56). The approver is never the decider.
type ApprovalRule struct {
	Roles         []string `json:"roles,omitempty"`
	Manager       bool     `json:"manager,omitempty"`
	Qualification string   `json:"qualification,omitempty"`
}

// Awaits says in words whose approval a decision of kind needs, or ""
// when it needs none.
func (s *Settings) Awaits(kind string) string {
	rule, ok := s.DecisionAuthority[kind]
	if !ok || rule.Approval == nil {
		return ""
	}
	a := rule.Approval
	var who []string
	if len(a.Roles) > 0 {
		who = append(who, "the "+strings.Join(s.roleNames(a.Roles), " or "))
	}
	if a.Manager {
		who = append(who, "an engineering manager or above")
	}
	if a.Qualification != "" {
		who = append(who, "someone qualified for "+a.Qualification)
	}
	if len(who) == 0 {
		return "a second person"
	}
	verb := "the approval of "
	if len(a.Roles) > 0 && !a.Manager && a.Qualification == "" {
		verb = "the concurrence of "
	}
	return verb + strings.Join(who, ", ") + ", other than the decider"
}

// QualificationFailover is the training a failover needs (R56).
const QualificationFailover = "failover"

// Qualification is something a person is trained for, from a date (R56:
// "failover", trained since 2026-03-01).
type Qualification struct {
	Name string `json:"name"`
	// Since is the first day it holds, YYYY-MM-DD (UTC).
	Since     string    `json:"since"`
	GrantedBy string    `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
}

// QualificationInput records a qualification; Since defaults to today.
type QualificationInput struct {
	Since string `json:"since"`
}

var qualificationRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

// CheckQualificationName validates a qualification's name.
func CheckQualificationName(name string) error {
	if !qualificationRE.MatchString(name) {
		return &Error{Code: EInvalid, Message: "a qualification's name is lower-case letters, digits, - and _ (at most 40), like failover",
			Fields: map[string]string{"name": "must be lower-case letters, digits, - and _"}}
	}
	return nil
}

// Normalize validates the date.
func (in *QualificationInput) Normalize(now time.Time) error {
	in.Since = strings.TrimSpace(in.Since)
	if in.Since == "" {
		in.Since = now.UTC().Format(time.DateOnly)
	}
	if _, err := time.Parse(time.DateOnly, in.Since); err != nil {
		return &Error{Code: EInvalid, Message: "since must be a date like 2026-03-01", Fields: map[string]string{"since": "must be a date like 2026-03-01"}}
	}
	return nil
}

// Qualified reports whether quals hold name on now's day.
func Qualified(quals []Qualification, name string, now time.Time) bool {
	today := now.UTC().Format(time.DateOnly)
	return slices.ContainsFunc(quals, func(q Qualification) bool { return q.Name == name && q.Since <= today })
}

// CheckDecider is CheckAuthority with the decider's qualifications: a kind
// that needs one (R56) is refused to whoever does not hold it on now's day.
func (s *Settings) CheckDecider(kind string, inc *Incident, user *User, quals []Qualification, now time.Time) error {
	if err := s.CheckAuthority(kind, inc, user); err != nil {
		return err
	}
	rule := s.DecisionAuthority[kind]
	if rule.Qualification != "" && !Qualified(quals, rule.Qualification, now) {
		return Errorf(EForbidden, "%s is decided only by people qualified for %s (R56); %s is not", DecisionWhat(kind), rule.Qualification, user.Name)
	}
	return nil
}

// CheckApproval reports whether approver may approve (or concur with) d on
// inc: the rule's approval must exist, the approver must be someone other
// than the decider (nobody completes their own decision, R51), and hold
// what the rule asks.
func (s *Settings) CheckApproval(d Decision, inc *Incident, approver *User, quals []Qualification, now time.Time) error {
	rule, ok := s.DecisionAuthority[d.Kind]
	if !ok || rule.Approval == nil {
		return Errorf(EUnprocessable, "%s needs no approval", DecisionWhat(d.Kind))
	}
	a := rule.Approval
	if approver.ID == d.DecidedBy {
		return Errorf(EForbidden, "%s needs a second person: %s took it and cannot also approve it", DecisionWhat(d.Kind), approver.Name)
	}
	if a.Manager && !approver.Manager {
		return Errorf(EForbidden, "%s is approved by an engineering manager or above (R55); %s is not marked as one", DecisionWhat(d.Kind), approver.Name)
	}
	if a.Qualification != "" && !Qualified(quals, a.Qualification, now) {
		return Errorf(EForbidden, "%s is approved only by people qualified for %s (R56); %s is not", DecisionWhat(d.Kind), a.Qualification, approver.Name)
	}
	if len(a.Roles) > 0 {
		staffed := false
		for _, role := range a.Roles {
			if r, ok := inc.Role(role); ok && r.UserID != d.DecidedBy {
				staffed = true
				if r.UserID == approver.ID {
					return nil
				}
			}
		}
		names := strings.Join(s.roleNames(a.Roles), " or ")
		if staffed {
			return Errorf(EForbidden, "%s is completed by the %s of this incident (R51); %s does not hold that role", DecisionWhat(d.Kind), names, approver.Name)
		}
		return Errorf(EUnprocessable, "%s is completed by the %s, other than %s; assign one to the incident first", DecisionWhat(d.Kind), names, d.DecidedByName)
	}
	return nil
}

// ApprovalInput approves or concurs with a decision.
type ApprovalInput struct {
	Comment string `json:"comment,omitempty"`
}

// Normalize validates the comment.
func (in *ApprovalInput) Normalize() error {
	fe := FieldErrors{}
	in.Comment = strings.TrimSpace(in.Comment)
	checkText(fe, "comment", in.Comment, MaxSummaryLen, false)
	return fe.Err()
}

// DecisionApproval is one approval (or concurrence) of a decision, as the
// timeline records it (entry kind "approval").
type DecisionApproval struct {
	DecisionID int64     `json:"decision_id"`
	By         string    `json:"by"`
	ByName     string    `json:"by_name"`
	At         time.Time `json:"at"`
	Comment    string    `json:"comment,omitempty"`
}

// DecisionStatus is a decision with its approvals: complete when it needs
// none, or once one is recorded.
type DecisionStatus struct {
	Entry     TimelineEntry      `json:"entry"`
	Decision  Decision           `json:"decision"`
	Approvals []DecisionApproval `json:"approvals"`
	Complete  bool               `json:"complete"`
}

// EntryApproval is the timeline entry of an approval of a decision.
const EntryApproval = "approval"

// Status draft states (R10): a first public update written by someone
// without the decision waits as a draft for whoever may decide.
const (
	DraftPending   = "pending"
	DraftPublished = "published"
	DraftDiscarded = "discarded"
)

// StatusDraft is a first public update for an incident that waits for the
// status page decision (R10). Approving it records the decision and
// publishes the input exactly as drafted; discarding it publishes nothing.
type StatusDraft struct {
	ID         string `json:"id"`
	IncidentID string `json:"incident_id"`
	Reference  string `json:"reference"`
	// Input is what publishing it sends, kept as given; Name, Status,
	// Components and Text show it.
	Input         StatusIncidentInput        `json:"-"`
	Name          string                     `json:"name"`
	Status        State                      `json:"status"`
	Components    map[string]ComponentStatus `json:"components"`
	Text          string                     `json:"text"` // the text as the dry run at drafting made it, without the link
	State         string                     `json:"state"`
	DraftedBy     string                     `json:"drafted_by"`
	DraftedByName string                     `json:"drafted_by_name"`
	CreatedAt     time.Time                  `json:"created_at"`
	SettledByName string                     `json:"settled_by_name,omitempty"`
	SettledAt     *time.Time                 `json:"settled_at"`
	// StatusIncidentID is the status incident the approval published.
	StatusIncidentID string `json:"status_incident_id,omitempty"`
}

// StatusDecisionNeeded is R10's refusal of a first public update for inc
// without the recorded decision.
func (s *Settings) StatusDecisionNeeded(inc *Incident) error {
	who := "the " + s.RoleName(RoleIncidentLead)
	if rule, ok := s.DecisionAuthority[DecisionStatusPage]; ok && len(rule.Roles) > 0 {
		who = "the " + strings.Join(s.roleNames(rule.Roles), " or ")
		if len(rule.Fallback) > 0 {
			who += " (the " + strings.Join(s.roleNames(rule.Fallback), " or ") + " when there is none)"
		}
	}
	return Errorf(EForbidden, "R10: the first public update for %s needs the decision that the status page is needed, recorded by %s. Ask them to record it (decision kind status_page), or save the update as a draft for them to approve", inc.Reference, who)
}

// AllClearNeeded is R17's refusal of a Resolved update without the
// incident lead's all-clear.
func (s *Settings) AllClearNeeded(inc *Incident) error {
	return Errorf(EForbidden, "R17: resolving the status incident needs the all-clear of the %s of %s, recorded (decision kind all_clear) since the incident last went back to investigating or identified. Ask them to give it", s.RoleName(RoleIncidentLead), inc.Reference)
}

// ShowInput fills the draft's Name, Status and Components from its Input.
func (d *StatusDraft) ShowInput() {
	d.Name, d.Status, d.Components = strings.TrimSpace(d.Input.Name), d.Input.Status, d.Input.Components
	if d.Status == "" {
		d.Status = Investigating
	}
	if d.Components == nil {
		d.Components = map[string]ComponentStatus{}
	}
}
