package vpsorg

import (
	"context"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// throttle paces every try the Client sends: the token bucket of
// [WithRateLimit], when set, and the pause a 429's Retry-After asks of the
// whole Client. A call's tries come to it from their hooks (send.go: wait
// before each try, retries included, observe after each) rather than
// through a wrapper around the transport: net/http enforces
// http.Client.Timeout with a goroutine, a timer and a channel per request
// for any RoundTripper it does not know, which a wrapper around the default
// *http.Transport would cost every request (12 allocations), limit or not.
type throttle struct {
	lim      *rate.Limiter // nil without WithRateLimit
	maxPause time.Duration // the longest Retry-After the Client waits out
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error

	mu    sync.Mutex
	until time.Time // no try before this, set by the latest 429
	owner *call     // the call whose 429 set until; its own backoff waits it out
}

func newThrottle(cfg config, now func() time.Time, sleep func(context.Context, time.Duration) error) *throttle {
	t := &throttle{maxPause: cfg.retryWaitMax, now: now, sleep: sleep}
	if cfg.ratePerSecond > 0 {
		t.lim = rate.NewLimiter(rate.Limit(cfg.ratePerSecond), cfg.rateBurst)
	}
	return t
}

// wait holds a try of cl until the Client's pause is over and a token is
// free, or ctx ends. The pause comes first, so that tries held by it do not
// pile up tokens to spend at once when it ends, and again after the token,
// in case a 429 started one meanwhile.
func (t *throttle) wait(ctx context.Context, cl *call) error {
	if err := t.waitPause(ctx, cl); err != nil {
		return err
	}
	if t.lim == nil {
		return nil
	}
	now := t.now()
	r := t.lim.ReserveN(now, 1) // burst >= 1, so always OK
	if d := r.DelayFrom(now); d > 0 {
		if err := t.sleep(ctx, d); err != nil {
			r.CancelAt(t.now()) // the token goes back to the others
			return err
		}
	}
	return t.waitPause(ctx, cl)
}

// waitPause sleeps out what is left of the pause. A pause longer than the
// retry wait maximum is not waited for: the try is sent, and gets the 429
// that makes its call fail with [ErrRateLimited], as a Retry-After that
// long does to the call that got it. The call whose 429 set the pause does
// not wait it twice: its backoff already did.
func (t *throttle) waitPause(ctx context.Context, cl *call) error {
	t.mu.Lock()
	left := t.until.Sub(t.now())
	own := t.owner == cl
	t.mu.Unlock()
	if left <= 0 || left > t.maxPause || own {
		return nil
	}
	return t.sleep(ctx, left)
}

// observe starts or extends the Client's pause on a 429 with Retry-After,
// answered to cl.
func (t *throttle) observe(cl *call, resp *http.Response) {
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		return
	}
	now := t.now()
	d, ok := retryAfter(resp.Header, now)
	if !ok || d <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if until := now.Add(d); until.After(t.until) {
		t.until, t.owner = until, cl
	}
}
