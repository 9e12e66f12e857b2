package herald

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Checklists hold each incident role to its tasks (R08): the
// communications manager's four stages (Engage, Manage, Monitor, Resolve)
// and the incident lead's list. What the lists say is a setting
// (Settings.Checklists), with the source's tasks as the default. An item
// names a rule when Herald can see it done (a page acknowledged, the status
// incident published, a label applied ...): its state is then derived from
// the record each time it is read, so it can never disagree with it. An
// item without a rule is checked by hand; the check (and an uncheck) is a
// timeline entry, who and when, and that entry is the only thing stored.

// Checklist rules: what Herald watches to check an item itself. A rule
// with an argument is written name:argument (label_applied:Some::Label).
const (
	// RulePageAcknowledged: the role's page for the incident was
	// acknowledged.
	RulePageAcknowledged = "page_acknowledged"
	// RulePageResolved: the role's page for the incident was resolved.
	RulePageResolved = "page_resolved"
	// RuleStatusIncidentPublished: the incident is on the status page.
	RuleStatusIncidentPublished = "status_incident_published"
	// RuleStatusState (status_state:<state>): an update in that state was
	// published on the incident's status incident.
	RuleStatusState = "status_state"
	// RuleStakeholdersNotified: internal stakeholders were sent a notice
	// (R19).
	RuleStakeholdersNotified = "stakeholders_notified"
	// RuleLabelApplied (label_applied:<label>): the incident has the
	// label now.
	RuleLabelApplied = "label_applied"
	// RulePostmortemLinkAdded: the post-mortem link is on the status
	// incident (R17).
	RulePostmortemLinkAdded = "postmortem_link_added"
	// RuleDecision (decision:<kind>): a decision of that kind was recorded.
	RuleDecision = "decision"
	// RuleReviewRequested (review_requested, or review_requested:<kind>):
	// a post-incident review is scheduled or was requested.
	RuleReviewRequested = "review_requested"
	// RuleTicketTag: the incident has its support ticket tag (R20): a
	// public incident from its declaration, a confidential one once the
	// tag is set by hand.
	RuleTicketTag = "ticket_tag"
	// RuleTicketsSwept (tickets_swept, or tickets_swept:resolved): a sweep
	// of the incident's support tickets left none untagged (R20): it
	// found none, or the ones found were tagged. With "resolved", only a
	// sweep after the all-clear or the resolution counts.
	RuleTicketsSwept = "tickets_swept"
)

// ChecklistRules lists the rule names, with ":" after those that take an
// argument.
var ChecklistRules = []string{RulePageAcknowledged, RulePageResolved, RuleStatusIncidentPublished, RuleStatusState + ":",
	RuleStakeholdersNotified, RuleLabelApplied + ":", RulePostmortemLinkAdded, RuleDecision + ":", RuleReviewRequested, RuleTicketTag, RuleTicketsSwept}

// EntryChecklist is the timeline entry of an item checked or unchecked by
// hand.
const EntryChecklist = "checklist"

// Check methods: how an item came to be checked.
const (
	CheckedAuto   = "auto"   // Herald saw it done in the record
	CheckedManual = "manual" // a person checked it
)

// ChecklistStage is one stage of a role's list (Engage, Manage ...).
type ChecklistStage struct {
	Key  string `json:"key" required:"true"`
	Name string `json:"name" required:"true"`
	// GatesPage says that the role's own page for the incident is resolved
	// only once every other item of this stage is done (R08: the
	// communications manager resolves their page after the Engage tasks).
	GatesPage bool            `json:"gates_page,omitempty"`
	Items     []ChecklistTask `json:"items" required:"true"`
}

// ChecklistTask is one item as the settings define it.
type ChecklistTask struct {
	// Key names the item in the API (POST .../checklist {"item": key});
	// unique within the role's list.
	Key  string `json:"key" required:"true"`
	Text string `json:"text" required:"true"`
	// Rule checks the item automatically (one of ChecklistRules); empty:
	// it is checked by hand.
	Rule string `json:"rule,omitempty"`
	// Severities limits the item to incidents of these severities; empty:
	// every incident.
	Severities []Severity `json:"severities,omitempty"`
}

