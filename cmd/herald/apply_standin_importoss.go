package main

// This file stands in for cmd/herald/apply.go, which the apply branch
// writes, so that `herald import` compiles on its own branch; the lead
// deletes it when merging. It shows the document and applies nothing.

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/config"
)

// applyOptions says how applyDocument proceeds.
type applyOptions struct {
	DryRun bool // show the plan, change nothing
	Prune  bool // also delete what the document does not list
	Yes    bool // apply without asking
}

// applyDocument shows the plan for doc, then (unless DryRun) applies it
// through the API and prints what changed. The stand-in prints the
// document only.
func applyDocument(ctx context.Context, e env, c *client.Client, cf clientFlags, doc *config.Document, o applyOptions) error {
	b, err := config.Marshal(doc)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "# stand-in for herald apply (dry run %v): nothing is applied\n%s", o.DryRun, b)
	return nil
}
