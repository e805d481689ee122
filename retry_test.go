package vpsorg

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// answer is one scripted reply of a mocked endpoint: a status with a body
// and headers, or a transport error, optionally after the request was
// "written" (which is what makes a lost connection ambiguous).
type answer struct {
	status int
	body   string
	header http.Header
	err    error
	wrote  bool
}

// refused is a connection that was never made; reset one lost after it was.
func refused() error { return &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED} }
func reset() error   { return &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET} }

// script serves answers in order and records the bodies it received;
// a request past the script fails the test.
type script struct {
	t       *testing.T
	mu      sync.Mutex
	answers []answer
	bodies  []string
}

func (s *script) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

func (s *script) respond(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	s.mu.Lock()
	n := len(s.bodies)
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	if n >= len(s.answers) {
		s.t.Errorf("request %d past the script: %s %s", n+1, req.Method, req.URL)
		return nil, errors.New("past the script")
	}
	a := s.answers[n]
	if a.wrote {
		if tr := httptrace.ContextClientTrace(req.Context()); tr != nil && tr.WroteRequest != nil {
			tr.WroteRequest(httptrace.WroteRequestInfo{})
		}
	}
	if a.err != nil {
		return nil, a.err
	}
	resp := httpmock.NewStringResponse(a.status, a.body)
	for k, v := range a.header {
		resp.Header[k] = v
	}
	return resp, nil
}

// callFor runs the SDK method that sends method to the endpoint the
// script is registered on.
func callFor(c *Client, method string) (*Response, error) {
	ctx := context.Background()
	switch method {
	case http.MethodGet:
		_, resp, err := c.Backups.List(ctx, nil)
		return resp, err
	case http.MethodPost:
		_, resp, err := c.Backups.Create(ctx, &BackupCreateRequest{ServerID: 12345, Description: "x"})
		return resp, err
	case http.MethodDelete:
		return c.Backups.Delete(ctx, 501)
	}
	panic("no call for " + method)
}

func urlFor(method string) string {
	if method == http.MethodDelete {
		return testBase + "backups/501/"
	}
	return testBase + "backups/"
}

func okFor(method string) answer {
	switch method {
	case http.MethodGet:
		return answer{status: 200, body: `{"count":0,"results":[]}`}
	case http.MethodPost:
		return answer{status: 201, body: `{"id":502,"status":"in_progress"}`}
	}
	return answer{status: 204}
}

func retryAfterHdr(v string) http.Header { return http.Header{"Retry-After": {v}} }

