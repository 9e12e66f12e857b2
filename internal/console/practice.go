package console

import (
	"io"
	"net/http"
	"net/url"

	"github.com/heraldhq/herald"
)

// The practice screens (R63): the runs with the form that starts one from
// a pasted or uploaded scenario, one run's timeline with its sandbox link,
// and the run's sandbox status page, marked as practice throughout.
func (c *Console) practiceRoutes() []route {
	return []route{
		{method: "GET", path: "/app/practice", role: herald.RoleViewer, serve: c.practiceRuns},
		{method: "POST", path: "/app/practice", role: herald.RoleResponder, serve: c.startPractice},
		{method: "GET", path: "/app/practice/{id}", role: herald.RoleViewer, serve: c.practiceRun},
		{method: "POST", path: "/app/practice/{id}/finish", role: herald.RoleResponder, serve: c.finishPractice},
		{method: "GET", path: "/app/practice/{id}/page", role: herald.RoleViewer, serve: c.practiceSandbox},
	}
}

type practiceView struct {
	Runs  []herald.PracticeRun
	Input url.Values
	Error *herald.Error
}

func (c *Console) practiceRuns(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderPracticeRuns(w, r, a, http.StatusOK, nil, nil)
}

func (c *Console) renderPracticeRuns(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, in url.Values, herr *herald.Error) error {
	runs, err := c.cfg.Services.Practice.PracticeRuns(r.Context(), 50)
	if err != nil {
		return err
	}
	if in == nil {
		in = url.Values{}
	}
	c.render(w, r, status, "practice", a, practiceView{Runs: runs, Input: in, Error: herr})
	return nil
}

// maxScenarioUpload is the most a scenario file may weigh.
const maxScenarioUpload = 1 << 20

func (c *Console) startPractice(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	text := r.PostFormValue("scenario") // parses a multipart form too (the body is bounded by maxFormBytes)
	if fh, _, err := r.FormFile("file"); err == nil {
		b, err := io.ReadAll(io.LimitReader(fh, maxScenarioUpload+1))
		fh.Close()
		if err != nil {
			return err
		}
		if len(b) > 0 {
			text = string(b)
		}
	}
	in := herald.PracticeStartInput{Scenario: text}
	if p := r.PostFormValue("participants"); p != "" {
		in.Participants = splitList(p)
	}
	run, err := c.cfg.Services.Practice.StartPractice(r.Context(), a, in)
	if err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		form := url.Values{"scenario": {text}, "participants": {r.PostFormValue("participants")}}
		return c.renderPracticeRuns(w, r, a, status, form, herr)
	}
	redirect(w, r, "/app/practice/"+url.PathEscape(run.ID), "Practice run started: "+run.Reference+". Its steps play from the server, at their times.")
	return nil
}

func (c *Console) practiceRun(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	run, err := c.cfg.Services.Practice.PracticeRun(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "practice-run", a, run)
	return nil
}

func (c *Console) finishPractice(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	run, err := c.cfg.Services.Practice.FinishPractice(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	redirect(w, r, "/app/practice/"+url.PathEscape(run.ID), "Practice run finished.")
	return nil
}

func (c *Console) practiceSandbox(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	p, err := c.cfg.Services.Practice.SandboxPage(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "practice-page", a, p)
	return nil
}
