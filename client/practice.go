package client

import (
	"context"
	"strconv"

	"github.com/heraldhq/herald"
)

// StartPractice starts a practice run (R63) of a scenario's text, JSON or
// YAML, with extra participants (e-mail or id).
func (c *PracticeClient) StartPractice(ctx context.Context, in herald.PracticeStartInput) (*herald.PracticeRun, error) {
	var out herald.PracticeRun
	return &out, c.do(ctx, "POST", "/api/v1/practice/runs", in, &out)
}

// PracticeRuns lists practice runs, newest first (limit 0: the server's
// default).
func (c *PracticeClient) PracticeRuns(ctx context.Context, limit int) ([]herald.PracticeRun, error) {
	path := "/api/v1/practice/runs"
	if limit > 0 {
		path += "?limit=" + strconv.Itoa(limit)
	}
	var out struct {
		Runs []herald.PracticeRun `json:"runs"`
	}
	return out.Runs, c.do(ctx, "GET", path, nil, &out)
}

// PracticeRun reads a run with its timeline.
func (c *PracticeClient) PracticeRun(ctx context.Context, id string) (*herald.PracticeRun, error) {
	var out herald.PracticeRun
	return &out, c.do(ctx, "GET", "/api/v1/practice/runs/"+esc(id), nil, &out)
}

// FinishPractice ends a run.
func (c *PracticeClient) FinishPractice(ctx context.Context, id string) (*herald.PracticeRun, error) {
	var out herald.PracticeRun
	return &out, c.do(ctx, "POST", "/api/v1/practice/runs/"+esc(id)+"/finish", nil, &out)
}

// SandboxPage reads a run's sandbox status page.
func (c *PracticeClient) SandboxPage(ctx context.Context, id string) (*herald.SandboxPage, error) {
	var out herald.SandboxPage
	return &out, c.do(ctx, "GET", "/api/v1/practice/runs/"+esc(id)+"/sandbox", nil, &out)
}
