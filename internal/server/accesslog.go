package server

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

// RequestIDHeader carries a request's id in and out: a proxy's id is kept
// (when it is a short printable token), otherwise Herald makes one, and
// the answer, its JSON error body and the access log line all carry it, so
// a person quoting an error can be found in the log.
const RequestIDHeader = "X-Request-ID"

// requestIDKey is RequestIDHeader in canonical form, to index headers
// without canonicalising (an allocation) on every request.
var requestIDKey = http.CanonicalHeaderKey(RequestIDHeader)

// requestID is the id accessLog gave the request, read back from the
// answer's header ("" outside accessLog). The header, not the request's
// context, carries it: a context value would cost a copy of the request
// on every public page.
func requestID(w http.ResponseWriter) string {
	if v := w.Header()[requestIDKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// validRequestID accepts what a proxy may reasonably send: 1 to 64
// printable ASCII characters without spaces. Anything else (a header
// someone stuffed to forge log lines or bloat them) is replaced.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// accessLog gives each request its id and writes one line when it ends:
// method, route pattern (never the path, which can hold a secret such as
// an integration key), status, duration and request id. At info level;
// --log-level warn leaves it out.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var id string
		if v := r.Header[requestIDKey]; len(v) > 0 && validRequestID(v[0]) {
			id = v[0]
		} else {
			id = newRequestID()
		}
		w.Header()[requestIDKey] = []string{id}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if !s.log.Enabled(r.Context(), slog.LevelInfo) {
			return
		}
		if rec.code == 0 {
			rec.code = http.StatusOK
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", methodLabel(r.Method)), slog.String("route", logRoute(r)), slog.Int("status", rec.code),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000), slog.String("request_id", id))
	})
}
