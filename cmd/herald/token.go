package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/heraldhq/herald"
)

func runToken(ctx context.Context, args []string, e env) error {
	const use = "Usage: herald token create --role viewer|responder|admin [--name N] [--user USER] | list | revoke ID\n"
	if len(args) == 0 {
		fmt.Fprint(e.stderr, use)
		return usagef("no token command given")
	}
	sub, args := args[0], args[1:]
	f := newFlags("token "+sub, "token "+sub+" [flags]", e)
	cf := addClientFlags(f)
	switch sub {
	case "create":
		role := f.String("role", "", "viewer, responder or admin")
		name := f.String("name", "", "what the token is for (default: the role)")
		user := f.String("user", "", "the user it acts for, id or e-mail (default: you)")
		if _, err := f.parse(args); err != nil {
			return err
		}
		c, err := cf.client()
		if err != nil {
			return err
		}
		if *name == "" {
			*name = *role + " token"
		}
		t, err := c.CreateToken(ctx, herald.TokenInput{Name: *name, Role: herald.APIRole(*role), UserID: *user})
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
	case "list":
		if _, err := f.parse(args); err != nil {
			return err
		}
		c, err := cf.client()
		if err != nil {
			return err
		}
		list, err := c.Tokens(ctx)
		if err != nil {
			return err
		}
		return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
			row(tw, "ID", "NAME", "ROLE", "USER", "CREATED")
			for _, t := range list {
				row(tw, t.ID, t.Name, t.Role, t.UserName, ts(t.CreatedAt))
			}
		})
	case "revoke":
		pos, err := f.parse(args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("herald token revoke takes one token id")
		}
		c, err := cf.client()
		if err != nil {
			return err
		}
		if err := c.RevokeToken(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "revoked", pos[0])
		return nil
	}
	fmt.Fprint(e.stderr, use)
	return usagef("unknown token command %q", sub)
}

func runUser(ctx context.Context, args []string, e env) error {
	const use = "Usage: herald user create --name N --email E [--manager] | list | contact USER [--kind K --target T] | rule USER --method ID [--delay MIN]\n"
	if len(args) == 0 {
		fmt.Fprint(e.stderr, use)
		return usagef("no user command given")
	}
	sub, args := args[0], args[1:]
	f := newFlags("user "+sub, "user "+sub+" [flags]", e)
	cf := addClientFlags(f)
	show := func(tw *tabwriter.Writer, users ...herald.User) {
		row(tw, "ID", "NAME", "EMAIL", "MANAGER")
		for _, u := range users {
			row(tw, u.ID, u.Name, u.Email, u.Manager)
		}
	}
	switch sub {
	case "create":
		name := f.String("name", "", "full name")
		email := f.String("email", "", "e-mail address")
		manager := f.Bool("manager", false, "an engineering manager or above (may approve emergency maintenance)")
		if _, err := f.parse(args); err != nil {
			return err
		}
		c, err := cf.client()
		if err != nil {
			return err
		}
		u, err := c.CreateUser(ctx, herald.UserInput{Name: *name, Email: *email, Manager: *manager})
		if err != nil {
			return err
		}
		return cf.print(e.stdout, u, func(tw *tabwriter.Writer) { show(tw, u) })
	case "contact":
		kind := f.String("kind", "", "email, webhook, slack, teams, sms or voice (with --target: add one)")
		target := f.String("target", "", "address, URL or phone number (+15551234567)")
		pos, err := f.parse(args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("herald user contact takes one user (id or e-mail)")
		}
		c, err := cf.client()
		if err != nil {
			return err
		}
		if *kind != "" {
			m, err := c.CreateContactMethod(ctx, pos[0], herald.ContactMethodInput{Kind: *kind, Target: *target})
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
		list, err := c.ContactMethods(ctx, pos[0])
		if err != nil {
			return err
		}
		return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
			row(tw, "ID", "KIND", "TARGET", "FAILING")
			for _, m := range list {
				row(tw, m.ID, m.Kind, m.Target, m.Failing)
			}
		})
	case "rule":
		method := f.String("method", "", "contact method id")
		delay := f.Int("delay", 0, "minutes after the page reaches the user, while unacknowledged")
		pos, err := f.parse(args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("herald user rule takes one user (id or e-mail)")
		}
		c, err := cf.client()
		if err != nil {
			return err
		}
		r, err := c.AddNotificationRule(ctx, pos[0], *method, *delay)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "rule %s: contact method %s after %d minutes\n", r.ID, r.ContactMethodID, r.DelayMinutes)
		return nil
	case "list":
		if _, err := f.parse(args); err != nil {
			return err
		}
		c, err := cf.client()
		if err != nil {
			return err
		}
		users, err := c.Users(ctx)
		if err != nil {
			return err
		}
		return cf.print(e.stdout, users, func(tw *tabwriter.Writer) { show(tw, users...) })
	}
	fmt.Fprint(e.stderr, use)
	return usagef("unknown user command %q", sub)
}
