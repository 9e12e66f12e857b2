package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

func runToken(ctx context.Context, args []string, e env) error {
	var role, name, user *string
	return runCommands(ctx, "token", map[string]command{
		"create": {n: 0, help: "create an API token (admin); its secret is shown once", flags: func(f *flags) {
			role = f.String("role", "", "viewer, responder or admin")
			name = f.String("name", "", "what the token is for (default: the role)")
			user = f.String("user", "", "the user it acts for, id or e-mail (default: you)")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if *name == "" {
				*name = *role + " token"
			}
			t, err := c.People.CreateToken(ctx, herald.TokenInput{Name: *name, Role: herald.APIRole(*role), UserID: *user})
			if err != nil {
				return err
			}
			return cf.print(e.stdout, t, func(tw *tabwriter.Writer) {
				row(tw, "ID", t.ID)
				row(tw, "Name", t.Name)
				row(tw, "Role", t.Role)
				row(tw, "User", t.UserName)
				row(tw, "Secret", t.Secret)
				row(tw, "", "(shown once: store it now)")
			})
		}},
		"list": {n: 0, help: "active tokens, never their secrets (admin)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.People.Tokens(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				row(tw, "ID", "NAME", "ROLE", "USER", "CREATED")
				for _, t := range list {
					row(tw, t.ID, t.Name, t.Role, t.UserName, ts(t.CreatedAt))
				}
			})
		}},
		"revoke": {args: "ID", n: 1, help: "revoke a token at once (admin)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if err := c.People.RevokeToken(ctx, pos[0]); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "revoked", pos[0])
			return nil
		}},
	}, args, e)
}

func userTable(tw *tabwriter.Writer, users ...herald.User) {
	row(tw, "ID", "NAME", "EMAIL", "MANAGER", "ROLE")
	for _, u := range users {
		row(tw, u.ID, u.Name, u.Email, u.Manager, u.Role)
	}
}

