package vpsorgtest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	vpsorg "github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// gets counts the GET requests the server has logged.
func gets(srv *vpsorgtest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet {
			n++
		}
	}
	return n
}

// TestClientWaitsTakeNoRealTime: on the fake's defaults (200 ms to
// complete, 500 ms to restore), a create-and-wait of a backup, a snapshot,
// both through WaitAll, and a restore each end at their first poll, since
// the Client's pause between polls moves the fake's clock instead of
// sleeping. go test -v shows the whole test take milliseconds; what it
// asserts is the number of polls.
func TestClientWaitsTakeNoRealTime(t *testing.T) {
	t.Parallel()
	srv := vpsorgtest.NewServer()
	t.Cleanup(srv.Close)
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// polled runs one wait and checks it took one poll: one GET, or for
	// Servers.Wait two (the restoring servers, then the look that confirms
	// the server left that list).
	polled := func(what string, wantGets int, wait func() error) {
		t.Helper()
		before := gets(srv)
		if err := wait(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n := gets(srv) - before; n != wantGets {
			t.Errorf("%s sent %d GETs, want %d", what, n, wantGets)
		}
	}

	b, _, err := c.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345, Description: "nightly"})
	if err != nil {
		t.Fatal(err)
	}
	polled("Backups.Wait", 1, func() error {
		got, err := c.Backups.Wait(ctx, b, nil)
		if err == nil && (got.Status != vpsorg.StatusCompleted || got.SizeMB == nil) {
			t.Errorf("waited backup %+v, want completed with a size", got)
		}
		return err
	})

	snap, _, err := c.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: 12345, Name: "pre-deploy"})
	if err != nil {
		t.Fatal(err)
	}
	polled("Snapshots.Wait", 1, func() error { _, err := c.Snapshots.Wait(ctx, snap, nil); return err })

	more, _, err := c.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345, Description: "fleet"})
	if err != nil {
		t.Fatal(err)
	}
	polled("Backups.WaitAll", 1, func() error { _, err := c.Backups.WaitAll(ctx, []*vpsorg.Backup{more}, nil); return err })

	if _, _, err := c.Snapshots.Restore(ctx, snap.ID); err != nil {
		t.Fatal(err)
	}
	polled("Servers.Wait", 2, func() error {
		srvState, err := c.Servers.Wait(ctx, 12345, nil)
		if err == nil && srvState.Status != vpsorg.ServerStatusActive {
			t.Errorf("server after the restore: %q, want active", srvState.Status)
		}
		return err
	})
}

// TestClientWaitsOnTestClock: on a test's clock the fake does not move time
// itself; a wait polls every few milliseconds and returns within two polls
// of the test moving the clock past the completion delay.
func TestClientWaitsOnTestClock(t *testing.T) {
	t.Parallel()
	clock := vpsorgtest.NewClock(time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC))
	srv := vpsorgtest.NewServer(vpsorgtest.WithClock(clock.Now))
	t.Cleanup(srv.Close)
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	b, _, err := c.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := c.Backups.Wait(ctx, b, nil); done <- err }()

	// Let the wait poll a few times and see the backup still in progress.
	const early = 3
	for gets(srv) < early {
		select {
		case err := <-done:
			t.Fatalf("the wait ended before the clock moved: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	before := gets(srv)
	clock.Advance(vpsorgtest.DefaultCompletionDelay)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// A poll in flight as the clock moved may have read either time.
	if n := gets(srv) - before; n < 1 || n > 2 {
		t.Errorf("the wait polled %d times after the clock moved, want 1 or 2", n)
	}
}

// TestClientPollSleepOverridable: a test that wants to see the real
// schedule passes its own vpsorg.WithPollSleep, applied after the fake's.
func TestClientPollSleepOverridable(t *testing.T) {
	t.Parallel()
	srv := vpsorgtest.NewServer(vpsorgtest.WithCompletionDelay(0))
	t.Cleanup(srv.Close)
	var asked []time.Duration
	c := srv.Client(vpsorg.WithPollSleep(func(ctx context.Context, d time.Duration) error {
		asked = append(asked, d)
		return ctx.Err()
	}))
	b, _, err := c.Backups.Create(context.Background(), &vpsorg.BackupCreateRequest{ServerID: 12345})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Backups.Wait(context.Background(), b, nil); err != nil {
		t.Fatal(err)
	}
	// The real schedule's first pause: 5s less up to half of it in jitter.
	if len(asked) != 1 || asked[0] < vpsorg.DefaultWaitInterval/2 || asked[0] > vpsorg.DefaultWaitInterval {
		t.Errorf("pauses asked %v, want one of 2.5s to 5s", asked)
	}
}
