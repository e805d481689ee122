package vpsorgtest

import (
	"context"
	"time"
)

// testClockPoll is how long a Client of a server on a test's clock pauses
// between polls: short enough that a wait ends a moment after the test
// moves the clock, long enough not to spin.
const testClockPoll = 2 * time.Millisecond

// passTime is how the Clients made by [Server.Client] let time pass between
// the polls of a wait (vpsorg.WithPollSleep), so that waiting on the fake
// takes no real seconds.
//
// On the server's own clock it moves that clock on by d and returns at
// once: what the wait waits for (a backup completing after the completion
// delay, a restore ending) is done by the next poll, as it would be after
// d of real time. The skipped time stays: later objects are made, and the
// Date header reads, that much later, as they would after a real wait.
//
// On a test's clock ([WithClock]) the test alone moves time, so it pauses
// testClockPoll of real time, at most d, and the wait sees the test's move
// at its next poll.
func (s *Server) passTime(ctx context.Context, d time.Duration) error {
	if !s.cfg.testClock {
		s.skipped.Add(int64(max(d, 0)))
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(min(d, testClockPoll)):
		return nil
	}
}
