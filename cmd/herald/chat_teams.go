package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/notify"
)

// runChatTeams is `herald chat teams test URL`: it sends a test card to a
// Microsoft Teams webhook from this machine, so an admin sees before
// saving the URL that the Workflow posts to the channel. The URL is
// checked as Herald checks it when it is saved (a Workflows host; an old
// connector's is sent to with a warning). It is a secret: it is never
// printed back.
func runChatTeams(ctx context.Context, args []string, e env) error {
	const synopsis = "chat teams test URL [flags]"
	if len(args) == 0 || isHelp(args[0]) || args[0] != "test" {
		fmt.Fprintln(e.stderr, "Usage: herald "+synopsis+"\n\nSends a test Adaptive Card to a Microsoft Teams Workflows webhook (docs/CHATOPS.md, Teams).")
		if len(args) > 0 && isHelp(args[0]) {
			return nil
		}
		return usagef("herald chat teams takes: test URL")
	}
	f := newFlags("chat teams test", synopsis, e)
	console := f.string("console", "", "the console's base URL, for the card's button (https://herald.example.com)")
	allowPrivate := f.bool("webhook-allow-private", "send to any http(s) URL, internal addresses included (a local test receiver)")
	pos, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("herald chat teams test takes the webhook URL (quote it: it has & in it)")
	}
	target := pos[0]
	if *allowPrivate {
		if u, err := url.Parse(target); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return usagef("URL: must be an http or https URL")
		}
	} else {
		legacy, err := herald.CheckTeamsURL(target)
		if err != nil {
			return usagef("URL: %s", err.(*herald.Error).Message)
		}
		if legacy {
			fmt.Fprintln(e.stderr, "warning: "+herald.TeamsLegacyWarning)
		}
	}
	link := ""
	if *console != "" {
		if err := herald.CheckLink(*console); err != nil {
			return usagef("--console: must be an http or https URL")
		}
		link = *console
	}
	n := herald.TestNotice("your", "Teams channel", link)
	id := make([]byte, 16)
	rand.Read(id)
	m := notify.Message{ID: "test-" + hex.EncodeToString(id), Kind: "teams", Target: target, Event: n.Event, Subject: n.Subject,
		Text: n.Body, URL: n.URL, Facts: []notify.Fact{{Title: "Sent", Value: time.Now().UTC().Format("2006-01-02 15:04 UTC")}}}
	if err := notify.CheckTeamsCard(notify.TeamsCard(m), link); err != nil {
		return fmt.Errorf("the test card is not one Teams takes: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := notify.NewPublicWebhook(*allowPrivate).Send(ctx, m); err != nil {
		return fmt.Errorf("the test card was not taken: %w", err)
	}
	fmt.Fprintln(e.stdout, "Sent a test card: look for it in the channel. (A Workflow answers at once and posts a moment later; if nothing shows, open the flow's run history in Power Automate.)")
	return nil
}
