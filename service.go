package herald

import (
	"context"
	"time"
)

// The services below are what Herald offers, one per concept. The store
// implements each over one database; the HTTP server, the worker and the
// CLI depend on these interfaces, so a test that needs no database can
// hand them a fake.

// Services bundles one implementation of each service.
type Services struct {
	Incidents    IncidentService
	StatusPage   StatusPageService
	Maintenances MaintenanceService
	Paging       PagingService
	Schedules    ScheduleService
	Subscribers  SubscriberService
	People       PeopleService
	Settings     SettingsService
	Auth         AuthService
	Requests     ContactRequestService
	Teams        TeamService
	Tenants      TenantService
	TenantPages  TenantPageService
	Notices      NoticeService
	Handovers    HandoverService
	Tickets      TicketService
	Practice     PracticeService
	Chat         ChatService
	// ChatApps are the connected chat apps (chatconnect.go).
	ChatApps ChatConnections
}

// IncidentService declares, changes and reads incidents with their roles,
// labels, timeline, decisions, follow-ups and reviews. Every change appends
// to the timeline in the same transaction.
type IncidentService interface {
	// AddFollowUp tracks a corrective action on an incident (R54).
	AddFollowUp(ctx context.Context, actor Actor, ref string, in FollowUpInput) (FollowUp, error)

	// UpdateFollowUp changes a follow-up, for example marks it done.
	UpdateFollowUp(ctx context.Context, actor Actor, ref, id string, in FollowUpInput) (FollowUp, error)

	// FollowUps lists an incident's follow-ups in the order they were added.
	FollowUps(ctx context.Context, ref string) ([]FollowUp, error)

	// DeclareIncident opens an incident in Investigating.
	DeclareIncident(ctx context.Context, actor Actor, in DeclareInput) (*Incident, error)

	// Incident finds an incident by id, number ("42") or reference ("INC-42").
	Incident(ctx context.Context, ref string) (*Incident, error)

	// Incidents lists incidents newest first. Paging is by number ("before"),
	// which stays correct while new incidents are declared, unlike an offset.
	Incidents(ctx context.Context, f ListFilter) ([]*Incident, error)

	// UpdateIncident changes an incident's fields and state. It refuses a write
	// based on a stale read (EConflict, with the current incident), an illegal
	// state move (EUnprocessable), and a severity change by someone the
	// organisation's rules do not allow (R51). Each change is a timeline entry.
	UpdateIncident(ctx context.Context, actor Actor, ref string, in UpdateInput) (*Incident, error)

	// AssignRole gives an incident role to a user, replacing whoever held it;
	// the timeline records the hand-over.
	AssignRole(ctx context.Context, actor Actor, ref, role string, in RoleInput) (*Incident, error)

	// UnassignRole leaves an incident role empty.
	UnassignRole(ctx context.Context, actor Actor, ref, role string) (*Incident, error)

	// Label adds and removes labels on an incident. Adding a scoped label
	// replaces the label that held its scope.
	Label(ctx context.Context, actor Actor, ref string, in LabelInput) (*Incident, error)

	// Review requests a post-incident review, or with Completed set records it
	// as done. A review the policy rules out for the severity ("none") is
	// refused; "on_request" reviews start here.
	Review(ctx context.Context, actor Actor, ref string, in ReviewInput) (Review, error)

	// Reviews lists an incident's reviews.
	Reviews(ctx context.Context, ref string) ([]Review, error)

	// ApproveReview approves the external review's draft: only an
	// engineering manager or above may (R54, CheckApproveReview).
	ApproveReview(ctx context.Context, actor Actor, ref string, in ReviewApprovalInput) (Review, error)

	// PublishReview publishes the approved external review to customers: its
	// link becomes the post-mortem link of the incident's resolved status
	// incidents. Before approval it is refused, naming R54.
	PublishReview(ctx context.Context, actor Actor, ref string) (Review, error)

	// ListFollowUps lists follow-ups across incidents, by due date (the
	// overdue ones first when asked for them only).
	ListFollowUps(ctx context.Context, f FollowUpFilter) ([]FollowUp, error)

	// Export gathers everything a review is drafted from.
	Export(ctx context.Context, ref string) (IncidentRecord, error)

	// Measures says how closely the incident kept to the practice: update
	// intervals against the cadence (R13), time to acknowledge per role and
	// stakeholder notices (R62).
	Measures(ctx context.Context, ref string) (Measures, error)

	// MeasuresReport measures the practice over a period, across incidents
	// and per person (R62): time to acknowledge, cadence, notices,
	// handovers, contact requests, pages, MTTA/MTTR, training.
	MeasuresReport(ctx context.Context, q MeasuresQuery) (MeasuresReport, error)

	// Prompts lists the reminders the playbook sent about an incident, and
	// to whom, oldest first.
	Prompts(ctx context.Context, ref string) ([]Prompt, error)

	// Timeline returns an incident's timeline, oldest first. Kind filters it
	// ("decision" gives the decision log); empty returns everything.
	Timeline(ctx context.Context, ref, kind string) ([]TimelineEntry, error)

	// IncidentPages lists the pages linked to an incident (declared from
	// them, attached later, or its role pages), oldest first, with their
	// acknowledgement, escalation steps and time to acknowledge.
	IncidentPages(ctx context.Context, ref string) ([]LinkedPage, error)

	// AddNote appends a note to an incident's timeline.
	AddNote(ctx context.Context, actor Actor, ref string, in NoteInput) (TimelineEntry, error)

	// RecordDecision writes a decision and its rationale to the timeline (R50),
	// after checking that the caller may take it (R10, R51). The caller is the
	// decider; on_behalf_of is recorded beside them and lends no authority.
	RecordDecision(ctx context.Context, actor Actor, ref string, in DecisionInput) (TimelineEntry, error)

	// Checklist returns the incident roles' checklists (R08) as the record
	// shows them now: automatic items derived from it, items checked by
	// hand from their timeline entries.
	Checklist(ctx context.Context, ref string) (Checklist, error)

	// CheckItem checks or unchecks a checklist item by hand, recorded on
	// the timeline. It refuses a mark that changes nothing (EConflict),
	// unchecking what Herald checked from the record (EUnprocessable), and
	// checking an automatic item without a note (EInvalid).
	CheckItem(ctx context.Context, actor Actor, ref string, in CheckInput) (Checklist, error)

	// Decisions lists an incident's decisions with their approvals, oldest
	// first; one whose kind needs a second person (R51, R55, R56) is
	// complete once approved.
	Decisions(ctx context.Context, ref string) ([]DecisionStatus, error)

	// ApproveDecision records the caller's approval of (or concurrence
	// with) a decision, by its timeline entry id, after checking that the
	// caller may give it and is not its decider.
	ApproveDecision(ctx context.Context, actor Actor, ref string, decisionID int64, in ApprovalInput) (DecisionStatus, error)
}

