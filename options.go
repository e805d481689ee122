package vpsorg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"
)

// Option configures a [Client] in [NewClient]. An option given a bad value
// makes NewClient return an error.
type Option func(*config) error

// config collects the options before NewClient builds the Client from it.
type config struct {
	baseURL      string
	httpClient   *http.Client
	userAgent    string
	retryMax     int
	retryWaitMin time.Duration
	retryWaitMax time.Duration
	logger       *slog.Logger
	insecureHTTP bool
	noRecovery   bool

	ratePerSecond float64                                          // WithRateLimit; 0 for none
	pollSleep     func(ctx context.Context, d time.Duration) error // WithPollSleep
	rateBurst     int
	observers     []Observer // WithObserver, in the order given

	// Test seams, set only through export_test.go: the pause between tries
	// and between polls, and the clock the waiters read.
	adjustWait func(time.Duration) time.Duration
	sleep      func(ctx context.Context, d time.Duration) error
	now        func() time.Time
}

// Defaults of the retry policy; the package documentation's "Retries"
// section describes it.
const (
	DefaultRetryMax     = 4
	DefaultRetryWaitMin = 500 * time.Millisecond
	DefaultRetryWaitMax = 30 * time.Second
)

func defaultConfig() config {
	return config{
		baseURL:      DefaultBaseURL,
		retryMax:     DefaultRetryMax,
		retryWaitMin: DefaultRetryWaitMin,
		retryWaitMax: DefaultRetryWaitMax,
	}
}

// WithBaseURL sets the API root, such as "https://admin.vps.org/api/v1/"
// (the default, [DefaultBaseURL]). A missing trailing slash is added.
// NewClient refuses a URL that is not absolute http(s), that has no path
// ("https://admin.vps.org": the API lives under /api/v1/), that carries
// user info, a query or a fragment, or that uses http:// to a host other
// than loopback without [WithInsecureHTTP]. A path of a proxy's own, such
// as "https://proxy.example.com/vpsorg/api/v1/", is kept as it is.
func WithBaseURL(rawURL string) Option {
	return func(c *config) error {
		if strings.TrimSpace(rawURL) == "" {
			return errors.New("vpsorg: WithBaseURL: empty URL")
		}
		c.baseURL = rawURL
		return nil
	}
}

// WithHTTPClient makes the Client send its requests through hc. The client
// is wrapped, never replaced or modified: its Transport (read at every
// request, so an httpmock activated later still takes effect), Timeout, Jar
// and CheckRedirect are kept. The Client only adds a redirect check that
// refuses to follow a redirect to another origin, so the token never leaves
// the base URL's host.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("vpsorg: WithHTTPClient: nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithUserAgent puts product (such as "myapp/1.2") before the SDK's own
// User-Agent: "myapp/1.2 vpsorg-go/0.2.0".
func WithUserAgent(product string) Option {
	return func(c *config) error {
		product = strings.TrimSpace(product)
		if product == "" {
			return errors.New("vpsorg: WithUserAgent: empty product")
		}
		if strings.ContainsFunc(product, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return errors.New("vpsorg: WithUserAgent: control character in product")
		}
		c.userAgent = product + " " + defaultUserAgent
		return nil
	}
}

// WithRetryMax sets how many times a call is retried after its first try
// (default [DefaultRetryMax]); 0 turns retries off. Which answers are
// retried depends on the method: see the package documentation.
func WithRetryMax(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return errors.New("vpsorg: WithRetryMax: negative count")
		}
		c.retryMax = n
		return nil
	}
}

// WithRetryWait sets the bounds of the backoff between tries (defaults
// [DefaultRetryWaitMin] and [DefaultRetryWaitMax]). maxWait is also the
// longest Retry-After the Client will wait for: a server asking for longer
// gets no retry, and the call returns its [*APIError] with RetryAfter set.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return func(c *config) error {
		if minWait < 0 || maxWait < minWait {
			return errors.New("vpsorg: WithRetryWait: need 0 <= min <= max")
		}
		c.retryWaitMin, c.retryWaitMax = minWait, maxWait
		return nil
	}
}

// WithLogger makes the Client log its requests, retries and answers to l at
// debug level (errors at error level). Nil, the default, keeps it silent.
// The token is never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithInsecureHTTP allows an http:// base URL to a host that is not
// loopback. The token then crosses the network in clear text: use it only
// inside a network you trust.
func WithInsecureHTTP() Option {
	return func(c *config) error {
		c.insecureHTTP = true
		return nil
	}
}

// WithoutRecovery turns off the look-up after an ambiguous write failure
// (on by default): a create or restore that fails after it may have reached
// the server then returns its error at once, matching [ErrOutcomeUnknown],
// without looking for its result. RELIABILITY.md describes the look-up.
func WithoutRecovery() Option {
	return func(c *config) error {
		c.noRecovery = true
		return nil
	}
}

// WithRateLimit makes the Client send at most perSecond requests a second
// on average, in bursts of at most burst, counting every try: retries,
// each page of a list, each poll of a waiter and the look-ups that follow
// an ambiguous failure. It is one token bucket (golang.org/x/time/rate)
// for the whole Client, shared by every goroutine using it; set it a
// little below the API's limit, so that a real 429 stays rare. A request
// waiting for a token stops waiting when its context ends, and fails with
// the context's error, sent to no one. NewClient refuses a perSecond that
// is not a positive number and a burst below 1.
//
// Without it, the Client still honours the API's own limit: a 429 with
// Retry-After holds every request of the Client, not only the call that
// got it, until the time asked (when that is no longer than the retry wait
// maximum, [WithRetryWait]).
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *config) error {
		if !(perSecond > 0) || math.IsInf(perSecond, 1) {
			return fmt.Errorf("vpsorg: WithRateLimit: %v requests a second: need a positive, finite number", perSecond)
		}
		if burst < 1 {
			return fmt.Errorf("vpsorg: WithRateLimit: burst %d: need at least 1", burst)
		}
		c.ratePerSecond, c.rateBurst = perSecond, burst
		return nil
	}
}

// WithPollSleep replaces how the waiters ([BackupsService.Wait],
// [BackupsService.WaitAll], their [SnapshotsService] twins and
// [ServersService.Wait]) let time pass between two polls. fn gets the pause
// the polling schedule asks for ([WaitOptions]: from Interval, doubling up
// to MaxInterval, with jitter) and returns when the next poll may go, or
// with an error, which ends the wait as the context's end does: return
// ctx's error when ctx ends. By default the Client sleeps d, or until ctx
// ends. Pauses between retries and for rate limits are not affected.
//
// It is meant for fakes and simulated time. A Client from
// [github.com/vpsorg/vpsorg-go/vpsorgtest.Server.Client] has it set, so
// that a wait moves the fake's clock on instead of sleeping, and a test of
// a create-and-wait flow takes milliseconds. NewClient refuses a nil fn.
func WithPollSleep(fn func(ctx context.Context, d time.Duration) error) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("vpsorg: WithPollSleep: nil function")
		}
		c.pollSleep = fn
		return nil
	}
}
