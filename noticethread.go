package herald

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

// Customer notices (R41, R42, R48, R49). A single-tenant customer hears of
// an incident or a maintenance from a named person, by e-mail, in a thread
// of its own: one action opens a thread per affected tenant, the
// communications manager writes from templates, every text passes the
// content guard (R45), and the customer's replies come back into the
// thread and the incident's timeline.

// NoticeTag marks every thread as the process's outreach tickets are
// marked (R41).
const NoticeTag = "dedicated_contacted_request"

// Prompt kinds of notices: a customer replied, and a reply has waited
// longer than notices.reply_reminder.
const (
	PromptNoticeReply      = "notice_reply"
	PromptNoticeUnanswered = "notice_unanswered"
	// PromptNoticeCheck reminds a thread's owner, every
	// notices.check_interval while the incident is open, to go over the
	// incident, its chat and the customers' threads (R48).
	PromptNoticeCheck = "notice_check"
)

// EntryNotice records on the incident's timeline that notice threads were
// opened, a notice was sent, or a customer replied.
const EntryNotice = "notice"

// Notice template kinds (R42, R32).
const (
	NoticeInvestigationStart   = "investigation_start"
	NoticeUpdate               = "update"
	NoticeEscalated            = "escalated"
	NoticeMitigation           = "mitigation"
	NoticeResolved             = "resolved"
	NoticeEmergencyPlanned     = "emergency_maintenance_planned"
	NoticeEmergencyCompleted   = "emergency_maintenance_completed"
	maxNoticeTemplateLen       = 5000
	maxNoticeBodyLen           = 20000
	maxNoticeVarLen            = 2000
	defaultNoticeInterval      = 2 * time.Hour
	defaultNoticeReplyReminder = 30 * time.Minute
)

// NoticeTemplateKinds lists the templates in the order a thread uses them.
var NoticeTemplateKinds = []string{NoticeInvestigationStart, NoticeUpdate, NoticeEscalated, NoticeMitigation, NoticeResolved,
	NoticeEmergencyPlanned, NoticeEmergencyCompleted}

// NoticeVariable is one variable a notice template may use.
type NoticeVariable struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// NoticeVariables is the fixed set of variables of notice templates: a
// template naming another one is refused when saved.
var NoticeVariables = []NoticeVariable{
	{"Product", "the product's name (notices.product)"},
	{"Tenant", "the tenant's name"},
	{"Region", "the tenant's primary region"},
	{"SupportRegion", "the tenant's support region"},
	{"Reference", "the incident's reference (INC-42)"},
	{"Title", "the incident's title, or the maintenance's name"},
	{"Summary", "the incident's summary, or the maintenance's description"},
	{"Severity", "the incident's severity (S1...)"},
	{"State", "the incident's state"},
	{"Status", "what is happening now (given when sending)"},
	{"ActionsTaken", "what has been done (given when sending)"},
	{"NextSteps", "what happens next (given when sending)"},
	{"NextUpdate", "when the next update comes (given when sending)"},
	{"Interval", "how often the customer hears from us (notices.update_interval, R48)"},
	{"MaintenanceStart", "the maintenance's start, in UTC"},
	{"MaintenanceEnd", "the maintenance's end, in UTC"},
	{"Affected", "whether the tenant was affected by the maintenance (yes or no)"},
	{"Sender", "the name of the person sending"},
}

