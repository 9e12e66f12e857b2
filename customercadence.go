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
