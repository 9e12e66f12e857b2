package password

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	const email = "alice.smith.ops@example.com"
	const (
		short  = "must be at least 12 characters"
		long   = "must be at most 256 characters"
		common = "is one of the most common passwords"
		own    = "must not be your e-mail address"
	)
	for _, tc := range []struct {
		name, pw, email string
		reason          string // "" when accepted
	}{
		{"empty", "", email, short},
		{"11 characters", "violet-tram", email, short},
		{"11 runes in 22 bytes", strings.Repeat("é", 11), email, short},
		{"12 characters", "violet-trams", email, ""},
		{"12 runes in 24 bytes", strings.Repeat("é", 12), email, ""},
		{"256 runes", strings.Repeat("é", 256), email, ""},
		{"257 characters", strings.Repeat("a", 257), email, long},
		{"common", "password1234", email, common},
		{"common, other case", "PassWord1234", email, common},
		{"common keyboard walk", "1qaz2wsx3edc", email, common},
		{"common digits", "123456789012", email, common},
		{"common doubled word", "passwordpassword", email, common},
		{"e-mail address", email, email, own},
		{"e-mail address, other case", "Alice.Smith.Ops@Example.COM", email, own},
		{"local part", "alice.smith.ops", email, own},
		{"local part, other case", "ALICE.SMITH.OPS", " " + email + " ", own},
		{"contains the local part", "alice.smith.ops-violet-tram", email, ""},
		{"no e-mail known", "alice.smith.ops", "", ""},
		{"passphrase", "violet tractor under the harbour", email, ""},
		{"passphrase in another script", "фиолетовый трактор в гавани", email, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Check(tc.pw, tc.email)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tc.pw, err)
				}
				return
			}
			var e *herald.Error
			if !errors.As(err, &e) {
				t.Fatalf("Check(%q) = %v, want a *herald.Error", tc.pw, err)
			}
			if e.Code != herald.EInvalid || len(e.Fields) != 1 || e.Fields["password"] != tc.reason {
				t.Fatalf("Check(%q) = %q %v, want %q with Fields{password: %q}", tc.pw, e.Code, e.Fields, herald.EInvalid, tc.reason)
			}
			if !strings.HasPrefix(e.Message, "Choose ") {
				t.Errorf("message %q does not say what to do", e.Message)
			}
			if len(tc.pw) >= 4 && strings.Contains(strings.ToLower(e.Message), strings.ToLower(tc.pw)) {
				t.Errorf("message %q repeats the password", e.Message)
			}
		})
	}
}

// TestCommonListIsTheRealList guards the embedded file: the common cases in
// TestCheck must be entries of the list, not an accident of the code, and the
// list must stay large, lower-case and one entry per line.
func TestCommonListIsTheRealList(t *testing.T) {
	t.Parallel()
	lines := strings.Split(strings.TrimSuffix(string(commonPasswords), "\n"), "\n")
	if len(lines) < 10000 {
		t.Fatalf("list has %d entries, want at least 10,000", len(lines))
	}
	if len(common()) != len(lines) {
		t.Fatalf("set has %d entries, file %d lines: duplicates or blank lines", len(common()), len(lines))
	}
	for i, l := range lines {
		if l == "" || l != strings.ToLower(l) || strings.TrimSpace(l) != l {
			t.Fatalf("line %d %q is not a lower-case entry", i+1, l)
		}
	}
	for _, w := range []string{"123456", "password", "password1234", "1qaz2wsx3edc", "123456789012", "passwordpassword"} {
		if !bytes.Contains(commonPasswords, []byte("\n"+w+"\n")) && !bytes.HasPrefix(commonPasswords, []byte(w+"\n")) {
			t.Errorf("%q is not a line of common-passwords.txt", w)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	common() // load the list outside the timing
	for b.Loop() {
		if err := Check("violet tractor under the harbour", "alice@example.com"); err != nil {
			b.Fatal(err)
		}
	}
}
