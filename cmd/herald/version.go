package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is Herald's version. A release build sets it with
// -ldflags "-X main.version=0.1.0" (scripts/release); otherwise init takes
// it from the build info: the module version the go command stamped (a
// tag, or a pseudo-version naming the commit), or "dev".
var version string

func init() { version = buildVersion(version, readBuildInfo()) }

// readBuildInfo is debug.ReadBuildInfo, nil when the binary has none.
func readBuildInfo() *debug.BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return bi
}

// buildVersion picks the version to show: the one a release stamped with
// -X wins, because whoever set it meant it; then the module's version.
func buildVersion(stamped string, bi *debug.BuildInfo) string {
	if stamped != "" {
		return stamped
	}
	if bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// printVersion writes what `herald version` shows: the version, then the
// commit and its time as the go command recorded them (-buildvcs), which
// for a reproducible build is the build date too, and the toolchain.
func printVersion(w io.Writer, ver string, bi *debug.BuildInfo) {
	fmt.Fprintln(w, "herald", ver)
	commit, date, modified := "unknown", "unknown", false
	goVersion := runtime.Version()
	if bi != nil {
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				date = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if modified {
		commit += " (with uncommitted changes)"
	}
	fmt.Fprintln(w, "commit", commit)
	fmt.Fprintln(w, "built", date)
	fmt.Fprintln(w, "go", strings.TrimPrefix(goVersion, "go"), runtime.GOOS+"/"+runtime.GOARCH)
}
