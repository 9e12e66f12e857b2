package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// runTickets is `herald tickets ...`: support ticket coupling (R20): an
// incident's tag and search window, the sweep for untagged tickets, and
// the connection to the ticket system.
func runTickets(ctx context.Context, args []string, e env) error {
	var keywords, ids *list
	var clearKeywords, apply, all, tokenStdin *bool
	var wait *time.Duration
	var kind, url, email *string
	showCoupling := func(cf clientFlags, inc string, c herald.IncidentTickets) error {
		return cf.print(e.stdout, c, func(tw *tabwriter.Writer) { ticketRows(tw, inc, c) })
	}
	return runCommands(ctx, "tickets", map[string]command{
		"show": {args: "INC", n: 1, help: "an incident's ticket tag, keywords, search window and latest sweeps", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			t, err := c.Tickets.IncidentTickets(ctx, pos[0])
			if err != nil {
				return err
			}
			return showCoupling(cf, pos[0], t)
		}},
		"tag": {args: "INC [TAG]", n: -1, help: "print the incident's ticket tag, or set a confidential incident's tag by hand (\"\" removes it); --keywords sets what is searched for", flags: func(f *flags) {
			keywords = f.list("keywords", "a word or phrase the incident's tickets mention (repeatable; default: its services)")
			clearKeywords = f.bool("clear-keywords", "search for the incident's services again")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if len(pos) < 1 || len(pos) > 2 {
				return usagef("give the incident, and the tag to set if any")
			}
			in := herald.TicketCouplingInput{Keywords: *keywords, ClearKeywords: *clearKeywords}
			if len(pos) == 2 {
				in.Tag = &pos[1]
			}
			if in.Tag == nil && len(in.Keywords) == 0 && !in.ClearKeywords {
				t, err := c.Tickets.IncidentTickets(ctx, pos[0])
				if err != nil {
					return err
				}
				return showCoupling(cf, pos[0], t)
			}
			t, err := c.Tickets.SetIncidentTickets(ctx, pos[0], in)
			if err != nil {
				return err
			}
			return showCoupling(cf, pos[0], t)
		}},
		"sweep": {args: "INC", n: 1, help: "look for tickets in the incident's window that lack its tag (--apply tags them all); waits for the result", flags: func(f *flags) {
			apply = f.bool("apply", "tag every untagged ticket found")
			wait = f.duration("wait", 2*time.Minute, "how long to wait for the sweep (0s: queue it and return)")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			sw, err := c.Tickets.Sweep(ctx, pos[0], herald.SweepInput{Apply: *apply})
			if err != nil {
				return err
			}
			if sw, err = waitSweep(ctx, c, pos[0], sw, *wait); err != nil {
				return err
			}
			return cf.print(e.stdout, sw, func(tw *tabwriter.Writer) { sweepRows(tw, sw) })
		}},
		"tag-found": {args: "INC", n: 1, help: "tag tickets the last sweep found: --ticket ID (repeatable) or --all", flags: func(f *flags) {
			ids = f.list("ticket", "a ticket the last sweep found (repeatable)")
			all = f.bool("all", "every ticket the last sweep found")
			wait = f.duration("wait", 2*time.Minute, "how long to wait for the tagging (0s: queue it and return)")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			sw, err := c.Tickets.TagTickets(ctx, pos[0], herald.TagTicketsInput{TicketIDs: *ids, All: *all})
			if err != nil {
				return err
			}
			if sw, err = waitSweep(ctx, c, pos[0], sw, *wait); err != nil {
				return err
			}
			return cf.print(e.stdout, sw, func(tw *tabwriter.Writer) { sweepRows(tw, sw) })
		}},
		"connect": {n: 0, help: "connect the ticket system (admins): --url, --email; the API token from HERALD_TICKETS_TOKEN or, with --token-stdin, the first line of stdin (never a flag)", flags: func(f *flags) {
			kind = f.string("kind", herald.TicketSystemZendesk, "the ticket system: "+strings.Join(herald.TicketSystemKinds, ", "))
			url = f.string("url", "", "the desk's address, like https://example.zendesk.com")
			email = f.string("email", "", "the e-mail address of the agent the API token belongs to")
			tokenStdin = f.bool("token-stdin", "read the API token from the first line of stdin")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			in := herald.TicketConnectionInput{Kind: *kind, URL: *url, Email: *email, Token: e.getenv("HERALD_TICKETS_TOKEN")}
			if *tokenStdin {
				line, err := bufio.NewReader(e.stdin).ReadString('\n')
				if err != nil && line == "" {
					return usagef("--token-stdin: no token on stdin")
				}
				in.Token = strings.TrimSpace(line)
			}
			conn, err := c.Tickets.ConnectTicketSystem(ctx, in)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, conn, func(tw *tabwriter.Writer) { connectionRows(tw, conn) })
		}},
		"connection": {n: 0, help: "the connected ticket system (its token is never shown)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			conn, err := c.Tickets.TicketConnection(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, conn, func(tw *tabwriter.Writer) { connectionRows(tw, conn) })
		}},
		"disconnect": {n: 0, help: "disconnect the ticket system and forget its token", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if err := c.Tickets.DisconnectTicketSystem(ctx); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "Ticket system disconnected.")
			return nil
		}},
	}, args, e)
}

