package vpsorg

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// The retry policy, by method (the table in README's "Retries, pagination
// and waiting"): which outcome of a try is tried again, which may have
// acted on the server, how long to wait.
// go-retryablehttp makes the tries; send.go asks judge after each one.

// newRetryClient holds the Client's retry settings: go-retryablehttp's
// bounds, the backoff and the error handler. A call never sends through it
// but through one of its own made from it (send.go), whose hooks are the
// call's.
func (c *Client) newRetryClient(hc *http.Client, cfg config) *retryablehttp.Client {
	rc := &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: cfg.retryWaitMin,
		RetryWaitMax: cfg.retryWaitMax,
		RetryMax:     cfg.retryMax,
		Backoff:      c.backoff,
		ErrorHandler: passThrough,
	}
	if cfg.logger != nil {
		// *slog.Logger has the method set of retryablehttp.LeveledLogger.
		rc.Logger = cfg.logger
	}
	return rc
}

// passThrough hands the last answer back as it is, so the caller turns it
// into a typed *APIError instead of "giving up after N attempts". An answer
// that comes with an error (the context ended, a redirect was refused, in
// which case it is the redirect itself, or a 2xx body broke off) gives way
// to the error.
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

// verdict is what one try's outcome means for its call.
type verdict struct {
	retry     bool // send it again, if tries are left
	ambiguous bool // the try may have acted on the server
}

// judge decides by method, because a repeated create makes a second backup
// and a repeated restore restores twice: a POST is tried again only when
// the server certainly did not act, on a 429 or a request never sent. err
// is the try's failure (the transport's, or a 2xx body that broke off),
// else resp is its answer; wrote says whether its request was written
// whole. An ambiguous try decides whether a DELETE's 404 means done and
// whether a failed POST looks for its result.
func (c *Client) judge(method string, resp *http.Response, err error, wrote bool) verdict {
	again := idempotent(method) // escape.go
	if err != nil {
		switch classifyTransportErr(err, wrote) {
		case errNotSent:
			return verdict{retry: true}
		case errAmbiguous:
			return verdict{retry: again, ambiguous: true}
		case errFinal:
		}
		return verdict{}
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return verdict{retry: c.retryAfterAllowed(resp)}
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return verdict{retry: again && c.retryAfterAllowed(resp), ambiguous: true}
	}
	return verdict{}
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
