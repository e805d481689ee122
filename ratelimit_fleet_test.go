package vpsorg_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// Issue 12's target 4, in simulated time: 300 servers against a fake that
// allows 100 requests a second, backed up 8 at a time and waited for with
// WaitAll. The client runs in a synctest bubble, so its pauses (the token
// bucket, retry backoff, Retry-After, the waiter's pacing) are virtual and
// take no wall time; the bubble's clock stands still while a request is
// on the wire, and the fake reads the time the client last sent at. What
// is checked is counted: failed calls, 429 answers, and the simulated time
// against what the limit allows.
const (
	rateServers     = 300
	rateAPILimit    = 100 // requests a second the fake allows
	rateClientLimit = 90
	rateBurst       = 20
	rateWorkers     = 8
	rateCompletion  = time.Second
)

func TestFleetUnderTheAPIRateLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		clientLimit bool
		max429      float64 // largest share of answers that may be 429
		maxTime     float64 // simulated time over the ideal; 0 for no bound
	}{
		{"client limited to 90 a second", true, 0.01, 1.3},
		{"no client limit", false, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var sentAt atomic.Int64 // the bubble's time at the latest request
			srv := vpsorgtest.NewServer(vpsorgtest.WithoutSeed(),
				vpsorgtest.WithClock(func() time.Time { return time.Unix(0, sentAt.Load()) }),
				vpsorgtest.WithRateLimit(rateAPILimit, rateBurst),
				vpsorgtest.WithCompletionDelay(rateCompletion))
			t.Cleanup(srv.Close)
			servers := make([]int64, rateServers)
			for i := range servers {
				servers[i] = srv.AddServer("web")
			}
			var failed atomic.Int64
			var took time.Duration
			synctest.Test(t, func(t *testing.T) {
				// No keep-alive: an idle connection's reader would keep the
				// bubble's clock from moving.
				hc := &http.Client{Transport: stamped{&http.Transport{DisableKeepAlives: true}, &sentAt}}
				opts := []vpsorg.Option{vpsorg.WithHTTPClient(hc)}
				if tt.clientLimit {
					opts = append(opts, vpsorg.WithRateLimit(rateClientLimit, rateBurst))
				}
				client := srv.Client(opts...)
				ctx := context.Background()
				start := time.Now()
				backups := createEach(ctx, t, client, servers, &failed)
				_, err := client.Backups.WaitAll(ctx, backups, &vpsorg.WaitOptions{Interval: 100 * time.Millisecond, MaxInterval: 500 * time.Millisecond})
				if err != nil {
					failed.Add(1)
					t.Errorf("WaitAll: %v", err)
				}
				took = time.Since(start)
			})

			log := srv.Requests()
			throttled := 0
			for _, r := range log {
				if r.RateLimited {
					throttled++
				}
			}
			share := float64(throttled) / float64(len(log))
			// The least the fake's limit allows: the creates and one round
			// of 3 pages, less the burst, at 100 a second, and the last
			// backup's completion after its create.
			ideal := time.Duration(float64(rateServers+3-rateBurst)/rateAPILimit*float64(time.Second)) + rateCompletion
			ratio := took.Seconds() / ideal.Seconds()
			t.Logf("%d requests (%.3f a backup), %d answered 429 (%.2f%%), %s simulated against an ideal of %s: %.2f×",
				len(log), float64(len(log))/rateServers, throttled, 100*share, took.Round(time.Millisecond), ideal, ratio)
			if failed.Load() != 0 {
				t.Errorf("%d failed calls; want none", failed.Load())
			}
			if share > tt.max429 {
				t.Errorf("%.2f%% of the answers were 429; want at most %.0f%%", 100*share, 100*tt.max429)
			}
			if tt.maxTime > 0 && ratio > tt.maxTime {
				t.Errorf("%.2f× the ideal time; want at most %.1f×", ratio, tt.maxTime)
			}
		})
	}
}

// createEach makes a backup of every server, rateWorkers at a time,
// counting the calls that fail.
func createEach(ctx context.Context, t *testing.T, client *vpsorg.Client, servers []int64, failed *atomic.Int64) []*vpsorg.Backup {
	out := make([]*vpsorg.Backup, len(servers))
	next := make(chan int)
	var wg sync.WaitGroup
	for range rateWorkers {
		wg.Go(func() {
			for i := range next {
				b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: servers[i]})
				if err != nil {
					failed.Add(1)
					t.Errorf("create on server %d: %v", servers[i], err)
					continue
				}
				out[i] = b
			}
		})
	}
	for i := range servers {
		next <- i
	}
	close(next)
	wg.Wait()
	var made []*vpsorg.Backup
	for _, b := range out {
		if b != nil {
			made = append(made, b)
		}
	}
	return made
}

// stamped tells the fake, through sentAt, the bubble's time as each request
// leaves; the bubble's clock does not move while it is on the wire.
type stamped struct {
	next   http.RoundTripper
	sentAt *atomic.Int64
}

func (s stamped) RoundTrip(r *http.Request) (*http.Response, error) {
	s.sentAt.Store(time.Now().UnixNano())
	return s.next.RoundTrip(r)
}
