package slack

import "strings"

// The request URLs Herald serves for its Slack app, under the API.
const (
	CommandsPath    = "/api/v1/chat/slack/commands"
	InteractivePath = "/api/v1/chat/slack/interactive"
	EventsPath      = "/api/v1/chat/slack/events"
)

// manifestTemplate is the Slack app manifest (YAML) for an app in HTTP
// mode: the slash command, interactivity and the events Herald reads, and
// the bot scopes of the Web API methods it calls (chat:write to post and
// edit, channels:manage to make incident channels and invite, users:read
// and users:read.email to map people by their confirmed address,
// channels:history to read a pinned message, im:write for direct
// messages).
const manifestTemplate = `display_information:
  name: Herald
  description: Incident response from Slack
features:
  bot_user:
    display_name: Herald
    always_online: true
  slash_commands:
    - command: /herald
      url: {base}{commands}
      description: Run Herald (declare, status, page, ack, escalate, resolve, role, decision, follow-up, note, severity, handover, oncall, help)
      usage_hint: help
      should_escape: true
oauth_config:
  scopes:
    bot:
      - commands
      - chat:write
      - chat:write.public
      - channels:manage
      - channels:read
      - channels:history
      - groups:history
      - reactions:read
      - users:read
      - users:read.email
      - im:write
settings:
  event_subscriptions:
    request_url: {base}{events}
    bot_events:
      - message.channels
      - message.groups
      - reaction_added
  interactivity:
    is_enabled: true
    request_url: {base}{interactive}
  org_deploy_enabled: false
  socket_mode_enabled: false
  token_rotation_enabled: false
`

// Manifest is the app manifest to paste at Slack's "Create an app", filled
// with this server's address (links.Base, like https://herald.example.com).
func Manifest(base string) string {
	return strings.NewReplacer("{base}", strings.TrimRight(base, "/"), "{commands}", CommandsPath, "{events}", EventsPath, "{interactive}", InteractivePath).Replace(manifestTemplate)
}
