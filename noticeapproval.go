package herald

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Approvals of customer messages (R44). A notice about security goes to a
// customer only after a member of the security team has approved that
// exact text; for the other classes a review by the incident lead or an
// engineer is off, optional or required, by a setting. An approval is
// bound to the hash of the subject and body it was given for, so any
// edit needs a new one, and nobody approves their own text.
//
// The security team is a Team (team.go) named in approvals.security_team:
// teams are how Herald already groups people, their members are kept in
// one place by an admin, and the process speaks of "the security team", not
// of a right each person carries.

// NoticeClass is what a customer message is about, which decides who must
// approve it before it goes.
type NoticeClass string

// Message classes.
const (
	ClassSecurity  NoticeClass = "security"
	ClassIncident  NoticeClass = "incident"
	ClassOutOfBand NoticeClass = "out_of_band"
	ClassOther     NoticeClass = "other"
)

// NoticeClasses lists every class.
var NoticeClasses = []NoticeClass{ClassSecurity, ClassIncident, ClassOutOfBand, ClassOther}

// Enum lists the values, for the OpenAPI document.
func (NoticeClass) Enum() []string { return enumStrings(NoticeClasses) }

// Review modes of the classes other than security.
const (
	ReviewModeOff      = "off"      // no review is asked for
	ReviewModeOptional = "optional" // the writer may ask for one; sending does not wait
	ReviewModeRequired = "required" // the text goes only once approved
)

var reviewModes = []string{ReviewModeOff, ReviewModeOptional, ReviewModeRequired}

// Approval states.
const (
	ApprovalPending  = "pending"
	ApprovalApproved = "approved"
	ApprovalRejected = "rejected"
	// ApprovalVoid: the writer asked again for another text on the thread,
	// which replaces this one.
	ApprovalVoid = "void"
	// ApprovalSent: the approved text went out.
	ApprovalSent = "sent"
)

// PromptNoticeApproval asks an approver to approve or reject a customer
// message.
const PromptNoticeApproval = "notice_approval"

// ApprovalSettings say who approves customer messages (R44).
type ApprovalSettings struct {
	// SecurityTeam names the team (teams, by name) whose members approve
	// security messages. Empty, or naming no team: no security message
	// can be sent, and the refusal says so.
	SecurityTeam string `json:"security_team"`
	// Review is, for the classes incident, out_of_band and other, whether
	// a review by the incident lead or an engineer is off, optional or
	// required. A class left out is optional.
	Review map[NoticeClass]string `json:"review"`
}

// DefaultApprovalSettings are the defaults: a team named "Security", and
// reviews optional.
func DefaultApprovalSettings() ApprovalSettings {
	return ApprovalSettings{SecurityTeam: "Security", Review: map[NoticeClass]string{
		ClassIncident: ReviewModeOptional, ClassOutOfBand: ReviewModeOptional, ClassOther: ReviewModeOptional}}
}

// Mode is a class's review mode; security is always required.
func (a ApprovalSettings) Mode(c NoticeClass) string {
	if c == ClassSecurity {
		return ReviewModeRequired
	}
	if m, ok := a.Review[c]; ok && m != "" {
		return m
	}
	return ReviewModeOptional
}

func (a *ApprovalSettings) validate(fe FieldErrors) {
	const f = "approvals."
	a.SecurityTeam = strings.TrimSpace(a.SecurityTeam)
	checkText(fe, f+"security_team", a.SecurityTeam, MaxNameLen, false)
	for c, m := range a.Review {
		switch {
		case c == ClassSecurity:
			fe.Add(f+"review.security", "security messages always need the security team's approval (R44): leave it out")
		case !slices.Contains(NoticeClasses, c):
			fe.Add(f+"review."+string(c), "is not a message class (incident, out_of_band, other)")
		case !slices.Contains(reviewModes, m):
			fe.Add(f+"review."+string(c), "must be off, optional or required")
		}
	}
}

// DefaultNoticeClass is the class of a thread's messages when the writer
// names none: an incident's are incident; a maintenance's are security
// for security work (emergency maintenance), out_of_band for work outside
// the window, else other.
func DefaultNoticeClass(th NoticeThread, m *Maintenance) NoticeClass {
	if th.SourceKind != "maintenance" {
		return ClassIncident
	}
	switch {
	case m != nil && (m.Security || m.Kind == KindEmergency):
		return ClassSecurity
	case m != nil && m.Kind == KindOutOfBand:
		return ClassOutOfBand
	}
	return ClassOther
}

// CheckNoticeClass applies the writer's choice of class: the thread's own,
// or security. Another one would let a text dodge the review its class
// asks for.
func CheckNoticeClass(given, def NoticeClass) (NoticeClass, error) {
	switch given {
	case "", def:
		return def, nil
	case ClassSecurity:
		return ClassSecurity, nil
	}
	if !slices.Contains(NoticeClasses, given) {
		return "", FieldErrors{"class": "must be one of security, incident, out_of_band, other"}.Err()
	}
	return "", &Error{Code: EUnprocessable, Message: "R44: a message on this thread is of class " + string(def) + "; the writer may only mark it security",
		Fields: map[string]string{"class": "must be " + string(def) + " or security"}}
}

