package main

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion_FromBuildInfo(t *testing.T) {
	stamped := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/heraldhq/herald", Version: "v0.1.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "051379cabc"}, {Key: "vcs.time", Value: "2026-11-30T02:00:00Z"}, {Key: "vcs.modified", Value: "false"}}}
	for _, tc := range []struct {
		name     string
		ldflag   string
		bi       *debug.BuildInfo
		want     []string
		wantNone string
	}{
		{"module version and vcs", "", stamped, []string{"herald v0.1.0\n", "commit 051379cabc\n", "built 2026-11-30T02:00:00Z\n", "go 1.26.8 "}, "uncommitted"},
		{"ldflag wins", "0.1.0", stamped, []string{"herald 0.1.0\n", "commit 051379cabc\n"}, ""},
		{"devel build without vcs", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, []string{"herald dev\n", "commit unknown\n", "built unknown\n"}, ""},
		{"no build info", "", nil, []string{"herald dev\n"}, ""},
		{"dirty tree", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130020000-051379cabc12+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "051379cabc"}, {Key: "vcs.modified", Value: "true"}}},
			[]string{"herald v0.0.0-20261130020000-051379cabc12+dirty\n", "commit 051379cabc (with uncommitted changes)\n"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			printVersion(&out, buildVersion(tc.ldflag, tc.bi), tc.bi)
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if tc.wantNone != "" && strings.Contains(out.String(), tc.wantNone) {
				t.Errorf("output has %q:\n%s", tc.wantNone, out.String())
			}
		})
	}
}

// TestVersion_Command: `herald version` prints the four lines and exits 0.
func TestVersion_Command(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, func(string) string { return "" }, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "herald ") || lines[0] == "herald " || !strings.HasPrefix(lines[1], "commit ") ||
		!strings.HasPrefix(lines[2], "built ") || !strings.HasPrefix(lines[3], "go ") {
		t.Errorf("herald version printed:\n%s", out.String())
	}
}