// DefaultChecklists are the source's tasks: the communications manager's
// four stages, and what the incident lead is held to.
func DefaultChecklists() map[string][]ChecklistStage {
	return map[string][]ChecklistStage{
		RoleCommunications: {
			{Key: "engage", Name: "Engage", GatesPage: true, Items: []ChecklistTask{
				{Key: "acknowledge_page", Text: "Acknowledge your page", Rule: RulePageAcknowledged},
				{Key: "join_call", Text: "Join the incident channel and call; say you are the communications manager and wait to be heard"},
				{Key: "create_status_incident", Text: "Create the status incident: title, state, details with the incident link, status level, affected components", Rule: RuleStatusIncidentPublished},
				{Key: "notify_stakeholders", Text: "Notify internal stakeholders once the severity is confirmed", Rule: RuleStakeholdersNotified},
				{Key: "label_incident", Text: "Label the incident " + LabelStatusPage, Rule: RuleLabelApplied + ":" + LabelStatusPage},
				{Key: "resolve_page", Text: "Resolve your page once every other Engage task is done", Rule: RulePageResolved},
			}},
			{Key: "manage", Name: "Manage", Items: []ChecklistTask{
				{Key: "updates_on_cadence", Text: "Publish updates on the cadence for the state and severity, or say when the next one comes"},
				{Key: "ticket_tag", Text: "Create the support ticket tag for the incident (a manual tag when it is confidential)", Rule: RuleTicketTag},
				{Key: "answer_tickets", Text: "Sweep the support tickets about the incident: tag the untagged ones and answer them", Rule: RuleTicketsSwept},
			}},
			{Key: "monitor", Name: "Monitor", Items: []ChecklistTask{
				{Key: "publish_monitoring", Text: "Publish the Monitoring update (components stay degraded) unless the incident lead skips monitoring", Rule: RuleStatusState + ":" + string(Monitoring)},
			}},
			{Key: "resolve", Name: "Resolve", Items: []ChecklistTask{
				{Key: "publish_resolved", Text: "After the incident lead's all-clear, publish the Resolved update with the incident link", Rule: RuleStatusState + ":" + string(Resolved)},
				{Key: "add_postmortem", Text: "Add the post-mortem link to the status incident", Rule: RulePostmortemLinkAdded},
				{Key: "final_ticket_check", Text: "Sweep the support tickets once more after the all-clear: none left to tag or answer", Rule: RuleTicketsSwept + ":resolved"},
			}},
		},
		RoleIncidentLead: {
			{Key: "engage", Name: "Engage", Items: []ChecklistTask{
				{Key: "acknowledge_page", Text: "Acknowledge your page", Rule: RulePageAcknowledged},
				{Key: "decide_status_page", Text: "Decide whether public status communication is needed", Rule: RuleDecision + ":" + DecisionStatusPage},
				{Key: "confirm_severity", Text: "Confirm the severity with the engineer on call", Rule: RuleDecision + ":" + DecisionSeverity},
			}},
			{Key: "manage", Name: "Manage", Items: []ChecklistTask{
				{Key: "inform_director", Text: "Inform the director when the incident is not mitigated after 60 minutes", Severities: []Severity{S1}},
			}},
			{Key: "resolve", Name: "Resolve", Items: []ChecklistTask{
				{Key: "all_clear", Text: "Give the communications manager the all-clear before the status incident is resolved", Rule: RuleDecision + ":" + DecisionAllClear},
				{Key: "request_review", Text: "Request the post-incident review (due within 7 days after an S1)", Rule: RuleReviewRequested},
			}},
		},
	}
}

// Limits on a checklist.
const (
	MaxChecklistItems = 50
	MaxChecklistText  = 300
)

var checklistKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// CheckChecklistRule reports whether rule is one Herald can watch, with a
// sentence that says why not.
func CheckChecklistRule(rule string) error {
	name, arg, hasArg := strings.Cut(rule, ":")
	bad := func(msg string) error { return Errorf(EInvalid, "rule %s %s", quote(rule), msg) }
	switch name {
	case RulePageAcknowledged, RulePageResolved, RuleStatusIncidentPublished, RuleStakeholdersNotified, RulePostmortemLinkAdded:
		if hasArg {
			return bad("takes no argument")
		}
	case RuleStatusState:
		if !State(arg).Valid() {
			return bad("needs a state: status_state:investigating, identified, monitoring or resolved")
		}
	case RuleLabelApplied:
		l, err := ParseLabel(arg)
		if err != nil || !hasArg || l.Name != arg {
			return bad("needs a label written as it is shown: label_applied:" + LabelStatusPage)
		}
	case RuleDecision:
		if !slices.Contains(DecisionKinds, arg) {
			return bad("needs a decision kind: decision:" + strings.Join(DecisionKinds, ", decision:"))
		}
	case RuleReviewRequested:
		if hasArg && !slices.Contains(ReviewKinds, arg) {
			return bad("takes internal or external, or nothing for any review")
		}
	case RuleTicketTag:
		if hasArg {
			return bad("takes no argument")
		}
	case RuleTicketsSwept:
		if hasArg && arg != "resolved" {
			return bad("takes resolved (a sweep after the all-clear or resolution), or nothing for any sweep")
		}
	default:
		return bad("is not one Herald knows; the rules are " + strings.Join(ChecklistRules, ", ") + " (empty: checked by hand)")
	}
	return nil
}

// validateChecklists checks Settings.Checklists; each problem names the
// role, stage and item in its field ("checklists.communications.engage").
func (s *Settings) validateChecklists(fe FieldErrors, roles map[string]bool) {
	for role, stages := range s.Checklists {
		field := "checklists." + role
		if !roles[role] {
			fe.Add(field, "role "+quote(role)+" is not one of the incident roles")
			continue
		}
		stageKeys, itemKeys, n := map[string]bool{}, map[string]bool{}, 0
		for i, st := range stages {
			sf := field + "." + st.Key
			if !checklistKeyRE.MatchString(st.Key) {
				sf = field + ".stages[" + itoa(i) + "]"
				fe.Add(sf, "stage key "+quote(st.Key)+" must be 1 to 40 lower-case letters, digits and _, starting with a letter")
			} else if stageKeys[st.Key] {
				fe.Add(sf, "stage "+quote(st.Key)+" is listed twice")
			}
			stageKeys[st.Key] = true
			if strings.TrimSpace(st.Name) == "" || len([]rune(st.Name)) > MaxNameLen {
				fe.Add(sf+".name", "needs a name of 1 to "+itoa(MaxNameLen)+" characters")
			}
			for j, it := range st.Items {
				n++
				itf := sf + "." + it.Key
				if !checklistKeyRE.MatchString(it.Key) {
					itf = sf + ".items[" + itoa(j) + "]"
					fe.Add(itf, "item key "+quote(it.Key)+" must be 1 to 40 lower-case letters, digits and _, starting with a letter")
				} else if itemKeys[it.Key] {
					fe.Add(itf, "item "+quote(it.Key)+" is listed twice in the "+role+" list (keys are unique per role)")
				}
				itemKeys[it.Key] = true
				if t := strings.TrimSpace(it.Text); t == "" || len([]rune(t)) > MaxChecklistText || strings.ContainsAny(t, "\x00\n\r") {
					fe.Add(itf+".text", "needs one line of 1 to "+itoa(MaxChecklistText)+" characters")
				}
				if it.Rule != "" {
					if err := CheckChecklistRule(it.Rule); err != nil {
						fe.Add(itf+".rule", err.(*Error).Message)
					}
				}
				for _, sev := range it.Severities {
					if !sev.Valid() {
						fe.Add(itf+".severities", "unknown severity "+quote(string(sev)))
					}
				}
			}
		}
		if n > MaxChecklistItems {
			fe.Add(field, tooLong(n, MaxChecklistItems, "items"))
		}
	}
}

// Checklist is an incident's lists as they stand now.
type Checklist struct {
	IncidentID string          `json:"incident_id"`
	Reference  string          `json:"reference"`
	Lists      []RoleChecklist `json:"lists"`
}