// waitSweep polls a queued sweep until it is done or failed, or wait
// passes (then it is shown as it stands).
func waitSweep(ctx context.Context, c *client.Client, inc string, sw herald.TicketSweep, wait time.Duration) (herald.TicketSweep, error) {
	deadline := time.Now().Add(wait)
	for (sw.State == herald.SweepQueued || sw.State == herald.SweepRunning) && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return sw, ctx.Err()
		case <-time.After(time.Second):
		}
		var err error
		if sw, err = c.Tickets.TicketSweep(ctx, inc, sw.ID); err != nil {
			return sw, err
		}
	}
	return sw, nil
}

func ticketRows(tw *tabwriter.Writer, inc string, c herald.IncidentTickets) {
	tag := c.Tag
	switch {
	case tag == "" && c.Suggested != "":
		tag = "none yet (confidential: set one by hand, like " + c.Suggested + ")"
	case c.Manual:
		tag += " (set by hand)"
	}
	row(tw, "Incident", inc)
	row(tw, "Tag", tag)
	row(tw, "Keywords", orDash(strings.Join(c.Keywords, ", ")))
	end := "now (open)"
	if c.Window.End != nil {
		end = ts(*c.Window.End)
	}
	row(tw, "Window", ts(c.Window.Start)+" to "+end+" UTC")
	row(tw, "Connected", map[bool]string{true: "yes", false: "no (herald tickets connect)"}[c.Connected])
	for _, sw := range c.Sweeps {
		row(tw, "Sweep "+sw.ID, sw.Kind+", "+sweepState(sw)+", found "+fmt.Sprint(len(sw.Found))+", tagged "+fmt.Sprint(len(sw.Tagged))+", "+ts(sw.CreatedAt)+" by "+sw.RequestedBy)
	}
}

func sweepState(sw herald.TicketSweep) string {
	s := sw.State
	if sw.LastError != "" {
		s += " (attempt " + fmt.Sprint(sw.Attempts) + ": " + truncate(sw.LastError, 80) + ")"
	}
	return s
}

func sweepRows(tw *tabwriter.Writer, sw herald.TicketSweep) {
	row(tw, "Sweep", sw.ID)
	row(tw, "Kind", sw.Kind)
	row(tw, "State", sweepState(sw))
	row(tw, "Tag", sw.Tag)
	row(tw, "Keywords", strings.Join(sw.Keywords, ", "))
	if sw.State == herald.SweepQueued || sw.State == herald.SweepRunning {
		row(tw, "", "still running: herald tickets show "+sw.IncidentID)
	}
	row(tw, "Found", fmt.Sprint(len(sw.Found)))
	for _, t := range sw.Found {
		mark := " "
		for _, id := range sw.Tagged {
			if id == t.ID {
				mark = "tagged"
			}
		}
		row(tw, "  #"+t.ID, ts(t.CreatedAt)+"  "+truncate(t.Subject, 60)+"  "+mark)
	}
	row(tw, "Tagged", fmt.Sprint(len(sw.Tagged)))
}

func connectionRows(tw *tabwriter.Writer, c herald.TicketConnection) {
	row(tw, "Kind", c.Kind)
	row(tw, "URL", c.URL)
	row(tw, "E-mail", c.Email)
	row(tw, "API token", map[bool]string{true: "set (never shown)", false: "not set"}[c.TokenSet])
	if c.UpdatedAt != nil {
		row(tw, "Updated", ts(*c.UpdatedAt)+" UTC by "+c.UpdatedBy)
	}
}
