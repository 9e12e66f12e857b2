package worker

import "github.com/heraldhq/herald"

// redactedError is a send error whose text has the target's URL masked
// (herald.RedactTarget); the error it came from stays reachable for
// errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redacted masks a secret target in a send error before it is logged or
// settled on its row: a chat webhook's URL is its credential, and a
// sender's error may quote it.
func redacted(kind, target string, err error) error {
	if err == nil {
		return nil
	}
	if msg := herald.RedactTarget(err.Error(), kind, target); msg != err.Error() {
		return &redactedError{msg: msg, err: err}
	}
	return err
}
