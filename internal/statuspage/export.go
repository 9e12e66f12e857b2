package statuspage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FileName maps a page path to the file a static host serves for it:
// pages become folder/index.html ("/incidents/X" -> incidents/X/index.html),
// files with an extension keep their name.
func FileName(path string) string {
	switch {
	case path == "/":
		return "index.html"
	case path == "/404":
		return "404.html"
	case filepath.Ext(path) != "":
		return strings.TrimPrefix(path, "/")
	}
	return strings.TrimPrefix(path, "/") + "/index.html"
}

// Export writes every page of s under dir. Each file is written to a
// temporary name and renamed, so a web server reading dir never serves half
// a file; files whose content is unchanged are left alone. It returns how
// many files it wrote.
func Export(s *Snapshot, dir string) (int, error) {
	n := 0
	for path, e := range Files(s) {
		name := filepath.Join(dir, filepath.FromSlash(FileName(path)))
		if old, err := os.ReadFile(name); err == nil && string(old) == string(e.Body) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return n, fmt.Errorf("export %s: %w", path, err)
		}
		tmp := name + ".tmp"
		if err := os.WriteFile(tmp, e.Body, 0o644); err != nil {
			return n, fmt.Errorf("export %s: %w", path, err)
		}
		if err := os.Rename(tmp, name); err != nil {
			return n, fmt.Errorf("export %s: %w", path, err)
		}
		n++
	}
	return n, nil
}
