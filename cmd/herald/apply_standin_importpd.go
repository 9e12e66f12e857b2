package main

// A stand-in for apply's applyDocument (cmd/herald/apply.go on the apply
// branch), so that `herald import pagerduty` compiles and runs on its own
// branch. It shows the document and applies nothing. Delete this file
// when the branches meet.

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
// document and changes nothing.
func applyDocument(ctx context.Context, e env, c *client.Client, cf clientFlags, doc *config.Document, o applyOptions) error {
	b, err := config.Marshal(doc)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s(stand-in: apply is not on this branch; nothing was applied)\n", b)
	return nil
}