// NoticeSettings are the choices of customer notices.
type NoticeSettings struct {
	// Product names the product in subjects: "<Product> Notice: <description>".
	Product string `json:"product"`
	// ReplyDomain is the domain of the per-thread reply addresses
	// (notices+<token>@<domain>): mail to it must reach Herald's inbound
	// SMTP listener. Empty: notices cannot be sent.
	ReplyDomain string `json:"reply_domain"`
	// UpdateInterval is how often the customer hears from us while a thread
	// is open: the first notice says so (R48), and the thread's next notice
	// is due that long after the first.
	UpdateInterval Duration `json:"update_interval"`
	// S1Interval is how often a tenant hears from us during an S1, at any
	// hour (R43).
	S1Interval Duration `json:"s1_interval"`
	// ReplyReminder is how long a customer's reply may wait for an answer
	// before its owner is reminded (R48).
	ReplyReminder Duration `json:"reply_reminder"`
	// CheckInterval is how often, while an incident with notices sent is
	// open, the threads' owner is reminded to check the incident, its chat
	// and the threads (R48).
	CheckInterval Duration `json:"check_interval"`
	// Cadence times the reminders of next_notice_due and the summary
	// prompt (R43, R47).
	Cadence NoticeCadence `json:"cadence"`
	// Templates are the texts by kind (NoticeTemplateKinds), Go templates
	// over NoticeVariables.
	Templates map[string]string `json:"templates"`
}

// DefaultNoticeSettings are the defaults.
func DefaultNoticeSettings() NoticeSettings {
	return NoticeSettings{
		Product:        "Herald",
		UpdateInterval: Duration(defaultNoticeInterval),
		S1Interval:     Duration(time.Hour),
		ReplyReminder:  Duration(defaultNoticeReplyReminder),
		CheckInterval:  Duration(defaultNoticeReplyReminder),
		Cadence:        DefaultNoticeCadence(),
		Templates: map[string]string{
			NoticeInvestigationStart: "Hello {{.Tenant}} team,\n\nWe are investigating an issue that may affect your {{.Product}} deployment: {{.Title}}.\n\n{{if .Summary}}{{.Summary}}\n\n{{end}}We will keep you informed in this thread.\n\n{{.Sender}}",
			NoticeUpdate:             "Hello {{.Tenant}} team,\n\nAn update on {{.Title}}.\n\nStatus: {{.Status}}\nActions taken: {{.ActionsTaken}}\nNext steps: {{.NextSteps}}\nNext update: {{.NextUpdate}}\n\n{{.Sender}}",
			NoticeEscalated:          "Hello {{.Tenant}} team,\n\nWe have escalated our response to {{.Title}}: more engineers are working on it now.\n\nStatus: {{.Status}}\nNext update: {{.NextUpdate}}\n\n{{.Sender}}",
			NoticeMitigation:         "Hello {{.Tenant}} team,\n\nA mitigation for {{.Title}} is in progress.\n\nActions taken: {{.ActionsTaken}}\nNext update: {{.NextUpdate}}\n\n{{.Sender}}",
			NoticeResolved:           "Hello {{.Tenant}} team,\n\n{{.Title}} is resolved: your {{.Product}} deployment works normally again. Thank you for your patience.\n\n{{.Sender}}",
			NoticeEmergencyPlanned:   "Hello {{.Tenant}} team,\n\nWe must carry out emergency maintenance on your {{.Product}} deployment for a security reason: {{.Title}}.\n\nStart: {{.MaintenanceStart}}\nEnd: {{.MaintenanceEnd}}\n\n{{if .Summary}}{{.Summary}}\n\n{{end}}{{.Sender}}",
			NoticeEmergencyCompleted: "Hello {{.Tenant}} team,\n\nThe emergency maintenance {{.Title}} is completed.\n\nStart: {{.MaintenanceStart}}\nEnd: {{.MaintenanceEnd}}\nYour deployment was affected: {{.Affected}}\n\n{{.Sender}}",
		},
	}
}

var replyDomainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// validate checks the notice settings, naming notices.FIELD.
func (n *NoticeSettings) validate(fe FieldErrors) {
	const f = "notices."
	n.Product = strings.TrimSpace(n.Product)
	if n.Product == "" || len(n.Product) > MaxNameLen {
		fe.Add(f+"product", "must be 1 to "+itoa(MaxNameLen)+" characters")
	}
	n.ReplyDomain = strings.ToLower(strings.TrimSpace(n.ReplyDomain))
	if n.ReplyDomain != "" && !replyDomainRE.MatchString(n.ReplyDomain) {
		fe.Add(f+"reply_domain", "must be a domain name like notices.example.com")
	}
	if d := time.Duration(n.UpdateInterval); d < 5*time.Minute || d > 7*24*time.Hour {
		fe.Add(f+"update_interval", "must be between 5m and 168h")
	}
	if d := time.Duration(n.S1Interval); d < 5*time.Minute || d > 24*time.Hour {
		fe.Add(f+"s1_interval", "must be between 5m and 24h")
	}
	if d := time.Duration(n.ReplyReminder); d < time.Minute || d > 24*time.Hour {
		fe.Add(f+"reply_reminder", "must be between 1m and 24h")
	}
	if d := time.Duration(n.CheckInterval); d < 5*time.Minute || d > 24*time.Hour {
		fe.Add(f+"check_interval", "must be between 5m and 24h")
	}
	n.Cadence.validate(fe)
	for kind, text := range n.Templates {
		if !slices.Contains(NoticeTemplateKinds, kind) {
			fe.Add(f+"templates."+kind, "is not a template kind ("+strings.Join(NoticeTemplateKinds, ", ")+")")
			continue
		}
		if err := CheckNoticeTemplate(text); err != nil {
			fe.Add(f+"templates."+kind, err.Error())
		}
	}
	for _, kind := range NoticeTemplateKinds {
		if _, ok := n.Templates[kind]; !ok {
			fe.Add(f+"templates."+kind, "is missing")
		}
	}
}

// Interval is the update interval as a person reads it ("2h").
func (n NoticeSettings) Interval() string { return ShortDuration(time.Duration(n.UpdateInterval)) }

// ReplyAddress is a thread's reply address, or "" without a reply domain.
func (n NoticeSettings) ReplyAddress(token string) string {
	if n.ReplyDomain == "" {
		return ""
	}
	return "notices+" + token + "@" + n.ReplyDomain
}

// ReplyToken reads the thread token from a reply address of the domain,
// or "" when the address is not one.
func (n NoticeSettings) ReplyToken(addr string) string {
	addr = strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || n.ReplyDomain == "" || domain != n.ReplyDomain {
		return ""
	}
	token, ok := strings.CutPrefix(local, "notices+")
	if !ok || !tokenRE.MatchString(token) {
		return ""
	}
	return token
}

// IsBareReplyAddress reports whether addr is notices@<reply domain>: a
// reply whose mail system dropped the thread's token, matched to its
// thread by In-Reply-To or References instead.
func (n NoticeSettings) IsBareReplyAddress(addr string) bool {
	addr = strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))
	return n.ReplyDomain != "" && addr == "notices@"+n.ReplyDomain
}

var tokenRE = regexp.MustCompile(`^[a-z0-9]{16,64}$`)

// CheckNoticeTemplate parses a template and checks that it names only
// NoticeVariables, naming any other.
func CheckNoticeTemplate(text string) error {
	if strings.TrimSpace(text) == "" || len(text) > maxNoticeTemplateLen {
		return Errorf(EInvalid, "must be 1 to %d characters", maxNoticeTemplateLen)
	}
	vars := NoticeVars{}
	for _, v := range NoticeVariables {
		vars[v.Name] = "x"
	}
	_, err := vars.render(text)
	return err
}

func noticeVariableNames() []string {
	out := make([]string, len(NoticeVariables))
	for i, v := range NoticeVariables {
		out[i] = v.Name
	}
	return out
}

// NoticeVars are the values of a notice's variables, by name; a value
// that is empty is missing.
type NoticeVars map[string]string

type missingVarsError struct{ names []string }

func (e *missingVarsError) Error() string { return "missing " + strings.Join(e.names, ", ") }

