package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"
)

// flags wraps a FlagSet so that every flag has a HERALD_... environment
// twin whose value is the default, and --help lists both.
type flags struct {
	*flag.FlagSet
	e env
	// twins are the flags that have an environment twin; flags particular
	// to one client command (--title) have none.
	twins map[string]bool
	// secret flags never show their value in --help.
	secret map[string]bool
}

func newFlags(name, synopsis string, e env) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	f := &flags{FlagSet: fs, e: e, twins: map[string]bool{}, secret: map[string]bool{"token": true, "database-url": true}}
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: herald %s\n\nFlags (and their environment twins):\n", synopsis)
		fs.VisitAll(func(fl *flag.Flag) {
			def := ""
			if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" {
				def = " (default " + fl.DefValue + ")"
				if f.secret[fl.Name] {
					def = " (set)"
				}
			}
			name := "-" + fl.Name
			if len(fl.Name) > 1 {
				name = "-" + name
			}
			if f.twins[fl.Name] {
				name += ", " + envName(fl.Name)
			}
			fmt.Fprintf(e.stderr, "  %s\n      %s%s\n", name, fl.Usage, def)
		})
	}
	return f
}

func envName(flagName string) string {
	return "HERALD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (f *flags) envOr(name, def string) string {
	f.twins[name] = true
	if v := f.e.getenv(envName(name)); v != "" {
		return v
	}
	return def
}

func (f *flags) string(name, def, usage string) *string {
	return f.String(name, f.envOr(name, def), usage)
}

func (f *flags) bool(name string, usage string) *bool {
	v := strings.ToLower(f.envOr(name, "false"))
	return f.Bool(name, v == "1" || v == "true" || v == "yes", usage)
}

func (f *flags) int(name string, def int, usage string) *int {
	p := f.Int(name, def, usage)
	f.twins[name] = true
	if v := f.e.getenv(envName(name)); v != "" {
		f.Set(name, v)
	}
	return p
}

func (f *flags) duration(name string, def time.Duration, usage string) *time.Duration {
	p := f.Duration(name, def, usage)
	f.twins[name] = true
	if v := f.e.getenv(envName(name)); v != "" {
		f.Set(name, v)
	}
	return p
}

// list is a repeatable flag: --service api --service db.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func (f *flags) list(name, usage string) *list {
	l := &list{}
	f.Var(l, name, usage+" (repeatable)")
	return l
}

// parse parses flags that may stand before, between or after positional
// arguments (herald incident note INC-1 "text" --server ...), and returns the
// positional ones.
func (f *flags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = f.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// set reports whether a flag was given on the command line.
func (f *flags) set(name string) bool {
	found := false
	f.Visit(func(fl *flag.Flag) {
		if fl.Name == name {
			found = true
		}
	})
	return found
}
