package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

//go:embed all:templates
var templateFS embed.FS

// views holds one template set per screen: the layout, the shared partials
// (files starting with "_") and the screen's own file, which defines
// "title" and "main" (and, for a live screen, "live": the part a refresh
// replaces).
type views struct {
	sets map[string]*template.Template
}

func loadViews() (*views, error) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var shared, screens []string
	for _, f := range files {
		switch base := path.Base(f); {
		case base == "layout.html", strings.HasPrefix(base, "_"):
			shared = append(shared, f)
		default:
			screens = append(screens, f)
		}
	}
	v := &views{sets: map[string]*template.Template{}}
	for _, f := range screens {
		name := strings.TrimSuffix(path.Base(f), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, append(append([]string{}, shared...), f)...)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		v.sets[name] = t
	}
	return v, nil
}

// page is what every screen's template sees.
type page struct {
	// Actor is who is signed in (zero: nobody).
	Actor herald.Actor
	// Screen names the screen, for the navigation's current item.
	Screen string
	// Data is the screen's own.
	Data any
	// Flash is a one-line message after an action ("Incident declared").
	Flash string
	Now   time.Time
	// Assets are the versioned URLs of the stylesheet and script.
	CSS, JS string
	Version string
}

// SignedIn reports whether someone is signed in.
func (p page) SignedIn() bool { return p.Actor.User.ID != "" }

// Can reports whether the signed-in person holds at least role.
func (p page) Can(role herald.APIRole) bool { return p.SignedIn() && p.Actor.Role.Allows(role) }

// render writes a screen with status. "live=1" in the query renders only
// the screen's "live" part, for the script that refreshes it.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, screen string, a herald.Actor, data any) {
	t, ok := c.views.sets[screen]
	if !ok {
		c.log.Error("no console template", "screen", screen)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p := page{Actor: a, Screen: screen, Data: data, Flash: r.URL.Query().Get("flash"), Now: c.cfg.Clock.Now(),
		CSS: c.assets.url("console.css"), JS: c.assets.url("console.js"), Version: c.cfg.Version}
	name := "layout"
	if r.URL.Query().Get("live") == "1" && t.Lookup("live") != nil {
		name = "live"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, p); err != nil {
		c.log.Error("render console screen", "screen", screen, "err", err)
		http.Error(w, "internal error; the server log has details", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// redirect answers a form with 303 to a console path, with a flash message.
func redirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "flash=" + url.QueryEscape(flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// funcs are the helpers every template may use.
var funcs = template.FuncMap{
	// utc writes a time in UTC, minutes precision.
	"utc": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	// iso is the machine form, for <time datetime> and the script.
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	// ago says how long ago t was from now, in the largest unit.
	"ago": func(now, t time.Time) string { return human(now.Sub(t)) },
	// until says how long until t from now; "overdue by ..." once past.
	"until": func(now, t time.Time) string {
		if d := t.Sub(now); d >= 0 {
			return "in " + human(d)
		}
		return "overdue by " + human(now.Sub(t))
	},
	"past": func(now, t time.Time) bool { return !t.After(now) },
	"deref": func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	},
	"join":  strings.Join,
	"lower": func(s fmt.Stringer) string { return strings.ToLower(s.String()) },
	"str":   func(v any) string { return fmt.Sprint(v) },
}

// human writes a duration the way people say it: "45 s", "12 min",
// "3 h 20 min", "2 d 4 h".
func human(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 24*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	default:
		days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
		if h == 0 {
			return fmt.Sprintf("%d d", days)
		}
		return fmt.Sprintf("%d d %d h", days, h)
	}
}

// shortDuration writes a duration as a setting takes it, without trailing
// zero units ("1h30m", "12h", "90m" as "1h30m").
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
