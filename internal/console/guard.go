package console

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// The content guard (R45) on the maintenance screens: the override box of
// each form that publishes a text, and the refusal's findings one a line.

// guardOverride reads a form's override of the content guard.
func guardOverride(r *http.Request) (bool, string) {
	return r.PostFormValue("override_guard") == "1", r.PostFormValue("override_guard_reason")
}

// guardOverrideView is what the "guard-override" partial shows: the
// submitted form and the id of the form on the screen.
type guardOverrideView struct {
	F  form
	ID string
}

// Guard is the override box of form id on the maintenances screen.
func (v maintenancesView) Guard(id string) guardOverrideView {
	return guardOverrideView{F: v.Form, ID: id}
}

// Guard is the override box of form id on a maintenance's screen.
func (v maintenanceView) Guard(id string) guardOverrideView {
	return guardOverrideView{F: v.Form, ID: id}
}

// guardLines turns the guard's findings in a refusal (fields named
// "body:LINE:COLUMN") into lines for people, in the order of the text.
func guardLines(fields map[string]string) []string {
	type finding struct {
		field     string
		line, col int
		msg       string
	}
	var fs []finding
	for k, v := range fields {
		parts := strings.Split(k, ":")
		if len(parts) != 3 {
			continue
		}
		line, err1 := strconv.Atoi(parts[1])
		col, err2 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil {
			continue
		}
		fs = append(fs, finding{parts[0], line, col, v})
	}
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.field != b.field {
			return a.field > b.field // the name before the body
		}
		if a.line != b.line {
			return a.line < b.line
		}
		return a.col < b.col
	})
	var out []string
	for _, f := range fs {
		out = append(out, f.field+", line "+strconv.Itoa(f.line)+", column "+strconv.Itoa(f.col)+": "+f.msg)
	}
	return out
}
