package vpsorgtest

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	t.Parallel()
	// step moves the clock on by advance, then sends a GET and expects
	// status, and Retry-After when it is throttled.
	type step struct {
		advance    time.Duration
		status     int
		retryAfter string
	}
	ok := func(advance time.Duration) step { return step{advance, http.StatusOK, ""} }
	limited := func(advance time.Duration, retryAfter string) step {
		return step{advance, http.StatusTooManyRequests, retryAfter}
	}
	tests := []struct {
		name      string
		perSecond float64
		burst     int
		steps     []step
	}{
		{"burst then one a half second", 2, 3, []step{
			ok(0), ok(0), ok(0), limited(0, "1"),
			ok(500 * time.Millisecond), limited(0, "1"),
			limited(499*time.Millisecond, "1"), ok(time.Millisecond),
		}},
		{"refill stops at the burst", 10, 2, []step{
			ok(0), ok(0), limited(0, "1"),
			ok(time.Hour), ok(0), limited(0, "1"),
		}},
		{"slow rate, rounded up", 0.3, 1, []step{
			ok(0), limited(0, "4"), limited(3*time.Second, "1"), ok(334 * time.Millisecond),
		}},
		{"one every ten seconds", 0.1, 0, []step{ // burst 0 counts as 1
			ok(0), limited(0, "10"), limited(time.Second, "9"), ok(9 * time.Second), limited(0, "10"),
		}},
		{"no limit", 0, 5, []step{ok(0), ok(0), ok(0), ok(0), ok(0), ok(0), ok(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, WithRateLimit(tt.perSecond, tt.burst))
			for i, st := range tt.steps {
				h.clock.Advance(st.advance)
				res := h.do(t, "GET", "/api/v1/snapshots/", "")
				if res.status != st.status || res.header.Get("Retry-After") != st.retryAfter {
					t.Fatalf("step %d: status %d, Retry-After %q; want %d, %q",
						i, res.status, res.header.Get("Retry-After"), st.status, st.retryAfter)
				}
				if st.status == http.StatusTooManyRequests {
					secs := st.retryAfter
					unit := "seconds"
					if secs == "1" {
						unit = "second"
					}
					res.wantJSON(t, fmt.Sprintf(`{"detail": "Request was throttled. Expected available in %s %s."}`, secs, unit))
				}
			}
			var limitedInLog []bool
			for _, r := range h.Requests() {
				limitedInLog = append(limitedInLog, r.RateLimited)
			}
			var want []bool
			for _, st := range tt.steps {
				want = append(want, st.status == http.StatusTooManyRequests)
			}
			if !slices.Equal(limitedInLog, want) {
				t.Fatalf("RateLimited in the log %v, want %v", limitedInLog, want)
			}
		})
	}
}

// TestRateLimitSpends checks which requests spend a token: those the API
// itself serves, whatever their answer, and not those refused before it.
func TestRateLimitSpends(t *testing.T) {
	t.Parallel()
	h := start(t, WithRateLimit(1, 2))
	h.AddFault(Rule{Method: "DELETE", Fault: Fault{Status: 503}})
	h.AddFault(Rule{Method: "PUT", Fault: Fault{Status: 502, AfterAction: true}})

	bad := h.newRequest(t, "GET", "/api/v1/backups/", "")
	bad.Header.Set("Authorization", "Bearer wrong")
	h.send(t, bad).wantStatus(t, http.StatusUnauthorized)                                      // before the limit
	h.do(t, "GET", "/api/v1/nothing/", "").wantStatus(t, http.StatusNotFound)                  // before the limit
	h.do(t, "DELETE", "/api/v1/backups/499/", "").wantStatus(t, http.StatusServiceUnavailable) // a fault before the API
	h.do(t, "POST", "/api/v1/backups/", `{}`).wantStatus(t, http.StatusBadRequest)             // spends one
	h.do(t, "PUT", "/api/v1/backups/", "").wantStatus(t, http.StatusBadGateway)                // spends the other: 405, replaced
	h.do(t, "PUT", "/api/v1/backups/", "").wantStatus(t, http.StatusBadGateway)                // throttled, replaced
	h.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, http.StatusTooManyRequests)

	log := h.Requests()
	var got []bool
	for _, r := range log {
		got = append(got, r.RateLimited)
	}
	if want := []bool{false, false, false, false, false, true, true}; !slices.Equal(got, want) {
		t.Fatalf("RateLimited %v, want %v", got, want)
	}
	// A clock set back refills nothing and does not jam the bucket.
	h.clock.Set(h.clock.Now().Add(-time.Hour))
	h.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, http.StatusTooManyRequests)
	h.clock.Advance(time.Second)
	h.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, http.StatusOK)
}
