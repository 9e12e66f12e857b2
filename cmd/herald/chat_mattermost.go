package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// runChatMattermost is `herald chat mattermost connect|show|disconnect`:
// the Mattermost connection (docs/CHATOPS.md, Mattermost), through the
// API. Tokens come from the environment, never from flags (a flag is in
// the shell's history and the process list).
func runChatMattermost(ctx context.Context, args []string, e env) error {
	var server, team, announce *string
	return runCommands(ctx, "chat mattermost", map[string]command{
		"show": {n: 0, help: "the Mattermost connection (its tokens are never shown) and the URLs to give Mattermost (admins)",
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				app, err := c.Chat.Mattermost(ctx)
				if err != nil {
					return err
				}
				return cf.print(e.stdout, app, func(tw *tabwriter.Writer) { mattermostRows(tw, app) })
			}},
		"connect": {n: 0, help: "connect Mattermost (admins): --server-url, --team, --announce-channel; the bot token from HERALD_MATTERMOST_BOT_TOKEN, the slash command token(s) from HERALD_MATTERMOST_COMMAND_TOKENS (comma-separated) and the outgoing webhook token from HERALD_MATTERMOST_WEBHOOK_TOKEN (unset keeps the stored ones); flags not given keep their stored values",
			flags: func(f *flags) {
				server = f.String("server-url", "", "the Mattermost server's address (https://mattermost.example.com)")
				team = f.String("team", "", "the team's id (26 letters and digits)")
				announce = f.String("announce-channel", "", `the incident-management channel's id where declarations are announced ("none" for no announcement)`)
			}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				cur, err := c.Chat.Mattermost(ctx)
				if err != nil {
					return err
				}
				in := herald.MattermostInput{ServerURL: cur.ServerURL, TeamID: cur.TeamID, AnnounceChannel: cur.AnnounceChannel,
					BotToken: e.getenv("HERALD_MATTERMOST_BOT_TOKEN"), WebhookToken: e.getenv("HERALD_MATTERMOST_WEBHOOK_TOKEN")}
				if t := e.getenv("HERALD_MATTERMOST_COMMAND_TOKENS"); t != "" {
					in.CommandTokens = strings.Split(t, ",")
				}
				if *server != "" {
					in.ServerURL = *server
				}
				if *team != "" {
					in.TeamID = *team
				}
				switch *announce {
				case "":
				case "none":
					in.AnnounceChannel = ""
				default:
					in.AnnounceChannel = *announce
				}
				app, err := c.Chat.ConnectMattermost(ctx, in)
				if err != nil {
					return err
				}
				return cf.print(e.stdout, app, func(tw *tabwriter.Writer) { mattermostRows(tw, app) })
			}},
		"disconnect": {n: 0, help: "disconnect Mattermost and forget its tokens (admins); its requests are refused from then on",
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				if err := c.Chat.DisconnectMattermost(ctx); err != nil {
					return err
				}
				_, err := fmt.Fprintln(e.stdout, "Mattermost is disconnected.")
				return err
			}},
	}, args, e)
}

func mattermostRows(tw *tabwriter.Writer, app client.MattermostApp) {
	row(tw, "Connected", map[bool]string{true: "yes", false: "no (herald chat mattermost connect)"}[app.Connected])
	row(tw, "Server", app.ServerURL)
	row(tw, "Team", app.TeamID)
	row(tw, "Announce channel", app.AnnounceChannel)
	row(tw, "Bot token", map[bool]string{true: "set (hidden)", false: "not set"}[app.BotTokenSet])
	row(tw, "Slash command tokens", fmt.Sprintf("%d set (hidden)", app.CommandTokens))
	row(tw, "Outgoing webhook token", map[bool]string{true: "set (hidden)", false: "not set"}[app.WebhookTokenSet])
	row(tw, "Slash command request URL", app.CommandsURL)
	row(tw, "Outgoing webhook callback URL", app.WebhookURL)
	row(tw, "Buttons post to", app.ActionsURL)
}
