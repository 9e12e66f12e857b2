package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer/pagerduty/pdtest"
)

// importPD runs `herald import pagerduty` against the replay of
// PagerDuty's documented responses (pdtest), with the environment given.
func importPD(t *testing.T, envs map[string]string, args ...string) (stdout, stderr string, srv *pdtest.Server, err error) {
	t.Helper()
	srv = pdtest.NewServer(t)
	full := append([]string{"import", "pagerduty", "--api-url", srv.URL,
		"--at", pdtest.Now.Format(time.RFC3339), "--page-size", strconv.Itoa(pdtest.PageSize)}, args...)
	var out, errOut bytes.Buffer
	err = run(context.Background(), full, func(k string) string { return envs[k] }, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), srv, err
}

// --out writes the imported document as YAML (readable by its owner only),
// shows the warnings, and applies nothing: no Herald token is needed.
func TestImportPagerDuty_OutWritesTheDocument(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pagerduty.yaml")
	stdout, stderr, _, err := importPD(t, map[string]string{"PAGERDUTY_TOKEN": pdtest.Token}, "--out", file)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := config.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Users) != 3 || len(doc.Schedules) != 2 || len(doc.EscalationPolicies) != 2 || len(doc.Services) != 2 ||
		doc.Services[0].Policy != "Engineering" || doc.Schedules[0].Layers[1].Rotation != "weekly" {
		t.Errorf("document read back: %+v", doc)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", file, st.Mode().Perm())
	}
	for _, want := range []string{"Read from PagerDuty: 3 users, 1 teams, 2 schedules, 2 escalation policies, 2 services.",
		"20 things Herald cannot carry over", `layer "Business days": on call only from 08:00:00 for 9h each day`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(stdout, "nothing was applied") {
		t.Errorf("stdout: %s", stdout)
	}
	if strings.Contains(stdout+stderr, pdtest.Token) {
		t.Error("the API key was printed")
	}
}

// The key comes from the environment: PAGERDUTY_TOKEN or the variable
// --token-env names. A missing key, a refused key and a missing Herald
// token (when applying) are clear errors, the last two before the account
// is read.
func TestImportPagerDuty_TokenErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "out.yaml")
	if _, stderr, _, err := importPD(t, map[string]string{"PD_KEY": pdtest.Token}, "--token-env", "PD_KEY", "--out", file); err != nil {
		t.Errorf("--token-env PD_KEY: %v\n%s", err, stderr)
	}
	for _, tc := range []struct {
		name     string
		envs     map[string]string
		args     []string
		want     string
		requests int
	}{
		{"no key", nil, []string{"--out", file}, "no PagerDuty API key: set PAGERDUTY_TOKEN", 0},
		{"key in another variable", map[string]string{"PAGERDUTY_TOKEN": pdtest.Token}, []string{"--token-env", "PD_KEY", "--out", file}, "set PD_KEY", 0},
		{"refused key", map[string]string{"PAGERDUTY_TOKEN": "wrong-key"}, []string{"--out", file}, "refused the API token (401 Unauthorized)", 1},
		{"applying without a Herald token", map[string]string{"PAGERDUTY_TOKEN": pdtest.Token}, nil, "no API token: set HERALD_TOKEN", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, srv, err := importPD(t, tc.envs, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one with %q", err, tc.want)
			}
			if got := len(srv.Requests()); got != tc.requests {
				t.Errorf("%d requests to PagerDuty, want %d", got, tc.requests)
			}
			if err != nil && strings.Contains(err.Error()+stdout+stderr, "wrong-key") {
				t.Error("the refused key was printed")
			}
		})
	}
}

// --help on the group and on the command exits 0 and names the tool.
func TestImportPagerDuty_Help(t *testing.T) {
	for _, tc := range []struct{ args, want string }{
		{"import --help", "  pagerduty\n"},
		{"import pagerduty --help", "herald import pagerduty [--out FILE]"},
		{"--help", "from pagerduty, grafana-oncall or opsgenie"},
	} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), strings.Fields(tc.args), func(string) string { return "" }, strings.NewReader(""), &out, &errOut); err != nil || !strings.Contains(out.String(), tc.want) {
			t.Errorf("herald %s: %v\n%s%s", tc.args, err, out.String(), errOut.String())
		}
	}
}