// templateFields collects the variables a template names: printed are
// those it writes out ({{.Status}}), used every one it names. A variable
// written out only where a condition tested it ({{if .Summary}}{{.Summary}}
// {{end}}) is optional, and not counted as printed.
func templateFields(n parse.Node, guarded map[string]bool, printed, used map[string]bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, x := range n.Nodes {
			templateFields(x, guarded, printed, used)
		}
	case *parse.ActionNode:
		templateFields(n.Pipe, guarded, printed, used)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			for _, a := range c.Args {
				templateFields(a, guarded, printed, used)
			}
		}
	case *parse.FieldNode:
		used[n.Ident[0]] = true
		if !guarded[n.Ident[0]] && !guarded["."] {
			printed[n.Ident[0]] = true
		}
	case *parse.IfNode:
		templateFields(n.List, conditionGuards(n.Pipe, guarded, used), printed, used)
		templateFields(n.ElseList, guarded, printed, used)
	case *parse.WithNode:
		templateFields(n.List, withDot(conditionGuards(n.Pipe, guarded, used)), printed, used)
		templateFields(n.ElseList, guarded, printed, used)
	case *parse.RangeNode:
		templateFields(n.List, withDot(conditionGuards(n.Pipe, guarded, used)), printed, used)
		templateFields(n.ElseList, guarded, printed, used)
	}
}

// conditionGuards adds the variables a condition tests to guarded.
func conditionGuards(p *parse.PipeNode, guarded, used map[string]bool) map[string]bool {
	out := maps.Clone(guarded)
	if out == nil {
		out = map[string]bool{}
	}
	templateFields(p, nil, map[string]bool{}, used)
	for _, c := range p.Cmds {
		for _, a := range c.Args {
			if f, ok := a.(*parse.FieldNode); ok {
				out[f.Ident[0]] = true
			}
		}
	}
	return out
}

// withDot marks that inside {{with}} and {{range}} the dot is another
// value: what is named there is not a variable of the notice.
func withDot(g map[string]bool) map[string]bool {
	g["."] = true
	return g
}

