package herald

import (
	"sort"
	"strings"
)

// StatusIncidentEdit corrects an open status incident's title and the list
// of components it affects (R22). The correction is recorded at once and
// published with the next update: until then the public page shows what
// the last update published. An empty Name keeps the title; nil Components
// keep the list (an empty list removes every component).
type StatusIncidentEdit struct {
	Name       string    `json:"name,omitempty"`
	Components *[]string `json:"components,omitempty"`
}

// Normalize validates the correction: something must change, and the title
// follows the same rule as a new incident's.
func (in *StatusIncidentEdit) Normalize() error {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name != "" {
		checkText(fe, "name", in.Name, MaxTitleLen, true)
	}
	if in.Components != nil {
		seen := map[string]bool{}
		list := []string{}
		for _, id := range *in.Components {
			id = strings.TrimSpace(id)
			if id == "" {
				fe.Add("components", "a component id is empty")
				continue
			}
			if !seen[id] {
				seen[id] = true
				list = append(list, id)
			}
		}
		sort.Strings(list)
		in.Components = &list
	}
	if in.Name == "" && in.Components == nil {
		fe.Add("name", "send a new name, components, or both")
	}
	return fe.Err()
}
