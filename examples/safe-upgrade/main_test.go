package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// fixture is a fake with one server and a snapshot for each of days, made in
// that order, so the fake's id order need not be the snapshots' age.
type fixture struct {
	srv      *vpsorgtest.Server
	client   *vpsorg.Client
	serverID int64
	byDay    map[int64]int // snapshot id -> day it was made
}

func newFixture(t *testing.T, days []int) *fixture {
	t.Helper()
	// The clock moves 100ms at every read, so a snapshot (300ms) completes
	// and a restore (500ms) ends after a known number of polls, and
	// nothing sleeps.
	clk := vpsorgtest.NewClock(time.Time{})
	clk.AutoAdvance(100 * time.Millisecond)
	f := &fixture{byDay: map[int64]int{}}
	f.srv = vpsorgtest.NewServer(
		vpsorgtest.WithoutSeed(),
		vpsorgtest.WithClock(clk.Now),
		vpsorgtest.WithCompletionDelay(300*time.Millisecond),
		vpsorgtest.WithRestoreDuration(500*time.Millisecond),
	)
	t.Cleanup(f.srv.Close)
	f.client = f.srv.Client()
	f.serverID = f.srv.AddServer("web-01")
	for _, d := range days {
		clk.Set(time.Date(2025, 1, d, 12, 0, 0, 0, time.UTC))
		s, _, err := f.client.Snapshots.Create(context.Background(), &vpsorg.SnapshotCreateRequest{ServerID: f.serverID, Name: "day-" + strconv.Itoa(d)})
		if err != nil {
			t.Fatal(err)
		}
		f.byDay[s.ID] = d
	}
	clk.Set(time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC)) // today: every seeded snapshot is complete
	return f
}

// state reports the days of the old snapshots left, sorted, and how many
// new ones there are.
func (f *fixture) state(t *testing.T) (days []int, fresh int) {
	t.Helper()
	for s, err := range f.client.Snapshots.All(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := f.byDay[s.ID]; ok {
			days = append(days, d)
		} else {
			fresh++
		}
	}
	slices.Sort(days)
	return days, fresh
}

// restores returns the ids of the snapshots a restore was carried out from.
func (f *fixture) restores() []string {
	var ids []string
	for _, r := range f.srv.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/restore/") && r.Acted {
			ids = append(ids, strings.Split(r.Path, "/")[4])
		}
	}
	return ids
}

func testConfig(f *fixture, keep int, change func(context.Context) error) config {
	return config{
		ServerID: f.serverID,
		Keep:     keep,
		Name:     "the test change",
		Change:   change,
		Wait:     vpsorg.WaitOptions{Interval: time.Millisecond, MaxInterval: time.Millisecond},
	}
}

func succeed(context.Context) error { return nil }

func TestUpgradeSucceeds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		days     []int
		keep     int
		wantDays []int // old snapshots left besides the new one
		room     bool  // the oldest had to go before the snapshot
	}{
		{name: "no snapshots", days: nil, keep: 2, wantDays: nil},
		{name: "keep two of three", days: []int{5, 3, 4}, keep: 2, wantDays: []int{5}},
		{name: "keep one", days: []int{2, 1}, keep: 1, wantDays: nil},
		{name: "keep five", days: []int{2, 1}, keep: 5, wantDays: []int{1, 2}},
		{name: "at the limit", days: []int{4, 2, 5, 1, 3}, keep: 2, wantDays: []int{5}, room: true},
		{name: "at the limit, keep five", days: []int{4, 2, 5, 1, 3}, keep: 5, wantDays: []int{2, 3, 4, 5}, room: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.days)
			ran := false
			change := func(context.Context) error { ran = true; return nil }
			var out strings.Builder
			if err := run(context.Background(), f.client, &out, testConfig(f, tt.keep, change)); err != nil {
				t.Fatalf("run: %v\noutput:\n%s", err, &out)
			}
			if !ran {
				t.Error("the change did not run")
			}
			if days, fresh := f.state(t); !slices.Equal(days, tt.wantDays) || fresh != 1 {
				t.Errorf("left the snapshots of days %v and %d new, want days %v and 1 new", days, fresh, tt.wantDays)
			}
			if got := f.restores(); len(got) != 0 {
				t.Errorf("restored from %v after a success", got)
			}
			if got := strings.Contains(out.String(), "deleting the oldest"); got != tt.room {
				t.Errorf("made room first: %v, want %v\n%s", got, tt.room, &out)
			}
		})
	}
}

func TestUpgradeFailsAndRollsBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []int{1, 2, 3})
	changeErr := errors.New("apt-get: exit status 100")
	var out strings.Builder
	err := run(context.Background(), f.client, &out, testConfig(f, 1, func(context.Context) error { return changeErr }))
	if !errors.Is(err, errRolledBack) || !errors.Is(err, changeErr) {
		t.Fatalf("run: got %v, want errRolledBack and the change's error", err)
	}
	days, fresh := f.state(t)
	if !slices.Equal(days, []int{1, 2, 3}) || fresh != 1 {
		t.Errorf("left the snapshots of days %v and %d new, want all kept after a rollback", days, fresh)
	}
	if got := f.restores(); !slices.Equal(got, []string{"4"}) {
		t.Errorf("restored from snapshots %v, want the new one, 4, only", got)
	}
	for _, want := range []string{"  snapshot 4: in_progress after", "rolling back: restoring server 1 from snapshot 4", "  server 1: restoring after", "server 1 is active again"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
	servers, _, err := f.client.Servers.List(context.Background(), nil)
	if err != nil || len(servers) != 1 || servers[0].Status != vpsorg.ServerStatusActive {
		t.Errorf("servers %+v, %v: want the server active after the restore", servers, err)
	}
}

func TestFailedRestoreIsReported(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.srv.AddFault(vpsorgtest.Rule{Method: http.MethodPost, Path: "/api/v1/snapshots/1/restore/", Fault: vpsorgtest.Fault{Status: http.StatusServiceUnavailable}})
	changeErr := errors.New("boom")
	err := run(context.Background(), f.client, &strings.Builder{}, testConfig(f, 2, func(context.Context) error { return changeErr }))
	if errors.Is(err, errRolledBack) || !errors.Is(err, changeErr) || !errors.Is(err, vpsorg.ErrServerError) {
		t.Errorf("run: got %v, want the change's and the restore's errors, not a rollback", err)
	}
}

func TestFailedSnapshotStopsBeforeTheChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	// The snapshot (id 1) fails as soon as it is polled for.
	f.srv.SetFaultFunc(func(r *http.Request) *vpsorgtest.Fault {
		if r.Method == http.MethodGet {
			_ = f.srv.SetSnapshotStatus(1, "failed") // fails, harmlessly, before the create
		}
		return nil
	})
	ran := false
	err := run(context.Background(), f.client, &strings.Builder{}, testConfig(f, 2, func(context.Context) error { ran = true; return nil }))
	if !errors.Is(err, vpsorg.ErrOperationFailed) {
		t.Errorf("run: got %v, want ErrOperationFailed", err)
	}
	if ran {
		t.Error("the change ran without a snapshot to go back to")
	}
}

func TestKeepOutOfRange(t *testing.T) {
	t.Parallel()
	for _, keep := range []int{0, 6} {
		f := newFixture(t, nil)
		err := run(context.Background(), f.client, &strings.Builder{}, testConfig(f, keep, succeed))
		if err == nil || !strings.Contains(err.Error(), "-keep") {
			t.Errorf("keep %d: got %v, want a -keep error", keep, err)
		}
		if n := len(f.srv.Requests()); n != 0 {
			t.Errorf("keep %d: %d requests sent, want none", keep, n)
		}
	}
}

func TestStartOnTheFakeShowsTheRollback(t *testing.T) {
	t.Setenv(vpsorg.EnvToken, "")
	var out strings.Builder
	if err := start(context.Background(), &out, config{Keep: 2}, nil); err != nil {
		t.Fatalf("start: %v\noutput:\n%s", err, &out)
	}
	lines := strings.Split(out.String(), "\n")
	if lines[0] != "VPSORG_API_TOKEN is not set: running against vpsorgtest, an in-process fake of the API" {
		t.Errorf("first line %q does not say the fake is used", lines[0])
	}
	for _, want := range []string{"running a built-in demo step that fails", "rolling back: restoring server 12345 from snapshot 802", "server 12345 is active again"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
}

// TestHelperCommand is not a test but the command TestRunCommand runs: this
// test binary, printing and exiting as told.
func TestHelperCommand(t *testing.T) { //nolint:paralleltest // not a test: the process TestRunCommand starts, which exits
	code := os.Getenv("SAFE_UPGRADE_HELPER_EXIT")
	if code == "" {
		t.Skip("only run by TestRunCommand")
	}
	os.Stdout.WriteString("helper ran\n")
	n, _ := strconv.Atoi(code)
	os.Exit(n)
}

func TestRunCommand(t *testing.T) {
	for _, code := range []string{"0", "3"} {
		t.Run("exit "+code, func(t *testing.T) {
			t.Setenv("SAFE_UPGRADE_HELPER_EXIT", code)
			var out strings.Builder
			err := runCommand([]string{os.Args[0], "-test.run=^TestHelperCommand$"}, &out)(context.Background())
			if (err != nil) != (code != "0") {
				t.Errorf("exit %s: got %v", code, err)
			}
			if !strings.Contains(out.String(), "helper ran") {
				t.Errorf("the command's output %q did not reach out", &out)
			}
		})
	}
}
