package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/heraldhq/herald"
)

// announcer writes what a person starting Herald reads on standard output
// (where it runs, how to sign in): plain lines, or with --log-format json
// JSON lines like the log's, so a collector that reads both streams (the
// journal, a container runtime) parses every line.
type announcer struct {
	w    io.Writer
	json *slog.Logger
}

func newAnnouncer(w io.Writer, format string) announcer {
	if format == "json" {
		return announcer{json: slog.New(slog.NewJSONHandler(w, nil))}
	}
	return announcer{w: w}
}

// say writes line; in JSON mode line is the message and attrs its fields.
func (a announcer) say(line string, attrs ...any) {
	if a.json != nil {
		a.json.Info(line, attrs...)
		return
	}
	fmt.Fprintln(a.w, line)
}

// loggedError is an error serve has already written to its JSON log:
// main does not print it again as plain text.
type loggedError struct{ error }

func (l loggedError) Unwrap() error { return l.error }

// firstAdminHelp is what serve prints while no admin can sign in to the
// console (none with a password, nor any at all with single sign-on): how
// to create the first one. The account behind HERALD_ADMIN_TOKEN does not
// count; it has no password and exists for the API.
func firstAdminHelp(ctx context.Context, people herald.PeopleService, url string, tokenSet, sso bool) ([]string, error) {
	users, err := people.Users(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Role == herald.RoleAdmin && u.Email != adminTokenEmail && (u.HasPassword || sso) {
			return nil, nil
		}
	}
	token := "$HERALD_ADMIN_TOKEN"
	lines := []string{"No admin can sign in to the console yet. To create the first one:"}
	if !tokenSet {
		lines = append(lines, "  restart Herald with HERALD_ADMIN_TOKEN set to a secret of 16 or more characters (openssl rand -base64 24), then:")
	}
	lines = append(lines,
		"  HERALD_TOKEN="+token+" herald user create --server "+url+" --name 'Your Name' --email you@example.com --role admin",
		"  HERALD_TOKEN="+token+" herald user set-password --server "+url+" you@example.com   (reads the password from standard input)",
		"  and sign in at "+url+"/app. To look around first: herald serve --demo, on an empty data folder.")
	return lines, nil
}

// adminTokenEmail is the address store.EnsureAdminToken gives the account
// behind HERALD_ADMIN_TOKEN.
const adminTokenEmail = "admin@herald.invalid"
