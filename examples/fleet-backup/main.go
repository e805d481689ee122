// Command fleet-backup backs up every server of an account: one manual
// backup each, made -concurrency at a time, then waited for all together
// with one Backups.WaitAll, which polls the shared backup list rather than
// each server's, and prints progress as the backups finish. The Client is
// rate limited (WithRateLimit) so that the creates, their retries and the
// polls stay under the API's limit together.
//
// A server that already has 10 manual backups, the API's limit, is
// reported and skipped; backup-rotation shows how to make room.
//
// With VPSORG_API_TOKEN set it talks to VPS.org; without it, it runs against
// vpsorgtest, an in-process fake of the API, with 200 servers and a limit
// of 100 requests a second:
//
//	go run ./examples/fleet-backup
//	VPSORG_API_TOKEN=... go run ./examples/fleet-backup -concurrency 4 -rate 5
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// config is what a fleet backup needs besides a client.
type config struct {
	Concurrency int                // creates in flight at once
	Description string             // of every backup
	Wait        vpsorg.WaitOptions // polling of the wait; zero means the SDK's defaults
}

func main() {
	concurrency := flag.Int("concurrency", 8, "backups to start at once")
	rate := flag.Float64("rate", 10, "requests a second the client sends at most, retries and polls included")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	cfg := config{Concurrency: *concurrency, Description: "fleet backup " + time.Now().UTC().Format(time.DateOnly)}
	err := start(ctx, os.Stdout, cfg, *rate)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleet-backup:", err)
		os.Exit(1)
	}
}

// Sizes of the fake account and its limit.
const (
	fakeServers  = 200
	fakeAPILimit = 100 // requests a second
	fakeBurst    = 20
)

// start backs up the fleet on VPS.org when VPSORG_API_TOKEN is set, and on
// an in-process fake otherwise.
func start(ctx context.Context, out io.Writer, cfg config, rate float64) error {
	if os.Getenv(vpsorg.EnvToken) != "" {
		client, err := vpsorg.NewClientFromEnv(vpsorg.WithRateLimit(rate, max(1, int(rate))))
		if err != nil {
			return err
		}
		return run(ctx, client, out, cfg)
	}

	fmt.Fprintf(out, "%s is not set: running against vpsorgtest, an in-process fake of the API, with %d servers and a limit of %d requests a second\n",
		vpsorg.EnvToken, fakeServers, fakeAPILimit)
	srv := vpsorgtest.NewServer(
		vpsorgtest.WithoutSeed(),
		vpsorgtest.WithCompletionDelay(500*time.Millisecond),
		vpsorgtest.WithRateLimit(fakeAPILimit, fakeBurst),
	)
	defer srv.Close()
	for i := range fakeServers {
		srv.AddServer(fmt.Sprintf("web-%03d", i+1))
	}
	// A little under the fake's limit, so that a 429 stays rare.
	client := srv.Client(vpsorg.WithRateLimit(0.9*fakeAPILimit, fakeBurst))
	cfg.Wait = vpsorg.WaitOptions{Interval: 200 * time.Millisecond, MaxInterval: time.Second}
	return run(ctx, client, out, cfg)
}

// run backs up every server and waits for the backups. Servers whose
// backup could not be started, or failed, make it return an error naming
// them, after the others are done.
func run(ctx context.Context, client *vpsorg.Client, out io.Writer, cfg config) error {
	if cfg.Concurrency < 1 {
		return fmt.Errorf("-concurrency %d: must be at least 1", cfg.Concurrency)
	}
	names := map[int64]string{}
	var servers []int64
	for s, err := range client.Servers.All(ctx, &vpsorg.ServerListOptions{ListOptions: vpsorg.ListOptions{PageSize: 100}}) {
		if err != nil {
			return fmt.Errorf("list servers: %w", err)
		}
		names[s.ID] = s.Name
		servers = append(servers, s.ID)
	}
	fmt.Fprintf(out, "%d servers: starting a backup of each, %d at a time\n", len(servers), cfg.Concurrency)

	started := time.Now()
	backups, createErr := createBackups(ctx, client, servers, cfg)
	fmt.Fprintf(out, "%d backups started in %s", len(backups), time.Since(started).Round(10*time.Millisecond))
	if createErr != nil {
		fmt.Fprintf(out, "; %d could not be started:\n%v", len(servers)-len(backups), createErr)
	}
	fmt.Fprintln(out)

	done, failed := 0, 0
	wait := cfg.Wait
	wait.OnUpdate = func(_ int64, s vpsorg.Status, _ time.Duration) {
		switch s {
		case vpsorg.StatusCompleted:
			done++
		case vpsorg.StatusFailed:
			failed++
		default: // still in progress, in whatever words
		}
	}
	wait.OnProgress = func(_ vpsorg.Status, elapsed time.Duration) {
		fmt.Fprintf(out, "  waited %s: %d of %d completed, %d failed\n", elapsed.Round(10*time.Millisecond), done, len(backups), failed)
	}
	results, waitErr := client.Backups.WaitAll(ctx, backups, &wait)
	for _, b := range results {
		if b.Status == vpsorg.StatusFailed {
			fmt.Fprintf(out, "  backup %d of %s failed\n", b.ID, names[b.Server.ID])
		}
	}
	fmt.Fprintf(out, "done in %s: %d of %d servers backed up\n", time.Since(started).Round(10*time.Millisecond), done, len(servers))
	return errors.Join(createErr, waitErr)
}

// createBackups starts a backup of each server, at most cfg.Concurrency at
// a time, and returns those started, in the servers' order, with the
// errors of those that were not.
func createBackups(ctx context.Context, client *vpsorg.Client, servers []int64, cfg config) ([]*vpsorg.Backup, error) {
	made := make([]*vpsorg.Backup, len(servers))
	errs := make([]error, len(servers))
	sem := make(chan struct{}, cfg.Concurrency) // a slot per create in flight
	var wg sync.WaitGroup
	for i, id := range servers {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			errs[i] = fmt.Errorf("%d servers not started: %w", len(servers)-i, ctx.Err())
		}
		if errs[i] != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: id, Description: cfg.Description})
			if err != nil {
				errs[i] = fmt.Errorf("server %d: %w", id, err)
				return
			}
			made[i] = b
		})
	}
	wg.Wait()
	var backups []*vpsorg.Backup
	for _, b := range made {
		if b != nil {
			backups = append(backups, b)
		}
	}
	return backups, errors.Join(errs...)
}
