package vpsorgotel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"testing"

	"github.com/vpsorg/vpsorg-go"
)

// timeoutErr is a net.Error that timed out, as a transport's deadline makes.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestErrorType(t *testing.T) {
	t.Parallel()
	apiErr := &vpsorg.APIError{StatusCode: 503, Message: "Service Unavailable: the server's own words"}
	dial := &url.Error{Op: "Get", URL: "http://x/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"API error", apiErr, "503"},
		{"API error in a RequestError chain", fmt.Errorf("wait: %w", apiErr), "503"},
		{"outcome unknown beats its status", fmt.Errorf("%w: %w", vpsorg.ErrOutcomeUnknown, apiErr), "outcome_unknown"},
		{"operation failed", fmt.Errorf("vpsorg: wait for backup 1: %w", vpsorg.ErrOperationFailed), "operation_failed"},
		{"vanished", fmt.Errorf("vpsorg: wait for backup 1: %w", vpsorg.ErrNotFound), "not_found"},
		{"deadline", &vpsorg.RequestError{Err: context.DeadlineExceeded}, "timeout"},
		{"network timeout", &url.Error{Err: timeoutErr{}}, "timeout"},
		{"canceled", &vpsorg.RequestError{Err: context.Canceled}, "canceled"},
		{"too large", fmt.Errorf("%w (limit)", vpsorg.ErrResponseTooLarge), "response_too_large"},
		{"redirect", &url.Error{Err: fmt.Errorf("%w to another origin", vpsorg.ErrRedirectRefused)}, "redirect_refused"},
		{"broken body", fmt.Errorf("read response: %w", io.ErrUnexpectedEOF), "unexpected_eof"},
		{"refused", &vpsorg.RequestError{Err: dial}, "*net.OpError"},
		{"DNS", &url.Error{Err: &net.DNSError{Err: "no such host", Name: "x"}}, "*net.DNSError"},
		{"a bare message", errors.New("something"), "_OTHER"},
		{"a wrapped bare message", fmt.Errorf("decode: %w", errors.New("something")), "_OTHER"},
	}
	for _, tc := range tests {
		if got := errorType(tc.err); got != tc.want {
			t.Errorf("%s: errorType(%v) = %q; want %q", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestSpanNameAndMethod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, wantName string
		wantAttrs        int // the method's original value is an attribute more
	}{
		{"GET", "GET /api/v1/x/", 4},
		{"PATCH", "PATCH /api/v1/x/", 4},
		{"PROPFIND", "HTTP /api/v1/x/", 5},
		{"get", "HTTP /api/v1/x/", 5},
	}
	for _, tc := range tests {
		info := vpsorg.TryInfo{Method: tc.method, URLTemplate: "/api/v1/x/", ServerAddress: "h", ServerPort: 443}
		if got := spanName(info); got != tc.wantName {
			t.Errorf("spanName(%s) = %q; want %q", tc.method, got, tc.wantName)
		}
		if got := len(tryAttributes(info)); got != tc.wantAttrs {
			t.Errorf("%s: %d attributes; want %d", tc.method, got, tc.wantAttrs)
		}
	}
}

func TestTryErrorType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    vpsorg.TryResult
		want string
	}{
		{vpsorg.TryResult{StatusCode: 200}, ""},
		{vpsorg.TryResult{StatusCode: 304}, ""},
		{vpsorg.TryResult{StatusCode: 404}, "404"},
		{vpsorg.TryResult{StatusCode: 200, Err: io.ErrUnexpectedEOF}, "unexpected_eof"},
		{vpsorg.TryResult{Err: context.DeadlineExceeded}, "timeout"},
	}
	for _, tc := range tests {
		if got := tryErrorType(tc.r); got != tc.want {
			t.Errorf("tryErrorType(%+v) = %q; want %q", tc.r, got, tc.want)
		}
	}
}
