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

// noticeSendFlags are the fields of herald notice send and reply.
type noticeSendFlags struct {
	template, body, status, actions, next, nextUpdate, reason *string
	class, approval, substantial                              *string
	override                                                  *bool
	preview                                                   *bool
}

func addNoticeSendFlags(f *flags) *noticeSendFlags {
	return &noticeSendFlags{
		template:   f.String("template", "", "a template: "+strings.Join(herald.NoticeTemplateKinds, ", ")),
		body:       f.String("body", "", "the text to send instead of a template (- reads stdin)"),
		status:     f.String("status", "", "the template variable Status"),
		actions:    f.String("actions-taken", "", "the template variable ActionsTaken"),
		next:       f.String("next-steps", "", "the template variable NextSteps"),
		nextUpdate: f.String("next-update", "", "the template variable NextUpdate (\"14:00 UTC\")"),
		override:   f.Bool("override-guard", false, "send despite the content guard's findings (R45); needs --override-reason"),
		reason:     f.String("override-reason", "", "why the findings may go to the customer (recorded)"),
		preview:    f.Bool("preview", false, "show the filled-in text without sending"),
		class:      f.String("class", "", "the message's class (R44): empty for the thread's own, or security"),
		approval:   f.String("approval", "", "send the exact text of this approval (R44) instead of --template or --body"),
		substantial: f.String("substantial", "", "yes: the notice is substantial news, no: it is not (a check-in); "+
			"by default a template's is and a --body's is not (R43, R47)"),
	}
}

func (nf *noticeSendFlags) input(stdin io.Reader) (herald.NoticeSendInput, error) {
	body := *nf.body
	if body == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
		if err != nil {
			return herald.NoticeSendInput{}, err
		}
		body = string(b)
	}
	in := herald.NoticeSendInput{Template: *nf.template, Body: body, Status: *nf.status, ActionsTaken: *nf.actions, NextSteps: *nf.next,
		NextUpdate: *nf.nextUpdate, OverrideGuard: *nf.override, OverrideGuardReason: *nf.reason, Class: herald.NoticeClass(*nf.class), ApprovalID: *nf.approval}
	switch strings.ToLower(*nf.substantial) {
	case "":
	case "yes", "true":
		in.Substantial = new(true)
	case "no", "false":
		in.Substantial = new(false)
	default:
		return in, usagef("--substantial must be yes or no")
	}
	return in, nil
}

