package vpsorgtest

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 1, 16, 15, 45, 0, 0, time.UTC)
	c := NewClock(start)
	steps := []struct {
		name string
		move func()
		want time.Time
	}{
		{"reads start until moved", func() {}, start},
		{"Advance", func() { c.Advance(time.Minute) }, start.Add(time.Minute)},
		{"Set back in time", func() { c.Set(start.Add(-time.Hour)) }, start.Add(-time.Hour)},
		{"AutoAdvance moves each read", func() { c.AutoAdvance(time.Second) }, start.Add(-time.Hour + time.Second)},
		{"and the next", func() {}, start.Add(-time.Hour + 2*time.Second)},
		{"AutoAdvance(0) stops it", func() { c.AutoAdvance(0) }, start.Add(-time.Hour + 2*time.Second)},
	}
	for _, s := range steps { // in order: each step starts where the last left the clock
		s.move()
		if got := c.Now(); !got.Equal(s.want) {
			t.Fatalf("%s: Now() = %s; want %s", s.name, got, s.want)
		}
	}
}