// RoleChecklist is one role's list on one incident.
type RoleChecklist struct {
	Role     string `json:"role"`
	RoleName string `json:"role_name"`
	// Holder is who holds the role now; empty when nobody does.
	Holder string `json:"holder,omitempty"`
	// Open counts the items not checked yet.
	Open   int              `json:"open"`
	Stages []ChecklistPhase `json:"stages"`
}

// ChecklistPhase is one stage of a role's list on an incident.
type ChecklistPhase struct {
	Key       string          `json:"key"`
	Name      string          `json:"name"`
	GatesPage bool            `json:"gates_page,omitempty"`
	Open      int             `json:"open"`
	Items     []ChecklistItem `json:"items"`
}

// ChecklistItem is one item on an incident: its state, how it was checked,
// by whom and when.
type ChecklistItem struct {
	Key  string `json:"key"`
	Text string `json:"text"`
	// Rule is what checks the item automatically; empty: by hand.
	Rule    string `json:"rule,omitempty"`
	Checked bool   `json:"checked"`
	// How is "auto" (Herald saw it done) or "manual" (a person checked it);
	// empty while open.
	How   string      `json:"how,omitempty"`
	By    string      `json:"by,omitempty"`
	ByID  string      `json:"by_id,omitempty"`
	At    *time.Time  `json:"at,omitempty"`
	Note  string      `json:"note,omitempty"`
	Marks []CheckMark `json:"marks,omitempty"`
}

// CheckMark is one check or uncheck by hand, from the timeline.
type CheckMark struct {
	Checked bool      `json:"checked"`
	By      string    `json:"by"`
	ByID    string    `json:"by_id"`
	At      time.Time `json:"at"`
	Note    string    `json:"note,omitempty"`
}

// CheckInput checks or unchecks one item by hand.
type CheckInput struct {
	// Role is the list (incident role key); it may be left out when the
	// item's key is in one list only.
	Role string `json:"role,omitempty"`
	Item string `json:"item" required:"true"`
	// Checked: true checks the item, false unchecks it.
	Checked *bool `json:"checked" required:"true"`
	// Note says why; required when checking an item Herald checks itself
	// but has not seen done (done outside Herald, or not needed).
	Note string `json:"note,omitempty"`
}

// Normalize validates the input.
func (in *CheckInput) Normalize() error {
	fe := FieldErrors{}
	in.Role = strings.TrimSpace(in.Role)
	in.Item = strings.TrimSpace(in.Item)
	if in.Item == "" {
		fe.Add("item", "is required: the key of the item to check")
	}
	if in.Checked == nil {
		fe.Add("checked", "is required: true to check, false to uncheck")
	}
	in.Note = strings.TrimSpace(in.Note)
	checkText(fe, "note", in.Note, MaxChecklistText*3, false)
	return fe.Err()
}

// ChecklistPage is what the checklist needs of a role page.
type ChecklistPage struct {
	Role       string
	AckedAt    *time.Time
	AckedBy    string
	ResolvedAt *time.Time
}

// ChecklistUpdate is what the checklist needs of a public update.
type ChecklistUpdate struct {
	Status State
	Actor  string
	At     time.Time
}

// ChecklistStatus is the incident's status incident as the checklist sees
// it.
type ChecklistStatus struct {
	ID            string
	CreatedAt     time.Time
	PostmortemURL string
	Updates       []ChecklistUpdate // oldest first
}

// ChecklistRecord is the loaded record a checklist is derived from.
type ChecklistRecord struct {
	Settings Settings
	Incident *Incident
	Timeline []TimelineEntry
	// Pages are the incident's role pages (requests for cover left out).
	Pages []ChecklistPage
	// Status is nil while the incident is not on the status page.
	Status  *ChecklistStatus
	Reviews []Review
	// TicketTag is the incident's support ticket tag (R20); empty while a
	// confidential incident has none.
	TicketTag string
}

