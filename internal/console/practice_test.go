package console_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const consoleDrill = "title: Console drill\nsteps:\n  - {at: 0s, kind: status_update, status: identified, text: Giraffe cause found, components: {API: major_outage}}\n"

// R63 in the console: a responder starts a run from a pasted or uploaded
// scenario and sees its timeline and sandbox link; the sandbox page is
// marked practice; a bad scenario is shown again with its error and
// changes nothing; a viewer sees no forms and cannot start or finish one.
func TestRule63_ConsolePracticeScreens(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		name := "API"
		if _, err := e.db.StatusPage.CreateComponent(ctx, herald.Actor{User: e.people[herald.RoleAdmin], Role: herald.RoleAdmin}, herald.ComponentInput{Name: &name}); err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		b.signIn("responder@example.com")
		res, body := b.get("/app/practice")
		if res.StatusCode != 200 || !strings.Contains(body, `action="/app/practice"`) || !strings.Contains(body, `aria-current="page">Practice`) {
			t.Fatalf("list: %d\n%s", res.StatusCode, body)
		}
		bad := "title: x\nsteps:\n  - {at: 0s, kind: dance}\n"
		res, body = b.post("/app/practice", url.Values{"scenario": {bad}})
		if res.StatusCode != 400 || !strings.Contains(body, "scenario.steps[0].kind") || !strings.Contains(body, "kind: dance") {
			t.Fatalf("bad scenario: %d\n%s", res.StatusCode, body)
		}
		if runs, _ := e.db.Practice.PracticeRuns(ctx, 5); len(runs) != 0 {
			t.Fatalf("a refused scenario started: %+v", runs)
		}
		res, _ = b.post("/app/practice", url.Values{"scenario": {consoleDrill}})
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/app/practice/") {
			t.Fatalf("start: %d %s", res.StatusCode, loc)
		}
		runs, _ := e.db.Practice.PracticeRuns(ctx, 5)
		if len(runs) != 1 || runs[0].Title != "Console drill" {
			t.Fatalf("runs: %+v", runs)
		}
		id := runs[0].ID
		if err := e.db.Work.RunPlaybook(ctx); err != nil {
			t.Fatal(err)
		}
		_, body = b.get("/app/practice/" + id)
		for _, want := range []string{"[PRACTICE]", "Console drill", "/app/practice/" + id + "/page", "Giraffe cause found", "1 of 1", "Finish the run"} {
			if !strings.Contains(body, want) {
				t.Fatalf("run page lacks %q:\n%s", want, body)
			}
		}
		_, body = b.get("/app/practice/" + id + "/page")
		if !strings.Contains(body, `class="practice-banner"`) || !strings.Contains(body, "Giraffe cause found") || !strings.Contains(body, "major_outage") {
			t.Fatalf("sandbox page:\n%s", body)
		}

		// Uploaded as a file, in a multipart form.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "drill.yaml")
		io.WriteString(fw, strings.Replace(consoleDrill, "Console drill", "Uploaded drill", 1))
		mw.Close()
		req, _ := http.NewRequest("POST", e.http.URL+"/app/practice", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		up, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		up.Body.Close()
		if up.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d", up.StatusCode)
		}
		if runs, _ := e.db.Practice.PracticeRuns(ctx, 5); len(runs) != 2 || runs[0].Title != "Uploaded drill" {
			t.Fatalf("after upload: %+v", runs)
		}

		v := e.browser(t)
		v.signIn("viewer@example.com")
		_, body = v.get("/app/practice/" + id)
		if strings.Contains(body, "Finish the run") {
			t.Fatal("a viewer sees the finish button")
		}
		if _, body = v.get("/app/practice"); strings.Contains(body, `action="/app/practice"`) {
			t.Fatal("a viewer sees the start form")
		}
		if res, _ := v.post("/app/practice/"+id+"/finish", url.Values{}); res.StatusCode != 403 {
			t.Fatalf("viewer finishes: %d", res.StatusCode)
		}
		if res, _ := v.post("/app/practice", url.Values{"scenario": {consoleDrill}}); res.StatusCode != 403 {
			t.Fatalf("viewer starts: %d", res.StatusCode)
		}
		if res, _ := b.post("/app/practice/"+id+"/finish", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("finish: %d", res.StatusCode)
		}
		if r, _ := e.db.Practice.PracticeRun(ctx, id); r.FinishedAt == nil {
			t.Fatal("not finished")
		}
	})
}
