package herald

import "testing"

func TestCheckTeamsURL(t *testing.T) {
	for _, c := range []struct {
		url           string
		legacy, valid bool
	}{
		{"https://prod-12.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x", false, true},
		{"https://default0a1b.2c.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke", false, true},
		{"https://prod-01.usgovtexas.logic.azure.us/workflows/abc", false, true},
		{"https://contoso.webhook.office.com/webhookb2/1@2/IncomingWebhook/3/4", true, true},
		{"https://outlook.office.com/webhook/1@2/IncomingWebhook/3/4", true, true},
		{"http://prod-12.westus.logic.azure.com/workflows/abc", false, false},
		{"https://user:pw@prod-12.westus.logic.azure.com/workflows/abc", false, false},
		{"https://logic.azure.com.evil.example/workflows/abc", false, false},
		{"https://hooks.slack.com/services/T/B/X", false, false},
		{"not a url", false, false},
	} {
		legacy, err := CheckTeamsURL(c.url)
		if (err == nil) != c.valid || legacy != c.legacy {
			t.Errorf("%s: legacy %v, %v", c.url, legacy, err)
		}
		if err != nil && ErrorCode(err) != EInvalid {
			t.Errorf("%s: code %s", c.url, ErrorCode(err))
		}
	}
	if TeamsURLWarning("teams", "https://contoso.webhook.office.com/webhookb2/x") != TeamsLegacyWarning || TeamsURLWarning("slack", "https://contoso.webhook.office.com/webhookb2/x") != "" {
		t.Error("warning")
	}
}
