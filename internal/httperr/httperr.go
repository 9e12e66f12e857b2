// Package httperr is the one mapping from Herald's errors to HTTP: the
// JSON API (internal/server) and the console (internal/console) answer
// the same error with the same status, whatever they render.
package httperr

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[string]int{
	herald.EInvalid:         http.StatusBadRequest,
	herald.EUnauthenticated: http.StatusUnauthorized,
	herald.EForbidden:       http.StatusForbidden,
	herald.ENotFound:        http.StatusNotFound,
	herald.EMethod:          http.StatusMethodNotAllowed,
	herald.EConflict:        http.StatusConflict,
	herald.ETooLarge:        http.StatusRequestEntityTooLarge,
	herald.EUnprocessable:   http.StatusUnprocessableEntity,
	herald.ETooMany:         http.StatusTooManyRequests,
	herald.EInternal:        http.StatusInternalServerError,
	herald.EUnavailable:     http.StatusServiceUnavailable,

	herald.EApprovalRequired: http.StatusConflict, // R44: the text is not approved
}

// UnavailableRetry is the Retry-After of an "unavailable" answer: long
// enough for a reconnect, short enough for a pager.
const UnavailableRetry = 5 * time.Second

// Kind says what an error is to the person who caused it.
type Kind int

const (
	// Refused is a *herald.Error: shown as it is.
	Refused Kind = iota
	// Unavailable means the database cannot be reached: trying again
	// will work.
	Unavailable
	// Internal is anything else: logged once by the caller, shown as a
	// generic message.
	Internal
)

// Of returns what to show for err, its HTTP status and its kind.
func Of(err error) (*herald.Error, int, Kind) {
	var he *herald.Error
	kind := Refused
	switch {
	case errors.As(err, &he):
	case store.Unavailable(err):
		he = herald.Errorf(herald.EUnavailable, "the database cannot be reached; try again in a few seconds")
		he.RetryAfter = UnavailableRetry
		kind = Unavailable
	default:
		he = herald.Errorf(herald.EInternal, "internal error; the server log has details")
		kind = Internal
	}
	status, ok := statusOf[he.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return he, status, kind
}

// Status is the HTTP status of an error code.
func Status(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// SetRetryAfter says when to try again, in whole seconds rounded up.
func SetRetryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10))
}
