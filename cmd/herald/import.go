package main

import (
	"context"
	"fmt"
	"io"
)

// importers are the tools `herald import` reads from, each a command of
// its own.
func importers() map[string]struct {
	help string
	run  func(context.Context, []string, env) error
} {
	return map[string]struct {
		help string
		run  func(context.Context, []string, env) error
	}{
		"pagerduty": {"users, teams, schedules with layers and overrides, escalation policies and services from PagerDuty's REST API", runImportPagerDuty},
	}
}

// runImport is `herald import TOOL`: read another tool's on-call
// configuration into Herald's configuration document, show what it will
// create and what it cannot carry over, then apply it (or write it with
// --out).
func runImport(ctx context.Context, args []string, e env) error {
	table := importers()
	usage := func(w io.Writer) {
		fmt.Fprint(w, "Usage: herald import TOOL [flags]   read another tool's configuration, show the plan, apply it\n\nCommands:\n")
		for _, name := range sortedKeys(table) {
			fmt.Fprintf(w, "  %s\n      %s\n", name, table[name].help)
		}
	}
	if len(args) == 0 {
		usage(e.stderr)
		return usagef("herald import takes the tool to import from")
	}
	if isHelp(args[0]) {
		usage(e.stdout)
		return nil
	}
	imp, ok := table[args[0]]
	if !ok {
		usage(e.stderr)
		return usagef("herald import: no %q", args[0])
	}
	return imp.run(ctx, args[1:], e)
}
