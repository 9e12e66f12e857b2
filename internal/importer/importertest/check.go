package importertest

import (
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/config"
)

// Layers checks a schedule's layers, one by one: name, rotation, hand-off
// time, length, start (the same instant, in any zone) and users. Another
// number of layers stops the test.
func Layers(t testing.TB, got, want []config.Layer) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("layers %+v", got)
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.Name || g.Rotation != w.Rotation || g.HandoffTime != w.HandoffTime || g.Length != w.Length || !g.Start.Equal(w.Start) || !slices.Equal(g.Users, w.Users) {
			t.Errorf("layer %d:\n got %+v\nwant %+v", i+1, g, w)
		}
	}
}

// Levels checks a policy's levels, one by one: timeout and targets.
// Another number of levels stops the test.
func Levels(t testing.TB, got, want []config.Level) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("levels %+v", got)
	}
	for i, w := range want {
		if got[i].Timeout != w.Timeout || !slices.Equal(got[i].Targets, w.Targets) {
			t.Errorf("level %d: got %+v, want %+v", i+1, got[i], w)
		}
	}
}

// Warned checks that each of want is in one of the warnings.
func Warned(t testing.TB, warns []string, want ...string) {
	t.Helper()
	for _, want := range want {
		if !slices.ContainsFunc(warns, func(w string) bool { return strings.Contains(w, want) }) {
			t.Errorf("no warning with %q in:\n%s", want, strings.Join(warns, "\n"))
		}
	}
}

// Reparses checks that the document is one the configuration reader
// takes back.
func Reparses(t testing.TB, doc *config.Document) {
	t.Helper()
	b, err := config.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := config.Parse(strings.NewReader(string(b))); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
}