// runNotice is `herald notice open|list|show|send|reply|view|templates|template`,
// and the approvals `ask|approvals|approval|approve|reject` (R44):
// customer notice threads (docs/NOTICES.md).
func runNotice(ctx context.Context, args []string, e env) error {
	var nf *noticeSendFlags
	var maint *bool
	var decision *herald.NoticeDecisionInput
	decisionFlags := func(f *flags) {
		decision = &herald.NoticeDecisionInput{}
		f.StringVar(&decision.Hash, "hash", "", "the hash of the text you read (herald notice approval ID): a text changed since is refused")
		f.StringVar(&decision.Reason, "reason", "", "why (required to reject; a comment to approve)")
	}
	decided := func(a herald.NoticeApproval, cf clientFlags) error {
		return cf.print(e.stdout, a, func(tw *tabwriter.Writer) {
			fmt.Fprintf(tw, "The %s message to %s is %s.\n", a.Class, a.TenantName, a.Status)
		})
	}
	send := func(ctx context.Context, cf clientFlags, c *client.Client, thread string) error {
		in, err := nf.input(e.stdin)
		if err != nil {
			return err
		}
		var m herald.NoticeMessage
		if *nf.preview {
			m, err = c.Notices.PreviewNotice(ctx, thread, in)
		} else {
			m, err = c.Notices.SendNotice(ctx, thread, in)
		}
		if err != nil {
			return err
		}
		return cf.print(e.stdout, m, func(tw *tabwriter.Writer) {
			for _, w := range m.Warnings {
				fmt.Fprintf(tw, "Warning: %s\n", w)
			}
			if *nf.preview {
				fmt.Fprintf(tw, "Preview (not sent)\n\n%s\n", m.Body)
				return
			}
			fmt.Fprintf(tw, "Notice queued: %s\nMessage-ID:\t<%s>\n", m.Subject, m.MessageID)
		})
	}
	return runCommands(ctx, "notice", map[string]command{
		"open": {args: "INCIDENT|MAINTENANCE", n: 1, help: "open a notice thread per affected tenant (R41); --maintenance for a maintenance's id",
			flags: func(f *flags) { maint = f.Bool("maintenance", false, "the argument is a maintenance id") },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				var res herald.NoticeOpenResult
				var err error
				if *maint {
					res, err = c.Notices.OpenMaintenanceNotices(ctx, pos[0])
				} else {
					res, err = c.Notices.OpenIncidentNotices(ctx, pos[0])
				}
				if err != nil {
					return err
				}
				return cf.print(e.stdout, res, func(tw *tabwriter.Writer) {
					fmt.Fprintf(tw, "Opened %d new thread(s).\n\n", len(res.Opened))
					threadsTable(tw, res.Threads)
				})
			}},
		"list": {args: "INCIDENT|MAINTENANCE", n: 1, help: "the notice threads of an incident (or --maintenance)",
			flags: func(f *flags) { maint = f.Bool("maintenance", false, "the argument is a maintenance id") },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				kind := "incident"
				if *maint {
					kind = "maintenance"
				}
				list, err := c.Notices.NoticeThreads(ctx, kind, pos[0])
				if err != nil {
					return err
				}
				return cf.print(e.stdout, list, func(tw *tabwriter.Writer) { threadsTable(tw, list) })
			}},
		"show": {args: "THREAD", n: 1, help: "one thread with its messages out and replies in", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			th, err := c.Notices.NoticeThread(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, th, func(tw *tabwriter.Writer) { threadTable(tw, th) })
		}},
		"send": {args: "THREAD", n: 1, help: "send a notice from --template or --body (the incident's communications manager or an admin, R49)", flags: func(f *flags) { nf = addNoticeSendFlags(f) },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				return send(ctx, cf, c, pos[0])
			}},
		"reply": {args: "THREAD", n: 1, help: "answer the customer's last reply (as send: threaded on the last message)", flags: func(f *flags) { nf = addNoticeSendFlags(f) },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				if *nf.template == "" && *nf.body == "" {
					return usagef("herald notice reply needs --body (or --template)")
				}
				return send(ctx, cf, c, pos[0])
			}},
		"ask": {args: "THREAD", n: 1, help: "ask for the approval of a notice's exact text (R44): --class security, or a review for the thread's class", flags: func(f *flags) { nf = addNoticeSendFlags(f) },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				in, err := nf.input(e.stdin)
				if err != nil {
					return err
				}
				a, err := c.Notices.RequestNoticeApproval(ctx, pos[0], in)
				if err != nil {
					return err
				}
				return cf.print(e.stdout, a, func(tw *tabwriter.Writer) {
					fmt.Fprintf(tw, "Approval asked: %s\nApprovers:\t%s\n", a.ID, a.Approvers)
				})
			}},
		"approvals": {args: "[INCIDENT]", n: -1, help: "the customer messages waiting for an approval: all, or an incident's (R44)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			var list []herald.NoticeApproval
			var err error
			if len(pos) > 0 {
				list, err = c.Notices.IncidentPendingApprovals(ctx, pos[0])
			} else {
				list, err = c.Notices.PendingApprovals(ctx)
			}
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) { approvalsTable(tw, list) })
		}},
		"approval": {args: "ID", n: 1, help: "one approval with the exact text and its hash", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			a, err := c.Notices.NoticeApproval(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, a, func(tw *tabwriter.Writer) {
				fmt.Fprintf(tw, "Class:\t%s\nTenant:\t%s\nStatus:\t%s\nAsked by:\t%s\nApprovers:\t%s\nHash:\t%s\n", a.Class, a.TenantName, a.Status, a.RequestedByName, a.Approvers, a.Hash)
				if a.DecidedByName != "" {
					fmt.Fprintf(tw, "Decided by:\t%s\n", a.DecidedByName)
				}
				if a.Reason != "" {
					fmt.Fprintf(tw, "Reason:\t%s\n", a.Reason)
				}
				fmt.Fprintf(tw, "\nSubject: %s\n\n%s\n", a.Subject, a.Body)
			})
		}},
		"approve": {args: "ID", n: 1, help: "approve the exact text (R44; --hash from herald notice approval)", flags: decisionFlags,
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				a, err := c.Notices.ApproveNotice(ctx, pos[0], *decision)
				if err != nil {
					return err
				}
				return decided(a, cf)
			}},
		"reject": {args: "ID", n: 1, help: "reject the text with --reason (R44)", flags: decisionFlags,
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				a, err := c.Notices.RejectNotice(ctx, pos[0], *decision)
				if err != nil {
					return err
				}
				return decided(a, cf)
			}},
		"view": {args: "INCIDENT", n: 1, help: "the incident's tenants: affected, told, next notice due, approvals pending", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			v, err := c.Notices.IncidentNotices(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, v, func(tw *tabwriter.Writer) { incidentNoticesTable(tw, v) })
		}},
		"templates": {n: 0, help: "the notice templates (R42) and their variables", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			ts, err := c.Notices.NoticeTemplates(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, ts, func(tw *tabwriter.Writer) {
				for _, k := range ts.Kinds {
					fmt.Fprintf(tw, "== %s\n%s\n\n", k, ts.Templates[k])
				}
				fmt.Fprintln(tw, "Variables:")
				for _, v := range ts.Variables {
					fmt.Fprintf(tw, "  {{.%s}}\t%s\n", v.Name, v.Description)
				}
			})
		}},
		"template": {args: "KIND FILE", n: 2, help: "replace one template with FILE's text (- reads stdin; admin)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			text, err := readFileOrStdin(pos[1], e.stdin)
			if err != nil {
				return err
			}
			if _, err := c.Notices.SetNoticeTemplate(ctx, pos[0], text); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Template %s saved.\n", pos[0])
			return nil
		}},
	}, args, e)
}

