package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// incidentChecklist is `herald incident checklist REF [--check KEY |
// --uncheck KEY] [--role R] [--note N]`: the roles' checklists (R08), and
// an item checked or unchecked by hand.
func incidentChecklist(ctx context.Context, f *flags, start func(int, string) ([]string, *client.Client, error), cf clientFlags, e env) error {
	checkKey := f.String("check", "", "check this item by hand")
	uncheckKey := f.String("uncheck", "", "uncheck this item")
	role := f.String("role", "", "the role whose list holds the item (when both lists have it)")
	note := f.String("note", "", "why; needed to check by hand an item Herald checks itself")
	pos, c, err := start(1, "one incident reference")
	if err != nil {
		return err
	}
	var list herald.Checklist
	switch {
	case *checkKey != "" && *uncheckKey != "":
		return usagef("give --check or --uncheck, not both")
	case *checkKey != "" || *uncheckKey != "":
		key, on := *checkKey, true
		if key == "" {
			key, on = *uncheckKey, false
		}
		list, err = c.Incidents.CheckItem(ctx, pos[0], herald.CheckInput{Role: *role, Item: key, Checked: &on, Note: *note})
	default:
		list, err = c.Incidents.Checklist(ctx, pos[0])
	}
	if err != nil {
		return err
	}
	return cf.print(e.stdout, list, func(tw *tabwriter.Writer) { checklistTable(tw, list) })
}

// checklistTable shows each role's list, stage by stage, one item a line.
func checklistTable(tw *tabwriter.Writer, c herald.Checklist) {
	for i, l := range c.Lists {
		if i > 0 {
			row(tw)
		}
		fmt.Fprintf(tw, "%s (%s): %d open\n", l.RoleName, orDash(l.Holder), l.Open) // no tab: one cell, no column
		row(tw, "STAGE", "ITEM", "STATE", "BY", "AT", "TASK")
		for _, st := range l.Stages {
			for _, it := range st.Items {
				state := "open"
				switch it.How {
				case herald.CheckedAuto:
					state = "done (Herald)"
				case herald.CheckedManual:
					state = "done (by hand)"
				}
				if !it.Checked && it.Rule != "" {
					state = "open (Herald: " + it.Rule + ")"
				}
				row(tw, st.Name, it.Key, state, orDash(it.By), tsp(it.At), it.Text)
			}
		}
	}
}
