package store

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/heraldhq/herald"
)

func TestUnavailable_OnlyConnectionTrouble(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{sql.ErrNoRows, false},
		{herald.Errorf(herald.EInvalid, "no"), false},
		{errors.New("read incident: boom"), false},
		{&pgconn.PgError{Code: "23505"}, false}, // unique violation: a bug or a conflict, not an outage
		{&pgconn.PgError{Code: "22021"}, false}, // bad bytes: the caller's
		{fmt.Errorf("read incident: %w", refused), true},
		{fmt.Errorf("x: %w", &pgconn.PgError{Code: "57P01"}), true}, // admin shutdown
		{&pgconn.PgError{Code: "08006"}, true},
		{fmt.Errorf("x: %w", sql.ErrConnDone), true},
		{errors.New("sql: database is closed"), true},
	} {
		if got := Unavailable(c.err); got != c.want {
			t.Errorf("Unavailable(%v) = %v", c.err, got)
		}
	}
}