func runUser(ctx context.Context, args []string, e env) error {
	var name, email, kind, target, method, role *string
	var manager, end, remove, revoke, status *bool
	var since *string
	var delay *int
	return runCommands(ctx, "user", map[string]command{
		"create": {n: 0, help: "add a user (admin)", flags: func(f *flags) {
			name = f.String("name", "", "full name")
			email = f.String("email", "", "e-mail address")
			manager = f.Bool("manager", false, "an engineering manager or above (may approve emergency maintenance)")
			role = f.String("role", "responder", "what they may do in the console: viewer, responder or admin")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			u, err := c.People.CreateUser(ctx, herald.UserInput{Name: *name, Email: *email, Manager: *manager, Role: herald.APIRole(*role)})
			if err != nil {
				return err
			}
			return cf.print(e.stdout, u, func(tw *tabwriter.Writer) { userTable(tw, u) })
		}},
		"qualify": {args: "USER [NAME]", n: -1, help: "list a user's qualifications, or record one from --since (admin; R56), or --remove it", flags: func(f *flags) {
			since = f.String("since", "", "the first day it holds, YYYY-MM-DD (default today)")
			remove = f.Bool("remove", false, "remove the qualification")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if len(pos) < 1 || len(pos) > 2 {
				return usagef("herald user qualify takes a user and optionally a qualification")
			}
			if len(pos) == 2 && *remove {
				return c.People.RemoveQualification(ctx, pos[0], pos[1])
			}
			if len(pos) == 2 {
				if _, err := c.People.SetQualification(ctx, pos[0], pos[1], *since); err != nil {
					return err
				}
			}
			list, err := c.People.Qualifications(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				row(tw, "QUALIFICATION", "SINCE", "RECORDED BY")
				for _, q := range list {
					row(tw, q.Name, q.Since, q.GrantedBy)
				}
			})
		}},
		"list": {n: 0, help: "users", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			users, err := c.People.Users(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, users, func(tw *tabwriter.Writer) { userTable(tw, users...) })
		}},
		"contact": {args: "USER", n: 1, help: "list a user's contact methods, or with --kind and --target add one", flags: func(f *flags) {
			kind = f.String("kind", "", "email, webhook, slack, teams, sms or voice (with --target: add one)")
			target = f.String("target", "", "address, URL or phone number (+15551234567)")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if *kind != "" {
				m, err := c.People.CreateContactMethod(ctx, pos[0], herald.ContactMethodInput{Kind: *kind, Target: *target})
				if err != nil {
					return err
				}
				return cf.print(e.stdout, m, func(tw *tabwriter.Writer) {
					row(tw, "ID", m.ID)
					row(tw, "Kind", m.Kind)
					row(tw, "Target", m.Target)
					if m.Secret != "" {
						row(tw, "Signing secret", m.Secret)
						row(tw, "", "(shown once: configure your receiver with it now)")
					}
				})
			}
			list, err := c.People.ContactMethods(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				row(tw, "ID", "KIND", "TARGET", "FAILING")
				for _, m := range list {
					row(tw, m.ID, m.Kind, m.Target, m.Failing)
				}
			})
		}},
		"set-password": {args: "USER", n: 1, help: "set a user's console password, read from standard input (admin)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if f, ok := e.stdin.(*os.File); ok {
				if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
					// A terminal: say what is awaited rather than hang. What
					// is typed shows; `< file` or a pipe keeps it off the screen.
					fmt.Fprint(e.stderr, "New password for "+pos[0]+" (shown as you type; end with Enter): ")
				}
			}
			pw, err := readPassword(e.stdin)
			if err != nil {
				return err
			}
			if err := c.People.SetPassword(ctx, pos[0], pw); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "password set for %s; their sessions have ended\n", pos[0])
			return nil
		}},
		"set-role": {args: "USER ROLE", n: 2, help: "change a user's role: viewer, responder or admin (admin); their sessions end", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			u, err := c.People.SetRole(ctx, pos[0], herald.APIRole(pos[1]))
			if err != nil {
				return err
			}
			return cf.print(e.stdout, u, func(tw *tabwriter.Writer) {
				fmt.Fprintf(tw, "%s is now %s; their sessions have ended\n", u.Name, u.Role)
			})
		}},
		"set-manager": {args: "USER yes|no", n: 2, help: "mark a user as an engineering manager or above, or not (admin)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			var manager bool
			switch strings.ToLower(pos[1]) {
			case "yes", "true", "on":
				manager = true
			case "no", "false", "off":
			default:
				return usagef("the second argument is yes or no")
			}
			u, err := c.People.SetManager(ctx, pos[0], manager)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, u, func(tw *tabwriter.Writer) {
				fmt.Fprintf(tw, "%s: manager %v\n", u.Name, u.Manager)
			})
		}},
		"sessions": {args: "USER", n: 1, help: "a user's open console sessions (yourself, or anyone as admin); --end signs them out everywhere", flags: func(f *flags) {
			end = f.Bool("end", false, "end every session: sign the user out of the console everywhere (API tokens stay valid)")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if *end {
				if err := c.People.SignOutEverywhere(ctx, pos[0]); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s is signed out everywhere\n", pos[0])
				return nil
			}
			list, err := c.People.Sessions(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
				row(tw, "ID", "VIA", "SIGNED IN", "LAST SEEN", "EXPIRES")
				for _, s := range list {
					row(tw, s.ID, s.Via, ts(s.CreatedAt), ts(s.SeenAt), ts(s.ExpiresAt))
				}
			})
		}},
		"calendar": {args: "USER", n: 1, help: "make a user's calendar feed links for Outlook, Google or Apple calendars, replacing the old (yourself, or anyone as admin); --revoke ends them, --status says whether there are any", flags: func(f *flags) {
			revoke = f.Bool("revoke", false, "end the user's calendar feed links")
			status = f.Bool("status", false, "say whether the user has calendar feed links, and since when")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			switch {
			case *revoke:
				if err := c.People.RevokeCalendarFeed(ctx, pos[0]); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s's calendar feed links no longer work\n", pos[0])
				return nil
			case *status:
				feed, err := c.People.CalendarFeed(ctx, pos[0])
				if err != nil {
					return err
				}
				return cf.print(e.stdout, feed, func(tw *tabwriter.Writer) {
					if !feed.Active {
						fmt.Fprintf(tw, "%s has no calendar feed links\n", pos[0])
						return
					}
					fmt.Fprintf(tw, "%s has calendar feed links since %s UTC\n", pos[0], ts(feed.CreatedAt))
				})
			}
			feed, err := c.People.NewCalendarFeed(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, feed, func(tw *tabwriter.Writer) {
				fmt.Fprintf(tw, "Subscribe to this link in your calendar app (it is shown once; anyone with it sees the shifts):\n\n  %s\n\n", feed.URL)
				fmt.Fprintf(tw, "A schedule's whole rotation: %sSCHEDULE-ID/shifts.ics\n", feed.SchedulesURL)
				fmt.Fprintf(tw, "Older links of this user no longer work.\n")
			})
		}},
		"test-contact": {args: "USER METHOD", n: 2, help: "send a contact method (its id) a test notification now (yourself, or anyone as admin)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			sent, err := c.People.TestContactMethod(ctx, pos[0], pos[1])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, sent, func(tw *tabwriter.Writer) {
				fmt.Fprintf(tw, "a test notification was sent to %s %s; check that it arrived\n", sent.Kind, sent.Target)
			})
		}},
		"rule": {args: "USER", n: 1, help: "use a contact method a delay after a page reaches the user", flags: func(f *flags) {
			method = f.String("method", "", "contact method id")
			delay = f.Int("delay", 0, "minutes after the page reaches the user, while unacknowledged")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			r, err := c.People.AddNotificationRule(ctx, pos[0], *method, *delay)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "rule %s: contact method %s after %d minutes\n", r.ID, r.ContactMethodID, r.DelayMinutes)
			return nil
		}},
	}, args, e)
}

// readPassword reads a password from the first line of r: standard input,
// never a flag, which any user of the machine could read in the process
// list.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usagef("give the new password on standard input, for example: herald user set-password USER < file")
	}
	return pw, nil
}
