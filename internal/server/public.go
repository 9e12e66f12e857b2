package server

import (
	"net/http"
	"strings"
)

// publicPage takes what reaches the mux on the public side without a route
// of its own: GET and HEAD of a status page (most are sent to the cache by
// dispatch before the mux), and any other method, which gets 405 with an
// Allow header naming the methods the path takes (POST for /subscribe).
// Under /api, noRoute answers instead, in the JSON error shape.
func (s *Server) publicPage(w http.ResponseWriter, r *http.Request) {
	allow := s.allowedMethods(r)
	if len(allow) == 0 { // no route of its own: a status page, read-only
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			s.cfg.Pages.ServeHTTP(w, r)
			return
		}
		allow = []string{http.MethodGet, http.MethodHead}
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	http.Error(w, "method not allowed; this page takes "+strings.Join(allow, ", "), http.StatusMethodNotAllowed)
}
