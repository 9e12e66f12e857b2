package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/heraldhq/herald/client"
)

// runSettings is `herald settings get|set`: the organisation's settings
// as one JSON document. The document goes through as the server sent it,
// so a key this binary does not know survives a read, change and write.
func runSettings(ctx context.Context, args []string, e env) error {
	var file *string
	return runCommands(ctx, "settings", map[string]command{
		"get": {n: 0, help: "print the settings document (JSON; -o table gives one dotted key a line)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			doc, err := c.Settings.SettingsDocument(ctx)
			if err != nil {
				return err
			}
			if *cf.output == "table" && (f.set("output") || f.set("o")) {
				var v any
				if err := json.Unmarshal(doc, &v); err != nil {
					return err
				}
				return cf.print(e.stdout, nil, func(tw *tabwriter.Writer) { flatRows(tw, "", v) })
			}
			return printJSON(e.stdout, doc)
		}},
		"set": {args: "[KEY=VALUE...]", n: -1, help: "replace the whole document (-f FILE, - for stdin; admin), or change keys: page.name=Acme, monitoring=30m (a VALUE that is JSON is taken as JSON)", flags: func(f *flags) {
			file = f.String("f", "", "a JSON settings document to save whole (- reads stdin)")
		}, run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			var doc json.RawMessage
			switch {
			case *file != "" && len(pos) > 0:
				return usagef("herald settings set takes -f FILE or KEY=VALUE, not both")
			case *file != "":
				var r io.Reader = e.stdin
				if *file != "-" {
					fh, err := os.Open(*file)
					if err != nil {
						return err
					}
					defer fh.Close()
					r = fh
				}
				b, err := io.ReadAll(r)
				if err != nil {
					return err
				}
				if !json.Valid(b) {
					return usagef("%s is not a JSON document", *file)
				}
				doc = b
			case len(pos) > 0:
				cur, err := c.Settings.SettingsDocument(ctx)
				if err != nil {
					return err
				}
				if doc, err = setKeys(cur, pos); err != nil {
					return err
				}
			default:
				return usagef("herald settings set takes -f FILE or KEY=VALUE")
			}
			saved, err := c.Settings.PutSettingsDocument(ctx, doc)
			if err != nil {
				return err
			}
			if *cf.output == "json" {
				return printJSON(e.stdout, saved)
			}
			fmt.Fprintln(e.stdout, "Settings saved.")
			return nil
		}},
	}, args, e)
}

// setKeys changes top-level or dotted keys of a settings document.
func setKeys(doc json.RawMessage, pairs []string) (json.RawMessage, error) {
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber() // keeps large numbers exact
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	for _, p := range pairs {
		key, val, ok := strings.Cut(p, "=")
		if !ok || key == "" {
			return nil, usagef("%q: give KEY=VALUE", p)
		}
		// A value that is JSON (a number, true, a list) is taken as such;
		// anything else is a string.
		var v any
		if err := json.Unmarshal([]byte(val), &v); err != nil {
			v = val
		}
		parts := strings.Split(key, ".")
		m := root
		for i, name := range parts[:len(parts)-1] {
			next, ok := m[name].(map[string]any)
			if !ok {
				if m[name] != nil {
					return nil, usagef("%s: %s is not an object", key, strings.Join(parts[:i+1], "."))
				}
				next = map[string]any{}
				m[name] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
	}
	return json.Marshal(root)
}

// flatRows shows a JSON value one dotted key a line.
func flatRows(tw *tabwriter.Writer, prefix string, v any) {
	if m, ok := v.(map[string]any); ok && len(m) > 0 {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatRows(tw, p, m[k])
		}
		return
	}
	b, _ := json.Marshal(v)
	if s, ok := v.(string); ok {
		b = []byte(s)
	}
	row(tw, prefix, string(b))
}

// printJSON writes a JSON document indented.
func printJSON(w io.Writer, doc json.RawMessage) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, doc, "", "  "); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}
