package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer/importertest"
	"github.com/heraldhq/herald/internal/store"
)

// oncallReplay and opsgenieReplay serve a vendor's documented responses
// from the fixtures its importer's tests use, to requests that carry the
// token or key as the vendor sends it.
func oncallReplay(t *testing.T, token string) *importertest.Replay {
	return importertest.New(t, importertest.Options{Dir: "../../internal/importer/grafanaoncall/testdata", Auth: token})
}

func opsgenieReplay(t *testing.T, key string) *importertest.Replay {
	return importertest.New(t, importertest.Options{Dir: "../../internal/importer/opsgenie/testdata", Auth: "GenieKey " + key})
}

func runEnv(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, func(k string) string { return vars[k] }, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// readOut parses the document --out wrote, as `herald apply -f` would.
func readOut(t *testing.T, path string) *config.Document {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := config.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestImportGrafanaOnCall_Out: `herald import grafana-oncall --url URL --out
// FILE` against a server that replays OnCall's documented responses writes
// the document, shows the warnings, needs no Herald token and never prints
// the OnCall token.
func TestImportGrafanaOnCall_Out(t *testing.T) {
	const token = "oncall-secret-token-1234"
	srv := oncallReplay(t, token)
	path := filepath.Join(t.TempDir(), "oncall.yaml")
	stdout, stderr, err := runEnv(t, map[string]string{"GRAFANA_ONCALL_TOKEN": token}, "import", "grafana-oncall", "--url", srv.URL, "--out", path)
	if err != nil {
		t.Fatalf("%v\n%s%s", err, stdout, stderr)
	}
	doc := readOut(t, path)
	if len(doc.Users) != 3 || len(doc.Schedules) != 1 || len(doc.EscalationPolicies) != 1 || len(doc.Services) != 2 || doc.Services[0].Policy != "Default" {
		t.Errorf("document %+v", doc)
	}
	if !strings.Contains(stdout, "wrote "+path+": 3 users, 1 teams, 1 schedules, 1 escalation policies, 2 services") {
		t.Errorf("stdout %q", stdout)
	}
	if !strings.Contains(stderr, "warnings") || !strings.Contains(stderr, `schedule "Legacy iCal" is made from an iCal feed`) {
		t.Errorf("stderr lacks the warnings:\n%s", stderr)
	}
	if strings.Contains(stdout+stderr, token) {
		t.Error("the OnCall token was printed")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the document's mode: %v %v", fi.Mode(), err)
	}
}

// TestImportOpsgenie_Out: `herald import opsgenie --api-url URL --out FILE`
// against a server that replays Opsgenie's documented responses, the key
// read from the variable --token-env names.
func TestImportOpsgenie_Out(t *testing.T) {
	const key = "eb24alp-faa2-4ba2-a551q-1alpf565c889"
	srv := opsgenieReplay(t, key)
	path := filepath.Join(t.TempDir(), "opsgenie.yaml")
	stdout, stderr, err := runEnv(t, map[string]string{"MY_GENIE_KEY": key}, "import", "opsgenie", "--api-url", srv.URL, "--token-env", "MY_GENIE_KEY", "--out", path)
	if err != nil {
		t.Fatalf("%v\n%s%s", err, stdout, stderr)
	}
	doc := readOut(t, path)
	if len(doc.Users) != 3 || len(doc.Schedules) != 1 || len(doc.Schedules[0].Layers) != 3 || len(doc.Services) != 2 || doc.Services[0].Policy != "Payments_escalation" {
		t.Errorf("document %+v", doc)
	}
	if !strings.Contains(stderr, "time restriction") {
		t.Errorf("stderr lacks the warnings:\n%s", stderr)
	}
	if strings.Contains(stdout+stderr, key) {
		t.Error("the Opsgenie key was printed")
	}
}

// TestImport_Applies: without --out the document goes through apply on a
// real server: --dry-run shows the plan and changes nothing, --yes creates
// what the plan showed, and Herald's token is asked for before the vendor
// is read.
func TestImport_Applies(t *testing.T) {
	const token = "oncall-secret-token-1234"
	srv := oncallReplay(t, token)
	_, _, err := runEnv(t, map[string]string{"GRAFANA_ONCALL_TOKEN": token}, "import", "grafana-oncall", "--url", srv.URL)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "HERALD_TOKEN") {
		t.Fatalf("without HERALD_TOKEN: %v", err)
	}
	herald, _ := startServer(t, store.SQLite)
	vars := map[string]string{"GRAFANA_ONCALL_TOKEN": token, "HERALD_TOKEN": testAdminToken, "HERALD_SERVER": herald}
	stdout, _, err := runEnv(t, vars, "import", "grafana-oncall", "--url", srv.URL, "--dry-run")
	if err != nil || !strings.Contains(stdout, "alex@example.com") {
		t.Fatalf("dry run: %v\n%s", err, stdout)
	}
	if out := mustCLI(t, herald, "user", "list"); strings.Contains(out, "alex@example.com") {
		t.Fatalf("the dry run created users:\n%s", out)
	}
	if _, _, err := runEnv(t, vars, "import", "grafana-oncall", "--url", srv.URL, "--yes"); err != nil {
		t.Fatalf("import --yes: %v", err)
	}
	if out := mustCLI(t, herald, "user", "list"); !strings.Contains(out, "alex@example.com") {
		t.Fatalf("the import did not create the users:\n%s", out)
	}
}

// TestImport_TokenErrors: a missing token names the variable to set; a
// refused one (401) says so and names the variable that holds it.
func TestImport_TokenErrors(t *testing.T) {
	oc := oncallReplay(t, "right")
	og := opsgenieReplay(t, "right")
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		want []string
	}{
		{"oncall missing", nil, []string{"grafana-oncall", "--url", oc.URL, "--out", "-"}, []string{"GRAFANA_ONCALL_TOKEN"}},
		{"oncall no url", map[string]string{"GRAFANA_ONCALL_TOKEN": "right"}, []string{"grafana-oncall", "--out", "-"}, []string{"--url"}},
		{"oncall refused", map[string]string{"GRAFANA_ONCALL_TOKEN": "wrong"}, []string{"grafana-oncall", "--url", oc.URL, "--out", "-"}, []string{"refused", "401", "GRAFANA_ONCALL_TOKEN"}},
		{"opsgenie missing", nil, []string{"opsgenie", "--api-url", og.URL, "--out", "-"}, []string{"OPSGENIE_API_KEY"}},
		{"opsgenie refused", map[string]string{"OPSGENIE_API_KEY": "wrong"}, []string{"opsgenie", "--api-url", og.URL, "--out", "-"}, []string{"refused", "401", "OPSGENIE_API_KEY"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, err := runEnv(t, tc.vars, append([]string{"import"}, tc.args...)...)
			if err == nil {
				t.Fatalf("succeeded:\n%s", stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "wrong") {
				t.Errorf("the token is in the error: %v", err)
			}
		})
	}
}

// TestImport_Help: `herald import --help` lists the vendors (so completion
// offers them) and exits 0, as does each vendor's --help.
func TestImport_Help(t *testing.T) {
	stdout, stderr, err := runEnv(t, nil, "import", "--help")
	if err != nil || stderr != "" || !strings.Contains(stdout, "  grafana-oncall\n") || !strings.Contains(stdout, "  opsgenie\n") {
		t.Fatalf("%v\n%s%s", err, stdout, stderr)
	}
	if subs := subcommands(stdout); len(subs) != 3 {
		t.Errorf("completion would offer %v", subs)
	}
	for _, v := range []string{"grafana-oncall", "opsgenie"} {
		stdout, _, err := runEnv(t, nil, "import", v, "--help")
		if err != nil || !strings.Contains(stdout, "herald import "+v) || !strings.Contains(stdout, "--token-env") {
			t.Errorf("%s --help: %v\n%s", v, err, stdout)
		}
	}
}
