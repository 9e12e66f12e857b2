package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// runCompletion is `herald completion bash|zsh|fish`: a shell completion
// script for the commands and their subcommands. The lists come from the
// CLI itself (the usage text and each command's --help), so a command added
// to the table is completed without editing a list here.
func runCompletion(ctx context.Context, args []string, e env) error {
	f := newFlags("completion", "completion bash|zsh|fish   (bash: source <(herald completion bash))", e)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("herald completion takes the shell: bash, zsh or fish")
	}
	tree := commandTree(ctx)
	switch pos[0] {
	case "bash":
		return bashCompletion(e.stdout, tree)
	case "zsh":
		return zshCompletion(e.stdout, tree)
	case "fish":
		return fishCompletion(e.stdout, tree)
	}
	return usagef("herald completion: no %q; bash, zsh or fish", pos[0])
}

// cmdNode is a top-level command and its subcommands, if it has any.
type cmdNode struct {
	name string
	subs []string
}

// commandTree reads the top-level commands from the usage text and each
// one's subcommands from the "Commands:" part of its --help. --help only
// prints (flags are parsed before anything is done), and the environment
// is left out so that nothing in it changes the lists.
func commandTree(ctx context.Context) []cmdNode {
	names := []string{"help", "completion"}
	for line := range strings.Lines(usage) {
		if rest, ok := strings.CutPrefix(line, "  herald "); ok {
			if name := strings.Fields(rest)[0]; !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	var tree []cmdNode
	for _, name := range names {
		node := cmdNode{name: name}
		if name != "help" && name != "completion" {
			var out bytes.Buffer
			_ = dispatch(ctx, []string{name, "--help"}, func(string) string { return "" }, strings.NewReader(""), &out, io.Discard)
			node.subs = subcommands(out.String())
		}
		tree = append(tree, node)
	}
	return tree
}

// subcommands are the names listed under "Commands:" in a usage text, each
// on a line indented by two spaces (the help under them by more).
func subcommands(help string) []string {
	var subs []string
	in := false
	for line := range strings.Lines(help) {
		if strings.TrimSpace(line) == "Commands:" {
			in = true
			continue
		}
		if !in || !strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "   ") {
			continue
		}
		name := strings.Fields(line)[0]
		if !slices.Contains(subs, name) && strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == "" {
			subs = append(subs, name)
		}
	}
	return subs
}

func topNames(tree []cmdNode) string {
	var names []string
	for _, n := range tree {
		names = append(names, n.name)
	}
	return strings.Join(names, " ")
}

func bashCompletion(w io.Writer, tree []cmdNode) error {
	var b strings.Builder
	b.WriteString("# bash completion for herald: source <(herald completion bash)\n")
	b.WriteString("_herald() {\n")
	b.WriteString("    local cur=${COMP_WORDS[COMP_CWORD]}\n")
	b.WriteString("    COMPREPLY=()\n")
	b.WriteString("    if [[ $COMP_CWORD -eq 1 ]]; then\n")
	fmt.Fprintf(&b, "        COMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n", topNames(tree))
	b.WriteString("    elif [[ $COMP_CWORD -eq 2 ]]; then\n")
	b.WriteString("        case ${COMP_WORDS[1]} in\n")
	for _, n := range tree {
		if len(n.subs) > 0 {
			fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", n.name, strings.Join(n.subs, " "))
		}
	}
	b.WriteString("        completion) COMPREPLY=($(compgen -W 'bash zsh fish' -- \"$cur\")) ;;\n")
	b.WriteString("        *) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n")
	b.WriteString("        esac\n")
	b.WriteString("    else\n")
	b.WriteString("        COMPREPLY=($(compgen -f -- \"$cur\"))\n")
	b.WriteString("    fi\n")
	b.WriteString("}\n")
	b.WriteString("complete -F _herald herald\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func zshCompletion(w io.Writer, tree []cmdNode) error {
	var b strings.Builder
	b.WriteString("#compdef herald\n# zsh completion for herald: herald completion zsh > \"${fpath[1]}/_herald\"\n")
	b.WriteString("_herald() {\n")
	b.WriteString("    if (( CURRENT == 2 )); then\n")
	fmt.Fprintf(&b, "        compadd -- %s\n", topNames(tree))
	b.WriteString("    elif (( CURRENT == 3 )); then\n")
	b.WriteString("        case $words[2] in\n")
	for _, n := range tree {
		if len(n.subs) > 0 {
			fmt.Fprintf(&b, "        %s) compadd -- %s ;;\n", n.name, strings.Join(n.subs, " "))
		}
	}
	b.WriteString("        completion) compadd -- bash zsh fish ;;\n")
	b.WriteString("        *) _files ;;\n")
	b.WriteString("        esac\n")
	b.WriteString("    else\n")
	b.WriteString("        _files\n")
	b.WriteString("    fi\n")
	b.WriteString("}\n")
	b.WriteString("if [[ \"${funcstack[1]}\" == _herald ]]; then _herald \"$@\"; else compdef _herald herald; fi\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func fishCompletion(w io.Writer, tree []cmdNode) error {
	var b strings.Builder
	b.WriteString("# fish completion for herald: herald completion fish > ~/.config/fish/completions/herald.fish\n")
	fmt.Fprintf(&b, "complete -c herald -n __fish_use_subcommand -f -a '%s'\n", topNames(tree))
	for _, n := range tree {
		if len(n.subs) > 0 {
			fmt.Fprintf(&b, "complete -c herald -n '__fish_seen_subcommand_from %s' -f -a '%s'\n", n.name, strings.Join(n.subs, " "))
		}
	}
	b.WriteString("complete -c herald -n '__fish_seen_subcommand_from completion' -f -a 'bash zsh fish'\n")
	_, err := io.WriteString(w, b.String())
	return err
}
