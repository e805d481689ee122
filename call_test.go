package vpsorg

import (
	"context"
	"errors"
	"net/http"
	"syscall"
	"testing"
	"unsafe"
)

// TestCallDo: one call through every layer, seen from its two ends: what
// went out, and what came back. A call that fails before or without an
// answer is a *RequestError naming it, with the tries it made.
func TestCallDo(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		ctx       context.Context // nil included
		req       request
		answers   []answer
		wantID    int64
		wantErr   error // matched with errors.Is; nil for none
		wantTries int   // as the error or the Response tells them
		wantAmb   bool
	}{
		{"answered", context.Background(), request{method: "GET", path: "backups/"}, []answer{{status: 200, body: `{"id":4}`}}, 4, nil, 1, false},
		{"retried", context.Background(), request{method: "GET", path: "backups/"}, []answer{{status: 503}, {status: 200, body: `{"id":5}`}}, 5, nil, 2, true},
		{"API error", context.Background(), request{method: "GET", path: "backups/"}, []answer{{status: 400, body: `{"detail":"no"}`}}, 0, ErrBadRequest, 1, false},
		{"never answered", context.Background(), request{method: "POST", path: "backups/"}, []answer{{err: reset(), wrote: true}}, 0, syscall.ECONNRESET, 1, true},
		{"ended context sends nothing", canceled, request{method: "GET", path: "backups/"}, nil, 0, context.Canceled, 0, false},
		{"nil context sends nothing", nil, request{method: "GET", path: "backups/"}, nil, 0, nil, 0, false},
		{"unbuildable sends nothing", context.Background(), request{method: "GET", path: "backups/", query: 5}, nil, 0, nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			s := &script{t: t, answers: tt.answers}
			mock.RegisterResponder(tt.req.method, testBase+"backups/", s.respond)
			cl := c.newCall(tt.req)
			out := &idOnly{}
			resp, err := cl.do(tt.ctx, out)
			tries := checkDoErr(t, resp, err, len(tt.answers) == 0 || tt.wantErr != nil, tt.wantErr)
			if out.ID != tt.wantID || tries != tt.wantTries || cl.attempts != tt.wantTries || s.calls() != tt.wantTries {
				t.Errorf("id %d, %d tries (%d counted, %d sent); want %d, %d", out.ID, tries, cl.attempts, s.calls(), tt.wantID, tt.wantTries)
			}
			if cl.ambiguous != tt.wantAmb {
				t.Errorf("ambiguous %v; want %v", cl.ambiguous, tt.wantAmb)
			}
		})
	}
}

// checkDoErr checks do's error against want (any error when want is nil
// but failing is) and returns the tries the call reports.
func checkDoErr(t *testing.T, resp *Response, err error, failing bool, want error) int {
	t.Helper()
	var apiErr *APIError
	var reqErr *RequestError
	switch {
	case !failing:
		if err != nil {
			t.Fatalf("error %v; want none", err)
		}
		return resp.Attempts
	case err == nil || (want != nil && !errors.Is(err, want)):
		t.Fatalf("error %v; want %v", err, want)
	case errors.As(err, &apiErr):
		return apiErr.Attempts
	case errors.As(err, &reqErr):
		if reqErr.Method == "" || reqErr.Path != "/api/v1/backups/" {
			t.Errorf("the error names %q %q; want the call", reqErr.Method, reqErr.Path)
		}
		return reqErr.Attempts
	}
	t.Fatalf("error %T %v; want an *APIError or a *RequestError", err, err)
	return 0
}

// TestCallsKeepTheirOwnState: calls that share one context still each
// have their own count of tries and their own ambiguity: the state travels
// in the call, not in the context.
func TestCallsKeepTheirOwnState(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	s := &script{t: t, answers: []answer{{status: 502}, {status: 200, body: `{"id":1}`}, {status: 200, body: `{"id":2}`}}}
	mock.RegisterResponder(http.MethodGet, testBase+"backups/", s.respond)
	ctx := context.Background()
	first, second := c.newCall(request{method: "GET", path: "backups/"}), c.newCall(request{method: "GET", path: "backups/"})
	if _, err := first.do(ctx, &idOnly{}); err != nil {
		t.Fatal(err)
	}
	if _, err := second.do(ctx, &idOnly{}); err != nil {
		t.Fatal(err)
	}
	if first.attempts != 2 || !first.ambiguous || second.attempts != 1 || second.ambiguous {
		t.Fatalf("first: %d tries, ambiguous %v; second: %d, %v; want 2, true; 1, false",
			first.attempts, first.ambiguous, second.attempts, second.ambiguous)
	}
}

// TestCallFitsItsSizeClass: every call allocates one call value, whose
// size class is what a call costs in bytes. A field more would move it
// from 384 to 416 bytes for every call, observers or not: put what a new
// feature needs behind a pointer, as observed is.
func TestCallFitsItsSizeClass(t *testing.T) {
	t.Parallel()
	if size := unsafe.Sizeof(call{}); size > 384 {
		t.Fatalf("call is %d bytes, past the 384-byte size class", size)
	}
}