// checkMarkData is the data of an EntryChecklist timeline entry.
type checkMarkData struct {
	Role    string `json:"role"`
	Item    string `json:"item"`
	Checked bool   `json:"checked"`
	Note    string `json:"note,omitempty"`
}

// done is what a rule found: by whom and when, as far as the record says.
type done struct {
	by, byID string
	at       *time.Time
}

// BuildChecklist derives an incident's lists from its record.
func BuildChecklist(rec ChecklistRecord) Checklist {
	inc := rec.Incident
	c := Checklist{IncidentID: inc.ID, Reference: inc.Reference, Lists: []RoleChecklist{}}
	marks := map[string][]CheckMark{} // role|item -> marks, oldest first
	for _, e := range rec.Timeline {
		if e.Kind != EntryChecklist {
			continue
		}
		var d checkMarkData
		if json.Unmarshal(e.Data, &d) != nil {
			continue
		}
		k := d.Role + "|" + d.Item
		marks[k] = append(marks[k], CheckMark{Checked: d.Checked, By: e.Actor, ByID: e.ActorID, At: e.At, Note: d.Note})
	}
	for _, rd := range rec.Settings.IncidentRoles {
		stages := rec.Settings.Checklists[rd.Key]
		if len(stages) == 0 {
			continue
		}
		list := RoleChecklist{Role: rd.Key, RoleName: rd.Name, Stages: []ChecklistPhase{}}
		if a, ok := inc.Role(rd.Key); ok {
			list.Holder = a.UserName
		}
		for _, st := range stages {
			ph := ChecklistPhase{Key: st.Key, Name: st.Name, GatesPage: st.GatesPage, Items: []ChecklistItem{}}
			for _, t := range st.Items {
				if len(t.Severities) > 0 && !slices.Contains(t.Severities, inc.Severity) {
					continue // not for this severity
				}
				it := ChecklistItem{Key: t.Key, Text: t.Text, Rule: t.Rule, Marks: marks[rd.Key+"|"+t.Key]}
				if t.Rule != "" {
					if d, ok := rec.ruleDone(rd.Key, t.Rule); ok {
						it.Checked, it.How, it.By, it.ByID, it.At = true, CheckedAuto, d.by, d.byID, d.at
					}
				}
				if n := len(it.Marks); !it.Checked && n > 0 && it.Marks[n-1].Checked {
					m := it.Marks[n-1]
					at := m.At
					it.Checked, it.How, it.By, it.ByID, it.At, it.Note = true, CheckedManual, m.By, m.ByID, &at, m.Note
				}
				if !it.Checked {
					ph.Open++
				}
				ph.Items = append(ph.Items, it)
			}
			list.Open += ph.Open
			list.Stages = append(list.Stages, ph)
		}
		c.Lists = append(c.Lists, list)
	}
	return c
}

