package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer/grafanaoncall"
	"github.com/heraldhq/herald/internal/importer/opsgenie"
)

// importer is one `herald import VENDOR`: its own flags, and how it reads
// the vendor into a configuration document and warnings.
type importer struct {
	help  string
	flags func(f *flags)
	read  func(ctx context.Context, e env) (*config.Document, []string, error)
}

// runImport is `herald import VENDOR`: read another tool's on-call
// configuration through its API, show what Herald cannot carry over, then
// show the plan and apply it as `herald apply` does (--dry-run, --yes), or
// with --out write the document to a file and apply nothing. The vendor's
// token is read from an environment variable, never from the command line
// (where the process list shows it), and is never printed.
func runImport(ctx context.Context, args []string, e env) error {
	var ocURL, ogURL, tokenEnv *string
	// token reads the vendor's token from the variable --token-env names.
	token := func(vendor string) (string, error) {
		v := e.getenv(*tokenEnv)
		if v == "" {
			return "", usagef("no %s token: set %s (or name another variable with --token-env)", vendor, *tokenEnv)
		}
		return v, nil
	}
	// refused adds the variable to fix to a refused token's error.
	refused := func(err, unauthorized error) error {
		if errors.Is(err, unauthorized) {
			return fmt.Errorf("%w (the token in %s)", err, *tokenEnv)
		}
		return err
	}
	table := map[string]importer{
		"grafana-oncall": {
			help: "users, teams, schedules, escalation chains and integrations of a Grafana OnCall (OSS) instance; --url is required",
			flags: func(f *flags) {
				ocURL = f.String("url", "", "the OnCall instance, like https://oncall.example.com (its API is under /api/v1)")
				tokenEnv = f.String("token-env", "GRAFANA_ONCALL_TOKEN", "the environment variable holding an OnCall API token")
			},
			read: func(ctx context.Context, e env) (*config.Document, []string, error) {
				if *ocURL == "" {
					return nil, nil, usagef("herald import grafana-oncall needs --url (the OnCall instance, like https://oncall.example.com)")
				}
				tok, err := token("Grafana OnCall")
				if err != nil {
					return nil, nil, err
				}
				doc, warns, err := grafanaoncall.Import(ctx, grafanaoncall.Options{URL: *ocURL, Token: tok})
				return doc, warns, refused(err, grafanaoncall.ErrUnauthorized)
			},
		},
		"opsgenie": {
			help: "users with contact methods, teams, schedules with rotations and overrides, escalations and services of an Opsgenie account",
			flags: func(f *flags) {
				ogURL = f.String("api-url", opsgenie.DefaultURL, "Opsgenie's API (accounts in the EU region: its EU API)")
				tokenEnv = f.String("token-env", "OPSGENIE_API_KEY", "the environment variable holding the key of an Opsgenie API integration")
			},
			read: func(ctx context.Context, e env) (*config.Document, []string, error) {
				key, err := token("Opsgenie")
				if err != nil {
					return nil, nil, err
				}
				doc, warns, err := opsgenie.Import(ctx, opsgenie.Options{URL: *ogURL, Key: key})
				return doc, warns, refused(err, opsgenie.ErrUnauthorized)
			},
		},
	}
	// PagerDuty's importer has flags of its own (--at, --overrides-within,
	// --page-size) and its own command (import_pagerduty.go).
	const pdHelp = "users, teams, schedules with layers and overrides, escalation policies and services from PagerDuty's REST API"
	usage := func(w io.Writer) {
		fmt.Fprint(w, "Usage: herald import VENDOR [flags]\n\nCommands:\n")
		for _, name := range sortedKeys(table) {
			fmt.Fprintf(w, "  %s\n      %s\n", name, table[name].help)
		}
		fmt.Fprintf(w, "  pagerduty\n      %s\n", pdHelp)
		fmt.Fprint(w, "\nEach shows what Herald cannot carry over, then the plan, and applies it\n(--dry-run to stop at the plan); --out FILE writes the document instead.\n")
	}
	if len(args) == 0 {
		usage(e.stderr)
		return usagef("no vendor given: herald import grafana-oncall|opsgenie|pagerduty")
	}
	if isHelp(args[0]) {
		usage(e.stdout)
		return nil
	}
	name := args[0]
	if name == "pagerduty" {
		return runImportPagerDuty(ctx, args[1:], e)
	}
	imp, ok := table[name]
	if !ok {
		usage(e.stderr)
		return usagef("herald import: no vendor %q", name)
	}
	f := newFlags("import "+name, "import "+name+" [flags]", e)
	cf := addClientFlags(f)
	out := f.String("out", "", "write the document to this file (- for standard output) and apply nothing")
	dryRun := f.Bool("dry-run", false, "show the plan, change nothing")
	yes := f.Bool("yes", false, "apply without asking")
	imp.flags(f)
	pos, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("herald import %s takes no arguments, only flags", name)
	}
	// Without --out the document is applied: find out before reading the
	// vendor that Herald's token is missing.
	if *out == "" {
		if _, err := cf.client(); err != nil {
			return err
		}
	}
	doc, warns, err := imp.read(ctx, e)
	if err != nil {
		return err
	}
	printImportWarnings(e.stderr, name, warns)
	if *out != "" {
		return writeImport(e, *out, doc)
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	return applyDocument(ctx, e, c, cf, doc, applyOptions{DryRun: *dryRun, Yes: *yes})
}

// printImportWarnings lists what the import could not carry over, before
// any plan, so nobody applies without having seen it.
func printImportWarnings(w io.Writer, vendor string, warns []string) {
	if len(warns) == 0 {
		fmt.Fprintf(w, "herald import %s: everything read has a Herald equivalent\n", vendor)
		return
	}
	fmt.Fprintf(w, "herald import %s: %d warnings: what Herald cannot represent, left out or changed:\n", vendor, len(warns))
	for _, s := range warns {
		fmt.Fprintf(w, "  - %s\n", s)
	}
}

// writeImport writes the document for --out, readable by `herald apply -f`.
// The file holds names, e-mail addresses and phone numbers, so only its
// owner may read it.
func writeImport(e env, path string, doc *config.Document) error {
	b, err := config.Marshal(doc)
	if err != nil {
		return err
	}
	if path == "-" {
		_, err := e.stdout.Write(b)
		return err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s (apply it with herald apply -f %s)\n", path, importCounts(doc), path)
	return nil
}

func importCounts(doc *config.Document) string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{len(doc.Users), "users"}, {len(doc.Teams), "teams"}, {len(doc.Schedules), "schedules"},
		{len(doc.EscalationPolicies), "escalation policies"}, {len(doc.Services), "services"},
	} {
		parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
	}
	return strings.Join(parts, ", ")
}
