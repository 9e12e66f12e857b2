package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err means that the database cannot be
// reached right now (a refused, dropped or timed-out connection, a server
// shutting down or starting up, a closed pool) rather than that a request
// or the code is wrong. The server answers such errors with 503 and
// Retry-After, so clients and monitors retry instead of recording a bug.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-57P03: the server is
		// shutting down or starting; 53300: no connection slot free.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	var oe *net.OpError // a dial, read or write on the database's connection
	switch {
	case errors.As(err, &ce), errors.As(err, &oe),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	// database/sql does not export this one.
	return strings.Contains(err.Error(), "sql: database is closed")
}
