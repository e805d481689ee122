package bench

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// Retention (issue 20): what deciding costs, and what a nightly prune of a
// fleet costs in requests. BENCHMARKS.md, "Retention", has the figures.

// retentionTimes is n hourly backup times, oldest first, as a list sorted
// by date gives them.
func retentionTimes(n int) []time.Time {
	times := make([]time.Time, n)
	start := time.Date(2025, 1, 1, 0, 17, 0, 0, time.UTC)
	for i := range times {
		times[i] = start.Add(time.Duration(i) * time.Hour)
	}
	return times
}

// BenchmarkRetentionDecide: Decide over 10,000 hourly times (14 months)
// under restic's usual rules counted in Berlin, and under the nightly
// job's daily/weekly/monthly in UTC. Metric: ns per time decided.
func BenchmarkRetentionDecide(b *testing.B) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		b.Fatal(err)
	}
	times := retentionTimes(10000)
	for _, tc := range []struct {
		name   string
		policy vpsorg.RetentionPolicy
	}{
		{"every-rule-berlin", vpsorg.RetentionPolicy{Last: 3, Hourly: 24, Daily: 7, Weekly: 4, Monthly: 12, Yearly: -1, Within: 48 * time.Hour, Location: berlin}},
		{"daily-weekly-monthly-utc", vpsorg.RetentionPolicy{Daily: 7, Weekly: 4, Monthly: 12}},
	} {
		b.Run(fmt.Sprintf("times=%d/policy=%s", len(times), tc.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tc.policy.Decide(times); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(times)), "ns/time")
		})
	}
}

const (
	planServers = 1000
	planWorkers = 8 // prunes in flight at once
)

// planPolicy is the nightly job's: what restic users run, within the API's
// limit of 10 manual backups.
var planPolicy = vpsorg.RetentionPolicy{Last: 1, Daily: 6, Weekly: 3}

// BenchmarkRetentionFleetPlan: a dry-run Backups.Prune of every server of
// a 1,000-server fleet on vpsorgtest, each server with a history of
// nightly manual backups (made with AddBackup, past the API's limit, as
// history from before the limit would be) and two automatic ones. The
// history sizes take one page (30) and two pages (150) of the API's
// largest, 100. Metrics: requests per server, from the fake's log, and
// the time per server.
func BenchmarkRetentionFleetPlan(b *testing.B) {
	for _, history := range []int{30, 150} {
		b.Run(fmt.Sprintf("servers=%d/history=%d", planServers, history), func(b *testing.B) {
			srv, servers := fleetWithHistory(b, planServers, history)
			defer srv.Close()
			client := srv.Client()
			defer client.CloseIdleConnections()
			var requests int
			for b.Loop() {
				requests = planFleet(b, srv, client, servers)
			}
			b.ReportMetric(float64(requests)/planServers, "req/server")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/planServers, "µs/server")
		})
	}
}

// TestRetentionFleetPlan checks on a small fleet what the benchmark
// reports: one list request per server when its history fits a page, and
// nothing deleted in a dry run.
func TestRetentionFleetPlan(t *testing.T) {
	t.Parallel()
	srv, servers := fleetWithHistory(t, 20, 30)
	defer srv.Close()
	if n := planFleet(t, srv, srv.Client(), servers); n != len(servers) {
		t.Errorf("%d requests for %d servers, want one each", n, len(servers))
	}
}

// fleetWithHistory is a fake with n servers, each with history nightly
// manual backups and two automatic ones.
func fleetWithHistory(tb testing.TB, n, history int) (*vpsorgtest.Server, []int64) {
	tb.Helper()
	srv := vpsorgtest.NewServer(vpsorgtest.WithoutSeed(), vpsorgtest.WithClock(func() time.Time { return clockOrigin }))
	servers := addServers(srv, n)
	for _, id := range servers {
		for night := range history {
			at := clockOrigin.Add(-time.Duration(night)*24*time.Hour - time.Hour)
			if _, err := srv.AddBackup(vpsorg.Backup{Server: vpsorg.ServerRef{ID: id}, CreatedAt: at}); err != nil {
				tb.Fatal(err)
			}
		}
		for range 2 {
			if _, err := srv.AddAutomaticBackup(id); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return srv, servers
}

// planFleet prunes every server in a dry run, planWorkers at a time, and
// returns the requests it sent. A plan that keeps nothing, or a DELETE,
// fails the benchmark: it would measure something else.
func planFleet(tb testing.TB, srv *vpsorgtest.Server, client *vpsorg.Client, servers []int64) int {
	before := len(srv.Requests())
	next := make(chan int64)
	errs := make(chan error, len(servers))
	var wg sync.WaitGroup
	for range planWorkers {
		wg.Go(func() {
			for id := range next {
				res, err := client.Backups.Prune(context.Background(), id, planPolicy, &vpsorg.PruneOptions{DryRun: true})
				if err == nil && len(res.Kept()) == 0 {
					err = fmt.Errorf("server %d: nothing kept", id)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	for _, id := range servers {
		next <- id
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	log := srv.Requests()[before:]
	for _, r := range log {
		if r.Method != http.MethodGet {
			tb.Fatalf("a dry run sent %s %s", r.Method, r.Path)
		}
	}
	return len(log)
}
