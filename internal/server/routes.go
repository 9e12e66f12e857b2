package server

import (
	"io"
	"net/http"

	"github.com/heraldhq/herald"
)

// route is one JSON API endpoint. The table in apiRoutes is the single
// source of the API surface: the mux is built from it, and so is the OpenAPI
// document, so a route cannot exist without being described.
type route struct {
	method, path string
	role         herald.APIRole // the least role that may call it; "" for public
	summary      string
	in           any     // a value of the request body's type; nil for none
	out          any     // a value of the success body's type; nil for none
	status       int     // the success status
	query        []param // query parameters
	handle       func(http.ResponseWriter, *http.Request, herald.Actor) error
}

type param struct{ name, desc string }

// noBody is the In of a route that reads no body, and the Out of one that
// answers with none.
type noBody struct{}

// markdownDoc is an answer sent as text/markdown.
type markdownDoc string

// calendarDoc is an answer sent as text/calendar.
type calendarDoc string

// op makes a route from a typed function: the body is decoded into In (when
// In is not noBody), and fn's result is written with status. Decoding,
// validation errors and encoding are thus done the same way everywhere.
func op[In, Out any](method, path string, role herald.APIRole, status int, summary string,
	fn func(*http.Request, herald.Actor, In) (Out, error), query ...param) route {
	rt := route{method: method, path: path, role: role, status: status, summary: summary, query: query}
	var in In
	var out Out
	if _, none := any(in).(noBody); !none {
		rt.in = in
	}
	if _, none := any(out).(noBody); !none {
		rt.out = out
	}
	rt.handle = func(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
		var in In
		if rt.in != nil {
			if err := decode(r, &in); err != nil {
				return err
			}
		}
		out, err := fn(r, a, in)
		if err != nil {
			return err
		}
		shown := redact(any(out), a)
		switch v := shown.(type) {
		case noBody:
			w.WriteHeader(status)
		case markdownDoc:
			w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
			w.WriteHeader(status)
			io.WriteString(w, string(v))
		case calendarDoc:
			w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
			w.WriteHeader(status)
			io.WriteString(w, string(v))
		case interface{ HTTPStatus(int) int }:
			return writeJSON(w, v.HTTPStatus(status), shown)
		default:
			return writeJSON(w, status, shown)
		}
		return nil
	}
	return rt
}

