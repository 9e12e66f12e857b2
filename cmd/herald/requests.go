package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// runRequest is `herald request ...`: contact requests (R61), from
// infrastructure or security, to reach particular users, tracked to done.
func runRequest(ctx context.Context, args []string, e env) error {
	var status, owner, from, reason, message, due, incident, sent, reply *string
	var to *list
	show := func(cf clientFlags, r herald.ContactRequest) error {
		return cf.print(e.stdout, r, func(tw *tabwriter.Writer) { contactRequestRows(tw, r) })
	}
	return runCommands(ctx, "request", resolveFirst(map[string]command{
		"list": {n: 0, help: "contact requests: the open ones by due time, then the closed", flags: func(f *flags) {
			status = f.String("status", "", "open, done or cancelled (default: all)")
			owner = f.String("owner", "", "only this user's (id or e-mail)")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.Requests.ContactRequests(ctx, *status, *owner)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				if len(list) == 0 {
					row(tw, "No contact requests.")
					return
				}
				row(tw, "ID", "STATUS", "FROM", "OWNER", "DUE", "RECIPIENTS", "REASON")
				for _, r := range list {
					row(tw, r.ID, requestStatus(r), r.From, r.Owner, orDash(tsPtr(r.DueAt)), truncate(strings.Join(r.Recipients, ", "), 40), truncate(r.Reason, 60))
				}
			})
		}},
		"show": {args: "ID", n: 1, help: "one contact request with its notes", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			r, err := c.Requests.ContactRequest(ctx, pos[0])
			if err != nil {
				return err
			}
			return show(cf, r)
		}},
		"open": {n: 0, help: "open a contact request: --from, --to (repeatable), --reason, --message, optional --due, --incident, --owner", flags: func(f *flags) {
			from = f.String("from", "", "who asks: infrastructure, security, or a team")
			to = f.list("to", "a user to reach: an e-mail address or an account name")
			reason = f.String("reason", "", "why they must be reached")
			message = f.String("message", "", "what to tell them")
			due = f.String("due", "", "by when: RFC 3339, or a duration from now like 4h")
			incident = f.String("incident", "", "the incident it belongs to (INC-42)")
			owner = f.String("owner", "", "who takes it on (id or e-mail; default you)")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			in := herald.ContactRequestInput{From: *from, Recipients: *to, Reason: *reason, Message: *message, Incident: *incident, Owner: *owner}
			if *due != "" {
				t, err := parseDue(*due, time.Now())
				if err != nil {
					return err
				}
				in.DueAt = &t
			}
			r, err := c.Requests.OpenContactRequest(ctx, in)
			if err != nil {
				return err
			}
			return show(cf, r)
		}},
		"note": {args: "ID TEXT", n: 2, help: "add progress to an open contact request", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			r, err := c.Requests.NoteContactRequest(ctx, pos[0], pos[1])
			if err != nil {
				return err
			}
			return show(cf, r)
		}},
		"done": {args: "ID", n: 1, help: "close a contact request as done: --sent (the message as sent), optional --reply", flags: func(f *flags) {
			sent = f.String("sent", "", "the message as it was sent")
			reply = f.String("reply", "", "what the users answered, if anything")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			r, err := c.Requests.CompleteContactRequest(ctx, pos[0], herald.ContactRequestClose{Sent: *sent, Reply: *reply})
			if err != nil {
				return err
			}
			return show(cf, r)
		}},
		"cancel": {args: "ID", n: 1, help: "cancel a contact request: --reason", flags: func(f *flags) {
			reason = f.String("reason", "", "why it is cancelled")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			r, err := c.Requests.CancelContactRequest(ctx, pos[0], herald.ContactRequestClose{Reason: *reason})
			if err != nil {
				return err
			}
			return show(cf, r)
		}},
	}, requestByPrefix, "show", "note", "done", "cancel"), args, e)
}

// parseDue reads a time (RFC 3339) or a duration from now ("4h").
func parseDue(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, usagef("--due must be RFC 3339 (2026-12-01T09:00:00Z) or a duration from now (4h)")
	}
	return t, nil
}

func requestStatus(r herald.ContactRequest) string {
	if r.Overdue {
		return "OVERDUE"
	}
	return r.Status
}

func tsPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ts(*t)
}

func contactRequestRows(tw *tabwriter.Writer, r herald.ContactRequest) {
	row(tw, "ID", r.ID)
	row(tw, "Status", requestStatus(r))
	row(tw, "From", r.From)
	row(tw, "Owner", r.Owner)
	row(tw, "Recipients", strings.Join(r.Recipients, ", "))
	row(tw, "Reason", r.Reason)
	row(tw, "Message", r.Message)
	row(tw, "Due", orDash(tsPtr(r.DueAt)))
	if r.IncidentReference != "" {
		row(tw, "Incident", r.IncidentReference)
	}
	if r.Sent != "" {
		row(tw, "Sent", r.Sent)
	}
	if r.Reply != "" {
		row(tw, "Reply", r.Reply)
	}
	if r.CancelReason != "" {
		row(tw, "Cancelled", r.CancelReason)
	}
	for _, n := range r.Notes {
		row(tw, "Note", fmt.Sprintf("%s %s: %s", ts(n.At), n.Author, n.Text))
	}
}

// requestByPrefix finds a contact request by the start of its id.
func requestByPrefix(ctx context.Context, c *client.Client, ref string) (string, error) {
	rs, err := c.Requests.ContactRequests(ctx, "", "")
	if err != nil {
		return "", err
	}
	list := make([]candidate, len(rs))
	for i, r := range rs {
		list[i] = candidate{r.ID, fmt.Sprintf("%s  %s", r.Status, truncate(r.Reason, 60))}
	}
	return matchPrefix("contact request", ref, "(see herald request list)", list)
}
