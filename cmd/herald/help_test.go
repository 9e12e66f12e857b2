package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestCLI_HelpExitsZero: --help (and -h) on any command or subcommand is
// asked for, so it succeeds, prints to stdout and names the positional
// arguments; before, it exited 2 and wrote to stderr.
func TestCLI_HelpExitsZero(t *testing.T) {
	for _, tc := range []struct {
		args string
		want string // in the usage
	}{
		{"--help", "herald page"},
		{"serve --help", "herald serve"},
		{"migrate -h", "herald migrate"},
		{"backup --help", "herald backup FILE"},
		{"restore --help", "herald restore FILE"},
		{"export-static --help", "herald export-static DIR"},
		{"doctor --help", "herald doctor"},
		{"followups --help", "herald followups"},
		{"oncall --help", "herald oncall SCHEDULE"},
		{"incident --help", "show      REF"},
		{"incident show --help", "herald incident show REF"},
		{"incident note -h", "herald incident note REF TEXT"},
		{"incident assign --help", "herald incident assign REF ROLE USER"},
		{"incident approve --help", "herald incident approve REF DECISION-ID"},
		{"page --help", "ack ID"},
		{"page ack --help", "herald page ack ID"},
		{"page ack 01a2293d --help", "herald page ack ID"},
		{"page attach -h", "herald page attach ID INCIDENT"},
		{"page list --help", "herald page list"},
		{"service --help", "components SERVICE"},
		{"service components --help", "herald service components SERVICE"},
		{"policy show --help", "herald policy show ID"},
		{"policy template --help", "herald policy template r05|r07"},
		{"schedule shifts --help", "herald schedule shifts SCHEDULE"},
		{"component update --help", "herald component update COMPONENT"},
		{"status --help", "postmortem ID URL"},
		{"status postmortem --help", "herald status postmortem ID URL"},
		{"maintenance update --help", "herald maintenance update ID"},
		{"token revoke --help", "herald token revoke ID"},
		{"user set-role --help", "herald user set-role USER ROLE"},
		{"user help", "set-role USER ROLE"},
		{"completion --help", "herald completion bash|zsh|fish"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), strings.Fields(tc.args), func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
			if err != nil {
				t.Fatalf("herald %s: %v (exit %d)\n%s", tc.args, err, exitCode(err), errOut.String())
			}
			if errOut.Len() != 0 {
				t.Errorf("herald %s wrote to stderr:\n%s", tc.args, errOut.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("herald %s: stdout lacks %q:\n%s", tc.args, tc.want, out.String())
			}
		})
	}
}

// A mistake still goes to stderr with the usage and exits 2.
func TestCLI_FlagMistakeIsUsageError(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"page", "ack", "--bogus"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if exitCode(err) != 2 || out.Len() != 0 || !strings.Contains(errOut.String(), "herald page ack ID") {
		t.Fatalf("err %v (exit %d), stdout %q, stderr %q", err, exitCode(err), out.String(), errOut.String())
	}
}