// TestRetryTable checks each cell of the README's retry table (under
// "Retries, pagination and waiting"): the first answer is the one under
// test, and a retry (if any) gets a success.
func TestRetryTable(t *testing.T) {
	t.Parallel()
	first := []struct {
		name  string
		a     answer
		retry map[string]bool // by method
	}{
		{"429", answer{status: 429, body: `{"detail":"Request was throttled."}`},
			map[string]bool{"GET": true, "DELETE": true, "POST": true}},
		{"500", answer{status: 500, body: `{"detail":"boom"}`},
			map[string]bool{"GET": true, "DELETE": true, "POST": false}},
		{"502", answer{status: 502, body: `<html>Bad Gateway</html>`},
			map[string]bool{"GET": true, "DELETE": true, "POST": false}},
		{"503", answer{status: 503},
			map[string]bool{"GET": true, "DELETE": true, "POST": false}},
		{"504", answer{status: 504},
			map[string]bool{"GET": true, "DELETE": true, "POST": false}},
		{"connection refused", answer{err: refused()},
			map[string]bool{"GET": true, "DELETE": true, "POST": true}},
		{"DNS failure", answer{err: &net.DNSError{Err: "no such host", Name: "api.test", IsNotFound: true}},
			map[string]bool{"GET": true, "DELETE": true, "POST": true}},
		{"reset after write", answer{err: reset(), wrote: true},
			map[string]bool{"GET": true, "DELETE": true, "POST": false}},
		{"EOF after write", answer{err: io.EOF, wrote: true},
			map[string]bool{"GET": true, "DELETE": true, "POST": false}},
		{"timeout after write", answer{err: &net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}}, wrote: true},
			map[string]bool{"GET": true, "DELETE": true, "POST": false}},
		{"400", answer{status: 400, body: `{"server_id":["This field is required."]}`},
			map[string]bool{}},
		{"401", answer{status: 401, body: `{"detail":"Invalid token."}`}, map[string]bool{}},
		{"403", answer{status: 403}, map[string]bool{}},
		{"404", answer{status: 404, body: `{"detail":"Not found."}`}, map[string]bool{}},
		{"409", answer{status: 409}, map[string]bool{}},
		{"501", answer{status: 501}, map[string]bool{}},
		{"TLS error", answer{err: x509.UnknownAuthorityError{}}, map[string]bool{}},
	}
	for _, tc := range first {
		for _, method := range []string{http.MethodGet, http.MethodDelete, http.MethodPost} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				t.Parallel()
				// Without the look-up after a POST's ambiguous failure
				// (recover_test.go): this is about the retry decision.
				c, mock, _ := newTestClient(t, WithoutRecovery())
				s := &script{t: t, answers: []answer{tc.a, okFor(method)}}
				mock.RegisterResponder(method, urlFor(method), s.respond)

				resp, err := callFor(c, method)

				if tc.retry[method] {
					if err != nil {
						t.Fatalf("want success after one retry, got %v", err)
					}
					if s.calls() != 2 || resp.Attempts != 2 {
						t.Fatalf("calls = %d, Attempts = %d; want 2, 2", s.calls(), resp.Attempts)
					}
					if s.bodies[0] != s.bodies[1] {
						t.Fatalf("retry sent another body: %q then %q", s.bodies[0], s.bodies[1])
					}
					return
				}
				if err == nil {
					t.Fatal("want an error, got success")
				}
				if s.calls() != 1 {
					t.Fatalf("calls = %d; want 1 (never retried)", s.calls())
				}
				if strings.Contains(err.Error(), "giving up") {
					t.Fatalf("error hides the answer: %v", err)
				}
				var apiErr *APIError
				var reqErr *RequestError
				switch {
				case errors.As(err, &apiErr):
					if apiErr.StatusCode != tc.a.status || apiErr.Attempts != 1 {
						t.Fatalf("APIError status %d attempts %d; want %d, 1", apiErr.StatusCode, apiErr.Attempts, tc.a.status)
					}
				case errors.As(err, &reqErr):
					if tc.a.err == nil || reqErr.Attempts != 1 || !errors.Is(err, tc.a.err) {
						t.Fatalf("RequestError %+v; want the transport error after 1 attempt", reqErr)
					}
				default:
					t.Fatalf("untyped error %T: %v", err, err)
				}
			})
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// TestRetryExhaustedReturnsLastAnswer: when retries run out the caller
// gets the last answer's typed error, with Attempts, not retryablehttp's
// "giving up after N attempts".
func TestRetryExhaustedReturnsLastAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []Option
		attempts int
		last     answer
		sentinel error
	}{
		{"default 4 retries, 503", nil, 5, answer{status: 503, body: `{"detail":"down"}`}, ErrServerError},
		{"2 retries, 429", []Option{WithRetryMax(2)}, 3, answer{status: 429, body: `{"detail":"slow down"}`}, ErrRateLimited},
		{"retries off", []Option{WithRetryMax(0)}, 1, answer{status: 500}, ErrServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t, tc.opts...)
			answers := make([]answer, tc.attempts)
			for i := range answers {
				answers[i] = tc.last
			}
			answers[len(answers)-1].header = http.Header{"X-Request-Id": {"last-one"}}
			s := &script{t: t, answers: answers}
			mock.RegisterResponder("GET", testBase+"backups/", s.respond)

			_, err := callFor(c, http.MethodGet)

			var apiErr *APIError
			if !errors.As(err, &apiErr) || !errors.Is(err, tc.sentinel) {
				t.Fatalf("want *APIError matching %v, got %T %v", tc.sentinel, err, err)
			}
			if apiErr.Attempts != tc.attempts || s.calls() != tc.attempts {
				t.Fatalf("Attempts = %d, calls = %d; want %d", apiErr.Attempts, s.calls(), tc.attempts)
			}
			if apiErr.RequestID != "last-one" {
				t.Fatalf("RequestID = %q; want the last answer's", apiErr.RequestID)
			}
		})
	}
}

func TestRetryTransportErrorExhausted(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t, WithRetryMax(2))
	s := &script{t: t, answers: []answer{{err: refused()}, {err: refused()}, {err: refused()}}}
	mock.RegisterResponder("POST", testBase+"backups/", s.respond)

	_, err := callFor(c, http.MethodPost)

	var reqErr *RequestError
	if !errors.As(err, &reqErr) || reqErr.Attempts != 3 || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("want RequestError after 3 attempts wrapping ECONNREFUSED, got %#v", err)
	}
	if want := "vpsorg: POST /api/v1/backups/: "; !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "giving up") {
		t.Fatalf("error %q should start %q and name the cause", err, want)
	}
}

