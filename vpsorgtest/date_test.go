package vpsorgtest

import (
	"net/http"
	"testing"
	"time"
)

// TestDateComesFromTheServersClock checks that Date names the instant the
// server's clock reads, whatever time zone that clock is in: a client
// compares it with created_at, which the same clock stamps.
func TestDateComesFromTheServersClock(t *testing.T) {
	t.Parallel()
	for _, zone := range []*time.Location{time.UTC, time.FixedZone("UTC+5", 5*60*60), time.FixedZone("UTC-8", -8*60*60)} {
		t.Run(zone.String(), func(t *testing.T) {
			t.Parallel()
			at := time.Date(2025, 1, 16, 15, 45, 7, 0, zone)
			h := start(t, WithClock(func() time.Time { return at }))
			res := h.do(t, http.MethodGet, "/api/v1/backups/", "")
			date, err := http.ParseTime(res.header.Get("Date"))
			if err != nil {
				t.Fatalf("Date %q: %v", res.header.Get("Date"), err)
			}
			if !date.Equal(at) {
				t.Errorf("Date = %s, the clock read %s", date, at.UTC())
			}
		})
	}
}
