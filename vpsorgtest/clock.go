package vpsorgtest

import (
	"sync"
	"time"
)

// Clock is a clock a test moves by hand. Give its Now to [WithClock] and
// backups complete, and restores end, exactly when the test says, without
// sleeping:
//
//	clock := vpsorgtest.NewClock(time.Date(2025, 1, 16, 15, 45, 0, 0, time.UTC))
//	srv := vpsorgtest.NewServer(vpsorgtest.WithClock(clock.Now))
//	...
//	clock.Advance(vpsorgtest.DefaultCompletionDelay) // the backup is now completed
//
// It is safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

// NewClock returns a Clock that reads start until moved.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start}
}

// Now returns the clock's time. After [Clock.AutoAdvance], every call first
// moves the clock on by the step.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set puts the clock at t, which may be earlier than its time now: a test
// can seed objects in the past that way.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// AutoAdvance makes every read of the clock move it on by step first, so
// that time passes as a client polls without the test stepping it. Zero
// stops it.
func (c *Clock) AutoAdvance(step time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.step = step
}
