package vpsorg

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// TestAfterTry: the one judgement of a try, alone. For each outcome it
// counts the try, reads a 2xx body, decides whether to try again, notes
// whether the try may have acted, and lets a 429 pause the Client.
func TestAfterTry(t *testing.T) {
	t.Parallel()
	const body = `{"id":1}`
	tests := []struct {
		name      string
		method    string
		status    int  // the answer's status; 0 for none
		broken    bool // the answer's body breaks off
		header    http.Header
		err       error // the transport's error
		wrote     bool
		ended     bool // the call's context has ended
		wantRetry bool
		wantErr   error // matched with errors.Is; nil for none
		wantAmb   bool
		wantBody  string
		wantPause bool // the Client is paused, by this call
	}{
		{name: "GET 200", method: "GET", status: 200, wantBody: body},
		{name: "GET 200 broken", method: "GET", status: 200, broken: true, wantRetry: true, wantErr: io.ErrUnexpectedEOF, wantAmb: true},
		{name: "POST 201 broken", method: "POST", status: 201, broken: true, wantErr: io.ErrUnexpectedEOF, wantAmb: true},
		{name: "GET 503", method: "GET", status: 503, wantRetry: true, wantAmb: true},
		{name: "POST 503", method: "POST", status: 503, wantAmb: true},
		{name: "POST 429", method: "POST", status: 429, header: retryAfterHdr("2"), wantRetry: true, wantPause: true},
		{name: "GET 429 too long", method: "GET", status: 429, header: retryAfterHdr("3600"), wantPause: true},
		{name: "GET 404", method: "GET", status: 404},
		{name: "POST refused", method: "POST", err: refused(), wantRetry: true, wantErr: syscall.ECONNREFUSED},
		{name: "POST reset unwritten", method: "POST", err: reset(), wantRetry: true, wantErr: syscall.ECONNRESET},
		{name: "POST reset written", method: "POST", err: reset(), wrote: true, wantErr: syscall.ECONNRESET, wantAmb: true},
		{name: "DELETE reset written", method: "DELETE", err: reset(), wrote: true, wantRetry: true, wantErr: syscall.ECONNRESET, wantAmb: true},
		{name: "redirect refused", method: "GET", err: ErrRedirectRefused, wantErr: ErrRedirectRefused},
		{name: "context ended on 200", method: "GET", status: 200, ended: true, wantErr: context.Canceled},
		{name: "context ended on 503", method: "GET", status: 503, ended: true, wantErr: context.Canceled, wantAmb: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newTestClient(t)
			cl := c.newCall(request{method: tt.method, path: "backups/"})
			cl.wantBody = true
			cl.wrote.Store(tt.wrote)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.ended {
				cancel()
			}
			resp := tryAnswer(tt.status, tt.broken, body, tt.header)
			if resp != nil {
				defer resp.Body.Close() // afterTry reads a 2xx body only
			}
			retry, err := cl.afterTry(ctx, resp, tt.err)
			if retry != tt.wantRetry {
				t.Errorf("retry %v; want %v", retry, tt.wantRetry)
			}
			checkErrIs(t, err, tt.wantErr)
			if cl.attempts != 1 || cl.ambiguous != tt.wantAmb || string(cl.body) != tt.wantBody {
				t.Errorf("attempts %d, ambiguous %v, body %q; want 1, %v, %q", cl.attempts, cl.ambiguous, cl.body, tt.wantAmb, tt.wantBody)
			}
			if paused := c.throttle.owner == cl && !c.throttle.until.IsZero(); paused != tt.wantPause {
				t.Errorf("the Client paused by this call: %v; want %v", paused, tt.wantPause)
			}
		})
	}
}

// tryAnswer is a try's answer of status with body (or none for status 0),
// whose body breaks off after 3 bytes when broken.
func tryAnswer(status int, broken bool, body string, header http.Header) *http.Response {
	if status == 0 {
		return nil
	}
	if broken {
		resp, _ := brokenAnswer(nil, status, body, 3, io.ErrUnexpectedEOF)
		return resp
	}
	resp := httpmock.NewStringResponse(status, body)
	resp.Header = header
	return resp
}