// StatusPageService keeps the public status page: components, status
// incidents and the updates published on them.
type StatusPageService interface {
	// Components lists the status page's components and groups in page order:
	// each group followed by its members.
	Components(ctx context.Context) ([]Component, error)

	// CreateComponent adds a component to the status page, in a group when one
	// is named (created if missing).
	CreateComponent(ctx context.Context, actor Actor, in ComponentInput) (Component, error)

	// UpdateComponent renames, describes, moves or regroups a component. Its
	// status is not set here: it follows from incidents and maintenances (R12).
	UpdateComponent(ctx context.Context, actor Actor, id string, in ComponentInput) (Component, error)

	// DeleteComponent removes a component from the page. One that an open
	// incident or maintenance still affects, or a group with members, stays.
	DeleteComponent(ctx context.Context, actor Actor, id string) error

	// ComponentChanges lists the recorded changes to components, newest first
	// (R21).
	ComponentChanges(ctx context.Context, limit int) ([]ComponentLogEntry, error)

	// ProposeComponentChange records an admin's proposed change to the
	// components for another admin to approve (R21).
	ProposeComponentChange(ctx context.Context, actor Actor, in ComponentProposalInput) (ComponentProposal, error)
	// ComponentProposals lists proposals in state ("" for all), newest first.
	ComponentProposals(ctx context.Context, state string) ([]ComponentProposal, error)
	// ComponentProposal reads one proposal.
	ComponentProposal(ctx context.Context, id string) (ComponentProposal, error)
	// ApproveComponentProposal applies a proposal in the approver's
	// transaction: EForbidden for its proposer, EConflict when stale.
	ApproveComponentProposal(ctx context.Context, actor Actor, id string) (ComponentProposal, error)
	// RejectComponentProposal rejects a proposal, with a reason.
	RejectComponentProposal(ctx context.Context, actor Actor, id string, in ProposalRejectInput) (ComponentProposal, error)

	// StatusVersion changes whenever anything the public status page shows
	// changes. Every instance polls it to know when to rebuild its page: cheap,
	// and the same on both databases.
	StatusVersion(ctx context.Context) (int64, error)

	// LocalStatusChanges counts the commits made through this DB (this
	// process: API writes and background steps alike) that changed what the
	// public status page shows. Changes made by other processes show in
	// StatusVersion only.
	LocalStatusChanges() uint64

	// OnStatusChange has fn called after each commit through this DB that
	// changed what the public status page shows, before the method that
	// committed returns. The page cache re-renders there, so that whoever made
	// a change (an API request, the worker) sees it on their next read of the
	// page, while readers never wait. fn must not write through db. One
	// function at a time: a second call replaces the first; nil removes it.
	OnStatusChange(fn func())

	// ComponentHistory returns, per component, its status at since and every
	// change after it, oldest first: what uptime is computed from.
	ComponentHistory(ctx context.Context, since time.Time) (map[string][]StatusPoint, error)

	// CreateStatusIncident publishes a new incident on the status page with its
	// first update. Linked to an internal incident, it labels that incident
	// Incident-Comms::Status-Page and says so on its timeline (R18). With
	// dryRun it returns the checks and the preview and publishes nothing.
	CreateStatusIncident(ctx context.Context, actor Actor, in StatusIncidentInput, dryRun bool) (Preview, error)

	// PublishUpdate publishes an update on a status incident: the only way its
	// state and its components' status change (R12). Resolving sets its
	// components back to operational (what else still affects them keeps them
	// as they are) and needs no component list (R17). With dryRun nothing is
	// published.
	PublishUpdate(ctx context.Context, actor Actor, id string, in StatusUpdateInput, dryRun bool) (Preview, error)

	// NoMaterialUpdates publishes "no material updates" (R15) on the open
	// status incident of an incident (ref): the template of that name, with
	// the same state and components, so the cadence is kept. EUnprocessable
	// when the incident has no open status incident. With dryRun it returns
	// the text and the checks and publishes nothing.
	NoMaterialUpdates(ctx context.Context, actor Actor, ref string, dryRun bool) (Preview, error)

	// SetPostmortem adds the post-mortem link to a resolved status incident
	// (R17).
	SetPostmortem(ctx context.Context, actor Actor, id, link string) (*StatusIncident, error)

	// EditStatusIncident corrects an open status incident's title and
	// affected components (R22). The correction is recorded on the status
	// incident (pending) and on its internal incident's timeline, and
	// published with the next update; the public page does not change until
	// then. A resolved status incident refuses it (EUnprocessable).
	EditStatusIncident(ctx context.Context, actor Actor, id string, in StatusIncidentEdit) (*StatusIncident, error)

	// StatusIncident reads one status incident with its updates.
	StatusIncident(ctx context.Context, id string) (*StatusIncident, error)

	// StatusIncidents lists status incidents, newest first.
	StatusIncidents(ctx context.Context, limit int) ([]*StatusIncident, error)

	// DraftStatusIncident saves a first public update for an incident as a
	// draft that waits for the status page decision (R10). It is checked as
	// a dry run would check it; the incident's timeline records it.
	DraftStatusIncident(ctx context.Context, actor Actor, in StatusIncidentInput) (StatusDraft, error)

	// StatusDrafts lists an incident's drafts, or with ref empty every
	// pending draft, newest first.
	StatusDrafts(ctx context.Context, ref string) ([]StatusDraft, error)

	// ApproveStatusDraft is the decision and the publication in one action:
	// the caller must be allowed to decide on the status page (R10); the
	// decision is recorded (when none is yet) and the draft published as
	// drafted, through the same path and broadcast as any first update.
	ApproveStatusDraft(ctx context.Context, actor Actor, id string) (Preview, error)

	// DiscardStatusDraft drops a pending draft (its author, or whoever may
	// approve it); the timeline records it.
	DiscardStatusDraft(ctx context.Context, actor Actor, id string) (StatusDraft, error)
}