func (s *Server) apiRoutes() []route {
	const (
		viewer    = herald.RoleViewer
		responder = herald.RoleResponder
		admin     = herald.RoleAdmin
	)
	return []route{
		op("GET", "/api/v1/me", viewer, 200, "Who the token belongs to and its role", s.getMe),

		op("POST", "/api/v1/incidents", responder, 201, "Declare an incident", s.declareIncident),
		op("GET", "/api/v1/incidents", viewer, 200, "List incidents, newest first", s.listIncidents,
			param{"state", "investigating, identified, monitoring or resolved"},
			param{"active", "true for unresolved incidents, false for resolved"},
			param{"severity", "S1 to S4"},
			param{"before", "only incidents numbered below this (the next_before of the previous page)"},
			param{"limit", "1 to 200, default 50"}),
		op("GET", "/api/v1/incidents/{id}", viewer, 200, "One incident, by id, number or reference (INC-42)", s.getIncident),
		op("PATCH", "/api/v1/incidents/{id}", responder, 200, "Change an incident's fields or state; send the version you read", s.updateIncident),
		op("GET", "/api/v1/incidents/{id}/timeline", viewer, 200, "The incident's timeline, oldest first", s.getTimeline,
			param{"kind", "only entries of this kind (note, decision, state_change, ...)"}),
		op("POST", "/api/v1/incidents/{id}/timeline", responder, 201, "Add a note to the timeline", s.addNote),
		op("GET", "/api/v1/incidents/{id}/decisions", viewer, 200, "The decision log", s.getDecisions),
		op("POST", "/api/v1/incidents/{id}/decisions", responder, 201, "Record a decision with its rationale", s.addDecision),
		op("GET", "/api/v1/incidents/{id}/decisions/approvals", viewer, 200, "Decisions with their approvals: complete, or awaiting a second person (R51, R55, R56)", s.listDecisionStatus),
		op("POST", "/api/v1/incidents/{id}/decisions/{decision}/approve", responder, 200, "Approve or concur with a decision (never your own; R51, R55, R56)", s.approveDecision),
		op("PUT", "/api/v1/incidents/{id}/roles/{role}", responder, 200, "Assign or hand over an incident role", s.assignRole),
		op("DELETE", "/api/v1/incidents/{id}/roles/{role}", responder, 200, "Leave an incident role empty", s.unassignRole),
		op("POST", "/api/v1/incidents/{id}/roles/{role}/handover", responder, 200, "Live handover (R60): the role's holder (or an admin) hands it to another person with a short note; the timeline records both", s.handOverRole),
		op("GET", "/api/v1/incidents/{id}/chat-channels", viewer, 200, "The chat channels bound to the incident (its own, and those bound by hand)", s.listChatChannels),
		op("POST", "/api/v1/incidents/{id}/chat-channels", responder, 201, "Bind an existing chat channel (slack or mattermost) to the incident: commands typed there act on it, and the incident card is posted there through the chat lane and edited on every change", s.bindChatChannel),
		op("DELETE", "/api/v1/incidents/{id}/chat-channels/{platform}/{channel}", responder, 204, "Unbind a chat channel from the incident: its card is no longer edited", s.unbindChatChannel),
		op("POST", "/api/v1/incidents/{id}/labels", responder, 200, "Add and remove labels; a scoped label replaces its scope", s.label),
		op("GET", "/api/v1/incidents/{id}/follow-ups", viewer, 200, "The incident's follow-ups", s.listFollowUps),
		op("POST", "/api/v1/incidents/{id}/follow-ups", responder, 201, "Add a follow-up (corrective action)", s.addFollowUp),
		op("PATCH", "/api/v1/incidents/{id}/follow-ups/{followup}", responder, 200, "Change a follow-up, for example mark it done", s.updateFollowUp),
		op("GET", "/api/v1/incidents/{id}/reviews", viewer, 200, "Post-incident reviews and when they are due", s.listReviews),
		op("POST", "/api/v1/incidents/{id}/reviews", responder, 200, "Request a review, or record it as completed", s.review),
		op("POST", "/api/v1/incidents/{id}/reviews/external/approve", responder, 200, "Approve the external review's draft for customers: engineering managers only (R54)", s.approveReview),
		op("POST", "/api/v1/incidents/{id}/reviews/external/publish", responder, 200, "Publish the approved external review as the post-mortem link of the incident's resolved status incidents; refused before approval (R54)", s.publishReview),
		op("GET", "/api/v1/contact-requests", viewer, 200, "Contact requests (R61): open ones by due time, then the closed, newest first", s.listContactRequests,
			param{"status", "open, done or cancelled"}, param{"owner", "a user's id or e-mail: only theirs"}, param{"limit", "1 to 500 (default 100)"}),
		op("POST", "/api/v1/contact-requests", responder, 201, "Open a contact request: whom to reach, why, what to say, by when (R61); on the incident's timeline when one is named", s.openContactRequest),
		op("GET", "/api/v1/contact-requests/{id}", viewer, 200, "One contact request with its notes", s.getContactRequest),
		op("POST", "/api/v1/contact-requests/{id}/notes", responder, 200, "Add progress to an open contact request", s.noteContactRequest),
		op("POST", "/api/v1/contact-requests/{id}/complete", responder, 200, "Close a contact request as done, with the message sent and any reply", s.completeContactRequest),
		op("POST", "/api/v1/contact-requests/{id}/cancel", responder, 200, "Cancel a contact request, with the reason", s.cancelContactRequest),
		op("GET", "/api/v1/handovers", viewer, 200, "Handovers at the end of each shift of the communications and incident-lead rotations (R60), newest first; only your rotations' unless admin", s.listHandovers,
			param{"status", "draft, submitted or acknowledged"}, param{"mine", "true for those you hand over or take over"}, param{"limit", "1 to 500 (default 100)"}),
		op("POST", "/api/v1/handovers", responder, 201, "Draft the handover of your current shift early (it is submitted after the shift ends)", s.startHandover),
		op("GET", "/api/v1/handovers/rotations", viewer, 200, "Which schedule each handing-over role uses, from the settings or the role's service", s.listHandoverRotations),
		op("GET", "/api/v1/handovers/{id}", viewer, 200, "One handover; 404 outside its rotation unless admin", s.getHandover),
		op("PUT", "/api/v1/handovers/{id}", responder, 200, "Save the outgoing person's edits of a draft: the note and each item's note and whether it moves on", s.saveHandover),
		op("POST", "/api/v1/handovers/{id}/submit", responder, 200, "Submit the handover after the shift ended (422 naming shift_end before); moves roles and notice threads to the incoming person, never contact requests", s.submitHandover),
		op("POST", "/api/v1/handovers/{id}/ack", responder, 200, "The incoming person acknowledges a submitted handover", s.ackHandover),
		op("GET", "/api/v1/practice/runs", viewer, 200, "Practice runs (R63), newest first", s.listPracticeRuns,
			param{"limit", "at most this many (default 100)"}),
		op("POST", "/api/v1/practice/runs", responder, 201, "Start a practice run of a scenario (JSON or YAML text) against a sandbox; the steps play from the server's loop", s.startPractice),
		op("GET", "/api/v1/practice/runs/{id}", viewer, 200, "A practice run with its timeline: steps played, messages held back at the sandbox's edge, what each participant did", s.getPracticeRun),
		op("POST", "/api/v1/practice/runs/{id}/finish", responder, 200, "Finish a practice run: steps left are not played, its incident and pages are resolved", s.finishPractice),
		op("GET", "/api/v1/practice/runs/{id}/sandbox", viewer, 200, "A practice run's sandbox status page: the components with the run's statuses, and its updates", s.practiceSandbox),
		op("GET", "/api/v1/follow-ups", viewer, 200, "Follow-ups across incidents by due date", s.listAllFollowUps,
			param{"overdue", "true for open follow-ups past their due date only"},
			param{"open", "true for follow-ups not done only"},
			param{"owner", "only the follow-ups this user (id or e-mail) owns"},
			param{"limit", "1 to 500, default 200"}),
		op("GET", "/api/v1/incidents/{id}/export.md", viewer, 200, "The incident and its timeline as Markdown, the draft of a review", s.exportMarkdown),
		op("GET", "/api/v1/incidents/{id}/pages", viewer, 200, "The pages linked to the incident: each one's acknowledgement, escalation steps and time to acknowledge", s.incidentPages),
		op("GET", "/api/v1/incidents/{id}/measures", viewer, 200, "How closely the incident kept to the practice: update intervals against the cadence, time to acknowledge per role, stakeholder notices", s.getMeasures),
		s.measuresReportRoute(),
		op("GET", "/api/v1/incidents/{id}/checklist", viewer, 200, "The incident roles' checklists by stage (R08): each item's state, whether Herald or a person checked it, who and when", s.getChecklist),
		op("POST", "/api/v1/incidents/{id}/checklist", responder, 200, "Check or uncheck a checklist item by hand (recorded on the timeline); an automatic item needs a note", s.checkItem),
		op("GET", "/api/v1/incidents/{id}/tickets", viewer, 200, "The incident's support ticket tag, keywords, search window and latest sweeps (R20)", s.getIncidentTickets),
		op("PUT", "/api/v1/incidents/{id}/tickets", responder, 200, "Set a confidential incident's ticket tag by hand, or the keywords its tickets are searched for; recorded (R20)", s.setIncidentTickets),
		op("POST", "/api/v1/incidents/{id}/tickets/sweeps", responder, 202, "Queue a sweep of the incident's window for tickets that lack its tag (apply: tag them all); it runs in the background (R20)", s.sweepTickets),
		op("GET", "/api/v1/incidents/{id}/tickets/sweeps/{sweep}", viewer, 200, "One sweep: its state, attempts, last error, the untagged tickets found and those tagged", s.getTicketSweep),
		op("POST", "/api/v1/incidents/{id}/tickets/tag", responder, 202, "Queue the tagging of tickets the last sweep found (ticket_ids, or all); recorded when done (R20)", s.tagTickets),
		op("GET", "/api/v1/tickets/connection", admin, 200, "The connected ticket system (its API token is never shown)", s.getTicketConnection),
		op("PUT", "/api/v1/tickets/connection", admin, 200, "Connect a ticket system (Zendesk): URL, agent e-mail and API token, stored encrypted; an empty token keeps the stored one", s.connectTicketSystem),
		op("DELETE", "/api/v1/tickets/connection", admin, 204, "Disconnect the ticket system and forget its token", s.disconnectTicketSystem),

		op("GET", "/api/v1/components", viewer, 200, "Status page components and groups, in page order", s.listComponents),
		op("GET", "/api/v1/components/changes", viewer, 200, "Who changed which component, and how (newest first)", s.listComponentChanges),
		op("POST", "/api/v1/components", admin, 201, "Add a component (in a group, created when missing); recorded", s.createComponent),
		op("PATCH", "/api/v1/components/{id}", admin, 200, "Rename, describe, move or regroup a component; recorded", s.updateComponent),
		op("DELETE", "/api/v1/components/{id}", admin, 204, "Remove a component no open incident or maintenance uses; recorded", s.deleteComponent),
		op("GET", "/api/v1/component-proposals", viewer, 200, "Proposed changes to the components (R21), newest first", s.listComponentProposals,
			param{"state", "pending, approved or rejected; default every proposal"}),
		op("POST", "/api/v1/component-proposals", admin, 201, "Propose adding, changing or removing a component, for another admin to approve (R21)", s.proposeComponentChange),
		op("GET", "/api/v1/component-proposals/{id}", viewer, 200, "One proposed change to the components (R21)", s.getComponentProposal),
		op("POST", "/api/v1/component-proposals/{id}/approve", admin, 200, "Approve and apply a proposal: not its proposer's (403); 409 when another change made it stale (R21)", s.approveComponentProposal),
		op("POST", "/api/v1/component-proposals/{id}/reject", admin, 200, "Reject a proposal, with the reason (R21)", s.rejectComponentProposal),
		op("GET", "/api/v1/status-incidents", viewer, 200, "Status page incidents, newest first", s.listStatusIncidents),
		op("POST", "/api/v1/status-incidents", responder, 201, "Publish an incident on the status page with its first update (?dry_run=true previews)", s.createStatusIncident,
			param{"dry_run", "true to get the checks and the preview without publishing"}),
		op("GET", "/api/v1/status-incidents/{id}", viewer, 200, "One status incident with its updates", s.getStatusIncident),
		op("POST", "/api/v1/status-incidents/{id}/updates", responder, 201, "Publish an update: the only way state and component status change (?dry_run=true previews)", s.publishUpdate,
			param{"dry_run", "true to get the checks and the preview without publishing"}),
		op("PATCH", "/api/v1/status-incidents/{id}", responder, 200, "Add the post-mortem link to a resolved status incident, or correct an open one's name and components, published with the next update (R22)", s.setPostmortem),
		op("GET", "/api/v1/status-drafts", viewer, 200, "Status page drafts waiting for the decision (R10), newest first", s.listStatusDrafts,
			param{"incident", "an incident's drafts, settled ones too; default every pending draft"}),
		op("POST", "/api/v1/status-drafts", responder, 201, "Save an incident's first public update as a draft for whoever decides on the status page (R10)", s.draftStatusIncident),
		op("POST", "/api/v1/status-drafts/{id}/approve", responder, 201, "Decide and publish a draft as drafted, in one action (R10)", s.approveStatusDraft),
		op("POST", "/api/v1/status-drafts/{id}/discard", responder, 200, "Discard a draft (its author, or whoever may approve it)", s.discardStatusDraft),
		op("GET", "/api/v1/status-templates", viewer, 200, "Templates for the usual updates", s.listTemplates),
		op("POST", "/api/v1/guard/check", viewer, 200, "Run the content guard (R45) on a text: the internal details it finds (host names, IP addresses, log lines, stack traces, staff addresses, dashboard links), each with its position", s.guardCheck),
		op("GET", "/api/v1/maintenances", viewer, 200, "Maintenances, newest start first", s.listMaintenances),
		op("POST", "/api/v1/maintenances", responder, 201, "Schedule a maintenance", s.createMaintenance),
		op("GET", "/api/v1/maintenances/{id}", viewer, 200, "One maintenance with its updates and reminders", s.getMaintenance),
		op("PATCH", "/api/v1/maintenances/{id}", responder, 200, "Reschedule, edit, or turn automation off (for good)", s.updateMaintenance),
		op("POST", "/api/v1/maintenances/{id}/updates", responder, 201, "Post an update; with status, start, complete or cancel by hand", s.postMaintenanceUpdate),
		op("POST", "/api/v1/maintenances/{id}/approve", responder, 200, "Approve an emergency maintenance as an engineering manager (R33): it may start, each linked tenant is sent a notice, the next on-call shifts are told", s.approveMaintenance),

		op("GET", "/api/v1/schedules", viewer, 200, "On-call schedules", s.listSchedules),
		op("POST", "/api/v1/schedules", admin, 201, "Create a schedule: layers of rotations in a time zone, shadows", s.createSchedule),
		op("GET", "/api/v1/schedules/{id}", viewer, 200, "One schedule (by id or name) with its current and future overrides", s.getSchedule),
		op("PUT", "/api/v1/schedules/{id}", admin, 200, "Replace a schedule's name, time zone, layers and shadows", s.updateSchedule),
		op("POST", "/api/v1/schedules/{id}/overrides", responder, 201, "Put someone on call for a window, above every layer", s.addOverride),
		op("DELETE", "/api/v1/schedules/{id}/overrides/{override}", responder, 204, "Remove an override", s.deleteOverride),
		op("GET", "/api/v1/schedules/{id}/oncall", viewer, 200, "Who is on call at a time (default now), and until when", s.onCall,
			param{"at", "RFC 3339 time; default now"}),
		op("GET", "/api/v1/schedules/{id}/shifts", viewer, 200, "The final schedule over a window (at most 92 days)", s.shifts,
			param{"from", "RFC 3339; default now"}, param{"to", "RFC 3339; default from + 14 days"}),
		op("POST", "/api/v1/schedules/{id}/offers", responder, 201, "Offer a window of your shift on the schedule to others (a shift swap); a window that has begun is offered from now", s.offerShift),
		op("GET", "/api/v1/shift-offers", viewer, 200, "Shift offers by start: open, taken (with who took it and the override), withdrawn or expired", s.listShiftOffers,
			param{"schedule", "a schedule's id or name: only its offers"}, param{"status", "open, taken, withdrawn or expired"}, param{"limit", "1 to 500 (default 100)"}),
		op("GET", "/api/v1/shift-offers/{id}", viewer, 200, "One shift offer", s.getShiftOffer),
		op("POST", "/api/v1/shift-offers/{id}/take", responder, 200, "Take an open shift offer: you are on call for its window (from now if it has begun) through an override; the offerer is told", s.takeShiftOffer),
		op("POST", "/api/v1/shift-offers/{id}/withdraw", responder, 200, "Withdraw your open shift offer (an admin may withdraw anyone's)", s.withdrawShiftOffer),
		op("GET", "/api/v1/users/{id}/shifts.ics", viewer, 200, "A user's shifts on every schedule from a week back to six months ahead (iCalendar)", s.userShiftsICS),
		op("GET", "/api/v1/users/{id}/calendar-feed", viewer, 200, "Whether a user has a calendar feed link, and since when (yourself, or anyone as admin)", s.calendarFeed),
		op("POST", "/api/v1/users/{id}/calendar-feed", viewer, 201, "Make a user's calendar feed links for calendar apps, replacing the old ones; the links are in this answer only (yourself, or anyone as admin)", s.newCalendarFeed),
		op("DELETE", "/api/v1/users/{id}/calendar-feed", viewer, 204, "Revoke a user's calendar feed links (yourself, or anyone as admin)", s.revokeCalendarFeed),
		op("GET", "/api/v1/calendars/{token}/shifts.ics", "", 200, "The feed link's person's shifts, for calendar apps: the token in the path is the credential (iCalendar)", s.feedShiftsICS),
		op("GET", "/api/v1/calendars/{token}/schedules/{schedule}/shifts.ics", "", 200, "A schedule's final rotation, for calendar apps, with any calendar feed token (iCalendar)", s.feedScheduleICS),

		op("GET", "/api/v1/services", viewer, 200, "Services that page people, with their integration keys (masked except for admins)", s.listServices),
		op("POST", "/api/v1/services", admin, 201, "Add a service; the answer carries its integration key", s.createService),
		op("PUT", "/api/v1/services/{id}/components", admin, 200, "Set the status page components a service runs on: a maintenance of one mutes its paging", s.setServiceComponents),
		op("POST", "/api/v1/escalation-policies", admin, 201, "Add an escalation policy: levels of targets with timeouts, repeats", s.createPolicy),
		op("GET", "/api/v1/escalation-policies", viewer, 200, "Escalation policies, by name", s.listPolicies),
		op("GET", "/api/v1/escalation-policies/{id}", viewer, 200, "One escalation policy, by id or name", s.getPolicy),
		op("POST", "/api/v1/escalation-policies/templates", admin, 201, "Add an escalation policy from a template: r05 (the engineer, the incident lead after 30m, then management) or r07 (the engineer, a colleague in the time zone after 10m, then all managers), timed by settings escalation_templates", s.policyFromTemplate),
		op("GET", "/api/v1/pages", viewer, 200, "Pages, newest first", s.listPages,
			param{"service_id", "only this service's pages"}, param{"status", "triggered, acknowledged or resolved"}),
		op("POST", "/api/v1/pages", responder, 201, "Page a service's responders by hand", s.manualPage),
		op("GET", "/api/v1/pages/{id}", viewer, 200, "One page with its log and who was notified", s.getPage),
		op("POST", "/api/v1/pages/{id}/acknowledge", responder, 200, "Acknowledge a page: escalation stops (shadows cannot)", s.ackPage),
		op("POST", "/api/v1/pages/{id}/escalate", responder, 200, "Page a chosen level now (\"Escalate, select Level 2\")", s.escalatePage),
		op("POST", "/api/v1/pages/{id}/snooze", responder, 200, "Snooze a page: acknowledged until a time (until, or for a duration like 1h), then triggered again from level 1 (shadows cannot)", s.snoozePage),
		op("POST", "/api/v1/pages/{id}/resolve", responder, 200, "Resolve a page (its incident, if any, stays open)", s.resolvePage),
		op("POST", "/api/v1/pages/{id}/declare", responder, 201, "Declare an incident from a page: the page is linked to it", s.declareFromPage),
		op("PUT", "/api/v1/pages/{id}/incident", responder, 200, "Attach a page to an incident (recorded on both)", s.linkPage),
		op("DELETE", "/api/v1/pages/{id}/incident", responder, 200, "Detach a page from its incident (recorded on both; role pages stay)", s.unlinkPage),

		op("GET", "/api/v1/users/{id}/contact-methods", viewer, 200, "How a user is reached, and which methods are failing (phone numbers masked except for the user and admins; webhook, Slack and Teams URLs masked for everyone)", s.listContactMethods),
		op("POST", "/api/v1/users/{id}/contact-methods", responder, 201, "Add a contact method (yourself, or anyone as admin); a webhook's signing secret is in this answer only", s.createContactMethod),
		op("POST", "/api/v1/users/{id}/contact-methods/{method}/test", responder, 200, "Send a contact method a test notification now (yourself, or anyone as admin); a failed send is 422 with the sender's error", s.testContactMethod),
		op("POST", "/api/v1/users/{id}/notification-rules", responder, 201, "Use a contact method a delay after a page reaches the user, while unacknowledged", s.createRule),

		op("GET", "/api/v1/stakeholder-channels", viewer, 200, "Internal channels that receive stakeholder notices (R19); URLs masked (admins see scheme, host and last 4 characters)", s.listStakeholders),
		op("POST", "/api/v1/stakeholder-channels", admin, 201, "Add a stakeholder channel: email, webhook_url, slack_url, teams_url or mattermost_url", s.addStakeholder),
		op("POST", "/api/v1/incidents/{id}/notify-stakeholders", responder, 200, "Tell the stakeholders now (also sent when a severity decision is recorded)", s.notifyStakeholders),
		op("POST", "/api/v1/incidents/{id}/internal-updates", responder, 201, "Send an update to the stakeholder channels; the next internal update is due an interval (by severity) after it", s.sendInternalUpdate),
		op("GET", "/api/v1/incidents/{id}/internal-updates", viewer, 200, "The incident's stakeholder notices and internal updates, oldest first", s.listInternalUpdates),
		op("POST", "/api/v1/incidents/{id}/no-material-updates", responder, 201, "Publish \"no material updates\" (R15) on the incident's open status incident: its template, same state and components, so the cadence is kept (?dry_run=true previews)", s.noMaterialUpdates,
			param{"dry_run", "true to get the text and the checks without publishing"}),
		op("GET", "/api/v1/incidents/{id}/prompts", viewer, 200, "The reminders the playbook sent about the incident (update due, overdue...), to whom, and how many contact methods each reached", s.listPrompts),
		op("GET", "/api/v1/subscribers/counts", viewer, 200, "Status page subscribers by kind: confirmed, unconfirmed, paused", s.subscriberCounts),

		op("GET", "/api/v1/tenants", viewer, 200, "Single-tenant customers, by name", s.listTenants),
		op("POST", "/api/v1/tenants", admin, 201, "Add a tenant: regions from the support_regions setting, operational addresses in order, account team, weekly maintenance window, business hours, compliance profile, components and services", s.createTenant),
		op("GET", "/api/v1/tenants/{id}", viewer, 200, "One tenant, by id or name", s.getTenant),
		op("PUT", "/api/v1/tenants/{id}", admin, 200, "Replace a tenant's fields; send the version you read", s.updateTenant),
		op("DELETE", "/api/v1/tenants/{id}", admin, 204, "Remove a tenant no open incident or maintenance references", s.deleteTenant),
		op("GET", "/api/v1/incidents/{id}/tenants", viewer, 200, "The tenants the incident affects", s.incidentTenants),
		op("PUT", "/api/v1/incidents/{id}/tenants", responder, 200, "Set the tenants the incident affects (ids or names; an unknown one is 404); recorded on the timeline", s.setIncidentTenants),
		op("GET", "/api/v1/maintenances/{id}/tenants", viewer, 200, "The tenants the maintenance affects", s.maintenanceTenants),
		op("PUT", "/api/v1/maintenances/{id}/tenants", responder, 200, "Set the tenants the maintenance affects (ids or names; an unknown one is 404)", s.setMaintenanceTenants),
		op("GET", "/api/v1/tenants/{id}/page", admin, 200, "The tenant's private status page: whether it has a URL, when that was made, whether it asks for e-mail sign-in (the URL itself is shown only when made)", s.getTenantPage),
		op("POST", "/api/v1/tenants/{id}/page/rotate", admin, 200, "Make a new URL for the tenant's private status page, shown in this answer only; the previous URL stops working at once", s.rotateTenantPage),
		op("GET", "/api/v1/tenants/{id}/page/subscribers", admin, 200, "The subscribers of the tenant's private status page: they hear of that tenant's incidents and maintenances only", s.tenantPageSubscribers),
		op("POST", "/api/v1/tenants/{id}/page/subscribers", admin, 201, "Subscribe an e-mail address (confirmed by mail unless confirmed is set) or a webhook to the tenant's private status page; 422 when the tenant has no page", s.subscribeTenantPage),
		op("PUT", "/api/v1/tenants/{id}/page/sign-in", admin, 200, "Turn the private page's e-mail sign-in on or off: when on, the page mails a one-time link to one of the tenant's operational addresses", s.setTenantPageSignIn),
		op("POST", "/api/v1/incidents/{id}/notices", responder, 200, "Open a customer notice thread per affected tenant (R41), owned by the incident's communications manager; a tenant without an operational address refuses all (422)", s.openIncidentNotices),
		op("GET", "/api/v1/incidents/{id}/notices", viewer, 200, "The incident's tenants: affected, told (thread, last message, when), next notice due, approvals pending", s.incidentNotices),
		op("GET", "/api/v1/incidents/{id}/notice-threads", viewer, 200, "The incident's customer notice threads", s.incidentNoticeThreads),
		op("POST", "/api/v1/maintenances/{id}/notices", responder, 200, "Open a customer notice thread per tenant the maintenance affects, owned by you", s.openMaintenanceNotices),
		op("GET", "/api/v1/maintenances/{id}/notice-threads", viewer, 200, "The maintenance's customer notice threads", s.maintenanceNoticeThreads),
		op("GET", "/api/v1/notice-threads/{id}", viewer, 200, "One customer notice thread with its messages out and replies in", s.getNoticeThread),
		op("POST", "/api/v1/notice-threads/{id}/messages", responder, 201, "Send a notice on the thread from a template or a body: only the incident's communications manager or an admin (R49, 403); the content guard refuses internal details (R45, 422) unless overridden with a reason", s.sendNotice),
		op("POST", "/api/v1/notice-threads/{id}/preview", responder, 200, "Fill in a notice for the thread without sending it", s.previewNotice),
		op("POST", "/api/v1/notice-threads/{id}/approvals", responder, 201, "Ask for the approval of a notice's exact text (R44): the security team's for a security message, else the incident lead's or an engineer's; an earlier text of the thread is void; the approvers are prompted", s.requestNoticeApproval),
		op("GET", "/api/v1/notice-approvals", viewer, 200, "Every customer message waiting for an approval (R44), oldest first", s.pendingNoticeApprovals),
		op("GET", "/api/v1/incidents/{id}/notice-approvals", viewer, 200, "The incident's customer messages waiting for an approval (R44)", s.incidentNoticeApprovals),
		op("GET", "/api/v1/notice-approvals/{id}", viewer, 200, "One approval with the exact text and its hash", s.getNoticeApproval),
		op("POST", "/api/v1/notice-approvals/{id}/approve", responder, 200, "Approve the exact text (R44): a security-team member for a security message; never your own text (403); hash, when given, must be the text's (409)", s.approveNotice),
		op("POST", "/api/v1/notice-approvals/{id}/reject", responder, 200, "Reject the text with a reason (R44): the same people as approve it", s.rejectNotice),
		op("GET", "/api/v1/notice-templates", viewer, 200, "The customer notice templates (R42) and the variables they may use", s.listNoticeTemplates),
		op("PUT", "/api/v1/notice-templates/{kind}", admin, 200, "Replace one customer notice template; an unknown variable is refused naming it", s.putNoticeTemplate),

		op("GET", "/api/v1/users", viewer, 200, "List users", s.listUsers),
		op("POST", "/api/v1/users", admin, 201, "Add a user", s.createUser),
		op("PUT", "/api/v1/users/{id}/password", admin, 204, "Set a user's console password (checked against the password policy); every session of the user ends", s.setPassword),
		op("PUT", "/api/v1/users/{id}/role", admin, 200, "Change a user's role; every session of the user ends; the last admin cannot be demoted", s.setRole),
		op("PUT", "/api/v1/users/{id}/manager", admin, 200, "Mark a user as an engineering manager or above, or not: who approves emergency maintenance and cost-impacting mitigations, and whom all of management pages", s.setManager),
		op("GET", "/api/v1/users/{id}/qualifications", viewer, 200, "What a user is trained for, from which date (R56)", s.listQualifications),
		op("PUT", "/api/v1/users/{id}/qualifications/{name}", admin, 200, "Record a user's qualification from a date (default today)", s.setQualification),
		op("DELETE", "/api/v1/users/{id}/qualifications/{name}", admin, 204, "Remove a user's qualification", s.removeQualification),
		op("GET", "/api/v1/users/{id}/sessions", viewer, 200, "A user's open console sessions, newest first (yourself, or anyone as admin)", s.listSessions),
		op("DELETE", "/api/v1/users/{id}/sessions", viewer, 204, "Sign a user out of the console everywhere (yourself, or anyone as admin)", s.endSessions),
		op("GET", "/api/v1/tokens", admin, 200, "List active API tokens (never their secrets)", s.listTokens),
		op("POST", "/api/v1/tokens", admin, 201, "Create an API token; the secret is in this answer only", s.createToken),
		op("DELETE", "/api/v1/tokens/{token}", admin, 204, "Revoke an API token", s.revokeToken),
		op("GET", "/api/v1/settings", viewer, 200, "The organisation's settings", s.getSettings),
		op("PUT", "/api/v1/settings", admin, 200, "Replace the organisation's settings", s.putSettings),
		op("GET", "/api/v1/teams", viewer, 200, "Teams by name, with their members and the schedules, policies and services they own", s.listTeams),
		op("GET", "/api/v1/teams/{id}", viewer, 200, "One team, by id or name", s.getTeam),
		op("POST", "/api/v1/teams", admin, 201, "Add a team with its members (ids or e-mail addresses)", s.createTeam),
		op("PUT", "/api/v1/teams/{id}", admin, 200, "Replace a team's name and members", s.updateTeam),
		op("DELETE", "/api/v1/teams/{id}", admin, 204, "Remove a team; what it owned belongs to no team after", s.deleteTeam),
		op("GET", "/api/v1/config", admin, 200, "The configuration as a document (docs/CONFIG.md): secrets named by environment variables (target_env), never written", s.exportConfig),
		op("POST", "/api/v1/config/plan", admin, 200, "What applying the document would create, update and delete, field by field; changes nothing", s.planConfig,
			param{"prune", "true to also delete what a list in the document leaves out"}),
		op("POST", "/api/v1/config/apply", admin, 200, "Make the configuration match the document, all or nothing; answers the changes made", s.applyConfig,
			param{"prune", "true to also delete what a list in the document leaves out"}),
		op("GET", "/api/v1/chat/slack", admin, 200, "The Slack app's connection (chat.slack; its signing secret and bot token are never shown) and the app manifest to paste at Slack", s.getSlack),
		op("PUT", "/api/v1/chat/slack", admin, 200, "Connect the Slack app (chat.slack): signing secret and bot token, stored encrypted (empty keeps the stored ones), announce channel, pin reaction", s.connectSlack),
		op("GET", "/api/v1/chat/mattermost", admin, 200, "The Mattermost connection (chat.mattermost; its bot token and the slash command and outgoing webhook tokens are never shown) and the URLs to give Mattermost", s.getMattermost),
		op("PUT", "/api/v1/chat/mattermost", admin, 200, "Connect Mattermost (chat.mattermost): server URL, bot token, slash command tokens, outgoing webhook token (stored encrypted; empty keeps the stored ones), team id, announce channel id", s.connectMattermost),
		op("DELETE", "/api/v1/chat/mattermost", admin, 204, "Disconnect Mattermost and forget its tokens", s.disconnectMattermost),
		op("POST", "/api/v1/chat/commands", viewer, 200, "Run one chat command (docs/CHATOPS.md: declare, status, page, ack, escalate, resolve, role, decision, follow-up, note, severity, handover, oncall, help) as the token's person; commands that change something need a responder", s.chatCommand),
		op("GET", "/api/v1/doctor", admin, 200, "Configuration gaps: people nobody can reach, uncovered schedules, services without a policy, unbound roles, e-mail without SMTP", s.doctor),
	}
}