// TestRetryAfter: honoured in seconds and as a date on 429 and 503, and
// over the maximum wait it stops the retries at once.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		method    string
		first     answer
		wantWait  time.Duration
		wantRetry bool
		sentinel  error
	}{
		{"429 seconds", "GET", answer{status: 429, header: retryAfterHdr("7")}, 7 * time.Second, true, nil},
		{"429 date", "GET", answer{status: 429, header: retryAfterHdr(now.Add(3 * time.Second).Format(http.TimeFormat))}, 3 * time.Second, true, nil},
		{"429 date in the past", "GET", answer{status: 429, header: retryAfterHdr(now.Add(-time.Hour).Format(http.TimeFormat))}, 0, true, nil},
		{"503 seconds", "DELETE", answer{status: 503, header: retryAfterHdr("2")}, 2 * time.Second, true, nil},
		{"429 on POST", "POST", answer{status: 429, header: retryAfterHdr("1")}, time.Second, true, nil},
		{"429 over the cap", "GET", answer{status: 429, header: retryAfterHdr("31")}, 0, false, ErrRateLimited},
		{"429 date over the cap", "POST", answer{status: 429, header: retryAfterHdr(now.Add(time.Hour).Format(http.TimeFormat))}, 0, false, ErrRateLimited},
		{"503 over the cap", "GET", answer{status: 503, header: retryAfterHdr("3600")}, 0, false, ErrServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock, w := newTestClient(t, WithClock(func() time.Time { return now }))
			s := &script{t: t, answers: []answer{tc.first, okFor(tc.method)}}
			mock.RegisterResponder(tc.method, urlFor(tc.method), s.respond)

			_, err := callFor(c, tc.method)

			if !tc.wantRetry {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || !errors.Is(err, tc.sentinel) || s.calls() != 1 {
					t.Fatalf("want %v after 1 call, got %v after %d", tc.sentinel, err, s.calls())
				}
				if apiErr.RetryAfter <= DefaultRetryWaitMax {
					t.Fatalf("RetryAfter = %s; want the server's ask", apiErr.RetryAfter)
				}
				if len(w.all()) != 0 {
					t.Fatalf("waited %v before giving up", w.all())
				}
				return
			}
			if err != nil || s.calls() != 2 {
				t.Fatalf("want success after a retry, got %v after %d calls", err, s.calls())
			}
			if got := w.all(); len(got) != 1 || got[0] != tc.wantWait {
				t.Fatalf("waits = %v; want [%s]", got, tc.wantWait)
			}
		})
	}
}

// TestBackoffGrowsWithJitter: without Retry-After the waits are random,
// within [lo, lo*2^attempt] and capped at hi.
func TestBackoffGrowsWithJitter(t *testing.T) {
	t.Parallel()
	lo, hi := 500*time.Millisecond, 30*time.Second
	for attempt := 0; attempt < 70; attempt++ {
		ceil := hi
		if attempt < 6 {
			ceil = lo << attempt
		}
		seen := map[time.Duration]bool{}
		for range 200 {
			d := jitter(lo, hi, attempt)
			if d < lo || d > ceil {
				t.Fatalf("attempt %d: wait %s outside [%s, %s]", attempt, d, lo, ceil)
			}
			seen[d] = true
		}
		if attempt > 0 && len(seen) < 2 {
			t.Fatalf("attempt %d: no jitter, always %v", attempt, seen)
		}
	}
	if d := jitter(0, 0, 3); d != 0 {
		t.Fatalf("jitter(0, 0) = %s", d)
	}
}

func TestBackoffWaitsUseConfiguredBounds(t *testing.T) {
	t.Parallel()
	c, mock, w := newTestClient(t, WithRetryWait(time.Second, 4*time.Second), WithRetryMax(4))
	s := &script{t: t, answers: []answer{{status: 502}, {status: 502}, {status: 502}, {status: 502}, okFor("GET")}}
	mock.RegisterResponder("GET", testBase+"backups/", s.respond)

	if _, err := callFor(c, http.MethodGet); err != nil {
		t.Fatal(err)
	}
	got := w.all()
	if len(got) != 4 {
		t.Fatalf("waits = %v; want 4", got)
	}
	for i, d := range got {
		ceil := min(time.Second<<i, 4*time.Second)
		if d < time.Second || d > ceil {
			t.Fatalf("wait %d = %s; want within [1s, %s]", i, d, ceil)
		}
	}
}

