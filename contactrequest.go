package herald

import (
	"net/mail"
	"strings"
	"time"
)

// ContactRequest is a request from infrastructure or security to reach
// particular users of the product (R61): who to reach, why, what to say
// and by when. It is tracked until it is done, with the message that was
// sent and any reply, or cancelled with a reason. It stays with the person
// who took it on (its owner) across shifts: a handover lists it but does
// not reassign it.
type ContactRequest struct {
	ID string `json:"id"`
	// From is who asked: infrastructure, security, or a team's name.
	From string `json:"from"`
	// Recipients are the users to reach: e-mail addresses or account names.
	Recipients []string   `json:"recipients"`
	Reason     string     `json:"reason"`
	Message    string     `json:"message"`
	DueAt      *time.Time `json:"due_at"`
	IncidentID string     `json:"incident_id,omitempty"`
	// IncidentReference is the linked incident's reference (INC-42).
	IncidentReference string `json:"incident_reference,omitempty"`
	OwnerID           string `json:"owner_id"`
	Owner             string `json:"owner"`
	Status            string `json:"status" enum:"contact_request_status"`
	// Sent is the message as it went out, Reply what came back (may be
	// empty), CancelReason why it was cancelled.
	Sent         string     `json:"sent,omitempty"`
	Reply        string     `json:"reply,omitempty"`
	CancelReason string     `json:"cancel_reason,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	ClosedAt     *time.Time `json:"closed_at"`
	// Overdue says the request is open past its due time, when read.
	Overdue bool                 `json:"overdue"`
	Notes   []ContactRequestNote `json:"notes"`
}

// ContactRequestNote is progress on a request, in order.
type ContactRequestNote struct {
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
}

// Contact request statuses.
const (
	RequestOpen      = "open"
	RequestDone      = "done"
	RequestCancelled = "cancelled"
)

// ContactRequestStatuses lists them, open first.
var ContactRequestStatuses = []string{RequestOpen, RequestDone, RequestCancelled}

// ContactRequestInput opens a contact request. Owner is the user who takes
// it on (id or e-mail); empty means whoever opens it.
type ContactRequestInput struct {
	From       string     `json:"from" required:"true"`
	Recipients []string   `json:"recipients" required:"true"`
	Reason     string     `json:"reason" required:"true"`
	Message    string     `json:"message" required:"true"`
	DueAt      *time.Time `json:"due_at"`
	Incident   string     `json:"incident,omitempty"`
	Owner      string     `json:"owner,omitempty"`
}

// MaxRecipients bounds one request's recipients: more is a broadcast, not
// a contact request.
const MaxRecipients = 500

// Normalize validates the request, naming every field that is wrong.
func (in *ContactRequestInput) Normalize(now time.Time) error {
	fe := FieldErrors{}
	in.From = strings.TrimSpace(in.From)
	checkText(fe, "from", in.From, MaxNameLen, true)
	in.Reason = strings.TrimSpace(in.Reason)
	checkText(fe, "reason", in.Reason, MaxSummaryLen, true)
	in.Message = strings.TrimSpace(in.Message)
	checkText(fe, "message", in.Message, MaxSummaryLen, true)
	var rs []string
	seen := map[string]bool{}
	for _, r := range in.Recipients {
		r = strings.TrimSpace(r)
		if r == "" || seen[strings.ToLower(r)] {
			continue
		}
		seen[strings.ToLower(r)] = true
		if strings.Contains(r, "@") {
			if a, err := mail.ParseAddress(r); err != nil || a.Address != r {
				fe.Add("recipients", quote(r)+" is not a plain e-mail address; give an address or an account name")
			}
		}
		if len(r) > 254 || strings.ContainsAny(r, "\r\n\x00") {
			fe.Add("recipients", "each recipient is one line of at most 254 characters")
		}
		rs = append(rs, r)
	}
	switch {
	case len(rs) == 0:
		fe.Add("recipients", "name at least one user to reach")
	case len(rs) > MaxRecipients:
		fe.Add("recipients", tooLong(len(rs), MaxRecipients, "recipients"))
	}
	in.Recipients = rs
	if in.DueAt != nil {
		CheckTimeRange(fe, "due_at", *in.DueAt)
		if in.DueAt.Before(now) {
			fe.Add("due_at", "is in the past: "+in.DueAt.UTC().Format(time.RFC3339))
		}
	}
	in.Incident, in.Owner = strings.TrimSpace(in.Incident), strings.TrimSpace(in.Owner)
	return fe.Err()
}

// IsOverdue says whether the request is open past its due time at now.
func (r ContactRequest) IsOverdue(now time.Time) bool {
	return r.Status == RequestOpen && r.DueAt != nil && now.After(*r.DueAt)
}

// ContactRequestClose completes a request (Sent required: what went out)
// or cancels it (Reason required).
type ContactRequestClose struct {
	Sent   string `json:"sent,omitempty"`
	Reply  string `json:"reply,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// ContactRequestFilter selects requests: by status (empty: all), and the
// owner's only when Owner is set (id or e-mail).
type ContactRequestFilter struct {
	Status string
	Owner  string
	Limit  int
}

// Normalize checks a close: done needs the message as sent (the record of
// what the users were told), a cancel its reason.
func (in *ContactRequestClose) Normalize(done bool) error {
	fe := FieldErrors{}
	in.Sent, in.Reply, in.Reason = strings.TrimSpace(in.Sent), strings.TrimSpace(in.Reply), strings.TrimSpace(in.Reason)
	if done {
		if in.Sent == "" {
			fe.Add("sent", "give the message as it was sent: the record of what the users were told")
		}
		checkText(fe, "sent", in.Sent, MaxSummaryLen, false)
		checkText(fe, "reply", in.Reply, MaxSummaryLen, false)
	} else {
		if in.Reason == "" {
			fe.Add("reason", "say why the request is cancelled")
		}
		checkText(fe, "reason", in.Reason, MaxSummaryLen, false)
	}
	return fe.Err()
}

// NormalizeRequestNote trims a note on a contact request and checks it.
func NormalizeRequestNote(text string) (string, error) {
	fe := FieldErrors{}
	text = strings.TrimSpace(text)
	checkText(fe, "text", text, MaxSummaryLen, true)
	return text, fe.Err()
}
