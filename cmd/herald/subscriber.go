package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/heraldhq/herald/client"
)

// runSubscriber is `herald subscriber counts|export|import`: the status
// page's subscribers, counted, or moved in and out as CSV (kind, target,
// components, confirmed, created_at).
func runSubscriber(ctx context.Context, args []string, e env) error {
	return runCommands(ctx, "subscriber", map[string]command{
		"counts": {n: 0, help: "subscribers by kind: confirmed, unconfirmed, paused", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			counts, err := c.StatusPage.SubscriberCounts(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, counts, func(tw *tabwriter.Writer) {
				row(tw, "KIND", "CONFIRMED", "UNCONFIRMED", "PAUSED")
				for _, k := range sortedKeys(counts) {
					row(tw, k, counts[k]["confirmed"], counts[k]["unconfirmed"], counts[k]["paused"])
				}
			})
		}},
		"export": {args: "[FILE]", n: -1, help: "write every subscriber as CSV to FILE, or to stdout (admin)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if len(pos) > 1 {
				return usagef("herald subscriber export takes at most one FILE")
			}
			data, err := c.StatusPage.ExportSubscribers(ctx)
			if err != nil {
				return err
			}
			if len(pos) == 0 || pos[0] == "-" {
				_, err = io.WriteString(e.stdout, data)
				return err
			}
			// Addresses are personal data: the file is for its owner only.
			return os.WriteFile(pos[0], []byte(data), 0o600)
		}},
		"import": {args: "FILE", n: 1, help: "add the subscribers of a CSV with the export's header (- reads stdin; admin): all rows or none; imported subscribers are confirmed", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			var r io.Reader = e.stdin
			if pos[0] != "-" {
				fh, err := os.Open(pos[0])
				if err != nil {
					return err
				}
				defer fh.Close()
				r = fh
			}
			res, err := c.StatusPage.ImportSubscribers(ctx, r)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, res, func(tw *tabwriter.Writer) {
				fmt.Fprintf(tw, "%d subscribers added, %d already subscribed.\n", res.Created, res.Skipped)
			})
		}},
	}, args, e)
}
