package herald

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestPlanReach(t *testing.T) {
	mail := ContactMethod{ID: "mail", Kind: "email"}
	hook := ContactMethod{ID: "hook", Kind: "webhook"}
	sms := ContactMethod{ID: "sms", Kind: "sms"}
	broken := ContactMethod{ID: "broken", Kind: "webhook", Failing: true}
	rule := func(id string, min int) NotificationRule {
		return NotificationRule{ContactMethodID: id, DelayMinutes: min}
	}
	now := func(ids ...string) []PlannedDelivery {
		var out []PlannedDelivery
		for _, id := range ids {
			out = append(out, PlannedDelivery{MethodID: id})
		}
		return out
	}
	for _, tc := range []struct {
		name       string
		methods    []ContactMethod
		rules      []NotificationRule
		unsendable []string
		want       []PlannedDelivery
	}{
		{"no rules: every usable method at once", []ContactMethod{mail, hook, broken}, nil, nil, now("mail", "hook")},
		{"rules with their delays", []ContactMethod{mail, hook}, []NotificationRule{rule("hook", 0), rule("mail", 2)}, nil,
			[]PlannedDelivery{{MethodID: "hook"}, {MethodID: "mail", After: 2 * time.Minute}}},
		{"a rule on a failing method is skipped", []ContactMethod{mail, broken}, []NotificationRule{rule("broken", 0), rule("mail", 5)}, nil,
			[]PlannedDelivery{{MethodID: "mail", After: 5 * time.Minute}}},
		{"rules only on broken methods fall back to every usable one", []ContactMethod{mail, hook, broken}, []NotificationRule{rule("broken", 0)}, nil, now("mail", "hook")},
		{"a kind Herald cannot send is not usable", []ContactMethod{mail, sms}, []NotificationRule{rule("mail", 0)}, []string{"email"}, now("sms")},
		{"nobody usable", []ContactMethod{broken, sms}, nil, []string{"sms"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := PlanReach(tc.methods, tc.rules, tc.unsendable); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if got := Fallback([]ContactMethod{mail, hook, broken}, nil, map[string]bool{"mail": true}); !reflect.DeepEqual(got, now("hook")) {
		t.Errorf("fallback skips used and failing methods: %+v", got)
	}
}

func TestUnreachable(t *testing.T) {
	mail := ContactMethod{ID: "mail", Kind: "email"}
	if why := Unreachable([]ContactMethod{mail}, nil); why != "" {
		t.Errorf("reachable by e-mail: %q", why)
	}
	if why := Unreachable(nil, nil); why != "has no working contact method" {
		t.Errorf("no methods: %q", why)
	}
	if why := Unreachable([]ContactMethod{{Kind: "email", Failing: true}}, nil); why != "has no working contact method" {
		t.Errorf("only a failing method: %q", why)
	}
	// Working methods Herald cannot send say which flags would fix it.
	if why := Unreachable([]ContactMethod{mail}, []string{"email"}); !strings.Contains(why, "cannot send email") || !strings.Contains(why, "--smtp-url") {
		t.Errorf("e-mail without SMTP: %q", why)
	}
}
