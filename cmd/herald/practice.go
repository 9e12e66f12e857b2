package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// runPractice is `herald practice ...`: practice events (R63). `run FILE`
// starts a run of a scenario on the server and follows it; the server's
// playbook loop plays the steps, so the run goes on if the command stops.
func runPractice(ctx context.Context, args []string, e env) error {
	var with *list
	var poll *time.Duration
	var detach *bool
	var limit *int
	return runCommands(ctx, "practice", map[string]command{
		"run": {args: "FILE", n: 1, help: "start a practice run of a scenario (JSON or YAML; - reads stdin) and print its progress until every step has played",
			flags: func(f *flags) {
				with = f.list("with", "another participant (e-mail or id), besides you and the scenario's")
				poll = f.duration("poll", 2*time.Second, "how often to look for progress")
				detach = f.Bool("detach", false, "start it and return at once")
			}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				text, err := readScenario(e, pos[0])
				if err != nil {
					return err
				}
				run, err := c.Practice.StartPractice(ctx, herald.PracticeStartInput{Scenario: text, Participants: *with})
				if err != nil {
					return err
				}
				if *detach || *cf.output == "json" {
					return cf.print(e.stdout, run, func(tw *tabwriter.Writer) { practiceRows(tw, run) })
				}
				names := make([]string, len(run.Participants))
				for i, p := range run.Participants {
					names[i] = p.Name
				}
				fmt.Fprintf(e.stdout, "Started practice run %s (%s): %s\nParticipants: %s\nSandbox status page: %s\n",
					run.ID, run.Reference, run.Title, strings.Join(names, ", "), run.SandboxURL)
				return followPractice(ctx, c, run, *poll, e.stdout)
			}},
		"list": {n: 0, help: "practice runs, newest first", flags: func(f *flags) { limit = f.Int("limit", 20, "at most this many") },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				runs, err := c.Practice.PracticeRuns(ctx, *limit)
				if err != nil {
					return err
				}
				return cf.print(e.stdout, runs, func(tw *tabwriter.Writer) {
					if len(runs) == 0 {
						row(tw, "No practice runs.")
						return
					}
					row(tw, "ID", "INCIDENT", "STARTED", "FINISHED", "STEPS", "PARTICIPANTS", "TITLE")
					for _, r := range runs {
						row(tw, r.ID, r.Reference, ts(r.StartedAt), orDash(tsp(r.FinishedAt)), fmt.Sprintf("%d/%d", r.Played, r.Steps), len(r.Participants), truncate(r.Title, 50))
					}
				})
			}},
		"show": {args: "ID", n: 1, help: "a practice run with its timeline", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			r, err := c.Practice.PracticeRun(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, r, func(tw *tabwriter.Writer) { practiceRows(tw, r) })
		}},
		"finish": {args: "ID", n: 1, help: "finish a practice run: the steps left are not played", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			r, err := c.Practice.FinishPractice(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, r, func(tw *tabwriter.Writer) { practiceRows(tw, r) })
		}},
	}, args, e)
}

func readScenario(e env, path string) (string, error) {
	var r io.Reader = e.stdin
	if path != "-" {
		fh, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer fh.Close()
		r = fh
	}
	b, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// followPractice prints each new line of a run's timeline until every step
// has played or the run has finished.
func followPractice(ctx context.Context, c *client.Client, run *herald.PracticeRun, poll time.Duration, w io.Writer) error {
	seen := 0
	for {
		r, err := c.Practice.PracticeRun(ctx, run.ID)
		if err != nil {
			return err
		}
		for _, ev := range r.Timeline[min(seen, len(r.Timeline)):] {
			who := ""
			if ev.User != "" {
				who = ev.User + ": "
			}
			fmt.Fprintf(w, "%s  %-8s  %s%s\n", ev.At.UTC().Format("15:04:05"), ev.Kind, who, ev.Text)
		}
		seen = len(r.Timeline)
		if r.FinishedAt != nil {
			fmt.Fprintf(w, "The run has finished (%d of %d steps played).\n", r.Played, r.Steps)
			return nil
		}
		if r.Played >= r.Steps {
			fmt.Fprintf(w, "All %d steps have played. Finish the run with: herald practice finish %s\n", r.Steps, r.ID)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

func practiceRows(tw *tabwriter.Writer, r *herald.PracticeRun) {
	row(tw, "ID:", r.ID)
	row(tw, "Title:", r.Title)
	row(tw, "Incident:", r.Reference)
	row(tw, "Started:", ts(r.StartedAt)+" by "+r.StartedBy)
	row(tw, "Finished:", orDash(tsp(r.FinishedAt)))
	row(tw, "Steps:", fmt.Sprintf("%d of %d played", r.Played, r.Steps))
	row(tw, "Sandbox:", r.SandboxURL)
	for _, p := range r.Participants {
		row(tw, "Participant:", p.Name+" <"+p.Email+">")
	}
	for _, ev := range r.Timeline {
		row(tw, ts(ev.At), ev.Kind, ev.User, ev.Text)
	}
}
