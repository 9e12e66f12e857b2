package server

import (
	"net/http"
	"strings"
)

// publicPage takes what reaches the mux on the public side without a route
// of its own: GET and HEAD of a status page (most are sent to the cache by
// dispatch before the mux), and any other method, which gets 405 with an
// Allow header naming the methods the path takes. Under /api the 405 has
// the JSON error shape.
func (s *Server) publicPage(w http.ResponseWriter, r *http.Request) {
	allow := s.allowedMethods(r)
	if allow == "" { // no route of its own: a status page, read-only
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			s.cfg.Pages.ServeHTTP(w, r)
			return
		}
		allow = "GET, HEAD"
	}
	w.Header().Set("Allow", allow)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, http.StatusMethodNotAllowed, ErrorBody{Error: ErrorDetail{Code: "method_not_allowed",
			Message: r.URL.Path + " takes " + allow + ", not " + r.Method}})
		return
	}
	http.Error(w, "method not allowed; this page takes "+allow, http.StatusMethodNotAllowed)
}

// allowedMethods names the methods of the routes registered for r's path
// itself (such as "POST /subscribe"), not counting the catch-all page
// patterns, or "" when there are none. It asks the mux, so a route added
// to plainRoutes is named without a second list to keep. Only wrong-method
// requests pay for it.
func (s *Server) allowedMethods(r *http.Request) string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := s.mux.Handler(probe); pattern != "" && !strings.HasPrefix(pattern, "/") {
			allow = append(allow, m)
		}
	}
	return strings.Join(allow, ", ")
}
