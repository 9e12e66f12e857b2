package main

import (
	"context"
	"maps"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// Pages and incidents (declare from a page, attach, detach), and the
// components a service runs on (what a maintenance mutes).

// pageLinkCommands are the `herald page` commands of pageLinkTable.
var pageLinkCommands = map[string]bool{"declare": true, "attach": true, "detach": true}

// mergeCommands adds more commands to a group's table.
func mergeCommands(table, more map[string]command) map[string]command {
	maps.Copy(table, more)
	return table
}

type pageAct func(do func(*client.PagingClient, context.Context, string) (herald.Page, error)) func(context.Context, *flags, clientFlags, *client.Client, []string) error

func pageLinkTable(e env, act pageAct) map[string]command {
	var title, sev, summary *string
	return map[string]command{
		"declare": {args: "ID", n: 1, help: "declare an incident from the page (linked to it)", flags: func(f *flags) {
			title = f.String("title", "", "what is wrong, in a line (default: the page's summary)")
			sev = f.String("severity", "", "S1 (worst) to S4")
			summary = f.String("summary", "", "what is known")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			t := *title
			if t == "" {
				p, err := c.Paging.PageDetail(ctx, pos[0])
				if err != nil {
					return err
				}
				t = p.Summary
			}
			inc, err := c.Paging.DeclareFromPage(ctx, pos[0], herald.DeclareInput{Title: t, Severity: herald.Severity(*sev), Summary: *summary})
			if err != nil {
				return err
			}
			return cf.print(e.stdout, inc, func(tw *tabwriter.Writer) { incidentTable(tw, &inc) })
		}},
		"attach": {args: "ID INCIDENT", n: 2, help: "attach the page to an incident (recorded on both)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			p, err := c.Paging.LinkPage(ctx, pos[0], pos[1])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, p, func(tw *tabwriter.Writer) { pageTable(tw, p) })
		}},
		"detach": {args: "ID", n: 1, help: "detach the page from its incident (recorded on both)", run: act((*client.PagingClient).UnlinkPage)},
	}
}

// pageLinkRows adds a page's incident and maintenance to `page show`.
func pageLinkRows(tw *tabwriter.Writer, p herald.Page) {
	if p.IncidentID != "" {
		row(tw, "Incident", p.IncidentID)
	}
	if p.DuringMaintenance != "" {
		state := "muted: nobody is notified until it ends"
		if !p.Muted {
			state = "no longer muted"
		}
		row(tw, "During maintenance", p.DuringMaintenance+" ("+state+")")
	}
}

func serviceComponentsTable(e env) map[string]command {
	var comps *list
	return map[string]command{
		"components": {args: "SERVICE", n: 1, help: "set the status page components a service runs on (admin; none clears)", flags: func(f *flags) {
			comps = f.list("component", "a component (name or id); repeat for several")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			ids, err := componentIDs(ctx, c, *comps)
			if err != nil {
				return err
			}
			s, err := c.Paging.SetServiceComponents(ctx, pos[0], ids)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, s, func(tw *tabwriter.Writer) {
				row(tw, "Name", s.Name)
				for _, id := range s.Components {
					row(tw, "Component", id)
				}
			})
		}},
	}
}

func componentIDs(ctx context.Context, c *client.Client, refs []string) ([]string, error) {
	ids := []string{}
	for _, ref := range refs {
		id, err := componentID(ctx, c, ref)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// linkedPagesTable is `herald incident pages`.
func linkedPagesTable(tw *tabwriter.Writer, pages []herald.LinkedPage) {
	row(tw, "ID", "SERVICE", "ROLE", "STATUS", "PAGED", "ACKNOWLEDGED", "TIME TO ACK", "ESCALATIONS", "SUMMARY")
	for _, p := range pages {
		took := "-"
		if p.TimeToAcknowledgeS != nil {
			took = (time.Duration(*p.TimeToAcknowledgeS) * time.Second).String()
		}
		status := string(p.Status)
		if p.Muted {
			status += " (muted)"
		}
		row(tw, p.ID, p.Service, orDash(p.Role), status, ts(p.FirstSeen), tsp(p.AckedAt), took, len(p.Escalations), truncate(p.Summary, 50))
	}
}