// render executes a template. A variable outside NoticeVariables is an
// EInvalid error naming it; variables it writes out that have no value
// are returned together as a *missingVarsError.
func (v NoticeVars) render(text string) (string, error) {
	t, err := template.New("notice").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", Errorf(EInvalid, "does not parse: %s", strings.TrimPrefix(err.Error(), "template: notice:"))
	}
	printed, used := map[string]bool{}, map[string]bool{}
	templateFields(t.Tree.Root, nil, printed, used)
	known := noticeVariableNames()
	var unknown, missing []string
	for name := range used {
		if !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return "", Errorf(EInvalid, "uses unknown variable(s) %s (known: %s)", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	data := map[string]string{}
	for _, name := range known {
		data[name] = strings.TrimSpace(v[name])
		if printed[name] && data[name] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return "", &missingVarsError{missing}
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", Errorf(EInvalid, "cannot be filled in: %s", strings.TrimPrefix(err.Error(), "template: notice:"))
	}
	return b.String(), nil
}

// RenderNotice fills in a template; variables it writes out that have no
// value are an EUnprocessable error naming each (field vars.NAME). A
// variable a template only tests ({{if .Summary}}) may be empty.
func RenderNotice(text string, v NoticeVars) (string, error) {
	out, err := v.render(text)
	if m, ok := err.(*missingVarsError); ok {
		e := &Error{Code: EUnprocessable, Message: "the template needs variable(s) with no value: " + strings.Join(m.names, ", "), Fields: map[string]string{}}
		for _, n := range m.names {
			e.Fields["vars."+n] = "has no value: give it when sending"
		}
		return "", e
	}
	return out, err
}

// NoticeCadenceLine is what the first notice of a thread adds to tell the
// customer how often they will hear from us (R48).
func NoticeCadenceLine(interval string) string {
	return "While this is open, we will update you at least every " + interval + " in this thread. You can reply to this e-mail."
}

// NoticeSubject is a thread's subject (R41).
func NoticeSubject(product, description string) string {
	return product + " Notice: " + description
}

// NoticeThread is one tenant's thread about one incident or maintenance.
type NoticeThread struct {
	ID            string `json:"id"`
	SourceKind    string `json:"source_kind"` // incident or maintenance
	SourceID      string `json:"source_id"`
	IncidentID    string `json:"incident_id,omitempty"`
	TenantID      string `json:"tenant_id"`
	TenantName    string `json:"tenant_name"`
	Subject       string `json:"subject"`
	Tag           string `json:"tag"`
	SupportRegion string `json:"support_region"`
	// To is the tenant's first operational address; Cc the others and the
	// account manager (R41). ReplyTo is the thread's own reply address.
	To        string    `json:"to"`
	Cc        []string  `json:"cc"`
	ReplyTo   string    `json:"reply_to"`
	OwnerID   string    `json:"owner_id"`
	OwnerName string    `json:"owner_name"`
	CreatedAt time.Time `json:"created_at"`
	// FirstSentAt is when the first notice was sent; LastMessageAt when the
	// last message went out or came in.
	FirstSentAt   *time.Time `json:"first_sent_at,omitempty"`
	LastMessageAt *time.Time `json:"last_message_at,omitempty"`
	// AwaitingReplySince is when a customer's reply came that nobody has
	// answered yet.
	AwaitingReplySince *time.Time `json:"awaiting_reply_since,omitempty"`
	// NextNoticeDue is when the next notice is owed after the last one sent
	// (R43, NextCustomerNotice): in the tenant's business hours, or at S1
	// at any hour.
	NextNoticeDue *time.Time      `json:"next_notice_due,omitempty"`
	MessageCount  int             `json:"message_count"`
	LastMessage   *NoticeMessage  `json:"last_message,omitempty"`
	Messages      []NoticeMessage `json:"messages,omitempty"` // oldest first, on a thread read alone
	// Approvals are the thread's approvals (R44), newest first, on a
	// thread read alone.
	Approvals []NoticeApproval `json:"approvals,omitempty"`
	// NoticeDue says in words where the next notice stands ("due in 40
	// minutes", "overdue by 1 hour"); empty once the incident or
	// maintenance is over.
	NoticeDue string `json:"notice_due,omitempty"`
}

// NoticeMessage is one message of a thread, out to the customer or in
// from them.
type NoticeMessage struct {
	ID        string `json:"id"`
	Direction string `json:"direction"` // out or in
	Template  string `json:"template,omitempty"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	// MessageID is the RFC 5322 Message-ID, InReplyTo the one it answers.
	MessageID string    `json:"message_id"`
	InReplyTo string    `json:"in_reply_to,omitempty"`
	From      string    `json:"from"`
	AuthorID  string    `json:"author_id,omitempty"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	// Delivery is an outbound message's state in the outbox (pending,
	// sent, failed), with its attempts and last error.
	Delivery      string         `json:"delivery,omitempty"`
	Attempts      int            `json:"attempts,omitempty"`
	LastError     string         `json:"last_error,omitempty"`
	GuardOverride *GuardOverride `json:"guard_override,omitempty"`
	// Substantial: the notice carried substantial news (R43, R47;
	// NoticeSendInput.IsSubstantial).
	Substantial bool `json:"substantial,omitempty"`
	// Warnings are said, not refused: a notice that is not substantial
	// news, outside the tenant's business hours (R43).
	Warnings []string `json:"warnings,omitempty"`
}

// NoticeSendInput is one notice to send on a thread: a template filled in
// with the variables given here and those of the incident, tenant and
// maintenance, or a body written out (Body wins).
type NoticeSendInput struct {
	Template     string `json:"template,omitempty"`
	Body         string `json:"body,omitempty"`
	Status       string `json:"status,omitempty"`
	ActionsTaken string `json:"actions_taken,omitempty"`
	NextSteps    string `json:"next_steps,omitempty"`
	NextUpdate   string `json:"next_update,omitempty"`
	// OverrideGuard sends despite the content guard's findings (R45); the
	// reason is recorded with the message and on the timeline.
	OverrideGuard       bool   `json:"override_guard,omitempty"`
	OverrideGuardReason string `json:"override_guard_reason,omitempty"`
	// Class is what the message is about (R44): empty for the thread's
	// own (DefaultNoticeClass), or security.
	Class NoticeClass `json:"class,omitempty"`
	// ApprovalID sends the exact text of that approval (R44) instead of a
	// template or body.
	ApprovalID string `json:"approval_id,omitempty"`
	// Substantial says whether the notice carries substantial news (R43,
	// R47); unset, a notice from a template does and a text written
	// without one does not (IsSubstantial).
	Substantial *bool `json:"substantial,omitempty"`
}

// Normalize validates the input.
func (in *NoticeSendInput) Normalize() error {
	fe := FieldErrors{}
	in.Template = strings.TrimSpace(in.Template)
	in.Body = strings.TrimSpace(in.Body)
	in.ApprovalID = strings.TrimSpace(in.ApprovalID)
	switch {
	case in.ApprovalID != "":
	case in.Body == "" && in.Template == "":
		fe.Add("template", "choose a template or write a body")
	case in.Template != "" && !slices.Contains(NoticeTemplateKinds, in.Template):
		fe.Add("template", "must be one of "+strings.Join(NoticeTemplateKinds, ", "))
	}
	if len(in.Body) > maxNoticeBodyLen {
		fe.Add("body", tooLong(len(in.Body), maxNoticeBodyLen, "characters"))
	}
	for _, f := range [][2]*string{{&in.Status}, {&in.ActionsTaken}, {&in.NextSteps}, {&in.NextUpdate}} {
		*f[0] = strings.TrimSpace(*f[0])
	}
	for name, v := range map[string]string{"status": in.Status, "actions_taken": in.ActionsTaken, "next_steps": in.NextSteps, "next_update": in.NextUpdate} {
		if len(v) > maxNoticeVarLen {
			fe.Add(name, tooLong(len(v), maxNoticeVarLen, "characters"))
		}
	}
	CheckGuardOverride(fe, in.OverrideGuard, &in.OverrideGuardReason)
	return fe.Err()
}

// NoticeOpenResult is what opening threads did: the threads of every
// affected tenant, Opened naming those new this time.
type NoticeOpenResult struct {
	Threads []NoticeThread `json:"threads"`
	Opened  []string       `json:"opened"`
}

// InboundMail is a reply as the inbound listener read it.
type InboundMail struct {
	// Recipients are the envelope recipients (RCPT TO).
	Recipients []string
	From       string
	Subject    string
	MessageID  string
	InReplyTo  string
	References []string
	Text       string // the reply's own text, quoted history trimmed
}

// IncidentNotices is the incident's view of its tenants (item 10): who is
// affected, who was told and when, when each next notice is due, and the
// approvals pending.
type IncidentNotices struct {
	IncidentID string               `json:"incident_id"`
	Reference  string               `json:"reference"`
	Tenants    []TenantNoticeStatus `json:"tenants"`
	// PendingApprovals lists the incident's notices waiting for an
	// approval (R44), oldest first.
	PendingApprovals []NoticeApproval `json:"pending_approvals"`
}

// TenantNoticeStatus is one affected tenant on the incident view.
type TenantNoticeStatus struct {
	TenantID   string `json:"tenant_id"`
	TenantName string `json:"tenant_name"`
	// Told: a notice has gone out to the tenant on this incident.
	Told          bool           `json:"told"`
	ThreadID      string         `json:"thread_id,omitempty"`
	OwnerName     string         `json:"owner_name,omitempty"`
	LastMessageAt *time.Time     `json:"last_message_at,omitempty"`
	LastMessage   *NoticeMessage `json:"last_message,omitempty"`
	NextNoticeDue *time.Time     `json:"next_notice_due,omitempty"`
	// NoticeDue says it in words (NoticeThread.NoticeDue).
	NoticeDue string `json:"notice_due,omitempty"`
	// AwaitingReplySince: the customer replied and waits for an answer.
	AwaitingReplySince *time.Time `json:"awaiting_reply_since,omitempty"`
	// Problem says why the tenant cannot be told (no operational address).
	Problem string `json:"problem,omitempty"`
}

// NoticeService keeps customer notice threads.
type NoticeService interface {
	// OpenIncidentNotices opens a thread per tenant the incident affects
	// (those open already are kept); OpenMaintenanceNotices the same for a
	// maintenance. A tenant without an operational address refuses the
	// whole action (EUnprocessable), so no tenant is left out silently.
	OpenIncidentNotices(ctx context.Context, actor Actor, ref string) (NoticeOpenResult, error)
	OpenMaintenanceNotices(ctx context.Context, actor Actor, id string) (NoticeOpenResult, error)
	// NoticeThreads lists the threads of an incident ("incident", ref) or
	// a maintenance ("maintenance", id).
	NoticeThreads(ctx context.Context, kind, ref string) ([]NoticeThread, error)
	// NoticeThread reads a thread with its messages.
	NoticeThread(ctx context.Context, id string) (NoticeThread, error)
	// SendNotice queues a notice on a thread. Only the incident's
	// communications manager or an admin may (R49, EForbidden); the text
	// passes the content guard (R45); a text whose class needs an approval
	// goes only once that exact text is approved (R44,
	// EApprovalRequired), and nothing is queued before.
	SendNotice(ctx context.Context, actor Actor, threadID string, in NoticeSendInput) (NoticeMessage, error)
	// PreviewNotice fills in a template for a thread without sending.
	PreviewNotice(ctx context.Context, actor Actor, threadID string, in NoticeSendInput) (NoticeMessage, error)
	// IncidentNotices is the incident's view of its tenants (item 10).
	IncidentNotices(ctx context.Context, ref string) (IncidentNotices, error)
	// KnowsReplyAddress reports whether addr is the reply address of a thread.
	KnowsReplyAddress(ctx context.Context, addr string) (bool, error)
	// ReceiveReply appends a customer's reply to its thread (by reply
	// address, else In-Reply-To), to the incident's timeline, and prompts
	// the thread's owner. ENotFound when no thread matches.
	ReceiveReply(ctx context.Context, m InboundMail) (NoticeThread, error)
	// The approvals of customer messages (R44).
	NoticeApprovalService
}

// NoticeReplyPrompt tells a thread's owner that the customer replied.
func NoticeReplyPrompt(tenant, subject, from, text, url string) Notice {
	return Notice{Event: "prompt." + PromptNoticeReply, Subject: "Reply from " + tenant + ": " + subject,
		Body: from + " replied:\n\n" + text + "\n\nAnswer in the thread: " + url, URL: url}
}

// NoticeUnansweredPrompt reminds a thread's owner of a reply still
// waiting for an answer (R48).
func NoticeUnansweredPrompt(tenant, subject, waited, url string) Notice {
	return Notice{Event: "prompt." + PromptNoticeUnanswered, Subject: "Unanswered reply from " + tenant + ": " + subject,
		Body: tenant + " replied " + waited + " ago and has no answer yet.\n\nAnswer in the thread: " + url, URL: url}
}

// NoticeCheckPrompt reminds the owner of an open incident's threads to go
// over the incident, its chat and the threads (R48).
func NoticeCheckPrompt(reference string, threads int, url string) Notice {
	return Notice{Event: "prompt." + PromptNoticeCheck, Subject: reference + ": check the customer notices",
		Body: reference + " is open and " + itoa(threads) + " customer thread(s) are yours: go over the incident, its chat and the threads, and tell the customers what is new (R48).\n\n" + url,
		URL:  url}
}
