package herald

import (
	"net/url"
	"strings"
)

// Microsoft Teams webhook URLs. A Teams channel is reached through a
// Workflows webhook: the Power Automate flow "Post to a channel when a
// webhook request is received", whose URL is on a Logic Apps or Power
// Platform host. The Office 365 connectors' incoming webhooks
// (…webhook.office.com/webhookb2/…) it replaces are retired; Herald still
// sends to them while an organisation moves, and says so (doctor, the
// contact method, the stakeholder channel). A webhook URL is a credential:
// whoever has it posts to the channel.

// teamsWorkflowHosts are the host suffixes of Workflows webhooks
// (commercial and US government clouds).
var teamsWorkflowHosts = []string{".logic.azure.com", ".logic.azure.us", ".environment.api.powerplatform.com",
	".environment.api.powerplatform.us", ".powerautomate.com", ".powerautomate.us"}

// teamsLegacyHosts are the hosts of the retired connectors' incoming
// webhooks.
var teamsLegacyHosts = []string{".webhook.office.com", "outlook.office.com", "outlook.office365.com"}

// TeamsLegacyWarning is what Herald tells an admin about an old connector
// URL.
const TeamsLegacyWarning = "this is an old Office 365 connector URL (webhook.office.com): Microsoft retired these connectors; make a Workflow (\"Post to a channel when a webhook request is received\") and replace the URL with the Workflow's"

// CheckTeamsURL checks a Teams webhook URL: https, on a Workflows host or
// an old connector's. legacy says it is an old connector's (accepted, with
// TeamsLegacyWarning). The error does not repeat the URL (it is a secret).
func CheckTeamsURL(raw string) (legacy bool, err error) {
	u, perr := url.Parse(strings.TrimSpace(raw))
	if perr != nil || u.Host == "" {
		return false, Errorf(EInvalid, "is not a URL: paste the Workflow's HTTP POST URL")
	}
	if u.Scheme != "https" {
		return false, Errorf(EInvalid, "must be an https URL")
	}
	if u.User != nil {
		return false, Errorf(EInvalid, "must not carry a user name or password")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	for _, h := range teamsLegacyHosts {
		if host == strings.TrimPrefix(h, ".") || strings.HasSuffix(host, h) {
			return true, nil
		}
	}
	for _, h := range teamsWorkflowHosts {
		if strings.HasSuffix(host, h) {
			return false, nil
		}
	}
	return false, Errorf(EInvalid, "is not a Microsoft Teams Workflows webhook: its host must end in logic.azure.com, environment.api.powerplatform.com or powerautomate.com (or be an old connector's webhook.office.com)")
}

// TeamsURLWarning is the warning to show for a contact method or channel:
// TeamsLegacyWarning for an old connector URL, "" otherwise.
func TeamsURLWarning(kind, target string) string {
	if kind != "teams" {
		return ""
	}
	if legacy, err := CheckTeamsURL(target); err == nil && legacy {
		return TeamsLegacyWarning
	}
	return ""
}
