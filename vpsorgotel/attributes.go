package vpsorgotel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/vpsorg/vpsorg-go"
)

// The attributes of a try, in spans and in the histogram alike: nothing
// but the fields of vpsorg.TryInfo and vpsorg.TryResult, which hold no
// token, query or body, and error types of a few known values.

// tryAttributes are a try's request attributes, known before it is sent.
func tryAttributes(info vpsorg.TryInfo) []attribute.KeyValue {
	method, known := knownMethod(info.Method)
	attrs := make([]attribute.KeyValue, 0, 7)
	attrs = append(attrs,
		semconv.HTTPRequestMethodKey.String(method),
		semconv.URLTemplate(info.URLTemplate),
		semconv.ServerAddress(info.ServerAddress),
		semconv.ServerPort(info.ServerPort))
	if !known {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginal(info.Method))
	}
	return attrs
}

// resultAttributes are a try's answer attributes: its status code when an
// answer came, and error.type when it failed.
func resultAttributes(r vpsorg.TryResult) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if r.StatusCode > 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(r.StatusCode))
	}
	if et := tryErrorType(r); et != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(et))
	}
	return attrs
}

// spanName is a try's span name by the HTTP conventions: "{method}
// {url.template}", "HTTP {url.template}" for a method they do not know.
func spanName(info vpsorg.TryInfo) string {
	method, known := knownMethod(info.Method)
	if !known {
		method = "HTTP"
	}
	return method + " " + info.URLTemplate
}

// knownMethod returns method as the HTTP conventions record it: one of the
// methods they know, else "_OTHER", so that a method of Client.Do's cannot
// grow a metric's labels.
func knownMethod(method string) (string, bool) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodTrace, http.MethodConnect:
		return method, true
	}
	return "_OTHER", false
}

// tryErrorType is a failed try's error.type: its status code for 400 and
// above, else the error's type (errorType); "" for a try that succeeded.
func tryErrorType(r vpsorg.TryResult) string {
	switch {
	case r.Err != nil:
		return errorType(r.Err)
	case r.StatusCode >= http.StatusBadRequest:
		return strconv.Itoa(r.StatusCode)
	}
	return ""
}

// errorType names what an error is, in one of a few values, never from its
// message: an error's text may carry the server's words.
func errorType(err error) string {
	var (
		apiErr *vpsorg.APIError
		netErr net.Error
	)
	switch {
	case errors.Is(err, vpsorg.ErrOutcomeUnknown):
		return "outcome_unknown"
	case errors.Is(err, vpsorg.ErrOperationFailed):
		return "operation_failed"
	case errors.As(err, &apiErr):
		return strconv.Itoa(apiErr.StatusCode)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, vpsorg.ErrNotFound): // a waited-for object vanished
		return "not_found"
	case errors.Is(err, vpsorg.ErrResponseTooLarge):
		return "response_too_large"
	case errors.Is(err, vpsorg.ErrRedirectRefused):
		return "redirect_refused"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected_eof"
	}
	return typeName(err)
}

// typeName is the Go type of the first error in err's chain that is more
// than a wrapper or a bare message, such as "*net.OpError" or
// "*net.DNSError"; "_OTHER" when there is none. Wrappers are fmt's,
// errors', net/url's *url.Error and the SDK's own, whose types say nothing
// of what failed.
func typeName(err error) string {
	for ; err != nil; err = errors.Unwrap(err) {
		name := fmt.Sprintf("%T", err)
		switch {
		case strings.HasPrefix(name, "*fmt."), strings.HasPrefix(name, "*errors."),
			strings.HasPrefix(name, "*url."), strings.HasPrefix(name, "*vpsorg."):
			continue
		}
		return name
	}
	return "_OTHER"
}