// ruleDone reports whether the record shows a rule done for a role's list.
func (rec *ChecklistRecord) ruleDone(role, rule string) (done, bool) {
	name, arg, _ := strings.Cut(rule, ":")
	entry := func(match func(TimelineEntry) bool) (done, bool) {
		for _, e := range rec.Timeline {
			if match(e) {
				at := e.At
				return done{by: e.Actor, byID: e.ActorID, at: &at}, true
			}
		}
		return done{}, false
	}
	data := func(e TimelineEntry, v any) bool { return len(e.Data) > 0 && json.Unmarshal(e.Data, v) == nil }
	switch name {
	case RulePageAcknowledged, RulePageResolved:
		paged := false
		for _, p := range rec.Pages {
			if p.Role != role {
				continue
			}
			paged = true
			if name == RulePageAcknowledged && p.AckedAt != nil {
				return done{by: p.AckedBy, at: p.AckedAt}, true
			}
			if name == RulePageResolved && p.ResolvedAt != nil {
				return done{at: p.ResolvedAt}, true
			}
		}
		// Someone took the role without being paged: there is no page to
		// acknowledge or resolve.
		if a, held := rec.Incident.Role(role); held && !paged {
			at := a.AssignedAt
			return done{by: a.UserName, byID: a.UserID, at: &at}, true
		}
	case RuleStatusIncidentPublished:
		if s := rec.Status; s != nil {
			if d, ok := entry(func(e TimelineEntry) bool {
				var v struct {
					ID string `json:"status_incident_id"`
				}
				return e.Kind == EntryNote && data(e, &v) && v.ID == s.ID
			}); ok {
				return d, true
			}
			at := s.CreatedAt
			d := done{at: &at}
			if len(s.Updates) > 0 {
				d.by = s.Updates[0].Actor
			}
			return d, true
		}
	case RuleStatusState:
		if s := rec.Status; s != nil {
			for _, u := range s.Updates {
				if string(u.Status) == arg {
					at := u.At
					return done{by: u.Actor, at: &at}, true
				}
			}
		}
	case RuleStakeholdersNotified:
		return entry(isStakeholderNotice)
	case RuleLabelApplied:
		if !slices.Contains(rec.Incident.Labels, arg) {
			return done{}, false
		}
		d := done{}
		for _, e := range rec.Timeline { // the last time it was added
			var v struct {
				Added []string `json:"added"`
			}
			if e.Kind == EntryLabel && data(e, &v) && slices.Contains(v.Added, arg) {
				at := e.At
				d = done{by: e.Actor, byID: e.ActorID, at: &at}
			}
		}
		return d, true
	case RulePostmortemLinkAdded:
		if s := rec.Status; s != nil && s.PostmortemURL != "" {
			d := done{}
			for _, e := range rec.Timeline {
				if e.Kind == EntryNote && strings.HasPrefix(e.Text, "Post-mortem linked") {
					at := e.At
					d = done{by: e.Actor, byID: e.ActorID, at: &at}
				}
			}
			return d, true
		}
	case RuleDecision:
		return entry(func(e TimelineEntry) bool {
			var v struct {
				Kind string `json:"kind"`
			}
			return e.Kind == EntryDecision && data(e, &v) && v.Kind == arg
		})
	case RuleReviewRequested:
		if !slices.ContainsFunc(rec.Reviews, func(r Review) bool { return arg == "" || r.Kind == arg }) {
			return done{}, false
		}
		if d, ok := entry(func(e TimelineEntry) bool {
			var v struct {
				Kind string `json:"kind"`
			}
			return e.Kind == EntryReview && data(e, &v) && (arg == "" || v.Kind == arg)
		}); ok {
			return d, true
		}
		return done{}, true
	case RuleTicketTag:
		if rec.TicketTag == "" {
			return done{}, false
		}
		if d, ok := entry(func(e TimelineEntry) bool {
			var v TicketEntry
			return e.Kind == EntryTickets && data(e, &v) && v.Kind == "tag_set" && v.Tag == rec.TicketTag
		}); ok {
			return d, true
		}
		at := rec.Incident.DeclaredAt
		return done{by: rec.Incident.DeclaredBy, at: &at}, true
	case RuleTicketsSwept:
		var after *time.Time
		if arg == "resolved" {
			after = rec.Incident.ResolvedAt
			if d, ok := entry(func(e TimelineEntry) bool {
				var v struct {
					Kind string `json:"kind"`
				}
				return e.Kind == EntryDecision && data(e, &v) && v.Kind == DecisionAllClear
			}); ok && (after == nil || d.at.Before(*after)) {
				after = d.at
			}
			if after == nil {
				return done{}, false
			}
		}
		return ticketsSwept(rec.Timeline, after)
	}
	return done{}, false
}

