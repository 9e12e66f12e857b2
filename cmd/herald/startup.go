package main

import (
	"fmt"
	"io"
	"log/slog"
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