// MaintenanceService plans and announces maintenances.
type MaintenanceService interface {
	// CreateMaintenance schedules a maintenance (R30). Automation is on unless
	// the input turns it off; reminders are times before the start.
	CreateMaintenance(ctx context.Context, actor Actor, in MaintenanceInput) (*Maintenance, error)

	// UpdateMaintenance changes a maintenance: a new window reschedules it
	// (R31), and auto_transition false turns automation off for good (R30).
	UpdateMaintenance(ctx context.Context, actor Actor, id string, in MaintenanceInput) (*Maintenance, error)

	// PostMaintenanceUpdate posts an update; with a status it also starts,
	// completes or cancels the maintenance by hand (starting and completing
	// only once automation is off, R30). An update without a status leaves a
	// scheduled maintenance scheduled and replaces a reminder it comes just
	// before (R31).
	PostMaintenanceUpdate(ctx context.Context, actor Actor, id string, in MaintenanceUpdateInput) (*Maintenance, error)

	// Maintenance reads one maintenance with its components, reminders and
	// updates.
	Maintenance(ctx context.Context, id string) (*Maintenance, error)

	// Maintenances lists maintenances by start, newest first.
	Maintenances(ctx context.Context, limit int) ([]*Maintenance, error)

	// ApproveMaintenance records an engineering manager's approval of an
	// emergency maintenance (R33): from then on it may start, each linked
	// tenant is sent a notice, and the next on-call shifts are prompted.
	// A caller who is not a manager is EForbidden; a maintenance of
	// another kind, or one no longer active, EUnprocessable; one approved
	// already, EConflict.
	ApproveMaintenance(ctx context.Context, actor Actor, id string, in ApprovalInput) (*Maintenance, error)
}

