package vpsorg

import (
	"context"
	"time"
)

// WithWaitHook replaces every pause the Client takes (retry backoff and
// waiter polling) with fn, which gets the pause asked for. Tests use it to
// record the waits and not sleep. Retry backoff becomes fn's duration
// truncated to zero: retryablehttp sleeps on its own timer.
func WithWaitHook(fn func(d time.Duration)) Option {
	return func(c *config) error {
		c.adjustWait = func(d time.Duration) time.Duration { fn(d); return 0 }
		c.sleep = func(ctx context.Context, d time.Duration) error { fn(d); return ctx.Err() }
		c.pollSleep = c.sleep
		return nil
	}
}

// WithClock sets the clock the Client reads for Retry-After dates and
// elapsed wait times.
func WithClock(now func() time.Time) Option {
	return func(c *config) error { c.now = now; return nil }
}

// withBackoff replaces the retry backoff's result with fn's.
func withBackoff(fn func(time.Duration) time.Duration) Option {
	return func(c *config) error { c.adjustWait = fn; return nil }
}
