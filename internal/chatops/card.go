package chatops

import (
	"fmt"

	"github.com/heraldhq/herald"
)

// IncidentCard is the incident message a platform keeps and edits in
// place as the incident's state, severity and roles change: the same
// fields and buttons as the answer of a command that changed it.
func (e *Executor) IncidentCard(inc *herald.Incident) herald.ChatReply {
	return e.incidentReply(inc, fmt.Sprintf("%s (%s, %s): %s", inc.Reference, inc.Severity, inc.State.Title(), inc.Title))
}
