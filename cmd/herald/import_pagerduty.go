package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer/pagerduty"
)

// runImportPagerDuty is `herald import pagerduty`. The PagerDuty API key
// is read from an environment variable only, never from the command line
// (where the process list shows it), and is never printed.
func runImportPagerDuty(ctx context.Context, args []string, e env) error {
	f := newFlags("import pagerduty", "import pagerduty [--out FILE] [--dry-run] [--yes]   (the API key in $PAGERDUTY_TOKEN)", e)
	cf := addClientFlags(f)
	tokenEnv := f.String("token-env", "PAGERDUTY_TOKEN", "the environment variable that holds the PagerDuty REST API key")
	apiURL := f.String("api-url", pagerduty.DefaultAPIURL, "PagerDuty's API (an EU account: https://api.eu.pagerduty.com)")
	at := f.String("at", "", "take the import as at this moment (RFC 3339): layers ended before it are left out, overrides are read from it on; default now")
	within := f.Duration("overrides-within", 28*24*time.Hour, "how far ahead to read overrides")
	pageSize := f.Int("page-size", 100, "records per list request, 1 to 100")
	out := f.String("out", "", "write the document to FILE as YAML and apply nothing")
	dryRun := f.Bool("dry-run", false, "show the plan, change nothing")
	yes := f.Bool("yes", false, "apply without asking")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if *pageSize < 1 || *pageSize > 100 {
		return usagef("--page-size %d: must be 1 to 100 (PagerDuty's most)", *pageSize)
	}
	if len(pos) != 0 {
		return usagef("herald import pagerduty takes no arguments (the API key goes in $%s)", *tokenEnv)
	}
	token := e.getenv(*tokenEnv)
	if token == "" {
		return usagef("no PagerDuty API key: set %s to a REST API key (--token-env names another variable)", *tokenEnv)
	}
	now, err := parseTimeFlag("at", *at, herald.SystemClock{}.Now())
	if err != nil {
		return err
	}
	// Without --out the document is applied: check that Herald can be
	// reached with a token before reading the whole PagerDuty account.
	var apply func(*config.Document) error
	if *out == "" {
		c, err := cf.client()
		if err != nil {
			return err
		}
		apply = func(doc *config.Document) error {
			return applyDocument(ctx, e, c, cf, doc, applyOptions{DryRun: *dryRun, Yes: *yes})
		}
	}
	doc, warnings, err := pagerduty.Import(ctx, pagerduty.Options{Token: token, APIURL: *apiURL, Now: now, OverridesWithin: *within, PageSize: uint(*pageSize)})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Read from PagerDuty: %d users, %d teams, %d schedules, %d escalation policies, %d services.\n",
		len(doc.Users), len(doc.Teams), len(doc.Schedules), len(doc.EscalationPolicies), len(doc.Services))
	if len(warnings) > 0 {
		fmt.Fprintf(e.stderr, "\n%d things Herald cannot carry over as they are:\n", len(warnings))
		for _, w := range warnings {
			fmt.Fprintf(e.stderr, "  - %s\n", w)
		}
		fmt.Fprintln(e.stderr)
	}
	if apply != nil {
		return apply(doc)
	}
	b, err := config.Marshal(doc)
	if err != nil {
		return err
	}
	// The document holds people's addresses and phone numbers: readable
	// by its owner only.
	if err := os.WriteFile(*out, b, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Wrote %s; nothing was applied (herald apply -f %s applies it).\n", *out, *out)
	return nil
}
