package vpsorgtest

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// bucket is the token bucket behind WithRateLimit. It reads the server's
// clock, so a test with a Clock decides when tokens come back.
//
// It is not golang.org/x/time/rate: vpsorgtest is standard library only, so
// that importing it adds nothing to a user's module graph, and a bucket that
// is told the time is a dozen lines.
type bucket struct {
	rate   float64 // tokens a second; 0 means no limit
	burst  float64
	tokens float64
	last   time.Time // when tokens was worked out; zero before the first take
}

func newBucket(perSecond float64, burst int) bucket {
	if !(perSecond > 0) || math.IsInf(perSecond, 1) {
		return bucket{}
	}
	b := float64(max(burst, 1))
	return bucket{rate: perSecond, burst: b, tokens: b}
}

// take spends a token at now, or reports how many seconds until there is
// one. It runs with Server.mu held.
func (b *bucket) take(now time.Time) (wait float64, ok bool) {
	if b.rate == 0 {
		return 0, true
	}
	// A clock set back (Clock.Set) refills nothing, and the bucket carries
	// on from the earlier time rather than waiting for the clock to catch up.
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return (1 - b.tokens) / b.rate, false
}

// maxRetryAfter caps Retry-After, so a tiny rate cannot overflow it.
const maxRetryAfter = 1 << 30

// throttled is DRF's answer to a throttled request: 429, a detail saying when
// to come back and Retry-After in whole seconds, rounded up and at least 1.
func throttled(wait float64) reply {
	secs := int(min(max(1, math.Ceil(wait)), maxRetryAfter))
	rep := detail(http.StatusTooManyRequests, throttledDetail(secs))
	rep.header = http.Header{"Retry-After": {strconv.Itoa(secs)}}
	rep.throttled = true
	return rep
}
