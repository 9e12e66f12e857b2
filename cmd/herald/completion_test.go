package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func completionScript(t *testing.T, shell string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"completion", shell}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("herald completion %s: %v\n%s", shell, err, errOut.String())
	}
	return out.String()
}

// TestCompletion_Bash: the bash script parses, and completing in a real
// bash offers the commands and the subcommands from the command tables.
func TestCompletion_Bash(t *testing.T) {
	script := completionScript(t, "bash")
	file := filepath.Join(t.TempDir(), "herald.bash")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", "-n", file).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s\n%s", err, out, script)
	}
	for _, tc := range []struct{ line, want string }{
		{"herald ", "backup completion component doctor export-static followups help incident maintenance migrate oncall page policy restore schedule serve service status token user version"},
		{"herald s", "schedule serve service status"},
		{"herald page a", "ack attach"},
		{"herald incident approve", "approve approve-review"},
		{"herald status p", "postmortem"},
		{"herald user set-", "set-password set-role"},
		{"herald completion z", "zsh"},
	} {
		words := strings.Split(tc.line, " ")
		cmd := exec.Command("bash", "-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _herald; printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '`, "bash", file)
		cmd.Args = append(cmd.Args, words...)
		out, err := cmd.CombinedOutput()
		// Other commands may come; these must be offered, and only words
		// starting with what was typed.
		got := strings.Fields(string(out))
		typed := words[len(words)-1]
		for _, w := range strings.Fields(tc.want) {
			if err != nil || !slices.Contains(got, w) {
				t.Errorf("completing %q: %q lacks %q (%v)", tc.line, got, w, err)
			}
		}
		for _, w := range got {
			if !strings.HasPrefix(w, typed) {
				t.Errorf("completing %q offers %q", tc.line, w)
			}
		}
	}
}

// The zsh and fish scripts name the same commands, and parse where the
// shell is installed.
func TestCompletion_ZshFish(t *testing.T) {
	for _, shell := range []string{"zsh", "fish"} {
		script := completionScript(t, shell)
		for _, want := range []string{"incident", "maintenance", "ack attach", "set-role"} {
			if !strings.Contains(script, want) {
				t.Errorf("%s script lacks %q:\n%s", shell, want, script)
			}
		}
		if _, err := exec.LookPath(shell); err != nil {
			t.Logf("%s not installed: its script is not parsed", shell)
			continue
		}
		file := filepath.Join(t.TempDir(), "herald."+shell)
		if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(shell, "-n", file).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", shell, err, out)
		}
		if shell == "fish" {
			out, err := exec.Command("fish", "-c", "source $argv[1]; complete -C 'herald page a'", file).CombinedOutput()
			if got := strings.Fields(string(out)); err != nil || !slices.Contains(got, "ack") || !slices.Contains(got, "attach") {
				t.Errorf("fish completing \"herald page a\": %q (%v)", out, err)
			}
		}
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"completion", "tcsh"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut); exitCode(err) != 2 {
		t.Errorf("completion tcsh: %v", err)
	}
}
