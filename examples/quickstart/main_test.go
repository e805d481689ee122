package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// newFake starts a fake whose clock moves 100ms at every request, so a
// backup (300ms) completes on the third poll and a restore (500ms) ends on
// the fifth, whatever the machine's speed, and nothing sleeps.
func newFake(t *testing.T, opts ...vpsorgtest.Option) *vpsorgtest.Server {
	t.Helper()
	now := time.Date(2025, 1, 16, 15, 45, 0, 0, time.UTC)
	tick := func() time.Time { // called under the fake's lock only
		now = now.Add(100 * time.Millisecond)
		return now
	}
	base := []vpsorgtest.Option{
		vpsorgtest.WithClock(tick),
		vpsorgtest.WithCompletionDelay(300 * time.Millisecond),
		vpsorgtest.WithRestoreDuration(500 * time.Millisecond),
	}
	srv := vpsorgtest.NewServer(append(base, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// testConfig polls every millisecond or so.
func testConfig(restore bool) config {
	return config{ServerID: 12345, Restore: restore, Wait: vpsorg.WaitOptions{Interval: time.Millisecond, MaxInterval: time.Millisecond}}
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		restore  bool
		want     []string
		wantNot  []string
		restores int
	}{
		{
			name:    "with restore",
			restore: true,
			want: []string{
				"12345 web-server-01: active",
				"499 manual, completed, 4456 MB, created 2025-01-14 10:30 UTC",
				"801 pre-migration-snapshot, completed, 5120 MB",
				"  backup 502: in_progress after",
				"backup 502 is completed: ",
				"  snapshot 802: in_progress after",
				"snapshot 802 is completed: ",
				"server 12345 is restoring: Server is being restored from snapshot.",
				"  server 12345: restoring after",
				"server 12345 is active again",
				"bad snapshot name, nothing sent: vpsorg: invalid name",
				"backup 502 deleted",
				`deleting backup 502 again: not found, already gone (404 "Not found.", request req-`,
				"snapshot 802 deleted",
			},
			restores: 1,
		},
		{
			name:    "without restore",
			restore: false,
			want: []string{
				"snapshot 802 is completed: ",
				"skipped: run with -restore",
				"backup 502 deleted",
				"snapshot 802 deleted",
			},
			wantNot: []string{"restoring"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			var out strings.Builder
			if err := run(context.Background(), srv.Client(), &out, testConfig(tt.restore)); err != nil {
				t.Fatalf("run: %v\noutput:\n%s", err, &out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, &out)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, &out)
				}
			}
			checkCleanedUp(t, srv)
			if got := restores(srv); got != tt.restores {
				t.Errorf("%d restores carried out, want %d", got, tt.restores)
			}
		})
	}
}

func TestRunCleansUpWhenAStepFails(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddFault(vpsorgtest.Rule{Method: "POST", Path: "/api/v1/snapshots/", Fault: vpsorgtest.Fault{Status: 500}})
	var out strings.Builder
	err := run(context.Background(), srv.Client(), &out, testConfig(true))
	if err == nil || !strings.Contains(err.Error(), "create snapshot") {
		t.Fatalf("run: got %v, want the snapshot's create error", err)
	}
	if !strings.Contains(out.String(), "backup 502 deleted") {
		t.Errorf("output does not report the clean-up:\n%s", &out)
	}
	checkCleanedUp(t, srv)
}

func TestStartOnTheFake(t *testing.T) {
	t.Setenv(vpsorg.EnvToken, "")
	var out strings.Builder
	if err := start(context.Background(), &out, config{}); err != nil {
		t.Fatalf("start: %v\noutput:\n%s", err, &out)
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	if first != "VPSORG_API_TOKEN is not set: running against vpsorgtest, an in-process fake of the API" {
		t.Errorf("first line %q does not say the fake is used", first)
	}
	if !strings.Contains(out.String(), "server 12345 is active again") {
		t.Errorf("the tour did not restore the server:\n%s", &out)
	}
}

func TestStartWithTokenNeedsServer(t *testing.T) {
	t.Setenv(vpsorg.EnvToken, "some-token")
	var out strings.Builder
	err := start(context.Background(), &out, config{})
	if err == nil || !strings.Contains(err.Error(), "-server is required") {
		t.Errorf("start: got %v, want -server required", err)
	}
	if out.Len() != 0 {
		t.Errorf("start wrote %q before refusing", &out)
	}
}

// checkCleanedUp fails t unless the backups and snapshots are the fake's
// seeded ones only.
func checkCleanedUp(t *testing.T, srv *vpsorgtest.Server) {
	t.Helper()
	ctx := context.Background()
	client := srv.Client()
	var backups, snapshots []int64
	for b, err := range client.Backups.All(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		backups = append(backups, b.ID)
	}
	for s, err := range client.Snapshots.All(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		snapshots = append(snapshots, s.ID)
	}
	if len(backups) != 3 || len(snapshots) != 2 {
		t.Errorf("left backups %v and snapshots %v, want the seeded 3 and 2", backups, snapshots)
	}
}

// restores counts the restore requests the fake carried out.
func restores(srv *vpsorgtest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/restore/") && r.Acted {
			n++
		}
	}
	return n
}