// TestContextEndsBackoff: a context cancelled while the client waits to
// retry ends the call at once, with the context's error.
func TestContextEndsBackoff(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, mock, _ := newTestClient(t, withBackoff(func(time.Duration) time.Duration {
		cancel()
		return time.Hour
	}))
	s := &script{t: t, answers: []answer{{status: 503}}}
	mock.RegisterResponder("GET", testBase+"backups/", s.respond)

	done := make(chan error, 1)
	go func() {
		_, _, err := c.Backups.List(ctx, nil)
		done <- err
	}()
	select {
	case err := <-done:
		var reqErr *RequestError
		if !errors.Is(err, context.Canceled) || !errors.As(err, &reqErr) || reqErr.Attempts != 1 {
			t.Fatalf("want context.Canceled as RequestError after 1 attempt, got %#v", err)
		}
	case <-time.After(30 * time.Second):
		// A hang guard only: a working client returns in microseconds.
		t.Fatal("the call kept waiting out its backoff after the context ended")
	}
}

// TestContextAlreadyDoneSendsNothing: an ended context fails the call
// before anything is sent.
func TestContextAlreadyDoneSendsNothing(t *testing.T) {
	t.Parallel()
	c, _, _ := newTestClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	_, _, err := c.Backups.List(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want DeadlineExceeded, got %v", err)
	}
}

func TestClassifyTransportErr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		err   error
		wrote bool
		want  transportErrKind
	}{
		{"refused", refused(), false, errNotSent},
		{"refused wins over wrote", refused(), true, errNotSent},
		{"dns", &net.DNSError{Err: "no such host"}, false, errNotSent},
		{"reset before write", reset(), false, errNotSent},
		{"reset after write", reset(), true, errAmbiguous},
		{"EOF after write", io.ErrUnexpectedEOF, true, errAmbiguous},
		{"tls unknown authority", x509.UnknownAuthorityError{}, true, errFinal},
		{"tls hostname", x509.HostnameError{}, false, errFinal},
		{"redirect refused", ErrRedirectRefused, true, errFinal},
		{"bad scheme", errors.New(`unsupported protocol scheme "ftp"`), false, errFinal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := classifyTransportErr(tc.err, tc.wrote); got != tc.want {
				t.Fatalf("classify(%v, wrote=%v) = %d; want %d", tc.err, tc.wrote, got, tc.want)
			}
		})
	}
}

// TestJudge: the retry table alone, by method, for each kind of outcome:
// whether the try is sent again, and whether it may have acted.
func TestJudge(t *testing.T) {
	t.Parallel()
	c, _, _ := newTestClient(t, WithRetryWait(time.Millisecond, time.Minute))
	type want struct{ get, del, post verdict }
	retry, ambiguous, both := verdict{retry: true}, verdict{ambiguous: true}, verdict{retry: true, ambiguous: true}
	tests := []struct {
		name       string
		status     int // the answer's; 0 for none
		retryAfter string
		err        error
		wrote      bool
		want       want
	}{
		{"200", 200, "", nil, true, want{}},
		{"404", 404, "", nil, true, want{}},
		{"429", 429, "30", nil, true, want{retry, retry, retry}},
		{"429 asking too long", 429, "3600", nil, true, want{}},
		{"500", 500, "", nil, true, want{both, both, ambiguous}},
		{"503 asking too long", 503, "3600", nil, true, want{ambiguous, ambiguous, ambiguous}},
		{"refused", 0, "", refused(), false, want{retry, retry, retry}},
		{"reset before writing", 0, "", reset(), false, want{retry, retry, retry}},
		{"reset after writing", 0, "", reset(), true, want{both, both, ambiguous}},
		{"broken 2xx body", 200, "", &bodyError{err: io.ErrUnexpectedEOF}, false, want{both, both, ambiguous}},
		{"too large", 200, "", &bodyError{err: ErrResponseTooLarge}, true, want{}},
		{"TLS", 0, "", x509.UnknownAuthorityError{}, true, want{}},
	}
	for _, tt := range tests {
		var resp *http.Response
		if tt.status != 0 {
			// judge reads the status and headers only, never a body.
			resp = &http.Response{StatusCode: tt.status, Header: http.Header{}}
			if tt.retryAfter != "" {
				resp.Header.Set("Retry-After", tt.retryAfter)
			}
		}
		for method, w := range map[string]verdict{http.MethodGet: tt.want.get, http.MethodDelete: tt.want.del, http.MethodPost: tt.want.post} {
			if got := c.judge(method, resp, tt.err, tt.wrote); got != w {
				t.Errorf("%s, %s: %+v; want %+v", tt.name, method, got, w)
			}
		}
	}
}
