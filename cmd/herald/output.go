package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald/client"
)

// clientFlags are the flags every API command takes.
type clientFlags struct {
	server, token, output *string
}

func addClientFlags(f *flags) clientFlags {
	c := clientFlags{
		server: f.string("server", "http://127.0.0.1:8080", "the Herald server"),
		token:  f.string("token", "", "API token (better set as HERALD_TOKEN: flags show in the process list)"),
		output: f.string("output", "table", "output: table or json"),
	}
	f.StringVar(c.output, "o", *c.output, "short for --output")
	return c
}

func (c clientFlags) client() (*client.Client, error) {
	if *c.token == "" {
		return nil, usagef("no API token: set HERALD_TOKEN (or --token)")
	}
	if *c.output != "table" && *c.output != "json" {
		return nil, usagef("--output must be table or json")
	}
	return client.New(*c.server, *c.token), nil
}

// print writes v as JSON with -o json, or calls table otherwise.
func (c clientFlags) print(w io.Writer, v any, table func(*tabwriter.Writer)) error {
	if *c.output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	table(tw)
	return tw.Flush()
}

func row(tw io.Writer, cols ...any) {
	parts := make([]string, len(cols))
	for i, c := range cols {
		s := fmt.Sprint(c)
		parts[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
	}
	fmt.Fprintln(tw, strings.Join(parts, "\t"))
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

func tsp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return ts(*t)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
