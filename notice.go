package herald

import (
	"fmt"
	"strings"
	"time"
)

// Notice is what Herald tells people about one thing, in words: every
// subject and text Herald sends is written here, but for a status update's,
// which is part of its publish plan (publish.go). A broadcast's notice is
// written when the change that causes it commits and is stored with it, so
// what a subscriber receives is what was decided then, whatever changes
// later; how each channel carries it (an e-mail's footer and headers, a
// webhook's payload) is the worker's composer's part.
type Notice struct {
	// Event names what happened ("incident.update", "page.triggered").
	Event   string
	Subject string
	Body    string
	// URL is where to read more.
	URL string
}

// MaintenanceNotice tells subscribers of a maintenance's event (scheduled,
// reminder, started, update, completed...) with its window in UTC. An
// event without words of its own says the maintenance's name.
func MaintenanceNotice(page, event string, m *Maintenance, body, url string) Notice {
	text := body
	if text == "" {
		text = m.Name
	}
	text += fmt.Sprintf("\n\nWindow: %s to %s UTC.", m.ScheduledFor.UTC().Format("2006-01-02 15:04"), m.ScheduledUntil.UTC().Format("2006-01-02 15:04"))
	return Notice{Event: "maintenance." + event, Subject: fmt.Sprintf("[%s] Maintenance %s: %s", page, strings.ToLower(EventTitle(event)), m.Name),
		Body: text, URL: url}
}

// ConfirmationNotice asks an address to confirm a subscription (double
// opt-in): nothing else is sent to it until it does.
func ConfirmationNotice(page, link string) Notice {
	return Notice{Event: "subscription.confirm", Subject: "Confirm your subscription to " + page,
		Body: fmt.Sprintf("Someone, hopefully you, asked to receive %s status updates at this address.\n\nTo confirm, open this link and press Confirm:\n%s\n\nIf it was not you, ignore this mail: nothing will be sent.", page, link),
		URL:  link}
}

// TenantPageSignInNotice carries the one-time link that signs an address
// in to a tenant's private status page.
func TenantPageSignInNotice(page, link string) Notice {
	return Notice{Event: "tenant_page.sign_in", Subject: "Sign in to " + page,
		Body: fmt.Sprintf("Someone, hopefully you, asked to sign in to %s with this address.\n\nTo sign in, open this link within 15 minutes and press Sign in; it works once:\n%s\n\nIf it was not you, ignore this mail: nobody is signed in.", page, link),
		URL:  link}
}

// PasswordResetNotice carries a link that sets a new console password.
func PasswordResetNotice(page, name, link string) Notice {
	return Notice{Event: "password.reset", Subject: "Reset your " + page + " Herald password",
		Body: fmt.Sprintf("Hello %s,\n\nSomeone, hopefully you, asked to reset your password for the %s console.\n\nTo choose a new one, open this link within an hour; it works once:\n%s\n\nIf it was not you, ignore this mail: your password stays as it is.", name, page, link),
		URL:  link}
}

// TestNotice is the test notification sent from the console or the API to
// check that a contact method reaches its person.
func TestNotice(page, name, link string) Notice {
	return Notice{Event: "test", Subject: "Test notification from " + page + " Herald",
		Body: fmt.Sprintf("Hello %s,\n\nThis is a test notification, sent from Herald's console or API. If you read this, Herald can page you here.\n\nNothing needs to be done.", name),
		URL:  link}
}

// StakeholderNotice tells the organisation's stakeholder channels of an
// incident whose severity is confirmed (R19): summary, severity, reference
// and link, chat channel and status page link.
func StakeholderNotice(page string, inc *Incident, link, statusPage string) Notice {
	chat := inc.ChatURL
	if chat == "" {
		chat = "(none yet)"
	}
	return Notice{Event: "incident.stakeholders", Subject: fmt.Sprintf("[%s] %s %s: %s", page, inc.Severity, inc.Reference, inc.Title),
		Body: fmt.Sprintf("%s (%s, confirmed): %s\n\n%s\n\nIncident: %s\nChat: %s\nStatus page: %s",
			inc.Reference, inc.Severity, inc.Title, inc.Summary, link, chat, statusPage),
		URL: link}
}

