package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// describeTarget names a colleague or managers target (R07) for people.
func describeTarget(t herald.Target, schedules map[string]string) string {
	if t.Type == herald.TargetManagers {
		return "all managers"
	}
	return "another engineer in the time zone of " + orUnknown(schedules[t.ID], t.ID)
}

// ExpiresAfter writes the policy's acknowledgement expiry ("30m0s").
func (r policyRow) ExpiresAfter() string { return time.Duration(r.AckExpiry).String() }

// policyRoundsForm reads the new-policy form's "repeat from level" and
// "acknowledgement expires after" fields into the input, keeping what was
// typed for the form shown again.
func policyRoundsForm(r *http.Request, f *policyForm, in *herald.EscalationPolicyInput, fe herald.FieldErrors) {
	f.RepeatFrom, f.AckExpiry = strings.TrimSpace(r.PostForm.Get("repeat_from_level")), strings.TrimSpace(r.PostForm.Get("ack_expiry"))
	if f.RepeatFrom != "" {
		n, err := strconv.Atoi(f.RepeatFrom)
		if err != nil {
			fe.Add("repeat_from_level", "a level number")
		}
		in.RepeatFromLevel = n
	}
	if f.AckExpiry != "" && f.AckExpiry != "0" {
		if err := in.AckExpiry.UnmarshalText([]byte(f.AckExpiry)); err != nil {
			fe.Add("ack_expiry", "a duration like 30m or 2h, or empty for never")
		}
	}
}
