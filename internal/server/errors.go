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
	"unicode/utf8"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/httperr"
)

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
	// RequestID is the request's X-Request-ID, to find it in the log.
	RequestID string `json:"request_id,omitempty"`
}

// writeError answers with err's status and JSON body. Errors that are not a
// *herald.Error are internal: they are logged here, once, and the caller sees
// a generic message; those that mean the database cannot be reached are
// "unavailable" (503 with Retry-After), since trying again will work.
func writeError(w http.ResponseWriter, r *http.Request, err error, log *slog.Logger) {
	he, status, kind := httperr.Of(err)
	switch kind {
	case httperr.Unavailable:
		log.Warn("database unavailable", "method", r.Method, "route", logRoute(r), "request_id", requestID(w), "err", err)
	case httperr.Internal:
		log.Error("internal error", "method", r.Method, "route", logRoute(r), "request_id", requestID(w), "err", err)
	}
	if he.RetryAfter > 0 {
		httperr.SetRetryAfter(w, he.RetryAfter)
	}
	if err := writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: he.Code, Message: he.Message, Fields: he.Fields, Current: he.Current, RequestID: requestID(w)}}); err != nil {
		log.Error("internal error", "method", r.Method, "route", logRoute(r), "err", err)
		writeJSON(w, http.StatusInternalServerError, ErrorBody{Error: ErrorDetail{Code: herald.EInternal, Message: "internal error; the server log has details", RequestID: requestID(w)}})
	}
}

// logRoute names a request in the log by its route pattern, not its path:
// a path can hold a secret (the integration key of the Alertmanager route).
func logRoute(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	return r.Pattern
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
	b, err := io.ReadAll(body)
	if err != nil {
		return jsonError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return herald.Errorf(herald.EInvalid, "the body must hold a single JSON object")
	}
	return checkJSONText(b)
}

// textProblem says why s cannot be stored as text, or "". PostgreSQL
// refuses NUL bytes and invalid UTF-8 in text (SQLite would store them,
// and every reader after would have to cope), so both are refused at the
// edge, on both databases alike.
func textProblem(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "must not contain NUL bytes"
	}
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	return ""
}

func textError(field, problem string) *herald.Error {
	return &herald.Error{Code: herald.EInvalid, Message: field + " " + problem, Fields: map[string]string{field: problem}}
}

// checkParams refuses a path parameter or query value that cannot be
// stored or compared as text, naming it.
func checkParams(r *http.Request, names []string) error {
	for _, n := range names {
		if p := textProblem(r.PathValue(n)); p != "" {
			return textError(n, p)
		}
	}
	if r.URL.RawQuery == "" {
		return nil
	}
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			if p := textProblem(v); p != "" {
				return textError(k, p)
			}
		}
	}
	return nil
}

// pathParams lists the wildcard names of a route pattern's path.
func pathParams(path string) []string {
	var names []string
	for seg := range strings.SplitSeq(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			names = append(names, strings.TrimSuffix(strings.TrimSuffix(seg[1:len(seg)-1], "..."), "$"))
		}
	}
	return names
}

// checkJSONText refuses a JSON body whose strings (keys or values, in typed
// fields or in raw JSON kept as it came, such as an event's custom_details)
// hold a NUL or invalid UTF-8, naming the first such field by its path
// ("payload.custom_details.rate", "labels[1]"). The decoder would turn
// invalid UTF-8 into U+FFFD in typed fields but keeps it in raw JSON, and
// keeps \u0000 as NUL. Most bodies have neither, which two fast scans show;
// only the others are walked token by token to find the field.
func checkJSONText(body []byte) error {
	bad := int64(-1) // offset of the first invalid UTF-8 byte
	if !utf8.Valid(body) {
		for i := 0; i < len(body); {
			r, n := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && n == 1 {
				bad = int64(i)
				break
			}
			i += n
		}
	}
	if bad < 0 && !bytes.Contains(body, []byte(`\u0000`)) {
		return nil
	}
	type frame struct {
		obj     bool
		key     string
		idx     int
		wantKey bool
	}
	var stack []frame
	path := func(depth int) string {
		var b strings.Builder
		for _, f := range stack[:depth] {
			if f.obj {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				fmt.Fprintf(&b, "[%d]", f.idx)
			}
		}
		if b.Len() == 0 {
			return "body"
		}
		return b.String()
	}
	done := func() { // a value ended
		if n := len(stack); n > 0 {
			if stack[n-1].obj {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].idx++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		end := dec.InputOffset()
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				stack = append(stack, frame{obj: v == '{', wantKey: true})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
		case string:
			n := len(stack)
			isKey := n > 0 && stack[n-1].obj && stack[n-1].wantKey
			field := path(n)
			if isKey {
				stack[n-1].key, stack[n-1].wantKey = v, false
				field = path(n - 1) // a bad key is named by its object
			}
			problem := textProblem(v)
			if bad >= prev && bad < end {
				problem = "must be valid UTF-8"
			}
			if problem != "" {
				return textError(field, problem)
			}
			if !isKey {
				done()
			}
		default:
			done()
		}
		prev = end
	}
	if bad >= 0 {
		return herald.Errorf(herald.EInvalid, "the body is not valid UTF-8")
	}
	return nil // only an escaped backslash before u0000: text, not NUL
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
