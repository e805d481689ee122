package vpsorg

import (
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// testClock is a clock that moves only when the Client pauses, by the
// pause asked: one goroutine's waits then add up as they would in real time.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newPacedClient is a test client whose pauses move clock and are recorded
// in w, when they are longer than zero.
func newPacedClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport, *waits) {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	w := &waits{}
	paced := []Option{WithClock(clock.Now), WithWaitHook(func(d time.Duration) {
		if d > 0 {
			w.add(d)
		}
		clock.Advance(d)
	})}
	c, mock, _ := newTestClient(t, append(paced, opts...)...)
	return c, mock, w
}

func okList(*http.Request) (*http.Response, error) {
	return httpmock.NewStringResponse(200, `{"count":0,"results":[]}`), nil
}

func TestRateLimitEveryTryTakesAToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	second := time.Second
	tests := []struct {
		name      string
		burst     int
		calls     int
		responder func(n int) *http.Response // answer to request n, 0-based
		wantSent  int
		wantWaits []time.Duration
	}{
		{name: "one a second", burst: 1, calls: 3, wantSent: 3, wantWaits: []time.Duration{second, second}},
		{name: "a burst of three", burst: 3, calls: 4, wantSent: 4, wantWaits: []time.Duration{second}},
		{name: "retries take tokens", burst: 1, calls: 1, wantSent: 3, wantWaits: []time.Duration{second, second},
			responder: func(n int) *http.Response {
				if n < 2 {
					return httpmock.NewStringResponse(503, `{"detail":"busy"}`)
				}
				return httpmock.NewStringResponse(200, `{"count":0,"results":[]}`)
			}},
		{name: "pages take tokens", burst: 1, calls: -1, wantSent: 3, wantWaits: []time.Duration{second, second},
			responder: func(n int) *http.Response {
				body := `{"count":3,"results":[{"id":` + string(rune('1'+n)) + `}]}`
				return httpmock.NewStringResponse(200, body)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Retry backoff of zero, so that only the limiter pauses.
			c, mock, w := newPacedClient(t, WithRateLimit(1, tt.burst), WithRetryWait(0, 0))
			var mu sync.Mutex
			sent := 0
			mock.RegisterResponder("GET", testBase+"backups/", func(*http.Request) (*http.Response, error) {
				mu.Lock()
				defer mu.Unlock()
				n := sent
				sent++
				if tt.responder != nil {
					return tt.responder(n), nil
				}
				return okList(nil)
			})
			if tt.calls < 0 {
				for _, err := range c.Backups.All(ctx, nil) {
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			for range tt.calls {
				if _, _, err := c.Backups.List(ctx, nil); err != nil {
					t.Fatal(err)
				}
			}
			if sent != tt.wantSent || !slices.Equal(w.all(), tt.wantWaits) {
				t.Fatalf("sent %d, waited %v; want %d, %v", sent, w.all(), tt.wantSent, tt.wantWaits)
			}
		})
	}
}

// TestRateLimitIsShared: ten goroutines on one Client at 10 a second with
// no burst to speak of queue for the same bucket. The clock stands still,
// so their waits are the queue: 0, 100 ms, ... 900 ms in some order.
func TestRateLimitIsShared(t *testing.T) {
	t.Parallel()
	clock := &testClock{now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	c, mock, w := newTestClient(t, WithRateLimit(10, 1), WithClock(clock.Now))
	mock.RegisterResponder("GET", testBase+"backups/", okList)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, _, err := c.Backups.List(context.Background(), nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := w.all()
	slices.Sort(got)
	var want []time.Duration
	for i := 1; i < 10; i++ {
		want = append(want, time.Duration(i)*100*time.Millisecond)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("waits %v; want %v", got, want)
	}
}

// TestRateLimitWaitEndsWithContext: a call whose context ends while it
// waits for a token fails with the context's error, sends nothing, and
// gives its token back.
func TestRateLimitWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	clock := &testClock{now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var waited []time.Duration
	c, mock, _ := newTestClient(t, WithRateLimit(1, 1), WithClock(clock.Now),
		WithWaitHook(func(d time.Duration) { waited = append(waited, d); cancel() }))
	mock.RegisterResponder("GET", testBase+"backups/", okList)
	if _, _, err := c.Backups.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}

	_, _, err := c.Backups.List(ctx, nil)

	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if n := mock.GetTotalCallCount(); n != 1 {
		t.Fatalf("%d requests sent; want only the first call's", n)
	}
	// The cancelled wait's token is back: a second from now there is
	// one, for this call, not one behind the cancelled reservation.
	clock.Advance(time.Second)
	waited = nil
	if _, _, err := c.Backups.List(context.Background(), nil); err != nil || len(waited) != 0 {
		t.Fatalf("err %v, waited %v; want a token at once", err, waited)
	}
}

// TestRateLimitedAnswerHoldsTheClient: a 429 with Retry-After holds every
// later request of the Client until then, with or without WithRateLimit,
// as long as the retry wait maximum allows; a longer one holds nothing.
func TestRateLimitedAnswerHoldsTheClient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		retryAfter string
		opts       []Option
		wantWait   []time.Duration
	}{
		{"without a limit", "3", nil, []time.Duration{3 * time.Second}},
		{"with a limit", "3", []Option{WithRateLimit(100, 10)}, []time.Duration{3 * time.Second}},
		{"longer than the retry wait maximum", "3600", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, w := newPacedClient(t, append([]Option{WithRetryMax(0)}, tt.opts...)...)
			n := 0
			mock.RegisterResponder("GET", testBase+"backups/", func(*http.Request) (*http.Response, error) {
				n++
				if n == 1 {
					r := httpmock.NewStringResponse(429, `{"detail":"Request was throttled."}`)
					r.Header.Set("Retry-After", tt.retryAfter)
					return r, nil
				}
				return okList(nil)
			})
			mock.RegisterResponder("DELETE", testBase+"snapshots/801/", httpmock.NewStringResponder(204, ""))
			ctx := context.Background()
			if _, _, err := c.Backups.List(ctx, nil); !errors.Is(err, ErrRateLimited) {
				t.Fatalf("first call: %v; want ErrRateLimited (no retries)", err)
			}

			// Another call, of another service and method.
			if _, err := c.Snapshots.Delete(ctx, 801); err != nil {
				t.Fatal(err)
			}

			if got := w.all(); !slices.Equal(got, tt.wantWait) {
				t.Fatalf("waits %v; want %v", got, tt.wantWait)
			}
		})
	}
}

