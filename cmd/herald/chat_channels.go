package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// chatChannelCommands are `herald chat bind|channels|unbind`: an incident's
// chat channels, bound by hand when the channel exists already.
func chatChannelCommands(e env) map[string]command {
	var platform, channel *string
	channelFlags := func(f *flags) {
		platform = f.String("platform", herald.ChatSlack, "the chat platform: slack or mattermost")
		channel = f.String("channel", "", "the channel's id on the platform (Slack: C0123ABCD)")
	}
	list := func(ctx context.Context, cf clientFlags, c *client.Client, ref string) error {
		chans, err := c.Chat.Channels(ctx, ref)
		if err != nil {
			return err
		}
		return cf.print(e.stdout, chans, func(tw *tabwriter.Writer) {
			row(tw, "PLATFORM", "CHANNEL", "BOUND")
			for _, ch := range chans {
				row(tw, ch.Platform, ch.ChannelID, ts(ch.CreatedAt))
			}
		})
	}
	return map[string]command{
		"bind": {args: "INC", n: 1, help: "bind an existing chat channel to an incident (--platform slack --channel C123): commands typed there act on it, and the incident card is posted there and edited on every change (responders)",
			flags: channelFlags,
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				ch, err := c.Chat.Bind(ctx, pos[0], herald.ChatChannelInput{Platform: *platform, ChannelID: *channel})
				if err != nil {
					return err
				}
				return cf.print(e.stdout, ch, func(tw *tabwriter.Writer) {
					fmt.Fprintf(tw, "Bound the %s channel %s to %s: its card is posted there.\n", ch.Platform, ch.ChannelID, ch.Incident)
				})
			}},
		"channels": {args: "INC", n: 1, help: "list the chat channels bound to an incident",
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				return list(ctx, cf, c, pos[0])
			}},
		"unbind": {args: "INC", n: 1, help: "unbind a chat channel from an incident (--platform slack --channel C123); its card stays as it is (responders)",
			flags: channelFlags,
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				if *channel == "" {
					return usagef("herald chat unbind needs --channel, the channel's id")
				}
				if err := c.Chat.Unbind(ctx, pos[0], *platform, *channel); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "Unbound the %s channel %s from %s.\n", *platform, *channel, pos[0])
				return nil
			}},
	}
}