// PagingService takes monitoring events, opens and settles pages, and holds
// the services and escalation policies that decide who is paged.
type PagingService interface {
	// Deliveries lists the deliveries of a page.
	Deliveries(ctx context.Context, pageID string) ([]DeliveryRecord, error)

	// Notifications lists a page's notifications in the order they were made.
	Notifications(ctx context.Context, pageID string) ([]Notification, error)

	// OpenPages lists the pages not yet resolved, newest first, each with
	// who was notified for it, in one query (the console's Now screen).
	OpenPages(ctx context.Context, limit int) ([]OpenPage, error)

	// EscalatePage pages a chosen level of the policy now (the source's
	// "Escalate, select Level 2"), from where escalation carries on. An
	// acknowledged page is triggered again: escalating means the current
	// responder needs someone else.
	EscalatePage(ctx context.Context, actor Actor, id string, level int) (*Page, error)

	// SnoozePage acknowledges a page until a time: when the snooze ends
	// the page is triggered again and escalation starts again from level
	// 1. Shadows cannot (R03); a resolved page cannot be snoozed.
	SnoozePage(ctx context.Context, actor Actor, id string, in SnoozeInput) (*Page, error)

	// PagingGaps returns how many gaps of each kind paging has met.
	PagingGaps(ctx context.Context) (map[string]int64, error)

	// CreateEscalationPolicy adds a policy; user targets may be given by
	// e-mail and schedule targets by name.
	CreateEscalationPolicy(ctx context.Context, in EscalationPolicyInput) (*EscalationPolicy, error)

	// EscalationPolicy reads a policy by id or name.
	EscalationPolicy(ctx context.Context, ref string) (*EscalationPolicy, error)

	// CreateService adds a service with a new integration key.
	CreateService(ctx context.Context, in ServiceInput) (*Service, error)

	// Service reads a service by id or name.
	Service(ctx context.Context, ref string) (*Service, error)

	// Services lists services by name.
	Services(ctx context.Context) ([]*Service, error)

	// Enqueue takes one event from monitoring (PagerDuty Events API v2 shape):
	// a trigger opens an alert or folds into the open one with its dedup key;
	// an acknowledge or resolve acts on the alert's page. It returns the dedup
	// key. Invalid events are EInvalid with the reasons in Fields["errors"].
	Enqueue(ctx context.Context, ev Event) (string, error)

	// AcknowledgePage acknowledges a page for a person. A shadow on one of the
	// page's schedules cannot: acknowledging would stop the pages to the real
	// responder (R03).
	AcknowledgePage(ctx context.Context, actor Actor, id string) (*Page, error)

	// ResolvePage resolves a page for a person. A shadow cannot, for the same
	// reason they cannot acknowledge (R03).
	ResolvePage(ctx context.Context, actor Actor, id string) (*Page, error)

	// OpenPage finds the page holding the open alert with a dedup key.
	OpenPage(ctx context.Context, serviceID, dedup string) (*Page, error)

	// Page reads one page.
	Page(ctx context.Context, id string) (*Page, error)

	// Pages lists pages, newest first, optionally of one service and status.
	Pages(ctx context.Context, serviceID string, status PageStatus, limit int) ([]*Page, error)

	// PageLog returns a page's events, oldest first.
	PageLog(ctx context.Context, id string) ([]PageLogEntry, error)

	// PageList lists pages newest first, a screen at a time: Before (a
	// page id) continues after that page, which stays correct while new
	// pages arrive, unlike an offset.
	PageList(ctx context.Context, f PageFilter) ([]*Page, error)

	// LinkPage attaches a page to an incident, recorded on both. A page
	// linked to another incident is EConflict until detached.
	LinkPage(ctx context.Context, actor Actor, id string, in PageLinkInput) (*Page, error)

	// UnlinkPage detaches a page from its incident, recorded on both; an
	// incident's role page cannot be detached.
	UnlinkPage(ctx context.Context, actor Actor, id string) (*Page, error)

	// SetServiceComponents replaces the status page components a service
	// runs on (what a maintenance mutes).
	SetServiceComponents(ctx context.Context, ref string, in ServiceComponentsInput) (*Service, error)

	// EscalationPolicies lists every escalation policy by name.
	EscalationPolicies(ctx context.Context) ([]*EscalationPolicy, error)
	// AckLink reads what a signed acknowledge link's token stands for: the
	// person notified and the page. A token this server did not sign, or
	// whose notification is gone, is ENotFound.
	AckLink(ctx context.Context, token string) (*AckLink, error)
}

