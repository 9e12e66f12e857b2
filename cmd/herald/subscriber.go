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
			return exportCSV(e, "subscriber", pos, func() (string, error) { return c.StatusPage.ExportSubscribers(ctx) })
		}},
		"import": {args: "FILE", n: 1, help: "add the subscribers of a CSV with the export's header (- reads stdin; admin): all rows or none; imported subscribers are confirmed", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			r, done, err := openCSV(e, pos[0])
			if err != nil {
				return err
			}
			defer done()
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

// exportCSV writes an export (subscribers, tenants) to the FILE of pos, or
// to stdout without one or with "-". The rows are personal data (addresses,
// contacts), so a file is readable by its owner only.
func exportCSV(e env, command string, pos []string, fetch func() (string, error)) error {
	if len(pos) > 1 {
		return usagef("herald %s export takes at most one FILE", command)
	}
	data, err := fetch()
	if err != nil {
		return err
	}
	if len(pos) == 0 || pos[0] == "-" {
		_, err = io.WriteString(e.stdout, data)
		return err
	}
	return os.WriteFile(pos[0], []byte(data), 0o600)
}

// openCSV opens the file an import reads ("-" is stdin); done closes it.
func openCSV(e env, path string) (r io.Reader, done func(), err error) {
	if path == "-" {
		return e.stdin, func() {}, nil
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return fh, func() { fh.Close() }, nil
}
