package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/config"
)

// applyOptions says how applyDocument proceeds.
type applyOptions struct {
	DryRun bool // show the plan, change nothing
	Prune  bool // also delete what the document does not list
	Yes    bool // apply without asking
}

// applyDocument shows the plan for doc, then (unless DryRun) applies it
// through the API and prints what changed.
func applyDocument(ctx context.Context, e env, c *client.Client, cf clientFlags, doc *config.Document, o applyOptions) error {
	if err := resolveSecrets(doc, e.getenv); err != nil {
		return err
	}
	plan, err := c.Config.Plan(ctx, doc, o.Prune)
	if err != nil {
		return err
	}
	if *cf.output == "json" && (o.DryRun || len(plan.Changes) == 0) {
		return cf.print(e.stdout, plan, nil)
	}
	if *cf.output != "json" {
		plan.Write(e.stdout)
	}
	if o.DryRun || len(plan.Changes) == 0 {
		return nil
	}
	if !o.Yes {
		if !isTerminal(e.stdin) {
			return usagef("not applied: give --yes to apply without a terminal to ask on (or --dry-run to only see the plan)")
		}
		fmt.Fprint(e.stderr, "Apply these changes? [y/N] ")
		answer, _ := bufio.NewReader(e.stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintln(e.stderr, "Not applied.")
			return nil
		}
	}
	done, err := c.Config.Apply(ctx, doc, o.Prune)
	if err != nil {
		return err
	}
	if *cf.output == "json" {
		return cf.print(e.stdout, done, nil)
	}
	if !samePlan(plan, done) { // Herald changed between the plan and the apply
		fmt.Fprintln(e.stdout, "Herald changed since the plan; what was applied:")
		done.Write(e.stdout)
	}
	cr, up, de := done.Counts()
	fmt.Fprintf(e.stdout, "Applied: %d created, %d updated, %d deleted.\n", cr, up, de)
	return nil
}

func samePlan(a, b config.Plan) bool {
	var x, y strings.Builder
	a.Write(&x)
	b.Write(&y)
	return x.String() == y.String()
}

// isTerminal says whether r is a terminal a person answers on.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// resolveSecrets reads each target_env from the environment into the
// target sent to the server. A secret written in the document itself is
// refused: the file is meant for a repository. Every missing variable is
// named at once, and nothing is sent.
func resolveSecrets(doc *config.Document, getenv func(string) string) error {
	var p config.Problems
	resolve := func(path, kind string, target, env *string) {
		switch {
		case *env != "":
			v := strings.TrimSpace(getenv(*env))
			if v == "" {
				p = append(p, config.Problem{Path: path + ".target_env", Message: "the environment variable " + *env + " is not set"})
			}
			*target = v
		case config.Secret(strings.ToLower(strings.TrimSpace(kind))) && *target != "":
			p = append(p, config.Problem{Path: path + ".target", Message: "a " + kind + " URL is a secret: name its environment variable with target_env instead of writing it in the file"})
		}
	}
	for i := range doc.Users {
		for j := range doc.Users[i].Contacts {
			c := &doc.Users[i].Contacts[j]
			resolve(fmt.Sprintf("users[%d].contacts[%d]", i, j), c.Kind, &c.Target, &c.TargetEnv)
		}
	}
	for i := range doc.StakeholderChannels {
		c := &doc.StakeholderChannels[i]
		resolve(fmt.Sprintf("stakeholder_channels[%d]", i), c.Kind, &c.Target, &c.TargetEnv)
	}
	if len(p) > 0 {
		return p
	}
	return nil
}

// runApply is `herald apply -f FILE`: make Herald's configuration match a
// document (docs/CONFIG.md), after showing the plan.
func runApply(ctx context.Context, args []string, e env) error {
	f := newFlags("apply", "apply -f FILE [--dry-run] [--prune] [--yes]", e)
	cf := addClientFlags(f)
	file := f.String("f", "", "the configuration document (YAML; - reads stdin)")
	dry := f.Bool("dry-run", false, "show the plan and change nothing")
	prune := f.Bool("prune", false, "also delete what a list in the document leaves out")
	yes := f.Bool("yes", false, "apply without asking (needed when stdin is not a terminal)")
	f.BoolVar(yes, "y", false, "short for --yes")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *file == "" {
		return usagef("herald apply takes -f FILE and no arguments")
	}
	doc, err := readDocument(*file, e.stdin)
	if err != nil {
		return err
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	return applyDocument(ctx, e, c, cf, doc, applyOptions{DryRun: *dry, Prune: *prune, Yes: *yes})
}

func readDocument(file string, stdin io.Reader) (*config.Document, error) {
	r := stdin
	if file != "-" {
		fh, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		r = fh
	}
	doc, err := config.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return doc, nil
}

// runExportConfig is `herald export-config`: the configuration as a
// document apply reads. Secrets are not written: each is named by an
// environment variable, listed in the file's heading and on stderr.
func runExportConfig(ctx context.Context, args []string, e env) error {
	f := newFlags("export-config", "export-config [--out FILE]", e)
	cf := addClientFlags(f)
	out := f.String("out", "", "write the document to FILE (default: stdout)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("herald export-config takes no arguments")
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	doc, err := c.Config.Export(ctx)
	if err != nil {
		return err
	}
	body, err := config.Marshal(doc)
	if err != nil {
		return err
	}
	vars := expectedEnv(doc)
	var b strings.Builder
	b.WriteString("# Herald configuration (herald export-config). Apply it with: herald apply -f FILE\n")
	if len(vars) > 0 {
		b.WriteString("# Secrets are not in this file. Set these environment variables to apply it:\n")
		for _, v := range vars {
			b.WriteString("#   " + v + "\n")
		}
	}
	b.Write(body)
	if len(vars) > 0 {
		fmt.Fprintf(e.stderr, "The document expects these environment variables (secrets are not written): %s\n", strings.Join(vars, " "))
	}
	if *out == "" {
		_, err = io.WriteString(e.stdout, b.String())
		return err
	}
	return os.WriteFile(*out, []byte(b.String()), 0o600)
}

// expectedEnv lists the variables a document names, sorted.
func expectedEnv(doc *config.Document) []string {
	seen := map[string]bool{}
	for _, u := range doc.Users {
		for _, c := range u.Contacts {
			if c.TargetEnv != "" {
				seen[c.TargetEnv] = true
			}
		}
	}
	for _, c := range doc.StakeholderChannels {
		if c.TargetEnv != "" {
			seen[c.TargetEnv] = true
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