// ScheduleService keeps on-call schedules and their overrides.
type ScheduleService interface {
	// CreateSchedule adds an on-call schedule.
	CreateSchedule(ctx context.Context, in ScheduleInput) (*Schedule, error)

	// UpdateSchedule replaces a schedule's name, time zone, layers and
	// shadows; its overrides stay.
	UpdateSchedule(ctx context.Context, ref string, in ScheduleInput) (*Schedule, error)

	// Schedule reads a schedule by id or name, with the overrides that end
	// after since (all of them when since is zero).
	Schedule(ctx context.Context, ref string, since time.Time) (*Schedule, error)

	// Schedules lists every schedule by name.
	Schedules(ctx context.Context) ([]*Schedule, error)

	// AddOverride puts a user on call above every layer for a window.
	AddOverride(ctx context.Context, actor Actor, ref string, in OverrideInput) (Override, error)

	// DeleteOverride removes an override.
	DeleteOverride(ctx context.Context, ref, id string) error

	// OfferShift offers a window of the actor's shift on a schedule to
	// others (oncallswap.go).
	OfferShift(ctx context.Context, actor Actor, ref string, in ShiftOfferInput) (ShiftOffer, error)

	// ShiftOffers lists shift offers, open ones first by start.
	ShiftOffers(ctx context.Context, f ShiftOfferFilter) ([]ShiftOffer, error)

	// ShiftOffer reads one shift offer.
	ShiftOffer(ctx context.Context, id string) (ShiftOffer, error)

	// TakeShiftOffer puts the actor on call for an open offer's window
	// through an override; of two takers at once, one wins.
	TakeShiftOffer(ctx context.Context, actor Actor, id string) (ShiftOffer, error)

	// WithdrawShiftOffer withdraws an open offer (its offerer or an admin).
	WithdrawShiftOffer(ctx context.Context, actor Actor, id string) (ShiftOffer, error)
}

