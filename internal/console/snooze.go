package console

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// snoozeForm reads the page screen's snooze form (templates/page.html,
// the _page-snooze partial): a length ("for"). A
// length that is not a duration is left zero, which the store refuses
// with the field named.
func snoozeForm(r *http.Request) herald.SnoozeInput {
	var in herald.SnoozeInput
	if err := in.For.UnmarshalText([]byte(r.PostFormValue("for"))); err != nil {
		in.For = 0
	}
	return in
}
