package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/heraldhq/herald/client"
)

// fullIDLen is the length of Herald's ids (UUIDs): an argument this long is
// an id already and goes to the server as it is.
const fullIDLen = 36

// idPrefix reports whether ref may be the start of an id: shorter than
// one, and only hexadecimal digits and dashes. Anything else (a name, a
// reference) goes to the server unchanged.
func idPrefix(ref string) bool {
	if ref == "" || len(ref) >= fullIDLen {
		return false
	}
	for _, r := range strings.ToLower(ref) {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r == '-') {
			return false
		}
	}
	return true
}

// candidate is one thing an id prefix may name: its id and a few words
// that tell it from the others in an ambiguity error.
type candidate struct{ id, what string }

// matchPrefix picks the one candidate whose id starts with ref. It is how
// `herald page ack 01a2293d` finds a page from the first characters that
// `herald page list` shows; several matches are an error listing them.
func matchPrefix(kind, ref, where string, list []candidate) (string, error) {
	var found []candidate
	for _, c := range list {
		if c.id == ref {
			return c.id, nil
		}
		if strings.HasPrefix(c.id, strings.ToLower(ref)) {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return "", usagef("no %s %s starts with %q", kind, where, ref)
	case 1:
		return found[0].id, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%q is the start of %d %ss' ids; give more of it:", ref, len(found), kind)
	for _, c := range found {
		fmt.Fprintf(&b, "\n  %s  %s", c.id, c.what)
	}
	return "", usagef("%s", b.String())
}

// resolveFirst makes the named commands of a table accept a unique id
// prefix as their first positional argument, found by resolve.
func resolveFirst(table map[string]command, resolve func(ctx context.Context, c *client.Client, ref string) (string, error), names ...string) map[string]command {
	for _, name := range names {
		cmd, ok := table[name]
		if !ok || cmd.n == 0 {
			continue
		}
		run := cmd.run
		cmd.run = func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if len(pos) > 0 && idPrefix(pos[0]) {
				id, err := resolve(ctx, c, pos[0])
				if err != nil {
					return err
				}
				pos = append([]string{id}, pos[1:]...)
			}
			return run(ctx, f, cf, c, pos)
		}
		table[name] = cmd
	}
	return table
}

// pageByPrefix finds a page among the newest the API lists (200).
func pageByPrefix(ctx context.Context, c *client.Client, ref string) (string, error) {
	pages, err := c.Paging.Pages(ctx, "", "")
	if err != nil {
		return "", err
	}
	list := make([]candidate, len(pages))
	for i, p := range pages {
		list[i] = candidate{p.ID, fmt.Sprintf("%s  %s", p.Status, truncate(p.Summary, 60))}
	}
	return matchPrefix("page", ref, "among the newest 200", list)
}

// statusIncidentByPrefix finds a status page incident.
func statusIncidentByPrefix(ctx context.Context, c *client.Client, ref string) (string, error) {
	incs, err := c.StatusPage.StatusIncidents(ctx)
	if err != nil {
		return "", err
	}
	list := make([]candidate, len(incs))
	for i, s := range incs {
		list[i] = candidate{s.ID, fmt.Sprintf("%s  %s", s.Status, truncate(s.Name, 60))}
	}
	return matchPrefix("status incident", ref, "(see herald status list)", list)
}

// maintenanceByPrefix finds a maintenance.
func maintenanceByPrefix(ctx context.Context, c *client.Client, ref string) (string, error) {
	ms, err := c.Maintenances.Maintenances(ctx)
	if err != nil {
		return "", err
	}
	list := make([]candidate, len(ms))
	for i, m := range ms {
		list[i] = candidate{m.ID, fmt.Sprintf("%s  %s", m.Status, truncate(m.Name, 60))}
	}
	return matchPrefix("maintenance", ref, "(see herald maintenance list)", list)
}
