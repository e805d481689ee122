package vpsorgtest

import (
	"io"
	"time"
)

// DefaultToken is the bearer token a Server accepts unless WithToken is given.
const DefaultToken = "vpsorgtest-token"

// Defaults for the options below.
const (
	DefaultCompletionDelay = 200 * time.Millisecond
	DefaultRestoreDuration = 500 * time.Millisecond
	DefaultPageSize        = 20
	// MaxPageSize caps the page_size query parameter, as the API's paginator does.
	MaxPageSize = 100
	// DefaultFaultSeed seeds the source of Rule.Probability unless
	// WithFaultSeed is given, so runs repeat by default.
	DefaultFaultSeed uint64 = 1
)

// Option configures a Server created by NewServer.
type Option func(*config)

type config struct {
	token           string
	seed            bool
	completionDelay time.Duration
	restoreDuration time.Duration
	now             func() time.Time
	testClock       bool // now is the test's (WithClock), not time.Now
	pageSize        int
	pageLinks       bool
	faultSeed       uint64
	ratePerSecond   float64
	rateBurst       int
	rules           []Rule    // WithFaults
	control         bool      // WithControlAPI
	accessLog       io.Writer // WithAccessLog
}

func defaultConfig() config {
	return config{
		token:           DefaultToken,
		seed:            true,
		completionDelay: DefaultCompletionDelay,
		restoreDuration: DefaultRestoreDuration,
		now:             time.Now,
		pageSize:        DefaultPageSize,
		pageLinks:       true,
		faultSeed:       DefaultFaultSeed,
	}
}

// WithToken sets the bearer token the server accepts (default DefaultToken).
func WithToken(token string) Option {
	return func(c *config) { c.token = token }
}

// WithoutSeed starts the server with no servers, backups or snapshots, so ids
// start at 1.
func WithoutSeed() Option {
	return func(c *config) { c.seed = false }
}

// WithCompletionDelay sets how long, on the server's clock, a new backup or
// snapshot stays "in_progress" before it reads as "completed" (default 200ms).
// Zero makes it complete at once, though the create answer still says
// "in_progress", as the real API does.
func WithCompletionDelay(d time.Duration) Option {
	return func(c *config) { c.completionDelay = max(d, 0) }
}

// WithRestoreDuration sets how long, on the server's clock, a server stays
// "restoring" after a restore was started (default 500ms).
func WithRestoreDuration(d time.Duration) Option {
	return func(c *config) { c.restoreDuration = max(d, 0) }
}

// WithClock replaces the clock the server reads for creation times, completion
// and the end of restores (default time.Now). A test that moves its own clock
// forward sees backups complete and restores end without sleeping. The function
// may be called from several goroutines, though never concurrently by one
// Server, and must not call the Server's methods: it runs under the Server's lock.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now, c.testClock = now, true
		}
	}
}

// WithPageSize sets the page size used when a list request has no valid
// page_size parameter (default 20). A page_size parameter is still capped at
// MaxPageSize.
func WithPageSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.pageSize = n
		}
	}
}

// WithoutPageLinks leaves the "next" and "previous" keys out of list answers,
// as the documentation's examples do, so clients that must page by counting
// can be tested.
func WithoutPageLinks() Option {
	return func(c *config) { c.pageLinks = false }
}

// WithFaultSeed seeds the random source that decides which requests a rule
// with a Probability faults (default DefaultFaultSeed). The same seed and the
// same requests in the same order give the same faults; see [Rule].
func WithFaultSeed(seed uint64) Option {
	return func(c *config) { c.faultSeed = seed }
}

// WithRateLimit limits the API to perSecond requests a second on average, with
// bursts of up to burst requests (at least 1), as one token bucket for the
// whole server. A request beyond the limit gets what Django REST Framework's
// throttling answers: 429, a body such as {"detail": "Request was throttled.
// Expected available in 2 seconds."} and Retry-After in whole seconds, rounded
// up and at least 1. It is marked [Request].RateLimited in the request log.
//
// As in DRF, the limit is checked after the token: an unknown path or a
// request without a valid token is answered 404 or 401 and spends nothing.
// Faults answered before the request reaches the API spend nothing either.
// Time is the server's clock ([WithClock]), so a test can refill the bucket
// without sleeping. perSecond 0 or less means no limit (the default).
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *config) { c.ratePerSecond, c.rateBurst = perSecond, burst }
}

// WithFaults gives the server rules to start with, as if added with
// [Server.AddFault] in this order. [Server.Reset] puts them back, with their
// counts at zero; [Server.ClearFaults] removes them until then.
func WithFaults(rules ...Rule) Option {
	return func(c *config) { c.rules = append(c.rules, rules...) }
}

// WithControlAPI also serves the control API (see [Server.ControlHandler])
// under /_fake/ on the server's address. It takes no token: anyone who can
// reach the address can change the fake's state.
func WithControlAPI() Option {
	return func(c *config) { c.control = true }
}

// WithAccessLog writes one line to w for every request the server answers,
// the control API's included, as the answer goes out (an API request's line
// is written before the client can see its answer, or the connection close):
//
//	req-000002 POST /api/v1/backups/ 201 acted 312µs
//	req-000003 GET /api/v1/backups/ 429 rate-limited 41µs
//	req-000004 DELETE /api/v1/backups/499/ - acted fault={"drop":true,"after_action":true} 88µs
//	control POST /_fake/reset 204 25µs
//
// that is the request id, method, path and query, the status ("-" when no
// answer was sent), what the API made of it and the fault applied, then the
// time taken. Headers are never written, so neither is the token. Each line
// is one Write; w may be shared.
func WithAccessLog(w io.Writer) Option {
	return func(c *config) { c.accessLog = w }
}