func TestWithRateLimitRefusesBadValues(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		perSecond float64
		burst     int
	}{{0, 1}, {-1, 1}, {math.NaN(), 1}, {math.Inf(1), 1}, {10, 0}, {10, -1}} {
		if _, err := NewClient(testToken, WithRateLimit(tt.perSecond, tt.burst)); err == nil {
			t.Errorf("WithRateLimit(%v, %d) accepted", tt.perSecond, tt.burst)
		}
	}
	if _, err := NewClient(testToken, WithRateLimit(0.5, 1)); err != nil {
		t.Errorf("WithRateLimit(0.5, 1): %v", err)
	}
}

// TestThrottleKnowsCallsNotContexts: the throttle alone. The call whose
// 429 paused the Client does not wait the pause twice, and every other
// call does, even one on the very same context.
func TestThrottleKnowsCallsNotContexts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		sameCall  bool
		wantSlept []time.Duration
	}{
		{"the call that got the 429", true, nil},
		{"another call on the same context", false, []time.Duration{4 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := &testClock{now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
			var slept []time.Duration
			th := newThrottle(config{retryWaitMax: time.Minute}, clock.Now, func(ctx context.Context, d time.Duration) error {
				slept = append(slept, d)
				return ctx.Err()
			})
			ctx := context.Background()
			owner := &call{}
			th.observe(owner, &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"4"}}})
			waiter := &call{}
			if tt.sameCall {
				waiter = owner
			}
			if err := th.wait(ctx, waiter); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(slept, tt.wantSlept) {
				t.Fatalf("slept %v; want %v", slept, tt.wantSlept)
			}
		})
	}
}