// MonitoringOverNotice prompts the incident lead to resolve: the monitoring
// period that began at since ended at until without recurrence (R16).
func MonitoringOverNotice(ref, title string, since, until time.Time, url string) Notice {
	return Notice{Event: "prompt." + PromptMonitoringOver, Subject: ref + ": monitoring over without recurrence; ready to resolve",
		Body: fmt.Sprintf("%s: %s\n\nMonitoring began at %s UTC and ended at %s UTC, and the problem did not come back.\n\nIf you give the all-clear, resolve the incident, and its status page incident with the resolved update:\n%s",
			ref, title, since.UTC().Format("15:04"), until.UTC().Format("15:04"), url),
		URL: url}
}

// RecurredNotice tells the incident lead and the communications role that
// the problem came back while monitoring (cause says how), so the incident
// is managed again; publicDue says the status page still shows Monitoring
// and an update must say otherwise (R16, R12).
func RecurredNotice(ref, title, cause string, publicDue bool, url string) Notice {
	subject := ref + ": recurred during monitoring; back to managing"
	next := "The incident is managed again."
	if publicDue {
		subject = ref + ": recurred during monitoring; public update due"
		next = "The incident is managed again, and the status page still says Monitoring: publish an update that says the problem is back."
	}
	return Notice{Event: "prompt." + PromptRecurred, Subject: subject,
		Body: fmt.Sprintf("%s: %s\n\nThe problem came back while monitoring: %s.\n\n%s\n%s", ref, title, cause, next, url), URL: url}
}

// CommunicationsNotEngagedNotice prompts the incident lead: nobody answered
// as communications within the time R52 gives after the start of impact.
func CommunicationsNotEngagedNotice(ref, title string, sev Severity, within time.Duration, start time.Time, url string) Notice {
	return Notice{Event: "prompt." + PromptCommunicationsNotEngaged,
		Subject: fmt.Sprintf("%s: communications not engaged after %s", ref, roundMinute(within)),
		Body: fmt.Sprintf("%s (%s): %s\n\nCustomers have been affected since %s UTC, and nobody has answered as communications manager within %s. Their page keeps escalating; find someone to take the role, or take it yourself:\n%s",
			ref, sev, title, start.UTC().Format("15:04"), roundMinute(within), url),
		URL: url}
}

// DirectorPageSummary is the summary of the page that escalates an S1 not
// mitigated within after to the director (R53).
func DirectorPageSummary(ref, title string, after time.Duration) string {
	return fmt.Sprintf("%s (S1): %s. Not mitigated after %s: escalated to you as director.", ref, title, roundMinute(after))
}

// NoDirectorNotice prompts the incident lead when an S1 not mitigated
// within after could be escalated to nobody (R53): why says so.
func NoDirectorNotice(ref, title, why string, after time.Duration, url string) Notice {
	return Notice{Event: "prompt." + PromptNoDirector,
		Subject: fmt.Sprintf("%s: not mitigated after %s; escalate to your director", ref, roundMinute(after)),
		Body: fmt.Sprintf("%s (S1): %s\n\nThe incident has not been mitigated after %s, and Herald could page no director: %s. Tell your director now, and record the mitigation (the label or decision \"mitigated\") when it comes:\n%s",
			ref, title, roundMinute(after), why, url),
		URL: url}
}

// PageNotice tells one person they are paged: for which service and level,
// what monitoring said, and (shadow set) that they shadow the responder
// and do not acknowledge. level counts from 0, as policies store it.
// pageURL is the page in the console; ackURL, when there is one, is this
// person's signed link that acknowledges, escalates or resolves without
// signing in, and is the notice's URL (what a chat title links to, what a
// text message carries).
func PageNotice(p *Page, service string, level int, shadow bool, pageURL, ackURL string) Notice {
	who := "You are"
	if shadow {
		who = "You shadow the responder who is"
	}
	text := fmt.Sprintf("%s paged for %s (level %d).\n\n%s\nSeverity: %s\nSource: %s\nFirst seen: %s UTC",
		who, service, level+1, p.Summary, p.Severity, p.Source, p.FirstSeen.UTC().Format("2006-01-02 15:04"))
	if p.Count > 1 {
		text += fmt.Sprintf("\nTriggered %d times", p.Count)
	}
	if shadow {
		text += "\n\nShadows receive every notification but do not acknowledge."
	}
	url := pageURL
	if ackURL != "" {
		url = ackURL
		if shadow {
			text += "\n\nSee the page (no sign-in needed): " + ackURL
		} else {
			text += "\n\nAcknowledge, escalate or resolve (no sign-in needed): " + ackURL
		}
	}
	text += "\nIn the console: " + pageURL
	return Notice{Event: "page.triggered", Subject: "[Herald] " + p.Summary + " (" + service + ")", Body: text, URL: url}
}

