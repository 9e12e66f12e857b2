package notify_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/notify"
)

// acParse parses each card given on the command line with the Adaptive
// Cards JavaScript library, targeting schema 1.4, and prints every parse
// and validation event (an unknown element or action, a bad property).
const acParse = `
const AC = require(process.env.HERALD_ADAPTIVECARDS_JS);
let bad = 0;
for (const f of process.argv.slice(2)) {
  const env = JSON.parse(require('fs').readFileSync(f, 'utf8'));
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext(new AC.Version(1, 4));
  card.parse(env.attachments[0].content, ctx);
  for (let i = 0; i < ctx.eventCount; i++) { bad++; console.log(f, ctx.getEventAt(i).message); }
  for (const e of (card.validateProperties().validationEvents || [])) { bad++; console.log(f, e.message); }
  if (card.getItemCount() === 0) { bad++; console.log(f, 'no body'); }
}
process.exit(bad ? 1 : 0);
`

// The cards parse cleanly with Microsoft's Adaptive Cards library at
// version 1.4, when it is at hand: HERALD_ADAPTIVECARDS_JS names its
// dist/adaptivecards.js (npm package adaptivecards) and node is
// installed. The library ships no JSON schema, so this is the closest to
// the published schema that runs without the internet.
func TestTeamsCardParsesWithAdaptiveCardsJS(t *testing.T) {
	lib := os.Getenv("HERALD_ADAPTIVECARDS_JS")
	node, err := exec.LookPath("node")
	if lib == "" || err != nil {
		t.Skip("set HERALD_ADAPTIVECARDS_JS to the adaptivecards package's dist/adaptivecards.js, with node installed")
	}
	dir := t.TempDir()
	cards := map[string]notify.Message{
		"page": {Subject: "Paged: db down", Text: "The database is down.", Facts: []notify.Fact{{Title: "Service", Value: "db"}, {Title: "Escalation", Value: "level 1"}},
			Links: []notify.Link{{Title: "Acknowledge", URL: "https://herald.example.com/ack/t", Primary: true}, {Title: "Open the page", URL: "https://herald.example.com/app/pages/p"}}},
		"long":     {Subject: "Long", Text: strings.Repeat("a <b> & \"c\" 日本 ", 4000), URL: "https://herald.example.com/app/incidents/INC-1"},
		"no facts": {Subject: "[Herald] INC-1", Text: "INC-1"},
	}
	args := []string{"-e", acParse}
	for name, m := range cards {
		f := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		if err := os.WriteFile(f, notify.TeamsCard(m), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, f)
	}
	cmd := exec.Command(node, args...)
	cmd.Env = append(os.Environ(), "HERALD_ADAPTIVECARDS_JS="+lib)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}
