package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"

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
	herald.EInternal:        http.StatusInternalServerError,
	herald.EUnavailable:     http.StatusServiceUnavailable,
}

// retryAfter is the Retry-After of an "unavailable" answer, in seconds:
// long enough for a reconnect, short enough for a pager.
const retryAfter = "5"

// ErrorBody is the shape of every API error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	Current any               `json:"current,omitempty"`
}

// writeError answers with err's status and JSON body. Errors that are not a
// *herald.Error are internal: they are logged here, once, and the caller sees
// a generic message; those that mean the database cannot be reached are
// "unavailable" (503 with Retry-After), since trying again will work.
func writeError(w http.ResponseWriter, r *http.Request, err error, log *slog.Logger) {
	var he *herald.Error
	switch {
	case errors.As(err, &he):
	case store.Unavailable(err):
		log.Warn("database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		he = herald.Errorf(herald.EUnavailable, "the database cannot be reached; try again in a few seconds")
	default:
		log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		he = herald.Errorf(herald.EInternal, "internal error; the server log has details")
	}
	status, ok := statusOf[he.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter)
	}
	if err := writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: he.Code, Message: he.Message, Fields: he.Fields, Current: he.Current}}); err != nil {
		log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, ErrorBody{Error: ErrorDetail{Code: herald.EInternal, Message: "internal error; the server log has details"}})
	}
}

// writeJSON answers with v as JSON. It encodes v completely before writing
// anything, so a value that cannot be encoded (a time past year 9999)
// never becomes a 200 with an empty or cut body: the error is returned with
// nothing written, for the caller to answer 500 through writeError.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode the answer: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

// decode reads a JSON body into v: one object, no unknown fields, within the
// size limit. Its errors name the offending field.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return herald.Errorf(herald.EInvalid, "send the body as application/json, not %s", ct)
	}
	return decodeJSON(r.Body, v)
}

func decodeJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return jsonError(err)
		}
		return herald.Errorf(herald.EInvalid, "the body must hold a single JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return herald.Errorf(herald.ETooLarge, "the body is larger than %d bytes", mbe.Limit)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return herald.Errorf(herald.EInvalid, "the body did not arrive in time")
	case errors.Is(err, io.EOF):
		return herald.Errorf(herald.EInvalid, "the body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return herald.Errorf(herald.EInvalid, "the body ends in the middle of the JSON")
	case errors.As(err, &syn):
		return herald.Errorf(herald.EInvalid, "the body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return herald.Errorf(herald.EInvalid, "the body must be a JSON object")
		}
		return &herald.Error{Code: herald.EInvalid, Message: fmt.Sprintf("%s must be %s, not %s", field, jsonKind(typ.Type.String()), typ.Value),
			Fields: map[string]string{field: "must be " + jsonKind(typ.Type.String())}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &herald.Error{Code: herald.EInvalid, Message: "unknown field " + field, Fields: map[string]string{field: "unknown field"}}
	}
	return herald.Errorf(herald.EInvalid, "the body could not be read as JSON")
}

func jsonKind(goType string) string {
	switch {
	case strings.Contains(goType, "int"):
		return "a whole number"
	case strings.Contains(goType, "bool"):
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.Contains(goType, "map"), strings.Contains(goType, "struct"):
		return "an object"
	}
	return "a string"
}
