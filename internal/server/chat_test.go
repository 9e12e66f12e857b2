package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// POST /api/v1/chat/commands: the chat grammar as the token's person; a
// viewer reads (help, the status composer) and is refused what changes
// something with the role it needs; @name resolves against the users.
func TestAPI_ChatCommands(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		vera := e.token(t, "Vera", herald.RoleViewer)
		rita := e.token(t, "Rita", herald.RoleResponder)

		r, err := vera.Chat.Run(ctx, herald.ChatCommandInput{Text: "help"})
		if err != nil || !strings.Contains(r.Text, "declare <S1-S4> <title>") || !r.Private {
			t.Fatalf("help: %+v %v", r, err)
		}
		_, err = vera.Chat.Run(ctx, herald.ChatCommandInput{Text: "declare S3 Search is slow"})
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Status != http.StatusForbidden || !strings.Contains(ce.Message, "declare needs the responder role in Herald; Vera is a viewer") {
			t.Fatalf("viewer declares: %v", err)
		}
		if incs, _ := e.db.Incidents.Incidents(ctx, herald.ListFilter{}); len(incs) != 0 {
			t.Fatalf("declared by a viewer: %d", len(incs))
		}
		r, err = rita.Chat.Run(ctx, herald.ChatCommandInput{Text: "declare S3 Search is slow"})
		if err != nil || r.Incident != "INC-1" || r.Link != "http://herald.test/app/incidents/INC-1" {
			t.Fatalf("declare: %+v %v", r, err)
		}
		if _, err := rita.Chat.Run(ctx, herald.ChatCommandInput{Text: "role eoc @rita", Incident: "INC-1"}); err != nil {
			t.Fatal(err)
		}
		inc, _ := e.db.Incidents.Incident(ctx, "INC-1")
		if eoc, ok := inc.Role(herald.RoleEngineerOnCall); !ok || eoc.UserName != "Rita" {
			t.Fatalf("roles %+v", inc.Roles)
		}
		r, err = vera.Chat.Run(ctx, herald.ChatCommandInput{Text: "status INC-1"})
		if err != nil || r.Composer == nil || r.Composer.Limits.Total != 280 {
			t.Fatalf("composer: %+v %v", r, err)
		}
		_, err = rita.Chat.Run(ctx, herald.ChatCommandInput{Text: "escalate sideways", Incident: "INC-1"})
		if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || !strings.Contains(ce.Message, "Usage: escalate") {
			t.Fatalf("bad escalate: %v", err)
		}
	})
}
