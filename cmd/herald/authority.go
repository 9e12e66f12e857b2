package main

import (
	"text/tabwriter"

	"github.com/heraldhq/herald"
)

// draftTable shows status page drafts (R10).
func draftTable(tw *tabwriter.Writer, list ...herald.StatusDraft) {
	row(tw, "ID", "INCIDENT", "STATE", "DRAFTED", "BY", "NAME")
	for _, d := range list {
		row(tw, d.ID, d.Reference, d.State, ts(d.CreatedAt), d.DraftedByName, truncate(d.Name, 60))
	}
}

// decisionTable shows decisions with whom they await (R51, R55, R56).
func decisionTable(tw *tabwriter.Writer, list []herald.DecisionStatus) {
	row(tw, "ID", "AT", "KIND", "BY", "STATUS", "WHAT")
	for _, d := range list {
		status := "complete"
		if !d.Complete {
			status = "awaits " + d.Decision.Awaits
		} else if len(d.Approvals) > 0 {
			status = "approved by " + d.Approvals[0].ByName
		}
		row(tw, d.Entry.ID, ts(d.Entry.At), d.Decision.Kind, d.Decision.DecidedByName, status, truncate(d.Decision.What, 60))
	}
}
