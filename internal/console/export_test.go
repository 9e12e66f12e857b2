package console

import (
	"net/http"
	"strings"

	"github.com/heraldhq/herald"
)

// Guarded is a route that needs more than the viewer role, for the test
// that has a viewer try every one of them in a browser.
type Guarded struct {
	Method, Path string
	Role         herald.APIRole
}

// Guarded lists every route above the viewer role, from the route table,
// so a new screen is covered without adding a row anywhere.
func (c *Console) Guarded() []Guarded {
	var out []Guarded
	for _, rt := range c.routes {
		if rt.role != "" && rt.role != herald.RoleViewer {
			out = append(out, Guarded{Method: rt.method, Path: rt.path, Role: rt.role})
		}
	}
	return out
}

// AddTestRoute registers a route that answers with a redirect to the front
// page and a flash: the role check in front of it is the one every route
// gets (wrap), so a test can exercise it before real screens need a role.
func (c *Console) AddTestRoute(method, path string, role herald.APIRole) {
	rt := route{method: method, path: path, role: role, serve: func(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
		redirect(w, r, "/app", "test route: "+strings.ToLower(method)+" done")
		return nil
	}}
	c.routes = append(c.routes, rt)
	c.mux.Handle(method+" "+path, c.wrap(rt))
}
