package config

import (
	"strings"
	"testing"
)

func TestParse_RefusesWhatItCannotRead(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "", "empty"},
		{"unknown field", "version: 1\nuserz: []\n", "userz"},
		{"no version", "users: []\n", "version 0"},
		{"newer version", "version: 2\n", "version 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse(%q) = %v, want an error naming %q", tc.doc, err, tc.want)
			}
		})
	}
}

func TestMarshal_ReadsBack(t *testing.T) {
	d := &Document{Version: Version,
		Users:               []User{{Email: "ada@example.com", Name: "Ada", Contacts: []Contact{{Kind: "slack", TargetEnv: "ADA_SLACK"}}}},
		EscalationPolicies:  []Policy{{Name: "Web", Levels: []Level{{Timeout: "15m", Targets: []Target{{Schedule: "Primary"}, {Managers: true}}}}}},
		StakeholderChannels: []Channel{{Name: "Execs", Kind: "email", Target: "execs@example.com"}},
	}
	b, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("Parse(Marshal(d)): %v\n%s", err, b)
	}
	if back.Users[0].Contacts[0].TargetEnv != "ADA_SLACK" || !back.EscalationPolicies[0].Levels[0].Targets[1].Managers || back.StakeholderChannels[0].Target != "execs@example.com" {
		t.Fatalf("read back %+v from\n%s", back, b)
	}
}
