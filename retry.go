package vpsorg

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// callState is what the retry policy needs to know about one call and
// cannot learn from go-retryablehttp's callbacks: the method (there is no
// request when the connection failed), whether the last try's request was
// written out, and whether an earlier try may have reached the server.
type callState struct {
	method    string
	attempts  int
	wrote     atomic.Bool // the current try's request was fully written
	ambiguous bool        // an earlier try may have acted on the server

	// The answer's body, read inside the retry loop by readAnswer: wantBody
	// says whether the call decodes it (else it is only drained), and body
	// holds the last 2xx body read whole.
	wantBody bool
	body     []byte

	trace httptrace.ClientTrace // here rather than allocated on its own
}

type callStateKey struct{}

// withCallState puts st into ctx, with a trace that tells st when the
// request has been written.
func withCallState(ctx context.Context, st *callState) context.Context {
	ctx = context.WithValue(ctx, callStateKey{}, st)
	st.trace.WroteRequest = func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			st.wrote.Store(true)
		}
	}
	return httptrace.WithClientTrace(ctx, &st.trace)
}

// readAnswer is go-retryablehttp's response handler: it runs inside the
// retry loop on every answer the policy did not retry, and reads a 2xx body
// whole there. An answer that breaks off in its body (unexpected EOF, a
// reset, fewer bytes than Content-Length) so becomes a failed try that the
// policy sees as a lost connection: a GET or DELETE is tried again, a POST
// is not, since the server acted. The body of any other status is left for
// readResponse: the status arrived whole and decides the call, and the
// error body is only its message.
func (st *callState) readAnswer(resp *http.Response) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil
	}
	var err error
	if st.wantBody {
		st.body, err = readSuccessBody(resp)
	} else {
		err = discardBody(resp.Body)
	}
	_ = resp.Body.Close()
	// Nothing more to read: retryablehttp drains the body of a try it
	// repeats, and would log a read of a closed body as an error.
	resp.Body = http.NoBody
	if err != nil {
		return &bodyError{err: err}
	}
	return nil
}

// bodyError is a 2xx answer whose body could not be read whole. The
// request reached the server, which answered: whatever it was asked to do,
// it may have done.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

func callStateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	return st
}

func (c *Client) newRetryClient(hc *http.Client, cfg config) *retryablehttp.Client {
	rc := &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: cfg.retryWaitMin,
		RetryWaitMax: cfg.retryWaitMax,
		RetryMax:     cfg.retryMax,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		ErrorHandler: passThrough,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, _ int) {
			if st := callStateFrom(req.Context()); st != nil {
				st.attempts++
				st.wrote.Store(false)
			}
		},
	}
	if cfg.logger != nil {
		// *slog.Logger has the method set of retryablehttp.LeveledLogger.
		rc.Logger = cfg.logger
	}
	return rc
}

// passThrough hands the last answer back as it is, so the caller turns it
// into a typed *APIError instead of "giving up after N attempts". An answer
// that comes with an error (the context ended, or a redirect was refused,
// in which case it is the redirect itself) gives way to the error.
func passThrough(resp *http.Response, err error, _ int) (*http.Response, error) {
	if resp != nil && err != nil {
		_ = discardBody(resp.Body) // only so that the connection can be reused
		_ = resp.Body.Close()
		return nil, err
	}
	if resp != nil {
		return resp, nil
	}
	return nil, err
}

// checkRetry decides by method, because a repeated create makes a second
// backup and a repeated restore restores twice. POSTs are retried only
// when the server certainly did not act: a 429, or a request never sent.
// It notes on the call when a try may have acted, which decides whether a
// DELETE's 404 means done and whether a failed POST looks for its result.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := callStateFrom(ctx)
	if st == nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, err
	}
	idempotent := st.method != http.MethodPost
	if err != nil {
		kind := classifyTransportErr(err, st.wrote.Load())
		if kind == errAmbiguous {
			st.ambiguous = true
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		switch kind {
		case errNotSent:
			return true, nil
		case errAmbiguous:
			return idempotent, nil
		case errFinal:
		}
		return false, nil
	}
	serverError := false
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		serverError = true
		st.ambiguous = true
	}
	switch {
	case ctx.Err() != nil:
		return false, ctx.Err()
	case resp.StatusCode == http.StatusTooManyRequests:
		return c.retryAfterAllowed(resp), nil
	case serverError:
		return idempotent && c.retryAfterAllowed(resp), nil
	}
	return false, nil
}

// retryAfterAllowed reports whether the wait the server asks for, if any,
// fits within the configured maximum: a longer one is not waited out.
func (c *Client) retryAfterAllowed(resp *http.Response) bool {
	d, ok := retryAfter(resp.Header, c.now())
	return !ok || d <= c.retryWaitMax
}

// backoff waits what Retry-After asks on 429 and 503, and otherwise an
// exponential backoff with full jitter between lo and hi.
func (c *Client) backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	wait, ok := time.Duration(0), false
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		wait, ok = retryAfter(resp.Header, c.now())
	}
	if !ok {
		wait = jitter(lo, hi, attempt)
	}
	if c.adjustWait != nil {
		wait = c.adjustWait(wait)
	}
	return wait
}

// jitter returns a random wait in [lo, lo*2^attempt], capped at hi.
func jitter(lo, hi time.Duration, attempt int) time.Duration {
	ceil := hi
	if attempt < 30 && lo > 0 && lo<<attempt < hi && lo<<attempt > 0 {
		ceil = lo << attempt
	}
	if ceil <= lo {
		return lo
	}
	return lo + rand.N(ceil-lo+1) //nolint:gosec // spreads retries out; nothing secret
}

// retryAfter parses a Retry-After header in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

type transportErrKind int

const (
	errFinal     transportErrKind = iota // never retried: TLS, bad URL, refused redirect
	errNotSent                           // the server cannot have seen the request
	errAmbiguous                         // the request may have reached the server
)

// classifyTransportErr sorts a failed try by whether the server can have
// acted on it, which decides whether a POST may be sent again.
func classifyTransportErr(err error, wrote bool) transportErrKind {
	var (
		dnsErr   *net.DNSError
		opErr    *net.OpError
		certErr  *tls.CertificateVerificationError
		hostErr  x509.HostnameError
		authErr  x509.UnknownAuthorityError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
	)
	switch {
	case errors.Is(err, ErrRedirectRefused), errors.Is(err, ErrResponseTooLarge),
		errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &authErr),
		errors.As(err, &recErr), errors.As(err, &alertErr),
		strings.Contains(err.Error(), "unsupported protocol scheme"),
		strings.Contains(err.Error(), "stopped after"):
		return errFinal
	case errors.As(err, &dnsErr):
		return errNotSent
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return errNotSent
	case errors.As(err, new(*bodyError)):
		// An answer came, so the request arrived, whatever the trace saw.
		return errAmbiguous
	case !wrote:
		// Nothing complete reached the server, so it cannot have acted.
		return errNotSent
	}
	return errAmbiguous
}