// Find returns a role's list and the item with key in it. With role
// empty, the item's key must be in one list only.
func (c *Checklist) Find(role, key string) (*RoleChecklist, *ChecklistItem, error) {
	var foundList *RoleChecklist
	var found *ChecklistItem
	var roles []string
	for li := range c.Lists {
		l := &c.Lists[li]
		if role != "" && l.Role != role {
			continue
		}
		for si := range l.Stages {
			for ii := range l.Stages[si].Items {
				if l.Stages[si].Items[ii].Key == key {
					if found == nil {
						foundList, found = l, &l.Stages[si].Items[ii]
					}
					roles = append(roles, l.Role)
				}
			}
		}
	}
	switch {
	case len(roles) > 1:
		return nil, nil, &Error{Code: EInvalid, Message: "item " + quote(key) + " is on the lists of " + strings.Join(roles, " and ") + ": say which with role",
			Fields: map[string]string{"role": "is required: " + strings.Join(roles, " or ")}}
	case found == nil && role != "" && !slices.ContainsFunc(c.Lists, func(l RoleChecklist) bool { return l.Role == role }):
		return nil, nil, &Error{Code: EInvalid, Message: "there is no checklist for role " + quote(role) + " on " + c.Reference,
			Fields: map[string]string{"role": "no checklist for this role"}}
	case found == nil:
		return nil, nil, &Error{Code: EInvalid, Message: "there is no item " + quote(key) + " on the checklist of " + c.Reference,
			Fields: map[string]string{"item": "no such item on this incident's checklist"}}
	}
	return foundList, found, nil
}

// CheckMarkEntry decides what checking or unchecking an item by hand
// records: the timeline text and data. It refuses a mark that changes
// nothing (EConflict), unchecking what Herald checked itself
// (EUnprocessable: it follows the record), checking a page's resolution
// (EUnprocessable: resolve the page), and checking an automatic item
// without a note saying why Herald did not see it done (EInvalid).
func (c *Checklist) CheckMarkEntry(in CheckInput) (text string, data any, err error) {
	list, it, err := c.Find(in.Role, in.Item)
	if err != nil {
		return "", nil, err
	}
	checked := *in.Checked
	what := list.RoleName + " checklist: " + quote(it.Text)
	switch {
	case checked && it.Checked:
		return "", nil, Errorf(EConflict, "%s is checked already (%s)", quote(it.Text), it.describe())
	case !checked && it.How == CheckedAuto:
		return "", nil, Errorf(EUnprocessable, "%s was checked by Herald from the record (%s); it unchecks only if the record changes", quote(it.Text), it.describe())
	case !checked && !it.Checked:
		return "", nil, Errorf(EConflict, "%s is not checked", quote(it.Text))
	case checked && it.Rule == RulePageResolved:
		return "", nil, Errorf(EUnprocessable, "%s is checked when the page is resolved; resolve the page instead", quote(it.Text))
	case checked && it.Rule != "" && in.Note == "":
		return "", nil, &Error{Code: EInvalid, Message: "Herald checks " + quote(it.Text) + " itself once it sees it done (" + it.Rule + "); to check it by hand, say in a note why (done outside Herald, or not needed)",
			Fields: map[string]string{"note": "is required to check an automatic item by hand"}}
	}
	verb := "Checked"
	if !checked {
		verb = "Unchecked"
	}
	text = verb + " on the " + what
	if in.Note != "" {
		text += ". Note: " + in.Note
	}
	return text, checkMarkData{Role: list.Role, Item: it.Key, Checked: checked, Note: in.Note}, nil
}

func (it *ChecklistItem) describe() string {
	s := "checked"
	if it.By != "" {
		s += " by " + it.By
	}
	if it.At != nil {
		s += " at " + it.At.UTC().Format("2006-01-02 15:04 UTC")
	}
	return s
}

// CheckPageResolve refuses resolving a role's own page while a stage that
// gates it has other items open (R08: the communications manager resolves
// their page only once every other Engage task is done). Once the incident
// is resolved the page may go: nothing is left to engage with.
func (c *Checklist) CheckPageResolve(inc *Incident, role string) error {
	if !inc.State.Active() {
		return nil
	}
	for _, l := range c.Lists {
		if l.Role != role {
			continue
		}
		for _, st := range l.Stages {
			if !st.GatesPage {
				continue
			}
			var open []string
			for _, it := range st.Items {
				if !it.Checked && it.Rule != RulePageResolved {
					open = append(open, quote(it.Text))
				}
			}
			if len(open) > 0 {
				return Errorf(EUnprocessable, "the %s resolves their page only once every other %s task is done (R08); still open on %s: %s",
					l.RoleName, st.Name, inc.Reference, strings.Join(open, "; "))
			}
		}
	}
	return nil
}
