package main

import (
	"context"
	"strings"
	"text/tabwriter"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// runStakeholder is `herald stakeholder list|add`: the internal channels
// that receive stakeholder notices and internal updates (R19).
func runStakeholder(ctx context.Context, args []string, e env) error {
	var email, webhook, slack, teams, mm *string
	return runCommands(ctx, "stakeholder", map[string]command{
		"list": {n: 0, help: "the stakeholder channels (URLs masked: admins see scheme, host and last 4 characters)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.StatusPage.StakeholderChannels(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				row(tw, "ID", "KIND", "TARGET", "STATE", "ADDED")
				for _, s := range list {
					row(tw, s.ID, s.Kind, s.Target, subscriberState(s), ts(s.CreatedAt))
				}
			})
		}},
		"add": {n: 0, help: "add a channel (admin): one of --email, --webhook, --slack, --teams, --mattermost", flags: func(f *flags) {
			email = f.String("email", "", "an e-mail address")
			webhook = f.String("webhook", "", "a webhook URL (signed; the secret is shown once)")
			slack = f.String("slack", "", "a Slack incoming webhook URL")
			teams = f.String("teams", "", "a Microsoft Teams incoming webhook URL")
			mm = f.String("mattermost", "", "a Mattermost incoming webhook URL")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			s, err := c.StatusPage.AddStakeholderChannel(ctx, herald.SubscriberInput{Email: *email, WebhookURL: *webhook, SlackURL: *slack, TeamsURL: *teams, MattermostURL: *mm})
			if err != nil {
				return err
			}
			return cf.print(e.stdout, s, func(tw *tabwriter.Writer) {
				row(tw, "ID", s.ID)
				row(tw, "Kind", s.Kind)
				row(tw, "Target", s.Target)
				row(tw, "State", subscriberState(s))
				if s.Secret != "" {
					row(tw, "Signing secret", s.Secret+"  (shown once)")
				}
			})
		}},
	}, args, e)
}

// subscriberState is confirmed, unconfirmed or paused (deliveries kept
// failing).
func subscriberState(s herald.Subscriber) string {
	var st []string
	if s.Confirmed {
		st = append(st, "confirmed")
	} else {
		st = append(st, "unconfirmed")
	}
	if s.Paused {
		st = append(st, "paused")
	}
	return strings.Join(st, ", ")
}