// UpdateDueNotice is the reminder of a public update due at due.
func UpdateDueNotice(ref, title, stage string, due, now time.Time, url string) Notice {
	at := due.UTC().Format("15:04") + " UTC"
	var subject, line string
	switch stage {
	case UpdateDueSoon:
		subject = fmt.Sprintf("%s: public update due in %s", ref, roundMinute(due.Sub(now)))
		line = fmt.Sprintf("The next public update is due at %s, in %s.", at, roundMinute(due.Sub(now)))
	case UpdateDueNow:
		subject = ref + ": public update due now"
		line = "The next public update is due now (" + at + ")."
	default:
		late := roundMinute(now.Sub(due))
		subject = fmt.Sprintf("%s: public update overdue by %s", ref, late)
		line = fmt.Sprintf("The public update due at %s is %s late.", at, late)
	}
	body := fmt.Sprintf("%s: %s\n\n%s\n\nPublish an update, or if nothing has changed, post \"no material updates\" so the cadence is kept:\n%s",
		ref, title, line, url)
	return Notice{Event: "prompt." + PromptUpdateDue, Subject: subject, Body: body, URL: url}
}

// roundMinute writes a duration as people say it: "2 minutes", "1 hour 5
// minutes", "40 seconds" under a minute.
func roundMinute(d time.Duration) string {
	if d < time.Minute {
		s := int(d.Round(time.Second) / time.Second)
		return plural(s, "second")
	}
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return plural(m, "minute")
	}
	if m%60 == 0 {
		return plural(m/60, "hour")
	}
	return plural(m/60, "hour") + " " + plural(m%60, "minute")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return itoa(n) + " " + unit + "s"
}

// InternalUpdateNotice is an update to the internal stakeholder channels
// about an incident: what the communications role wrote, with the
// incident's severity, state, link and status page.
func InternalUpdateNotice(page string, inc *Incident, body, link, statusPage string) Notice {
	return Notice{Event: "incident.stakeholders.update", Subject: fmt.Sprintf("[%s] Update: %s %s: %s", page, inc.Severity, inc.Reference, inc.Title),
		Body: fmt.Sprintf("%s (%s, %s): %s\n\n%s\n\nIncident: %s\nStatus page: %s",
			inc.Reference, inc.Severity, inc.State.Title(), inc.Title, body, link, statusPage),
		URL: link}
}

// InternalUpdateDueNotice is the reminder of an update to the internal
// stakeholders due at due; url is where it is written.
func InternalUpdateDueNotice(ref, title, stage string, due, now time.Time, url string) Notice {
	var subject, lead string
	switch stage {
	case UpdateDueSoon:
		subject = fmt.Sprintf("%s: internal stakeholder update due in %s", ref, roundMinute(due.Sub(now)))
		lead = "The next update to the internal stakeholders is due"
	case UpdateDueNow:
		subject = ref + ": internal stakeholder update due now"
		lead = "The next update to the internal stakeholders is due now"
	default:
		subject = fmt.Sprintf("%s: internal stakeholder update overdue by %s", ref, roundMinute(now.Sub(due)))
		lead = fmt.Sprintf("The update to the internal stakeholders is %s late; it was due", roundMinute(now.Sub(due)))
	}
	body := fmt.Sprintf("%s: %s\n\n%s at %s UTC.\n\nWrite it here; it goes to the stakeholder channels:\n%s",
		ref, title, lead, due.UTC().Format("15:04"), url)
	return Notice{Event: "prompt." + PromptInternalUpdateDue, Subject: subject, Body: body, URL: url}
}

