// Command herald is Herald in one binary: the server (herald serve), its
// database migrations (herald migrate), and a command line client for the
// API (herald incident, herald token, herald user).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		var logged loggedError
		if !errors.Is(err, flag.ErrHelp) && !errors.As(err, &logged) {
			fmt.Fprintln(os.Stderr, "herald:", err)
		}
		os.Exit(exitCode(err))
	}
}

// exitCode is 2 for usage errors, 1 for everything else.
func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// env is how a command reads its environment; tests pass a map.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

const usage = `Herald: incident response and communications.

Usage:
  herald serve [flags]        run the server (API, pages, background work)
  herald migrate [flags]      apply database migrations and exit
  herald incident ...         declare, list, show, update, note, decide, resolve, assign, label, follow-up, review, approve-review, publish-review, export
  herald followups [--overdue] follow-ups across incidents; --overdue for those past their due date
  herald component ...        list, create, update, delete status page components; propose, proposals, approve, reject (R21)
  herald status ...           list, show, create, update, resolve, postmortem status page incidents; templates
  herald maintenance ...      list, create, update, approve, post, start, complete, cancel maintenances
  herald page --service S --summary T   page a service's responders (page list|show|ack|escalate|snooze|resolve)
  herald service ...          list, create services (integration keys)
  herald policy ...           list, show, create escalation policies; template r05|r07 adds one
  herald oncall SCHEDULE      who is on call now (--at TIME for another moment)
  herald schedule ...         list, create, shifts, override on-call schedules; offer, offers, take, withdraw shift swaps
  herald export-static DIR    write the public status page as plain files (--watch to keep it current);
                              DIR may be s3://BUCKET/PREFIX (--s3-endpoint URL) for object storage
  herald token ...            create, list, revoke API tokens
  herald user ...             create, list, set-role, set-manager, qualify, sessions, test-contact users
  herald settings get|set     print the settings document, or save one (-f FILE) or keys (KEY=VALUE)
  herald stakeholder ...      list, add the channels that receive stakeholder notices (R19)
  herald request ...          list, show, open, note, done, cancel contact requests (R61)
  herald handover ...         list, show, start, save, submit, ack shift handovers; role (live handover) (R60)
  herald tickets ...          show, tag, sweep, tag-found support tickets of an incident; connect the desk (R20)
  herald practice ...         run a practice scenario in a sandbox (R63); list, show, finish runs
  herald subscriber ...       counts, export [FILE], import FILE status page subscribers (CSV)
  herald team ...             list, show, create, set, add-member, remove-member, delete teams
  herald apply -f FILE        make the configuration match a YAML document (plan first; --dry-run, --prune, --yes)
  herald export-config        write the configuration as that document (secrets named, never written)
  herald import VENDOR        bring in on-call configuration from pagerduty, grafana-oncall or opsgenie (their APIs)
  herald tenant ...           list, show, create, update, delete, import, export, link single-tenant customers
  herald notice ...           open, list, show, send, reply, view customer notice threads; templates; ask, approve, reject (R44)
  herald notice ...           open, list, show, send, reply, view customer notice threads; templates
  herald chat run "LINE"      run a chat command (the chat-ops grammar: declare, status, ack, note...)
  herald chat teams test URL  send a test card to a Microsoft Teams Workflows webhook
  herald chat mattermost ...  connect, show, disconnect the Mattermost integration
  herald doctor               list configuration gaps (exits 1 when there are errors)
  herald measures             the measures report over a period, per role and person (--from, --to, --person, --csv)
  herald migrate --status     list the migrations, applied and pending
  herald backup FILE          copy the running SQLite database and its secret key into FILE (.tar.gz)
  herald restore FILE         put a backup into an empty data folder
  herald version              print the version, commit and build date
  herald completion SHELL     a completion script for bash, zsh or fish

Run 'herald COMMAND --help' for a command's flags. Every flag has an
environment twin: --database-url is HERALD_DATABASE_URL.
`

// run is the command line. --help anywhere is asked for, not a mistake:
// the usage went to stdout and the exit status is 0.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if err := dispatch(ctx, args, getenv, stdin, stdout, stderr); !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usagef("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, e)
	case "migrate":
		return runMigrate(ctx, rest, e)
	case "backup":
		return runBackup(ctx, rest, e)
	case "restore":
		return runRestore(ctx, rest, e)
	case "incident", "incidents", "inc":
		return runIncident(ctx, rest, e)
	case "followups", "follow-ups":
		return runFollowUps(ctx, rest, e)
	case "component", "components":
		return runComponent(ctx, rest, e)
	case "status":
		return runStatus(ctx, rest, e)
	case "maintenance", "maintenances":
		return runMaintenance(ctx, rest, e)
	case "page", "pages":
		return runPage(ctx, rest, e)
	case "service", "services":
		return runService(ctx, rest, e)
	case "policy", "policies":
		return runPolicy(ctx, rest, e)
	case "oncall":
		return runOnCall(ctx, rest, e)
	case "schedule", "schedules":
		return runSchedule(ctx, rest, e)
	case "export-static":
		return runExportStatic(ctx, rest, e)
	case "token", "tokens":
		return runToken(ctx, rest, e)
	case "user", "users":
		return runUser(ctx, rest, e)
	case "doctor":
		return runDoctor(ctx, rest, e)
	case "measures":
		return runMeasures(ctx, rest, e)
	case "completion":
		return runCompletion(ctx, rest, e)
	case "settings":
		return runSettings(ctx, rest, e)
	case "stakeholder", "stakeholders":
		return runStakeholder(ctx, rest, e)
	case "request", "requests":
		return runRequest(ctx, rest, e)
	case "handover", "handovers":
		return runHandover(ctx, rest, e)
	case "tickets", "ticket":
		return runTickets(ctx, rest, e)
	case "subscriber", "subscribers":
		return runSubscriber(ctx, rest, e)
	case "team", "teams":
		return runTeam(ctx, rest, e)
	case "apply":
		return runApply(ctx, rest, e)
	case "export-config":
		return runExportConfig(ctx, rest, e)
	case "import":
		return runImport(ctx, rest, e)
	case "tenant", "tenants":
		return runTenant(ctx, rest, e)
	case "notice", "notices":
		return runNotice(ctx, rest, e)
	case "practice":
		return runPractice(ctx, rest, e)
	case "chat":
		return runChat(ctx, rest, e)
	case "version", "--version":
		printVersion(stdout, version, readBuildInfo())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usagef("unknown command %q", cmd)
}
