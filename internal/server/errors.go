package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[string]int{
	herald.EInvalid:         http.StatusBadRequest,
	herald.EUnauthenticated: http.StatusUnauthorized,
	herald.EForbidden:       http.StatusForbidden,
	herald.ENotFound:        http.StatusNotFound,
	herald.EConflict:        http.StatusConflict,
	herald.ETooLarge:        http.StatusRequestEntityTooLarge,
	herald.EUnprocessable:   http.StatusUnprocessableEntity,
	herald.ETooMany:         http.StatusTooManyRequests,
	herald.EInternal:        http.StatusInternalServerError,
}

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
// a generic message.
func writeError(w http.ResponseWriter, r *http.Request, err error, log *slog.Logger) {
	var he *herald.Error
	if !errors.As(err, &he) {
		log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		he = herald.Errorf(herald.EInternal, "internal error; the server log has details")
	}
	status, ok := statusOf[he.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if he.RetryAfter > 0 {
		setRetryAfter(w, he.RetryAfter)
	}
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: he.Code, Message: he.Message, Fields: he.Fields, Current: he.Current}})
}

// setRetryAfter sets Retry-After in whole seconds, rounded up.
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
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