// SubscriberService keeps the people and systems told about the status page
// (subscribers) and about incidents inside the organisation (stakeholder
// channels).
type SubscriberService interface {
	// SubscriberLink is the public link that confirms or unsubscribes.
	SubscriberLink(purpose, id string) (string, error)

	// Subscribe adds a subscriber. An e-mail address gets a confirmation mail
	// and nothing else until it is confirmed (unless an admin marks it
	// confirmed); subscribing an address twice sends the confirmation again
	// and answers the same, so the answer does not tell whether an address was
	// subscribed already. Webhook subscribers get a signing secret, shown once.
	Subscribe(ctx context.Context, in SubscriberInput, admin bool) (Subscriber, error)

	// ConfirmSubscriber confirms an e-mail subscriber from the link in its
	// confirmation mail. Using the link again changes nothing.
	ConfirmSubscriber(ctx context.Context, id, token string) (Subscriber, error)

	// Unsubscribe ends a subscription from the link in any of its mails.
	Unsubscribe(ctx context.Context, id, token string) error

	// SubscriberCounts counts active subscribers by kind, confirmed or not.
	SubscriberCounts(ctx context.Context) (map[string]map[string]int, error)

	// BroadcastCounts counts a broadcast's deliveries by status.
	BroadcastCounts(ctx context.Context, broadcastEvent string) (map[string]int, error)

	// AddStakeholderChannel adds an internal channel (a chat webhook, an e-mail
	// list) that receives stakeholder notices (R19) and never public updates.
	AddStakeholderChannel(ctx context.Context, in SubscriberInput) (Subscriber, error)

	// StakeholderChannels lists the internal channels.
	StakeholderChannels(ctx context.Context) ([]Subscriber, error)

	// NotifyStakeholders tells the internal stakeholder channels about an
	// incident once its severity is confirmed (R19): summary, severity,
	// reference and link, chat channel, status page link. One notice per
	// incident and severity: confirming the same severity again sends nothing.
	// The timeline records it.
	NotifyStakeholders(ctx context.Context, actor Actor, ref string) (bool, error)

	// SendInternalUpdate sends an update about an incident to the internal
	// stakeholder channels and records it on the timeline; it restarts the
	// internal cadence. EUnprocessable when there is no stakeholder channel.
	SendInternalUpdate(ctx context.Context, actor Actor, ref string, in InternalUpdateInput) (InternalUpdate, error)

	// InternalUpdates lists the stakeholder notices and internal updates
	// of an incident, oldest first.
	InternalUpdates(ctx context.Context, ref string) ([]InternalUpdate, error)

	// ImportSubscribers adds many subscribers at once (admin), all or none: a
	// row that does not validate fails the whole import with its line number.
	// Rows whose kind and target exist already are skipped.
	ImportSubscribers(ctx context.Context, rows []SubscriberInput) (created, skipped int, err error)

	// ExportSubscribers calls fn for every active subscriber in id order,
	// reading in batches so memory does not grow with the list.
	ExportSubscribers(ctx context.Context, fn func(Subscriber) error) error
}