// ReviewDueNotice reminds the incident lead of a review due at due (R54),
// told before lead time (0: at the due time).
func ReviewDueNotice(ref, title, kind string, due, now time.Time, url string) Notice {
	what := "internal review"
	todo := "Write it and mark it completed with the link to the document."
	if kind == ReviewExternal {
		what = "external review"
		todo = "Add its draft, have it approved by an engineering manager, then publish it to customers."
	}
	at := due.UTC().Format("2006-01-02 15:04") + " UTC"
	subject := fmt.Sprintf("%s: %s due in %s", ref, what, roundMinute(due.Sub(now)))
	line := fmt.Sprintf("The %s of %s is due at %s.", what, ref, at)
	if !now.Before(due) {
		subject = fmt.Sprintf("%s: %s due now", ref, what)
		line = fmt.Sprintf("The %s of %s is due now (%s).", what, ref, at)
	}
	body := fmt.Sprintf("%s: %s\n\n%s %s\n%s", ref, title, line, todo, url)
	return Notice{Event: "prompt." + PromptReviewDue, Subject: subject, Body: body, URL: url}
}

// FollowUpOverdueNotice tells a follow-up's owner it is past its due date.
func FollowUpOverdueNotice(ref, title, dueDate, url string) Notice {
	subject := fmt.Sprintf("%s: follow-up overdue: %s", ref, title)
	body := fmt.Sprintf("The follow-up %q of %s was due on %s and is not done.\nDo it and mark it done, or agree on a new due date:\n%s",
		title, ref, dueDate, url)
	return Notice{Event: "prompt." + PromptFollowUpOverdue, Subject: subject, Body: body, URL: url}
}

// Placeholders of an emergency maintenance's notice text: the only words
// that differ from one tenant to the next. The security team approves the
// text with them in place (R44), so what each tenant reads is that text
// with its name and "yes" or "no".
const (
	PlaceholderTenant   = "{tenant}"
	PlaceholderAffected = "{affected}"
)

// EmergencyMaintenanceNoticeText is what each linked tenant is told of an
// emergency maintenance (R33), with the tenant's name and whether it is
// affected as placeholders: when it was approved (event approved), moved
// (rescheduled), cancelled and completed, with the date and time in UTC.
// Customers are informed, not asked: the work goes ahead while the notices
// go out. product names the service ("<Product> Notice: ..." as the
// customer notices, R41); at is when the event happened.
func EmergencyMaintenanceNoticeText(product, event string, m *Maintenance, at time.Time) Notice {
	const utc = "2006-01-02 15:04 UTC"
	window := fmt.Sprintf("%s to %s", m.ScheduledFor.UTC().Format(utc), m.ScheduledUntil.UTC().Format(utc))
	when := at.UTC().Format(utc)
	what := "planned"
	intro := fmt.Sprintf("We are carrying out emergency security maintenance on %s. It was approved at %s and goes ahead as planned; no action is needed from you.", product, when)
	yours := "Your deployment is affected: " + PlaceholderAffected + "."
	switch event {
	case TenantNoticeRescheduled:
		what = "rescheduled"
		intro = fmt.Sprintf("The emergency security maintenance on %s was moved at %s to the window below (all times UTC); no action is needed from you.", product, when)
	case TenantNoticeCancelled:
		what = "cancelled"
		intro = fmt.Sprintf("The emergency security maintenance on %s was cancelled at %s: it will not take place in the window below.", product, when)
		yours = "Your deployment would have been affected: " + PlaceholderAffected + "."
	case TenantNoticeCompleted:
		what = "completed"
		intro = fmt.Sprintf("The emergency security maintenance on %s was completed at %s.", product, when)
		yours = "Your deployment was affected: " + PlaceholderAffected + "."
	}
	yours += " A deployment is affected when a component serving it is part of this work."
	body := fmt.Sprintf("Hello %s,\n\n%s\n\nMaintenance: %s\nWindow: %s\n%s", PlaceholderTenant, intro, m.Name, window, yours)
	if m.Body != "" {
		body += "\n\n" + m.Body
	}
	return Notice{Event: "maintenance.emergency." + event, Subject: fmt.Sprintf("%s Notice: Emergency maintenance %s: %s", product, what, m.Name), Body: body}
}

