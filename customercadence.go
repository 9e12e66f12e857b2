package herald

import "time"

// NextCustomerNotice is when a tenant's next notice is owed after one sent
// at sent (R43, R47). During an S1 the tenant hears from us every
// S1Interval whatever the hour. Otherwise every UpdateInterval within the
// tenant's business hours; a notice that would fall outside them is owed
// at the next start of business hours instead, when the first notice sums
// up what happened overnight (R47). Outside business hours only
// substantial news goes out, which the sender judges: nothing is owed
// then.
func NextCustomerNotice(sent time.Time, sev Severity, hours BusinessHours, n NoticeSettings) time.Time {
	if sev == S1 {
		return sent.Add(time.Duration(n.S1Interval))
	}
	due := sent.Add(time.Duration(n.UpdateInterval))
	if hours.Contains(due) {
		return due
	}
	if start, ok := hours.NextStart(due); ok {
		return start
	}
	return due
}

// Prompt kinds of the customer cadence.
const (
	// PromptCustomerNoticeDue reminds a thread's owner that the tenant's
	// next notice is due soon, due now, or overdue (R43); the incident
	// lead is told too once it is long overdue.
	PromptCustomerNoticeDue = "customer_notice_due"
	// PromptCustomerSummaryDue asks a thread's owner for a summary when
	// several hours have passed since the last substantial notice (R47).
	PromptCustomerSummaryDue = "customer_summary_due"
)

// NoticeCadence times the reminders of the customer cadence (R43, R47):
// settings notices.cadence.
type NoticeCadence struct {
	// Reminders say when a thread's owner hears of its next_notice_due:
	// Before it, at it, and every Every while it is overdue; from LeadAfter
	// overdue the incident lead is told too (zero Every: the interval that
	// applied; zero LeadAfter: twice Every), as for public updates.
	Reminders UpdateReminders `json:"reminders"`
	// SummaryAfter is how long after the last substantial notice the owner
	// is asked to send the tenant a summary (R47); asked within the
	// tenant's business hours, or at any hour during an S1.
	SummaryAfter Duration `json:"summary_after"`
}

// DefaultNoticeCadence: reminded 10 minutes before a notice is due, every
// 30 minutes while it is overdue, the lead after an hour; a summary after
// 4 hours without substantial news.
func DefaultNoticeCadence() NoticeCadence {
	return NoticeCadence{Reminders: UpdateReminders{Before: Duration(10 * time.Minute), Every: Duration(30 * time.Minute), LeadAfter: Duration(time.Hour)},
		SummaryAfter: Duration(4 * time.Hour)}
}

func (c NoticeCadence) validate(fe FieldErrors) {
	const f = "notices.cadence."
	r := c.Reminders
	for name, d := range map[string]Duration{"before": r.Before, "every": r.Every, "lead_after": r.LeadAfter} {
		if d < 0 || time.Duration(d) > 24*time.Hour {
			fe.Add(f+"reminders."+name, "must be between 0s and 24h")
		}
	}
	if r.Every != 0 && time.Duration(r.Every) < time.Minute {
		fe.Add(f+"reminders.every", "must be at least 1m, or 0 for the interval that applied")
	}
	if d := time.Duration(c.SummaryAfter); d < 30*time.Minute || d > 7*24*time.Hour {
		fe.Add(f+"summary_after", "must be between 30m and 168h")
	}
}

// IsSubstantial says whether a notice carries substantial news (R43, R47):
// what the writer says (Substantial), or else whether it is filled in
// from a template; a text written without a template (an answer to a
// question, a "nothing new") is not. A tenant is owed a summary some hours
// after the last substantial notice, and outside its business hours only
// substantial news should go.
func (in NoticeSendInput) IsSubstantial() bool {
	if in.Substantial != nil {
		return *in.Substantial
	}
	return in.Template != ""
}

// CustomerNoticeWarnings are the warnings (never refusals) of a notice
// about to go at now: a notice that is not substantial news, outside the
// tenant's business hours and not during an S1 (R43).
func CustomerNoticeWarnings(now time.Time, sev Severity, hours BusinessHours, substantial bool) []string {
	if substantial || sev == S1 || hours.TimeZone == "" || hours.Contains(now) {
		return nil
	}
	loc, err := time.LoadLocation(hours.TimeZone)
	if err != nil {
		return nil
	}
	w := "It is " + now.In(loc).Format("Mon 15:04") + " in " + hours.TimeZone + ", outside the tenant's business hours (" + hours.String() +
		"): outside them only substantial news goes out (R43). Send it as substantial news, or wait"
	if start, ok := hours.NextStart(now); ok {
		w += " until " + start.In(loc).Format("Mon 15:04") + " their time"
	}
	return []string{w + "."}
}

// NoticeDueWords says in words where a thread's next notice stands at now:
// "due in 40 minutes", "due now", "overdue by 1 hour 5 minutes"; "" when
// none is owed.
func NoticeDueWords(due *time.Time, now time.Time) string {
	if due == nil {
		return ""
	}
	switch late := now.Sub(*due); {
	case late < 0:
		return "due in " + roundMinute(-late)
	case late < time.Minute:
		return "due now"
	default:
		return "overdue by " + roundMinute(late)
	}
}

// CustomerNoticeDueNotice is the reminder to a thread's owner of the
// tenant's next notice, due at due (R43).
func CustomerNoticeDueNotice(tenant, subject, stage string, due, now time.Time, url string) Notice {
	at := due.UTC().Format("15:04") + " UTC"
	var head, line string
	switch stage {
	case UpdateDueSoon:
		head = tenant + ": customer notice due in " + roundMinute(due.Sub(now))
		line = "The next notice to " + tenant + " is due at " + at + ", in " + roundMinute(due.Sub(now)) + "."
	case UpdateDueNow:
		head = tenant + ": customer notice due now"
		line = "The next notice to " + tenant + " is due now (" + at + ")."
	default:
		late := roundMinute(now.Sub(due))
		head = tenant + ": customer notice overdue by " + late
		line = "The notice to " + tenant + " due at " + at + " is " + late + " late."
	}
	body := subject + "\n\n" + line + "\n\nSend it with the Update template (status, actions taken, next steps, next update), or say that nothing has changed:\n" + url
	return Notice{Event: "prompt." + PromptCustomerNoticeDue, Subject: head, Body: body, URL: url}
}

// CustomerSummarySince is what happened on an incident since the last
// substantial notice, for the summary prompt (R47).
type CustomerSummarySince struct {
	Entries      int    // timeline entries, reminders left out
	StateChanges int    // of them, state changes
	State        string // the incident's state now; "" for a maintenance
}

// CustomerSummaryNotice asks a thread's owner for a summary: no
// substantial notice since last, which was a while ago (R47).
func CustomerSummaryNotice(tenant, subject string, last, now time.Time, since CustomerSummarySince, url string) Notice {
	gap := roundMinute(now.Sub(last))
	body := subject + "\n\n" + tenant + " has had no substantial update for " + gap + " (the last at " + last.UTC().Format("2006-01-02 15:04") + " UTC). " +
		"Send them a summary with the Update template: status, actions taken, next steps, next update."
	if since.State != "" {
		entries := itoa(since.Entries) + " timeline entries"
		if since.Entries == 1 {
			entries = "1 timeline entry"
		}
		body += "\n\nSince then: " + entries + ", " + plural(since.StateChanges, "state change") + "; the incident is " + since.State + " now."
	}
	body += "\n\n" + url
	return Notice{Event: "prompt." + PromptCustomerSummaryDue, Subject: tenant + ": summary due, no substantial update for " + gap, Body: body, URL: url}
}