// PeopleService keeps users, their contact methods and notification rules,
// and the API tokens they act with.
type PeopleService interface {
	// CreateContactMethod adds a way to reach a user. A webhook method gets a
	// signing secret, returned in this answer only and stored encrypted.
	CreateContactMethod(ctx context.Context, userRef string, in ContactMethodInput) (ContactMethod, error)

	// ContactMethods lists a user's contact methods, without secrets.
	ContactMethods(ctx context.Context, userRef string) ([]ContactMethod, error)

	// AddNotificationRule uses a contact method a delay after a page reaches
	// its user ("e-mail after 2 minutes while unacknowledged"). A user without
	// rules is reached on every method at once.
	AddNotificationRule(ctx context.Context, userRef, methodID string, delayMinutes int) (NotificationRule, error)

	// CreateUser adds a person.
	CreateUser(ctx context.Context, in UserInput) (User, error)

	// Users lists everyone, by name.
	Users(ctx context.Context) ([]User, error)

	// User finds a user by id or e-mail address.
	User(ctx context.Context, ref string) (User, error)

	// SetRole changes a user's console and API role. Every session of the
	// user ends, so the new role holds from their next sign-in; the last
	// admin cannot be demoted (EUnprocessable).
	SetRole(ctx context.Context, userRef string, role APIRole) (User, error)

	// SetManager marks or unmarks a user as an engineering manager or
	// above: who approves emergency maintenance and cost-impacting
	// mitigations (R51, R55), and whom "all of management" pages (R07).
	SetManager(ctx context.Context, userRef string, manager bool) (User, error)

	// NotificationRules lists a user's notification rules, soonest first.
	NotificationRules(ctx context.Context, userRef string) ([]NotificationRule, error)

	// ContactMethodForTest returns one of a user's contact methods with its
	// webhook signing secret, for sending a test notification. The secret
	// is never shown.
	ContactMethodForTest(ctx context.Context, userRef, methodID string) (ContactMethod, error)

	// CreateToken issues an API token for a user (the actor when in.UserID is
	// empty). The secret is in the answer and nowhere else.
	CreateToken(ctx context.Context, actor Actor, in TokenInput) (Token, error)

	// Tokens lists the tokens that are not revoked, without secrets.
	Tokens(ctx context.Context) ([]Token, error)

	// RevokeToken makes a token unusable at once.
	RevokeToken(ctx context.Context, id string) error

	// NewCalendarFeed makes a user's calendar feed token, replacing (and so
	// revoking) the one they had. The token is in the answer only.
	NewCalendarFeed(ctx context.Context, userID string) (CalendarFeed, error)

	// CalendarFeed says whether a user has a calendar feed, and since when.
	CalendarFeed(ctx context.Context, userID string) (CalendarFeed, error)

	// RevokeCalendarFeed ends a user's calendar feed at once (ENotFound
	// when there is none).
	RevokeCalendarFeed(ctx context.Context, userID string) error

	// CalendarFeedUser is the user a calendar feed token belongs to; any
	// unknown or revoked token is the same ENotFound.
	CalendarFeedUser(ctx context.Context, token string) (User, error)

	// Authenticate returns the actor a token secret stands for. Every failure is
	// the same EUnauthenticated error, so a caller learns nothing about which
	// tokens exist.
	Authenticate(ctx context.Context, secret string) (Actor, error)

	// Qualifications lists what a user is trained for, with dates (R56).
	Qualifications(ctx context.Context, userRef string) ([]Qualification, error)

	// SetQualification records (or re-dates) a user's qualification.
	SetQualification(ctx context.Context, actor Actor, userRef, name string, in QualificationInput) (Qualification, error)

	// RemoveQualification removes a user's qualification.
	RemoveQualification(ctx context.Context, actor Actor, userRef, name string) error

	// EnsureAdminToken makes secret a valid admin token, for first login and
	// automation. A previous secret given this way stops working, so rotating
	// the variable and restarting rotates the credential.
	EnsureAdminToken(ctx context.Context, secret string) error
}

// SettingsService reads and saves the organisation's settings.
type SettingsService interface {
	// Settings returns the organisation's settings: the defaults until an admin
	// changes them.
	Settings(ctx context.Context) (Settings, error)

	// SaveSettings validates and stores the whole settings document.
	SaveSettings(ctx context.Context, s Settings) (Settings, error)
}

// ContactRequestService tracks contact requests (R61): requests from
// infrastructure or security to reach particular users, from opening to
// done or cancelled. A request linked to an incident is on its timeline.
type ContactRequestService interface {
	// OpenContactRequest records a request; its owner is in.Owner or the
	// actor.
	OpenContactRequest(ctx context.Context, actor Actor, in ContactRequestInput) (ContactRequest, error)

	// ContactRequest reads one request with its notes.
	ContactRequest(ctx context.Context, id string) (ContactRequest, error)

	// ContactRequests lists requests: open ones by due time (overdue
	// first), the others newest first.
	ContactRequests(ctx context.Context, f ContactRequestFilter) ([]ContactRequest, error)

	// NoteContactRequest adds progress to an open request.
	NoteContactRequest(ctx context.Context, actor Actor, id, text string) (ContactRequest, error)

	// CompleteContactRequest closes a request as done with the message that
	// was sent and any reply; CancelContactRequest closes it with a reason.
	// A closed request is not closed again (EConflict).
	CompleteContactRequest(ctx context.Context, actor Actor, id string, in ContactRequestClose) (ContactRequest, error)
	CancelContactRequest(ctx context.Context, actor Actor, id string, in ContactRequestClose) (ContactRequest, error)
}

// TeamService keeps teams: their names and members, and which schedules,
// policies and services they own (set through configuration as code).
type TeamService interface {
	// Teams lists every team by name, with members and what it owns.
	Teams(ctx context.Context) ([]Team, error)

	// Team reads a team by id or name.
	Team(ctx context.Context, ref string) (Team, error)

	// CreateTeam adds a team with its members.
	CreateTeam(ctx context.Context, in TeamInput) (Team, error)

	// UpdateTeam replaces a team's name and members.
	UpdateTeam(ctx context.Context, ref string, in TeamInput) (Team, error)

	// DeleteTeam removes a team; what it owned belongs to no team after.
	DeleteTeam(ctx context.Context, ref string) error
}