// TestSendMakesTheTries: the try layer on go-retryablehttp. The Client's
// retry settings hold, the call counts every try and keeps what they
// learnt, and each try starts out not yet written.
func TestSendMakesTheTries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		retryMax   int
		answers    []answer
		wantStatus int   // of the answer send returns; 0 for none
		wantErr    error // matched with errors.Is; nil for none
		wantTries  int
		wantAmb    bool
	}{
		{"first try", "GET", 4, []answer{{status: 200, body: `{}`}}, 200, nil, 1, false},
		{"after a 503", "GET", 4, []answer{{status: 503}, {status: 200, body: `{}`}}, 200, nil, 2, true},
		{"retries run out", "GET", 1, []answer{{status: 503}, {status: 502}}, 502, nil, 2, true},
		{"POST not re-sent", "POST", 4, []answer{{status: 500}}, 500, nil, 1, true},
		{"refused, then reset after writing", "POST", 4, []answer{{err: refused()}, {err: reset(), wrote: true}}, 0, syscall.ECONNRESET, 2, true},
		{"each try starts unwritten", "POST", 4, []answer{{status: 429, wrote: true}, {err: reset()}, {status: 201, body: `{}`}}, 201, nil, 3, false},
		{"reset after writing, then before", "DELETE", 1, []answer{{err: reset(), wrote: true}, {err: reset()}}, 0, syscall.ECONNRESET, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t, WithRetryMax(tt.retryMax))
			s := &script{t: t, answers: tt.answers}
			mock.RegisterResponder(tt.method, testBase+"backups/", s.respond)
			cl := c.newCall(request{method: tt.method, path: "backups/"})
			hreq, err := c.newHTTPRequest(cl.traced(context.Background()), cl.req)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := cl.send(hreq)
			if resp != nil {
				defer resp.Body.Close()
			}
			if got := statusOf(resp); got != tt.wantStatus {
				t.Errorf("status %d; want %d", got, tt.wantStatus)
			}
			checkErrIs(t, err, tt.wantErr)
			if cl.attempts != len(tt.answers) || cl.attempts != s.calls() || cl.ambiguous != tt.wantAmb {
				t.Errorf("attempts %d (%d sent), ambiguous %v; want %d, %v", cl.attempts, s.calls(), cl.ambiguous, len(tt.answers), tt.wantAmb)
			}
		})
	}
}

// checkErrIs checks that err is nil when want is, else matches want.
func checkErrIs(t *testing.T, err, want error) {
	t.Helper()
	if (want == nil) != (err == nil) || (err != nil && !errors.Is(err, want)) {
		t.Errorf("error %v; want %v", err, want)
	}
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// TestSendHooksAreTheCalls: the retryablehttp.Client a call sends through
// has the Client's settings and the call's own hooks, and the call's trace
// rides on the request's context.
func TestSendHooksAreTheCalls(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t, WithRetryMax(2), WithRetryWait(time.Millisecond, time.Second))
	var traced bool
	mock.RegisterResponder("GET", testBase+"backups/", func(req *http.Request) (*http.Response, error) {
		traced = httptrace.ContextClientTrace(req.Context()) != nil
		return httpmock.NewStringResponse(200, `{}`), nil
	})
	cl := c.newCall(request{method: "GET", path: "backups/"})
	hreq, err := c.newHTTPRequest(cl.traced(context.Background()), cl.req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cl.send(hreq)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	r := &cl.retry
	if r.HTTPClient != c.http.HTTPClient || r.RetryMax != 2 || r.RetryWaitMin != time.Millisecond || r.RetryWaitMax != time.Second {
		t.Errorf("the call's retry client does not have the Client's settings: %+v", r)
	}
	if r.CheckRetry == nil || r.RequestLogHook == nil || r.Backoff == nil || r.ErrorHandler == nil {
		t.Error("the call's retry client lacks a hook")
	}
	if !traced {
		t.Error("the try's context carries no trace")
	}
}

// TestBeforeTry: before every try the call's request counts as not yet
// written, and the try waits out a pause of the Client that another
// call's 429 started, but not one its own did: its backoff waited that.
func TestBeforeTry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pausedBy string // "this" call, "another", or "" for no pause
		want     []time.Duration
	}{
		{"no pause", "", nil},
		{"paused by another call", "another", []time.Duration{2 * time.Second}},
		{"paused by this call", "this", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, w := newPacedClient(t)
			cl := c.newCall(request{method: "POST", path: "backups/"})
			by := map[string]*call{"this": cl, "another": c.newCall(request{path: "backups/"})}[tt.pausedBy]
			if by != nil {
				c.throttle.observe(by, &http.Response{StatusCode: http.StatusTooManyRequests, Header: retryAfterHdr("2")})
			}
			cl.wrote.Store(true)
			req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, testBase+"backups/", nil)
			if err != nil {
				t.Fatal(err)
			}
			cl.beforeTry(nil, req, 0)
			if cl.wrote.Load() {
				t.Error("the try starts out written")
			}
			if got := w.all(); !slices.Equal(got, tt.want) {
				t.Errorf("waits %v; want %v", got, tt.want)
			}
		})
	}
}