// FillEmergencyNotice puts one tenant's name and whether it is affected
// into an emergency maintenance's notice text, in one pass: a tenant name
// that reads like a placeholder stays as written.
func FillEmergencyNotice(n Notice, tenant string, affected bool) Notice {
	yes := "no"
	if affected {
		yes = "yes"
	}
	r := strings.NewReplacer(PlaceholderTenant, tenant, PlaceholderAffected, yes)
	n.Subject, n.Body = r.Replace(n.Subject), r.Replace(n.Body)
	return n
}

// MaintenanceHandoverNotice tells someone of the next on-call shift that
// an emergency maintenance was approved (R33): a handover item, so that
// whoever is on call while it runs knows of it.
func MaintenanceHandoverNotice(m *Maintenance, approvedBy string, shiftStart time.Time, url string) Notice {
	const utc = "2006-01-02 15:04 UTC"
	return Notice{Event: "prompt." + PromptMaintenanceHandover,
		Subject: "Handover: emergency maintenance " + m.Name + " from " + m.ScheduledFor.UTC().Format(utc),
		Body: fmt.Sprintf("For your on-call shift from %s: %s approved the emergency security maintenance %s, %s to %s. The affected customers are being told by Herald; nobody waits for their answer.\n\n%s",
			shiftStart.UTC().Format(utc), approvedBy, m.Name, m.ScheduledFor.UTC().Format(utc), m.ScheduledUntil.UTC().Format(utc), url),
		URL: url}
}

// HandoverDueNotice reminds the outgoing person that their shift's
// handover is not submitted.
func HandoverDueNotice(schedule string, end time.Time, url string) Notice {
	at := end.UTC().Format("2006-01-02 15:04") + " UTC"
	return Notice{Event: "prompt." + PromptHandoverDue, Subject: "Handover due: your shift on " + schedule + " ended at " + at,
		Body: "Your shift on " + schedule + " ended at " + at + " and its handover is not submitted yet. " +
			"Herald drafted it: check the items, add your note and submit it so the next shift knows what it takes over.",
		URL: url}
}

// HandoverMissingNotice tells the outgoing person's manager that a
// handover is still missing.
func HandoverMissingNotice(person, schedule string, end time.Time, url string) Notice {
	at := end.UTC().Format("2006-01-02 15:04") + " UTC"
	return Notice{Event: "prompt." + PromptHandoverMissing, Subject: "Handover missing: " + person + " on " + schedule + " (shift ended " + at + ")",
		Body: person + "'s shift on " + schedule + " ended at " + at + " and its handover is still not submitted. " +
			"Please follow up so the next shift knows what it takes over.",
		URL: url}
}

// The words of a practice (R63): every one starts with PracticeMark, and
// the outbox marks anything of a run that does not (practice_guard.go).

// PracticeStatusNotice tells the sandbox's subscribers of a practice's
// status update, linking the sandbox page.
func PracticeStatusNotice(page, title string, status State, text, url string) Notice {
	return Notice{Event: "practice.status_update", Subject: MarkPractice(fmt.Sprintf("%s: %s (%s)", page, unmarked(title), status)),
		Body: PracticeMark + " This is a practice; nothing here is real.\n\n" + text + "\n\nSandbox status page: " + url, URL: url}
}

// PracticeStakeholderNotice tells the sandbox's stakeholder channels.
func PracticeStakeholderNotice(ref, title, text, url string) Notice {
	return Notice{Event: "incident.stakeholders.practice", Subject: MarkPractice(fmt.Sprintf("%s %s: stakeholder notice", ref, unmarked(title))),
		Body: PracticeMark + " This is a practice; nothing here is real.\n\n" + text + "\n\nSandbox status page: " + url, URL: url}
}

// PracticePromptNotice is a scenario's prompt to a participant.
func PracticePromptNotice(ref, title, text, url string) Notice {
	return Notice{Event: "prompt.practice", Subject: MarkPractice(fmt.Sprintf("%s %s", ref, unmarked(title))),
		Body: PracticeMark + " This is a practice.\n\n" + text + "\n\n" + url, URL: url}
}

// unmarked is a practice incident's title without its mark, so a subject
// says [PRACTICE] once.
func unmarked(title string) string { return strings.TrimPrefix(title, PracticeMark+" ") }