// NoticeTextHash is the hash an approval binds to: SHA-256 of the exact
// subject and body, hex.
func NoticeTextHash(subject, body string) string {
	h := sha256.New()
	h.Write([]byte(subject))
	h.Write([]byte{0})
	h.Write([]byte(body))
	return hex.EncodeToString(h.Sum(nil))
}

// NoticeApproval is one request to approve a customer message's exact text
// (R44), with its outcome.
type NoticeApproval struct {
	ID            string      `json:"id"`
	ThreadID      string      `json:"thread_id"`
	IncidentID    string      `json:"incident_id,omitempty"`
	Reference     string      `json:"reference,omitempty"`
	MaintenanceID string      `json:"maintenance_id,omitempty"`
	TenantName    string      `json:"tenant_name"`
	Class         NoticeClass `json:"class"`
	Template      string      `json:"template,omitempty"`
	Subject       string      `json:"subject"`
	Body          string      `json:"body"`
	// Hash is NoticeTextHash(Subject, Body): what was approved.
	Hash string `json:"hash"`
	// Status is pending, approved, rejected, void or sent.
	Status          string     `json:"status"`
	RequestedBy     string     `json:"requested_by"`
	RequestedByName string     `json:"requested_by_name"`
	RequestedAt     time.Time  `json:"requested_at"`
	DecidedBy       string     `json:"decided_by,omitempty"`
	DecidedByName   string     `json:"decided_by_name,omitempty"`
	DecidedAt       *time.Time `json:"decided_at,omitempty"`
	// Reason is a rejection's reason, or an approval's comment.
	Reason string `json:"reason,omitempty"`
	// MessageID is the notice sent with this approval.
	MessageID string `json:"message_id,omitempty"`
	// Approvers says in words who may approve it.
	Approvers string `json:"approvers"`
	// Event is set on the approval of an emergency maintenance's notice
	// text (R33, R44): approved, rescheduled, cancelled or completed. It
	// has no thread: once approved, the text goes at once to each tenant
	// linked to MaintenanceID, with {tenant} and {affected} filled in.
	Event string `json:"event,omitempty"`
}

// NoticeDecisionInput approves or rejects a text. Hash, when given, must
// be the hash of the text the approver read: a text changed meanwhile is
// refused (409). A rejection needs a reason.
type NoticeDecisionInput struct {
	Hash   string `json:"hash,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Normalize validates the input; reject says a reason is required.
func (in *NoticeDecisionInput) Normalize(reject bool) error {
	fe := FieldErrors{}
	in.Hash = strings.ToLower(strings.TrimSpace(in.Hash))
	if in.Hash != "" && len(in.Hash) != 64 {
		fe.Add("hash", "must be the 64 hex digits of the text's hash")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	checkText(fe, "reason", in.Reason, 2000, reject)
	return fe.Err()
}

// NoticeApprovalService is the approvals part of NoticeService.
type NoticeApprovalService interface {
	// RequestNoticeApproval composes a notice as SendNotice would and asks
	// for its approval: the security team for a security message, else
	// the incident's lead and engineers. Any earlier pending or approved
	// text of the thread is void. The approvers are prompted.
	RequestNoticeApproval(ctx context.Context, actor Actor, threadID string, in NoticeSendInput) (NoticeApproval, error)
	// ApproveNotice approves the text (never the requester's own);
	// RejectNotice refuses it with a reason.
	ApproveNotice(ctx context.Context, actor Actor, id string, in NoticeDecisionInput) (NoticeApproval, error)
	RejectNotice(ctx context.Context, actor Actor, id string, in NoticeDecisionInput) (NoticeApproval, error)
	// NoticeApproval reads one approval.
	NoticeApproval(ctx context.Context, id string) (NoticeApproval, error)
	// PendingApprovals lists every approval waiting, oldest first;
	// IncidentPendingApprovals those of one incident.
	PendingApprovals(ctx context.Context) ([]NoticeApproval, error)
	IncidentPendingApprovals(ctx context.Context, ref string) ([]NoticeApproval, error)
}

// NoticeApprovalPrompt asks an approver to read and approve or reject a
// customer message. Restricted (a FedRAMP tenant's, R46) it names neither
// the tenant nor the subject: only the console link.
func NoticeApprovalPrompt(a NoticeApproval, url string, restricted bool) Notice {
	what := "A customer message"
	if a.Class == ClassSecurity {
		what = "A security message"
	}
	if restricted {
		return Notice{Event: "prompt." + PromptNoticeApproval, Subject: "Approve a customer message",
			Body: what + " waits for your approval (R44): read it in Herald.\n\n" + url, URL: url}
	}
	return Notice{Event: "prompt." + PromptNoticeApproval, Subject: "Approve a message to " + a.TenantName + ": " + a.Subject,
		Body: what + " to " + a.TenantName + " from " + a.RequestedByName + " waits for your approval (R44). It goes out only as approved; " +
			"read the exact text and approve or reject it:\n\n" + url, URL: url}
}
