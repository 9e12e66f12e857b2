package console_test

import (
	"encoding/csv"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The measures screen: the report with its charts drawn as SVG (title and
// description, the numbers in tables too), one person's report, the CSV,
// and a bad period shown again naming the field.
func TestRule62_MeasuresScreen(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		inc := e.declare(t, "Checkout fails", herald.S2)
		_ = inc
		e.clock.Advance(time.Hour)
		b := e.browser(t)
		b.signIn("viewer@example.com")
		day := e.clock.Now().Format("2006-01-02")
		res, body := b.get("/app/measures?from=" + day + "&to=" + day)
		if res.StatusCode != 200 {
			t.Fatalf("status %d\n%s", res.StatusCode, body)
		}
		for _, want := range []string{
			`<a href="/app/measures" aria-current="page">Measures</a>`,
			`<svg class="chart" role="img" aria-labelledby="chart-ack-t chart-ack-d"`,
			`<title id="chart-ack-t">Time to acknowledge by role</title>`,
			`<desc id="chart-ack-d">`,
			`<title id="chart-shares-t">Shares on time</title>`,
			`<title id="chart-mttr-t">Time to resolve by severity</title>`,
			`<th scope="row">S2</th><td>1</td>`, // the incident declared, in the table
			`<th scope="row">Communications Manager</th>`,
			`Download as CSV`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the screen lacks %q", want)
			}
		}
		if strings.Contains(body, "style=") {
			t.Error("an inline style: the CSP forbids them")
		}
		// Each chart is well-formed XML.
		for _, part := range strings.Split(body, "<svg")[1:] {
			svg := "<svg" + part[:strings.Index(part, "</svg>")+len("</svg>")]
			if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
				t.Errorf("an SVG does not parse: %v\n%s", err, svg)
			}
		}

		// One person.
		res, body = b.get("/app/measures?from=" + day + "&to=" + day + "&person=responder@example.com")
		if res.StatusCode != 200 || !strings.Contains(body, "For <strong>") || !strings.Contains(body, `selected>`) {
			t.Errorf("person: %d", res.StatusCode)
		}

		// The CSV link.
		res, body = b.get("/app/measures.csv?from=" + day + "&to=" + day)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || strings.Join(recs[0], ",") != strings.Join(herald.MeasuresCSVHeader, ",") {
			t.Errorf("CSV header %v %v", recs, err)
		}

		// Bad periods: 400, the field named, the input kept.
		res, body = b.get("/app/measures?from=2026-11-30&to=2026-11-01")
		if res.StatusCode != 400 || !strings.Contains(body, "from: must be before to") || !strings.Contains(body, `value="2026-11-30"`) {
			t.Errorf("from after to: %d", res.StatusCode)
		}
		res, body = b.get("/app/measures?to=someday")
		if res.StatusCode != 400 || !strings.Contains(body, "to: must be a date") {
			t.Errorf("unparsable to: %d", res.StatusCode)
		}
		if strings.Contains(body, "<svg") {
			t.Error("charts drawn for a refused period")
		}
	})
}
