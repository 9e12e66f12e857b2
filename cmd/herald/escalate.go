package main

import (
	"context"
	"text/tabwriter"

	"github.com/heraldhq/herald/client"
)

// pageEscalateTable is `herald page escalate ID --level N`: page a chosen
// level of the page's policy now ("Escalate, select Level 2"); an
// acknowledged page is triggered again.
func pageEscalateTable(e env) map[string]command {
	var level *int
	return map[string]command{
		"escalate": {args: "ID", n: 1, help: "page a level of the policy now (--level N, from 1); an acknowledged page is triggered again", flags: func(f *flags) {
			level = f.Int("level", 0, "the level to page (1 is the first)")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if *level < 1 {
				return usagef("herald page escalate takes --level N (1 or more)")
			}
			p, err := c.Paging.EscalatePage(ctx, pos[0], *level)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, p, func(tw *tabwriter.Writer) { pageTable(tw, p) })
		}},
	}
}