func threadsTable(tw *tabwriter.Writer, list []herald.NoticeThread) {
	row(tw, "TENANT", "OWNER", "TO", "MESSAGES", "LAST", "NEXT DUE", "AWAITING REPLY", "ID")
	for _, t := range list {
		row(tw, t.TenantName, t.OwnerName, t.To, fmt.Sprint(t.MessageCount), timeOrDash(t.LastMessageAt), dueOrDash(t.NextNoticeDue, t.NoticeDue), timeOrDash(t.AwaitingReplySince), t.ID)
	}
}

func threadTable(tw *tabwriter.Writer, th herald.NoticeThread) {
	fmt.Fprintf(tw, "Subject:\t%s\nTenant:\t%s (support region %s)\nTo:\t%s\nCc:\t%s\nReply-To:\t%s\nTag:\t%s\nOwner:\t%s\nNext notice due:\t%s\n",
		th.Subject, th.TenantName, orDash(th.SupportRegion), th.To, orDash(strings.Join(th.Cc, ", ")), orDash(th.ReplyTo), th.Tag, th.OwnerName, dueOrDash(th.NextNoticeDue, th.NoticeDue))
	if th.AwaitingReplySince != nil {
		fmt.Fprintf(tw, "Awaiting an answer since:\t%s\n", timeOrDash(th.AwaitingReplySince))
	}
	for _, m := range th.Messages {
		dir := "OUT " + m.Author
		if m.Direction == "in" {
			dir = "IN  " + m.From
		}
		state := ""
		if m.Delivery != "" {
			state = " [" + m.Delivery + "]"
			if m.LastError != "" {
				state += " " + m.LastError
			}
		}
		if m.Direction == "out" && !m.Substantial {
			state += " (not substantial)"
		}
		fmt.Fprintf(tw, "\n--- %s %s%s\n%s\n", m.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), dir, state, m.Body)
	}
}

func incidentNoticesTable(tw *tabwriter.Writer, v herald.IncidentNotices) {
	row(tw, "TENANT", "TOLD", "OWNER", "LAST MESSAGE", "NEXT NOTICE DUE", "AWAITING REPLY", "PROBLEM")
	for _, t := range v.Tenants {
		told := "no"
		if t.Told {
			told = "yes"
		}
		row(tw, t.TenantName, told, orDash(t.OwnerName), timeOrDash(t.LastMessageAt), dueOrDash(t.NextNoticeDue, t.NoticeDue), timeOrDash(t.AwaitingReplySince), orDash(t.Problem))
	}
	if len(v.PendingApprovals) == 0 {
		fmt.Fprintln(tw, "\nApprovals pending: none")
		return
	}
	fmt.Fprintf(tw, "\nApprovals pending: %d\n", len(v.PendingApprovals))
	approvalsTable(tw, v.PendingApprovals)
}

func approvalsTable(tw *tabwriter.Writer, list []herald.NoticeApproval) {
	row(tw, "TENANT", "CLASS", "ASKED BY", "ASKED", "INCIDENT", "APPROVERS", "ID")
	for _, a := range list {
		row(tw, a.TenantName, string(a.Class), a.RequestedByName, timeOrDash(&a.RequestedAt), orDash(a.Reference), a.Approvers, a.ID)
	}
}

// dueOrDash writes a next notice's time with where it stands in words
// ("2026-11-30 14:00 UTC, overdue by 20 minutes").
func dueOrDash(t *time.Time, words string) string {
	if t == nil || words == "" {
		return timeOrDash(t)
	}
	return timeOrDash(t) + ", " + words
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// readFileOrStdin reads a file, or stdin for "-".
func readFileOrStdin(name string, stdin io.Reader) (string, error) {
	if name == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
		return string(b), err
	}
	b, err := os.ReadFile(name)
	return string(b), err
}
