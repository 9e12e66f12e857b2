package slack

import (
	"fmt"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

// The composer stays within Block Kit's limits for modals whatever it is
// given: a long title, 150 templates (some with names too long to be a
// value), 120 components with long names, a message over 3,000
// characters; and CheckView refuses what breaks a limit.
func TestStatusView_BlockKitLimits(t *testing.T) {
	comp := &herald.StatusComposer{Incident: "INC-123456", State: herald.Monitoring, Limits: herald.DefaultUpdateLimits}
	for i := range 150 {
		name := fmt.Sprint("template ", i)
		if i%7 == 0 {
			name = strings.Repeat("n", 160) + fmt.Sprint(i)
		}
		comp.Templates = append(comp.Templates, herald.ChatTemplate{Name: name, Text: strings.Repeat("t", 4000)})
	}
	v := composerView{Incident: &herald.Incident{Reference: "INC-123456", Title: strings.Repeat("<&> title ", 40), Severity: herald.S1, State: herald.Monitoring},
		Composer: comp, Settings: herald.Settings{UpdateLimits: herald.DefaultUpdateLimits, IncidentLink: herald.LinkAppend},
		Meta: modalMeta{Incident: "INC-123456", ResponseURL: "https://hooks.slack.com/commands/T1/" + strings.Repeat("9", 200), Version: 7},
		Text: strings.Repeat("é", 3500), Template: "template 3", State: herald.Monitoring}
	for i := range 120 {
		v.Components = append(v.Components, componentChoice{ID: fmt.Sprint("c", i), Name: strings.Repeat("component ", 300), Status: herald.PartialOutage})
	}
	view := v.build()
	if err := CheckView(view); err != nil {
		t.Fatal(err)
	}
	if n := len(view["blocks"].([]Block)); n > MaxViewBlocks {
		t.Fatalf("%d blocks", n)
	}
	for _, c := range []struct {
		name   string
		change func(View)
	}{
		{"title of 25", func(v View) { v["title"] = plainText(strings.Repeat("t", 25)) }},
		{"submit of 25", func(v View) { v["submit"] = plainText(strings.Repeat("s", 25)) }},
		{"101 blocks", func(v View) {
			var bs []Block
			for range 101 {
				bs = append(bs, Block{"type": "section", "text": mrkdwn("x")})
			}
			v["blocks"] = bs
		}},
		{"metadata of 3001", func(v View) { v["private_metadata"] = strings.Repeat("m", 3001) }},
		{"option value of 151", func(v View) {
			v["blocks"] = []Block{{"type": "input", "block_id": "b", "label": plainText("L"), "element": map[string]any{"type": "static_select", "action_id": "a",
				"options": []any{map[string]any{"text": plainText("o"), "value": strings.Repeat("v", 151)}}}}}
		}},
		{"initial option not an option", func(v View) {
			v["blocks"] = []Block{{"type": "input", "block_id": "b", "label": plainText("L"), "element": map[string]any{"type": "static_select", "action_id": "a",
				"options": []any{map[string]any{"text": plainText("o"), "value": "v"}}, "initial_option": map[string]any{"text": plainText("w"), "value": "w"}}}}
		}},
		{"duplicate block ids", func(v View) {
			v["blocks"] = []Block{{"type": "section", "block_id": "x", "text": mrkdwn("a")}, {"type": "section", "block_id": "x", "text": mrkdwn("b")}}
		}},
		{"initial value of 3001", func(v View) {
			v["blocks"] = []Block{{"type": "input", "block_id": "b", "label": plainText("L"), "element": map[string]any{"type": "plain_text_input", "action_id": "a", "initial_value": strings.Repeat("v", 3001)}}}
		}},
	} {
		bad := v.build()
		c.change(bad)
		if err := CheckView(bad); err == nil {
			t.Errorf("%s: passed", c.name)
		}
	}
}

func plainText(s string) map[string]any { return map[string]any{"type": "plain_text", "text": s} }
