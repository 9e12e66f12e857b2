package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// A JSON column that does not parse is an error naming the row, not an
// empty list read as "every component" (errcheck in scripts/test found the
// ignored Unmarshal).
func TestStore_UnreadableJSONColumnIsAnError(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := testdb.Open(t, d, testdb.NewClock())
		s, err := db.Subscribers.AddStakeholderChannel(ctx, herald.SubscriberInput{SlackURL: "http://localhost:9/hook"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE subscribers SET components = $1 WHERE id = $2`, `["db"`, s.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.Subscribers.StakeholderChannels(ctx)
		if err == nil || !strings.Contains(err.Error(), s.ID) {
			t.Fatalf("unreadable components: %v", err)
		}
	})
}
