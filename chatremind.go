package herald

import "time"

// Cadence reminders in an incident's chat channels (issue 15 item 2): when
// the playbook reminds that a public update is due (PromptUpdateDue), the
// channels bound to the incident get one post too, with the two answers a
// reminder asks for as buttons. The reply is platform-neutral: each
// adapter renders its actions its own way.

// ChatActionNoMaterial is the "No material updates" button (R15).
const ChatActionNoMaterial = "no_material_updates"

// NoMaterialCommand is what the "No material updates" button carries: not
// a command of the grammar (nobody types it), a button's own value that
// each adapter maps to StatusPageService.NoMaterialUpdates.
const NoMaterialCommand = "no-material-updates "

// NoMaterialChatAction is the button of a cadence reminder that publishes
// "no material updates" (R15) for an incident.
func NoMaterialChatAction(ref string) ChatAction {
	return ChatAction{ID: ChatActionNoMaterial, Label: "No material updates", Command: NoMaterialCommand + ref}
}

// UpdateDueChatReply is the reminder posted in an incident's channels
// when its public update is due: the reminder's text, "Publish update"
// (the status composer; a modal on Slack) and "No material updates".
// noMaterialURL is the console's one-action screen the text points to,
// link the incident in the console.
func UpdateDueChatReply(ref, title, stage string, due, now time.Time, noMaterialURL, link string) ChatReply {
	n := UpdateDueNotice(ref, title, stage, due, now, noMaterialURL)
	return ChatReply{Text: n.Subject + "\n" + n.Body, Incident: ref, Link: link, Actions: []ChatAction{
		{ID: ChatActionPublish, Label: "Publish update", Command: "status " + ref, Style: "primary"},
		NoMaterialChatAction(ref),
	}}
}

// UpdateDueChatKey is the chat lane's idempotency key of a reminder in
// one channel: once per incident, due time and channel, however often the
// playbook runs and whichever stage (due, overdue) finds it first.
func UpdateDueChatKey(platform, channel, incidentID string, due time.Time) string {
	return "update-due:" + platform + ":" + incidentID + ":" + due.UTC().Format(time.RFC3339Nano) + ":" + channel
}
