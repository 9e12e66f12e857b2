package main

import (
	"context"
	"fmt"
	"maps"
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
	if len(args) > 0 && args[0] == "mattermost" {
		return runChatMattermost(ctx, args[1:], e)
	}
	var incident *string
	var confirm, manifest *bool
	var announce, pin *string
	cmds := map[string]command{
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
		"slack": {n: 0, help: "the Slack app's connection (its secrets are never shown) and, with --manifest, the app manifest to paste at Slack (admins)",
			flags: func(f *flags) { manifest = f.Bool("manifest", false, "print only the app manifest (YAML)") },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				app, err := c.Chat.Slack(ctx)
				if err != nil {
					return err
				}
				if *manifest {
					_, err := fmt.Fprint(e.stdout, app.Manifest)
					return err
				}
				return cf.print(e.stdout, app, func(tw *tabwriter.Writer) { slackRows(tw, app) })
			}},
		"slack-connect": {n: 0, help: "connect the Slack app (admins): --announce-channel, --pin-reaction; the signing secret from HERALD_SLACK_SIGNING_SECRET and the bot token from HERALD_SLACK_BOT_TOKEN (never flags; unset keeps the stored ones)",
			flags: func(f *flags) {
				announce = f.String("announce-channel", "", "the incident-management channel's id (C0123ABCD) where declarations are announced")
				pin = f.String("pin-reaction", herald.DefaultPinReaction, "the reaction that puts a message of an incident channel on the timeline")
			}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				app, err := c.Chat.ConnectSlack(ctx, herald.SlackInput{SigningSecret: e.getenv("HERALD_SLACK_SIGNING_SECRET"), BotToken: e.getenv("HERALD_SLACK_BOT_TOKEN"),
					AnnounceChannel: *announce, PinReaction: *pin})
				if err != nil {
					return err
				}
				return cf.print(e.stdout, app, func(tw *tabwriter.Writer) { slackRows(tw, app) })
			}},
	}
	maps.Copy(cmds, chatChannelCommands(e)) // chat_channels.go
	return runCommands(ctx, "chat", cmds, args, e)
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

func slackRows(tw *tabwriter.Writer, app client.SlackApp) {
	row(tw, "Connected", map[bool]string{true: "yes", false: "no (herald chat slack-connect)"}[app.Connected])
	row(tw, "Signing secret", map[bool]string{true: "set (hidden)", false: "not set"}[app.SigningSecretSet])
	row(tw, "Bot token", map[bool]string{true: "set (hidden)", false: "not set"}[app.BotTokenSet])
	row(tw, "Announce channel", app.AnnounceChannel)
	row(tw, "Pin reaction", ":"+app.PinReaction+":")
	row(tw, "Manifest", "herald chat slack --manifest")
}
