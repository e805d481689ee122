package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// The fleet case (issue 12): many servers, one backup each, waited for
// either with one Backups.WaitAll or with one Backups.Wait per backup, on
// vpsorgtest in real time. The figures that count are requests to the
// API; wall time matters against a rate limit, and peak heap against the
// number of objects. The SDK's own tests check the same targets by
// counting, in fake and simulated time; these are the figures of real runs.

const (
	fleetServers  = 1000
	fleetWorkers  = 8                      // creates in flight at once
	fleetInterval = 500 * time.Millisecond // polls every 250-500 ms
	// fleetCompletion makes a backup take about 5 polls of one Wait: the
	// fake's clock stands still during the creates, so every backup
	// completes this long after the wait starts.
	fleetCompletion = 1750 * time.Millisecond
)

// BenchmarkFleet: 1,000 servers, one create each, then the wait: WaitAll
// (wait=all) or a goroutine per backup running Wait (wait=loop, what a
// program does without WaitAll). Metrics: requests a backup, creates
// included (req/backup); poll requests a backup (polls/backup); the peak
// live heap above the start of the wait (peak-heap-B), sampled every 10 ms
// after a forced collection; and the wait's wall time (wait-s).
func BenchmarkFleet(b *testing.B) {
	for _, mode := range []string{"all", "loop"} {
		b.Run(fmt.Sprintf("servers=%d/wait=%s", fleetServers, mode), func(b *testing.B) {
			var m fleetRun
			for b.Loop() {
				m = runFleet(b, mode)
			}
			b.ReportMetric(m.perBackup(), "req/backup")
			b.ReportMetric(float64(m.polls)/fleetServers, "polls/backup")
			b.ReportMetric(float64(m.peakHeap), "peak-heap-B")
			b.ReportMetric(m.wait.Seconds(), "wait-s")
		})
	}
}

type fleetRun struct {
	requests, polls int
	peakHeap        uint64
	wait            time.Duration
}

func (m fleetRun) perBackup() float64 { return float64(m.requests) / fleetServers }

func runFleet(tb testing.TB, mode string) fleetRun {
	clock := &waitClock{}
	srv := vpsorgtest.NewServer(vpsorgtest.WithoutSeed(), vpsorgtest.WithCompletionDelay(fleetCompletion), vpsorgtest.WithClock(clock.now))
	defer srv.Close()
	servers := addServers(srv, fleetServers)
	client := srv.Client()
	defer client.CloseIdleConnections()
	ctx := context.Background()
	backups, failed := createBackups(ctx, client, servers)
	if failed > 0 {
		tb.Fatalf("%d creates failed", failed)
	}
	opts := &vpsorg.WaitOptions{Interval: fleetInterval, MaxInterval: fleetInterval}

	heap := startHeapTicker(10 * time.Millisecond)
	start := clock.start()
	var err error
	switch mode {
	case "all":
		_, err = client.Backups.WaitAll(ctx, backups, opts)
	case "loop":
		err = waitEach(ctx, client, backups, opts)
	}
	wait := time.Since(start)
	peak := heap.stop()
	if err != nil {
		tb.Fatal(err)
	}
	m := fleetRun{requests: len(srv.Requests()), peakHeap: peak, wait: wait}
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet {
			m.polls++
		}
	}
	return m
}

// waitClock is the fake's clock: it stands still until the wait starts,
// so that every backup takes the same time from there, then runs.
type waitClock struct {
	mu      sync.Mutex
	started time.Time
}

var clockOrigin = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

func (c *waitClock) start() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.started = time.Now()
	return c.started
}

func (c *waitClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started.IsZero() {
		return clockOrigin
	}
	return clockOrigin.Add(time.Since(c.started))
}

