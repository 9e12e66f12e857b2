package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// runChat is `herald chat run "<command line>"`: the chat grammar
// (docs/CHATOPS.md) from the shell, through the API, so the words are the
// same in chat and in a terminal.
func runChat(ctx context.Context, args []string, e env) error {
	if len(args) > 0 && args[0] == "teams" {
		return runChatTeams(ctx, args[1:], e) // sends from here: no server needed
	}
	var incident *string
	var confirm *bool
	return runCommands(ctx, "chat", map[string]command{
		"run": {args: `"COMMAND LINE"`, n: -1, help: "run a chat command (declare, status, page, ack, escalate, resolve, role, decision, follow-up, note, severity, handover, oncall, help); quote it as one argument",
			flags: func(f *flags) {
				incident = f.String("incident", "", "the incident when the command names none (INC-12)")
				confirm = f.Bool("confirm", false, "run a command that asks for confirmation (status <text> publishes)")
			}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				if len(pos) == 0 {
					return usagef(`herald chat run takes the command line, for example: herald chat run "note checked the logs" --incident INC-12`)
				}
				r, err := c.Chat.Run(ctx, herald.ChatCommandInput{Text: strings.Join(pos, " "), Incident: *incident, Confirm: *confirm})
				if err != nil {
					return err
				}
				return cf.print(e.stdout, r, func(tw *tabwriter.Writer) { chatReplyRows(tw, r) })
			}},
	}, args, e)
}

// chatReplyRows prints a reply as a terminal shows it: the text, its
// fields, the composer's templates and checks, and the commands its
// buttons would run.
func chatReplyRows(tw *tabwriter.Writer, r herald.ChatReply) {
	fmt.Fprintln(tw, r.Text)
	for _, f := range r.Fields {
		row(tw, f.Label, f.Value)
	}
	if c := r.Composer; c != nil {
		for _, t := range c.Templates {
			row(tw, "Template "+t.Name, t.Text)
		}
		for _, ch := range c.Checks {
			ok := "ok"
			if !ch.OK {
				ok = "FAILED"
			}
			row(tw, "Check "+ch.Name, ok+": "+ch.Message)
		}
	}
	for _, a := range r.Actions {
		switch {
		case a.URL != "":
			row(tw, a.Label, a.URL)
		case a.Confirm:
			row(tw, a.Label, fmt.Sprintf("herald chat run %q --confirm", a.Command))
		default:
			row(tw, a.Label, fmt.Sprintf("herald chat run %q", a.Command))
		}
	}
	if r.Link != "" && !strings.Contains(r.Text, r.Link) {
		row(tw, "Link", r.Link)
	}
}
