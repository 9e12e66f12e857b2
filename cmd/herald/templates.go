package main

import (
	"context"
	"strings"
	"text/tabwriter"

	"github.com/heraldhq/herald/client"
)

// statusTemplatesCommand is `herald status templates`: the texts for the
// usual updates (R15) that --template names; {name}, {components},
// {next_update} and {link} are filled in.
func statusTemplatesCommand(e env) command {
	return command{n: 0, help: "the templates for the usual updates (--template NAME on create and update)",
		run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.StatusPage.StatusTemplates(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				row(tw, "NAME", "TEXT")
				for _, name := range sortedKeys(list) {
					row(tw, name, strings.TrimSpace(list[name]))
				}
			})
		}}
}
