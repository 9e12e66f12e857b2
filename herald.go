// Package herald holds Herald's domain: incidents and their timeline, the
// rules of the incident process (which state may follow which, who may take
// which decision), settings, and the Error type every layer speaks.
//
// It imports nothing from the project. Storage, HTTP and the command line are
// adapters around it (internal/store, internal/server, cmd/herald), so the
// rules can be read and tested here without a database or a network.
package herald

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. Each maps to exactly one HTTP status in internal/server, so a
// layer that refuses something only has to say why, never how to render it.
const (
	EInvalid         = "invalid"         // the request is malformed or a field is wrong (400)
	EUnauthenticated = "unauthenticated" // no or unknown credentials (401)
	EForbidden       = "forbidden"       // known caller, not allowed (403)
	ENotFound        = "not_found"       // the thing does not exist (404)
	EConflict        = "conflict"        // stale write or duplicate (409)
	ETooLarge        = "too_large"       // request body over the limit (413)
	EUnprocessable   = "unprocessable"   // well-formed but the process forbids it now (422)
	ETooMany         = "too_many"        // too many requests of this kind; Error.RetryAfter says when to retry (429)
	EInternal        = "internal"        // a bug or an outage; details are logged, not shown (500)
	EUnavailable     = "unavailable"     // the database cannot be reached now; retry after Retry-After (503)

	// EMethod: the path exists, but not with this method (405, with Allow).
	EMethod = "method_not_allowed"

	// EApprovalRequired: a customer message needs an approval of its
	// exact text before it is sent (R44; 409).
	EApprovalRequired = "approval_required"
)

// Error is an error meant to be shown to the person who caused it. Anything
// that is not an *Error is internal: logged at the edge and shown as a
// generic message, because its text may carry details a caller must not see.
type Error struct {
	Code    string
	Message string
	// Fields names the offending input fields with a message each.
	Fields map[string]string
	// Current carries the current state of the resource on a conflict, so a
	// client can re-apply its change to what it now reads.
	Current any
	// RetryAfter says when a refused request may succeed (the Retry-After
	// header); zero for "not by waiting".
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and
// EInternal for any other non-nil error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// FieldErrors collects validation failures by field so that one response can
// name everything wrong with a request, not only the first problem.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when nothing was recorded, or an EInvalid *Error naming
// every field.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	msg := "invalid input"
	if len(f) == 1 {
		for k, v := range f {
			msg = k + ": " + v
		}
	}
	return &Error{Code: EInvalid, Message: msg, Fields: f}
}

// Clock tells the time. Domain, store and worker code read time only through
// a Clock so tests can move it by hours in microseconds; every cadence,
// escalation and deadline rule depends on that.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC, truncated to microseconds (the
// precision both databases keep).
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
