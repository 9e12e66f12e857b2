package herald

import (
	"slices"
	"strings"
	"time"
)

// How a person is reached through their contact methods is decided here,
// without a database: the store loads a person's methods and rules, asks,
// and writes the deliveries it is told to.

// Usable reports whether Herald can reach someone through m now: the
// method is not failing, and Herald can send its kind (unsendable lists
// the kinds it has no sender for: e-mail without SMTP, SMS and voice
// without a provider).
func (m ContactMethod) Usable(unsendable []string) bool {
	return !m.Failing && !slices.Contains(unsendable, m.Kind)
}

// Unreachable says why a person with these methods cannot be paged, or ""
// when one of them is usable. A person whose working methods are all of
// kinds this Herald cannot send is told apart, with the flags that would
// fix it.
func Unreachable(methods []ContactMethod, unsendable []string) string {
	working := false
	for _, m := range methods {
		if m.Usable(unsendable) {
			return ""
		}
		working = working || !m.Failing
	}
	why := "has no working contact method"
	if working {
		why += " (this Herald cannot send " + strings.Join(unsendable, ", ") + ": see --smtp-url, --phone-provider-url)"
	}
	return why
}

// PlannedDelivery is one contact method to use, After the notification
// reached the person.
type PlannedDelivery struct {
	MethodID string
	After    time.Duration
}

// PlanReach says how one notification reaches a person: by their rules,
// on the methods that are usable ("e-mail after 2 minutes"); when they
// have no rule, or every method their rules name is failing or cannot be
// sent, on every usable method at once, so a rule on a broken method never
// hides the others.
func PlanReach(methods []ContactMethod, rules []NotificationRule, unsendable []string) []PlannedDelivery {
	usable := map[string]bool{}
	for _, m := range methods {
		usable[m.ID] = m.Usable(unsendable)
	}
	var out []PlannedDelivery
	for _, r := range rules {
		if usable[r.ContactMethodID] {
			out = append(out, PlannedDelivery{MethodID: r.ContactMethodID, After: time.Duration(r.DelayMinutes) * time.Minute})
		}
	}
	if len(out) > 0 {
		return out
	}
	return Fallback(methods, unsendable, nil)
}

// Fallback is every usable method not used yet for a notification, at
// once: what takes over when a method fails for good.
func Fallback(methods []ContactMethod, unsendable []string, used map[string]bool) []PlannedDelivery {
	var out []PlannedDelivery
	for _, m := range methods {
		if m.Usable(unsendable) && !used[m.ID] {
			out = append(out, PlannedDelivery{MethodID: m.ID})
		}
	}
	return out
}
