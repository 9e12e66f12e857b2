package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"
)

//go:embed assets
var assetFS embed.FS

// assetPrefix is where the console's stylesheet and script are served.
const assetPrefix = "/app/assets/"

// assets are the console's stylesheet and script, each made once at start
// from every assets/*.css and assets/*.js file in name order, so a screen
// adds its styles or behaviour in a file of its own. They are served under
// a versioned URL and cached for a year.
type assets struct {
	files map[string]asset
}

type asset struct {
	body        []byte
	contentType string
	version     string
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string]asset{}}
	for ext, ctype := range map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"} {
		names, err := fs.Glob(assetFS, "assets/*"+ext)
		if err != nil {
			return nil, err
		}
		sort.Strings(names)
		var buf bytes.Buffer
		for _, n := range names {
			b, err := assetFS.ReadFile(n)
			if err != nil {
				return nil, err
			}
			buf.WriteString("/* " + path.Base(n) + " */\n")
			buf.Write(b)
			buf.WriteByte('\n')
		}
		sum := sha256.Sum256(buf.Bytes())
		a.files["console"+ext] = asset{body: buf.Bytes(), contentType: ctype, version: hex.EncodeToString(sum[:6])}
	}
	return a, nil
}

// url is the versioned URL of an asset.
func (a *assets) url(name string) string { return assetPrefix + name + "?v=" + a.files[name].version }

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.files[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", `"`+f.version+`"`)
	if strings.Contains(r.URL.RawQuery, "v="+f.version) {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
