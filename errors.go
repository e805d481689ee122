package vpsorg

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. An [*APIError] matches the sentinel of its status code with
// [errors.Is], so callers can branch without inspecting status codes:
//
//	if errors.Is(err, vpsorg.ErrNotFound) { ... }
var (
	ErrBadRequest   = errors.New("vpsorg: bad request")  // 400
	ErrUnauthorized = errors.New("vpsorg: unauthorized") // 401
	ErrForbidden    = errors.New("vpsorg: forbidden")    // 403
	ErrNotFound     = errors.New("vpsorg: not found")    // 404
	ErrRateLimited  = errors.New("vpsorg: rate limited") // 429
	ErrServerError  = errors.New("vpsorg: server error") // any 5xx

	// ErrRedirectRefused is matched by the error of a call the server
	// redirected to another origin (scheme, host or port): the SDK does
	// not follow it, so the token never leaves the base URL's origin.
	ErrRedirectRefused = errors.New("vpsorg: redirect refused")

	// ErrResponseTooLarge is matched by the error of a call whose success body
	// is larger than 32 MiB. Nothing past that limit is read.
	ErrResponseTooLarge = errors.New("vpsorg: response body too large")

	// ErrOutcomeUnknown is matched by the error of a write (a create or a
	// restore) that failed after it may have reached the server: a 5xx, a
	// timeout or a reset after the request was sent, or a 2xx answer whose
	// body broke off. The SDK looked for the write's result and did not find
	// it, or could not look (the look-up failed, or [WithoutRecovery] is
	// set). The write may or may not have been carried out; the SDK never
	// sends it again. The error still matches the original error too, so
	// [errors.As] finds its [*APIError] or [*RequestError].
	ErrOutcomeUnknown = errors.New("vpsorg: outcome unknown")

	// ErrOperationFailed is returned by the Wait methods when the awaited
	// backup or snapshot reached status "failed". The last seen object is
	// returned along with it.
	ErrOperationFailed = errors.New("vpsorg: operation failed")
)

// APIError is the error of every call the API answered with a status outside
// 2xx. It matches [ErrBadRequest], [ErrUnauthorized], [ErrForbidden],
// [ErrNotFound], [ErrRateLimited] or [ErrServerError] with [errors.Is].
type APIError struct {
	StatusCode int    // HTTP status code of the last answer
	Method     string // HTTP method of the call
	Path       string // URL path of the call, such as "/api/v1/backups/"

	// Message is the human text: DRF's "detail", else "non_field_errors",
	// else a summary of FieldErrors, else the trimmed start of the raw body.
	Message string

	// FieldErrors holds DRF's per-field messages of a 400 answer, keyed by the
	// API's field name ("server_id", "name", ...). Nil when there were none.
	FieldErrors map[string][]string

	RequestID  string        // the server's request id header, when sent
	RetryAfter time.Duration // the Retry-After the server asked for, if any
	Attempts   int           // tries the call took, retries included
	Body       []byte        // the raw body, at most 64 KiB of it
}

// Error returns "vpsorg: METHOD PATH: STATUS TEXT: MESSAGE".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "vpsorg: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" && e.Message != http.StatusText(e.StatusCode) {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Is reports whether target is the sentinel for e's status code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServerError:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	return false
}

// ValidationError reports input refused before any request was sent, or a
// [RetentionPolicy] that [RetentionPolicy.Decide] cannot apply.
// Field is the API's name of the offending field, such as "server_id",
// "name", "backup_type", "backup_id", "snapshot_id", "page" or
// "page_size"; it is empty when the request itself is nil. For a policy it
// is "RetentionPolicy" or the Go name of its field, such as
// "RetentionPolicy.Daily".
type ValidationError struct {
	Field   string
	Message string
}

// Error returns "vpsorg: invalid FIELD: MESSAGE", or "vpsorg: invalid
// request: MESSAGE" when Field is empty.
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return "vpsorg: invalid request: " + e.Message
	}
	return "vpsorg: invalid " + e.Field + ": " + e.Message
}

// RequestError is the error of a call that got no usable answer: the
// connection failed, the context ended, or the body could not be read or
// decoded. It names the call and keeps the cause for [errors.Is] and
// [errors.As], so errors.Is(err, context.DeadlineExceeded) holds when the
// deadline passed.
type RequestError struct {
	Method   string // HTTP method of the call
	Path     string // URL path of the call
	Attempts int    // tries made before giving up (0 when none was sent)
	Err      error  // the cause
}

// Error returns "vpsorg: METHOD PATH: CAUSE".
func (e *RequestError) Error() string {
	return "vpsorg: " + e.Method + " " + e.Path + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }
