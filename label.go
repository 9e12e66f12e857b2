package herald

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// LabelStatusPage marks an incident whose communication uses the public
// status page (R18).
const LabelStatusPage = "Incident-Comms::Status-Page"

// MaxLabelLen bounds one label.
const MaxLabelLen = 100

// Label is a tag on an incident. A scoped label ("Scope::Value", as GitLab
// has them) is exclusive within its scope: adding "Incident-Comms::Status-Page"
// replaces any other "Incident-Comms::..." label. The scope is everything
// before the last "::", so scopes nest ("a::b::c" has scope "a::b").
type Label struct {
	Name  string // the whole label as written, normalised
	Scope string // empty when the label is not scoped
}

// Key identifies the slot a label occupies on an incident: its scope when it
// is scoped, its name otherwise. Two labels with one key cannot coexist.
func (l Label) Key() string {
	if l.Scope != "" {
		return l.Scope + "::"
	}
	return l.Name
}

// ParseLabel validates and normalises one label: surrounding space is
// trimmed, and so is space around each "::".
func ParseLabel(s string) (Label, error) {
	if !utf8.ValidString(s) {
		return Label{}, errors.New("label must be valid UTF-8")
	}
	parts := strings.Split(s, "::")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			if len(parts) == 1 {
				return Label{}, errors.New("label must not be empty")
			}
			return Label{}, errors.New("label " + quote(s) + " has an empty part around \"::\"")
		}
		if len(parts) > 1 && (strings.HasPrefix(p, ":") || strings.HasSuffix(p, ":")) {
			return Label{}, errors.New("label " + quote(s) + " has a part that starts or ends with ':' next to \"::\"")
		}
		for _, r := range p {
			if r == ',' || (unicode.IsControl(r)) {
				return Label{}, errors.New("label " + quote(s) + " must not contain commas or control characters")
			}
		}
		parts[i] = p
	}
	name := strings.Join(parts, "::")
	if utf8.RuneCountInString(name) > MaxLabelLen {
		return Label{}, errors.New("label " + tooLong(utf8.RuneCountInString(name), MaxLabelLen, "characters"))
	}
	l := Label{Name: name}
	if len(parts) > 1 {
		l.Scope = strings.Join(parts[:len(parts)-1], "::")
	}
	return l, nil
}

// NormalizeLabels parses every label and applies scope exclusivity in
// order: of two labels in one scope the later wins. Exact duplicates fold.
func NormalizeLabels(in []string) ([]string, error) {
	out := []string{}
	slot := map[string]int{} // label key -> index in out
	for _, s := range in {
		l, err := ParseLabel(s)
		if err != nil {
			return nil, err
		}
		if i, ok := slot[l.Key()]; ok {
			out[i] = l.Name
			continue
		}
		slot[l.Key()] = len(out)
		out = append(out, l.Name)
	}
	if len(out) > MaxListLen {
		return nil, errors.New("labels " + tooLong(len(out), MaxListLen, "labels"))
	}
	return out, nil
}

// LabelInput adds and removes labels.
type LabelInput struct {
	Add    []string `json:"add"`
	Remove []string `json:"remove"`
}
