package herald

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, name, scope, err string
	}{
		{in: "database", name: "database"},
		{in: "  Incident-Comms :: Status-Page ", name: "Incident-Comms::Status-Page", scope: "Incident-Comms"},
		{in: "a::b::c", name: "a::b::c", scope: "a::b"},
		{in: "", err: "empty"},
		{in: "::x", err: "empty part"},
		{in: "x::", err: "empty part"},
		{in: "a,b", err: "commas"},
		{in: ": ::0", err: "starts or ends"},
		{in: "a:::b", err: "starts or ends"},
		{in: "a:b", name: "a:b"},
		{in: "a\nb", err: "control"},
		{in: strings.Repeat("x", MaxLabelLen+1), err: "at most"},
	}
	for _, tt := range tests {
		l, err := ParseLabel(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseLabel(%q) error = %v, want one containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || l.Name != tt.name || l.Scope != tt.scope {
			t.Errorf("ParseLabel(%q) = %+v, %v; want name %q scope %q", tt.in, l, err, tt.name, tt.scope)
		}
	}
}

func TestNormalizeLabels_ScopedLabelReplacesItsScope(t *testing.T) {
	t.Parallel()
	got, err := NormalizeLabels([]string{"Incident-Comms::Internal", "db", LabelStatusPage, "db", "a::b::c", "a::x"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{LabelStatusPage, "db", "a::b::c", "a::x"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func FuzzParseLabel(f *testing.F) {
	for _, s := range []string{"a", "a::b", " x :: y ", "::", "a::b::c", "é::ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLabel(s)
		if err != nil {
			return
		}
		// A parsed label is stable, bounded, and parses to itself.
		again, err := ParseLabel(l.Name)
		if err != nil || again != l {
			t.Fatalf("ParseLabel(%q) = %+v, reparsed %+v, %v", s, l, again, err)
		}
		if !utf8.ValidString(l.Name) || utf8.RuneCountInString(l.Name) > MaxLabelLen || strings.ContainsRune(l.Name, ',') {
			t.Fatalf("bad label %q", l.Name)
		}
		if l.Scope != "" && !strings.HasPrefix(l.Name, l.Scope+"::") {
			t.Fatalf("scope %q is not a prefix of %q", l.Scope, l.Name)
		}
	})
}
