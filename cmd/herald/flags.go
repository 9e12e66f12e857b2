package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
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
	// envErrs are environment values that do not parse; parse refuses to
	// go on with them, since the flag package leaves a zero behind (a
	// HERALD_TICK of "banana" was a zero tick and a panic).
	envErrs []error
	// minInt and minDuration are per-flag least values, checked after
	// parsing. Without one, whole numbers must be 0 or more and durations
	// more than 0: no flag here means anything by a negative number or a
	// zero duration.
	minInt      map[string]int64
	minDuration map[string]time.Duration
	// usage prints the synopsis and the flags.
	usage func(w io.Writer)
}

func newFlags(name, synopsis string, e env) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	f := &flags{FlagSet: fs, e: e, twins: map[string]bool{}, secret: map[string]bool{"token": true, "database-url": true, "smtp-url": true, "phone-provider-url": true, "heartbeat-url": true},
		minInt: map[string]int64{}, minDuration: map[string]time.Duration{}}
	// The flag package calls Usage on --help and on a mistake alike;
	// parseArgs prints it instead, to stdout for --help (asked for, so
	// exit 0) and to stderr for a mistake.
	fs.Usage = func() {}
	f.usage = func(w io.Writer) {
		fmt.Fprintf(w, "Usage: herald %s\n\nFlags (and their environment twins):\n", synopsis)
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
			fmt.Fprintf(w, "  %s\n      %s%s\n", name, fl.Usage, def)
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
	on := false
	switch v := strings.ToLower(f.envOr(name, "")); v {
	case "1", "true", "yes", "on":
		on = true
	case "", "0", "false", "no", "off":
	default:
		f.envErrs = append(f.envErrs, usagef("%s=%s: --%s must be true or false", envName(name), v, name))
	}
	return f.Bool(name, on, usage)
}

func (f *flags) int(name string, def int, usage string) *int {
	if v := f.envOr(name, ""); v != "" {
		n, err := strconv.ParseInt(v, 0, strconv.IntSize)
		if err != nil {
			f.envErrs = append(f.envErrs, usagef("%s=%s: --%s must be a whole number", envName(name), v, name))
		}
		def = int(n)
	}
	return f.Int(name, def, usage)
}

func (f *flags) duration(name string, def time.Duration, usage string) *time.Duration {
	if v := f.envOr(name, ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			f.envErrs = append(f.envErrs, usagef("%s=%s: --%s must be a duration like 1s, 500ms or 2m", envName(name), v, name))
		}
		def = d
	}
	return f.Duration(name, def, usage)
}

// atLeast sets the least value of an int flag.
func (f *flags) atLeast(name string, min int64) { f.minInt[name] = min }

// atLeastDuration sets the least value of a duration flag.
func (f *flags) atLeastDuration(name string, min time.Duration) { f.minDuration[name] = min }

// checkValues refuses a value below its flag's least value, naming the
// flag and where the value came from.
func (f *flags) checkValues() error {
	var err error
	f.VisitAll(func(fl *flag.Flag) {
		g, ok := fl.Value.(flag.Getter)
		if !ok || err != nil {
			return
		}
		var bad string
		switch v := g.Get().(type) {
		case int:
			bad = f.belowInt(fl.Name, int64(v))
		case int64:
			bad = f.belowInt(fl.Name, v)
		case time.Duration:
			min, ok := f.minDuration[fl.Name]
			if !ok && v <= 0 {
				bad = "must be more than 0s"
			} else if ok && v < min {
				bad = "must be at least " + min.String()
			}
		}
		if bad == "" {
			return
		}
		from := ""
		if !f.set(fl.Name) && f.twins[fl.Name] && f.e.getenv(envName(fl.Name)) != "" {
			from = " (from " + envName(fl.Name) + ")"
		}
		err = usagef("--%s %s%s: %s", fl.Name, fl.Value.String(), from, bad)
	})
	return err
}

func (f *flags) belowInt(name string, n int64) string {
	if min := f.minInt[name]; n < min {
		return fmt.Sprintf("must be at least %d", min)
	}
	return ""
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
// positional ones. It refuses environment values that do not parse and
// values below a flag's least value, naming the flag.
func (f *flags) parse(args []string) ([]string, error) {
	pos, err := f.parseArgs(args)
	if err != nil {
		return nil, err
	}
	if len(f.envErrs) > 0 {
		return nil, f.envErrs[0]
	}
	if err := f.checkValues(); err != nil {
		return nil, err
	}
	return pos, nil
}

func (f *flags) parseArgs(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.usage(f.e.stdout)
				return nil, err
			}
			f.usage(f.e.stderr)
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