// waitEach waits for every backup with its own Wait, all at once.
func waitEach(ctx context.Context, client *vpsorg.Client, backups []*vpsorg.Backup, opts *vpsorg.WaitOptions) error {
	errs := make([]error, len(backups))
	var wg sync.WaitGroup
	for i, b := range backups {
		wg.Go(func() { _, errs[i] = client.Backups.Wait(ctx, b, opts) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func addServers(srv *vpsorgtest.Server, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = srv.AddServer(fmt.Sprintf("web-%04d", i+1))
	}
	return ids
}

// createBackups makes one backup on each server, fleetWorkers at a time,
// and counts the creates that failed.
func createBackups(ctx context.Context, client *vpsorg.Client, servers []int64) ([]*vpsorg.Backup, int) {
	made := make([]*vpsorg.Backup, len(servers))
	var failed atomic.Int64
	next := make(chan int)
	var wg sync.WaitGroup
	for range fleetWorkers {
		wg.Go(func() {
			for i := range next {
				b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: servers[i]})
				if err != nil {
					failed.Add(1)
					continue
				}
				made[i] = b
			}
		})
	}
	for i := range servers {
		next <- i
	}
	close(next)
	wg.Wait()
	var out []*vpsorg.Backup
	for _, b := range made {
		if b != nil {
			out = append(out, b)
		}
	}
	return out, int(failed.Load())
}

// heapTicker samples the live heap after a forced collection at a fixed
// period, keeping the highest figure above the live heap at its start.
// The same sampling for WaitAll and for the Wait loop, whose thousands of
// requests would take too long to sample one by one (heap_test.go's way).
type heapTicker struct {
	done chan struct{}
	peak chan uint64
}

func startHeapTicker(every time.Duration) *heapTicker {
	h := &heapTicker{done: make(chan struct{}), peak: make(chan uint64)}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		runtime.GC()
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC() // empty the sync.Pools' victim caches, as heapPeak.settled does
	base := live()
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		var peak uint64
		for {
			select {
			case <-t.C:
				if l := live(); l > base && l-base > peak {
					peak = l - base
				}
			case <-h.done:
				h.peak <- peak
				return
			}
		}
	}()
	return h
}

func (h *heapTicker) stop() uint64 {
	close(h.done)
	return <-h.peak
}

// The rate-limit case: 300 servers against a fake that allows 100 requests
// a second in bursts of 20, backed up 8 at a time and waited for with
// WaitAll, with the client limited to 90 a second (client=limited) or not
// (client=unlimited).
const (
	rateServers    = 300
	rateAPILimit   = 100
	rateBurst      = 20
	rateCompletion = 500 * time.Millisecond
)

// BenchmarkFleetRateLimit reports the wall time of create + WaitAll
// (wall-s), what the fake's limit allows for it (ideal-s: the creates and
// one poll round of 3 pages, less the burst, at 100 a second, plus the last
// backup's completion delay), their ratio (x-ideal), the share of answers
// that were 429 (429-%), requests a backup (req/backup) and calls that
// failed (failed).
func BenchmarkFleetRateLimit(b *testing.B) {
	for _, limited := range []bool{true, false} {
		name := "unlimited"
		if limited {
			name = "limited"
		}
		b.Run(fmt.Sprintf("servers=%d/client=%s", rateServers, name), func(b *testing.B) {
			var m rateRun
			for b.Loop() {
				m = runRateLimited(b, limited)
			}
			ideal := time.Duration(float64(rateServers+3-rateBurst)/rateAPILimit*float64(time.Second)) + rateCompletion
			b.ReportMetric(m.wall.Seconds(), "wall-s")
			b.ReportMetric(ideal.Seconds(), "ideal-s")
			b.ReportMetric(m.wall.Seconds()/ideal.Seconds(), "x-ideal")
			b.ReportMetric(100*float64(m.throttled)/float64(m.requests), "429-%")
			b.ReportMetric(float64(m.requests)/rateServers, "req/backup")
			b.ReportMetric(float64(m.failed), "failed")
		})
	}
}

type rateRun struct {
	requests, throttled, failed int
	wall                        time.Duration
}

func runRateLimited(tb testing.TB, limited bool) rateRun {
	srv := vpsorgtest.NewServer(vpsorgtest.WithoutSeed(), vpsorgtest.WithCompletionDelay(rateCompletion),
		vpsorgtest.WithRateLimit(rateAPILimit, rateBurst))
	defer srv.Close()
	servers := addServers(srv, rateServers)
	var opts []vpsorg.Option
	if limited {
		opts = append(opts, vpsorg.WithRateLimit(0.9*rateAPILimit, rateBurst))
	}
	client := srv.Client(opts...)
	defer client.CloseIdleConnections()
	ctx := context.Background()

	start := time.Now()
	backups, failed := createBackups(ctx, client, servers)
	_, err := client.Backups.WaitAll(ctx, backups, &vpsorg.WaitOptions{Interval: 100 * time.Millisecond, MaxInterval: 500 * time.Millisecond})
	m := rateRun{wall: time.Since(start), failed: failed}
	if err != nil {
		m.failed++
		tb.Log(err)
	}
	log := srv.Requests()
	m.requests = len(log)
	for _, r := range log {
		if r.RateLimited {
			m.throttled++
		}
	}
	return m
}