// TenantService keeps the single-tenant customers (R40) and which of them
// an incident or a maintenance affects. Tenants are found by id or name.
type TenantService interface {
	// Tenants lists the tenants by name (deleted ones left out).
	Tenants(ctx context.Context) ([]Tenant, error)

	// Tenant reads one tenant by id or name.
	Tenant(ctx context.Context, ref string) (Tenant, error)

	// CreateTenant adds a tenant. Its regions must be in the settings'
	// support_regions, its components and services must exist; a name in
	// use is a conflict.
	CreateTenant(ctx context.Context, actor Actor, in TenantInput) (Tenant, error)

	// UpdateTenant replaces a tenant's fields whole; with in.Version set,
	// a tenant changed since that version is refused (EConflict).
	UpdateTenant(ctx context.Context, actor Actor, ref string, in TenantInput) (Tenant, error)

	// DeleteTenant removes a tenant. It is refused (EUnprocessable) while
	// an open incident or a scheduled or running maintenance references
	// it; closed ones keep showing it, marked deleted.
	DeleteTenant(ctx context.Context, actor Actor, ref string) error

	// ImportTenants creates or replaces (by name) every row, all or none:
	// the first row that does not validate refuses the whole import,
	// naming its CSV line (the first row is line 2) and field.
	ImportTenants(ctx context.Context, actor Actor, rows []TenantInput) (TenantImportResult, error)

	// SetIncidentTenants replaces the tenants an incident affects (an
	// unknown tenant is ENotFound); the timeline records the change.
	SetIncidentTenants(ctx context.Context, actor Actor, ref string, in TenantLinksInput) ([]Tenant, error)

	// IncidentTenants lists the tenants an incident affects, by name.
	IncidentTenants(ctx context.Context, ref string) ([]Tenant, error)

	// SetMaintenanceTenants replaces the tenants a maintenance affects.
	SetMaintenanceTenants(ctx context.Context, actor Actor, id string, in TenantLinksInput) ([]Tenant, error)

	// MaintenanceTenants lists the tenants a maintenance affects, by name.
	MaintenanceTenants(ctx context.Context, id string) ([]Tenant, error)
}

// TicketService couples incidents to the support desk (R20, tickets.go):
// each incident's tag, keywords and search window, the connected ticket
// system, and the sweeps that look for untagged tickets and tag them. A
// sweep is recorded here and run in the background; nothing in this
// service calls the desk.
type TicketService interface {
	// IncidentTickets reads an incident's tag, keywords, window and latest
	// sweeps.
	IncidentTickets(ctx context.Context, ref string) (IncidentTickets, error)

	// SetIncidentTickets sets a confidential incident's tag by hand (a
	// public incident's tag is derived and refused here, EUnprocessable)
	// and the keywords searched for; recorded on the timeline.
	SetIncidentTickets(ctx context.Context, actor Actor, ref string, in TicketCouplingInput) (IncidentTickets, error)

	// Sweep queues a search of the incident's window for tickets that
	// lack its tag. It is refused while no ticket system is connected, the
	// incident has no tag, or nothing is to be searched for
	// (EUnprocessable).
	Sweep(ctx context.Context, actor Actor, ref string, in SweepInput) (TicketSweep, error)

	// TagTickets queues the tagging of tickets the incident's last sweep
	// found; tickets it did not find are refused (EInvalid).
	TagTickets(ctx context.Context, actor Actor, ref string, in TagTicketsInput) (TicketSweep, error)

	// TicketSweep reads one sweep of the incident.
	TicketSweep(ctx context.Context, ref, id string) (TicketSweep, error)

	// TicketConnection reads the connected ticket system, without its
	// token; ENotFound when none is connected.
	TicketConnection(ctx context.Context) (TicketConnection, error)

	// ConnectTicketSystem stores the connection, the API token encrypted
	// with the server key; an empty token keeps the stored one.
	ConnectTicketSystem(ctx context.Context, actor Actor, in TicketConnectionInput) (TicketConnection, error)

	// DisconnectTicketSystem forgets the connection and its token.
	DisconnectTicketSystem(ctx context.Context, actor Actor) error
}
