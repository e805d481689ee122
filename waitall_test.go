package vpsorg_test

// WaitAll and Servers.Wait against vpsorgtest, counting the requests the
// fake logs. The client's pauses move the fake's clock by a fixed step,
// whatever pause was asked (the jitter), so that a test says exactly how
// many polls an object takes.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// pollStep is how far the fake's clock moves at each of the client's pauses.
const pollStep = time.Second

// fleetWaitOptions poll once a pollStep, as far as the fake can tell.
var fleetWaitOptions = vpsorg.WaitOptions{Interval: pollStep, MaxInterval: pollStep}

// fleetFake is a fake with servers and a client whose every pause moves the
// fake's clock by pollStep and marks the request log: the requests between
// two marks are one poll round.
type fleetFake struct {
	srv     *vpsorgtest.Server
	client  *vpsorg.Client
	clock   *vpsorgtest.Clock
	servers []int64

	mu      sync.Mutex
	marks   []int       // the log's length at each pause
	onPause func(n int) // called at pause n (1-based), before the clock moves
}

func newFleetFake(t *testing.T, servers int, opts ...vpsorgtest.Option) *fleetFake {
	t.Helper()
	f := &fleetFake{clock: vpsorgtest.NewClock(time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC))}
	base := []vpsorgtest.Option{vpsorgtest.WithoutSeed(), vpsorgtest.WithClock(f.clock.Now)}
	f.srv = vpsorgtest.NewServer(append(base, opts...)...)
	t.Cleanup(f.srv.Close)
	for i := range servers {
		f.servers = append(f.servers, f.srv.AddServer(fmt.Sprintf("web-%04d", i+1)))
	}
	f.client = f.srv.Client(vpsorg.WithWaitHook(f.pause), vpsorg.WithClock(f.clock.Now))
	return f
}

func (f *fleetFake) pause(time.Duration) {
	f.mu.Lock()
	f.marks = append(f.marks, len(f.srv.Requests()))
	n, hook := len(f.marks), f.onPause
	f.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	f.clock.Advance(pollStep)
}

// createBackups makes one backup on each server, in order.
func (f *fleetFake) createBackups(t *testing.T, servers []int64) []*vpsorg.Backup {
	t.Helper()
	var out []*vpsorg.Backup
	for _, id := range servers {
		b, _, err := f.client.Backups.Create(context.Background(), &vpsorg.BackupCreateRequest{ServerID: id, Description: "nightly"})
		if err != nil {
			t.Fatalf("create on server %d: %v", id, err)
		}
		out = append(out, b)
	}
	return out
}

// rounds splits the request log at the pauses: rounds[i] is what round i+1
// sent. What came before the first pause is not a round.
func (f *fleetFake) rounds() [][]vpsorgtest.Request {
	log := f.srv.Requests()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out [][]vpsorgtest.Request
	for i, start := range f.marks {
		end := len(log)
		if i+1 < len(f.marks) {
			end = f.marks[i+1]
		}
		out = append(out, log[start:end])
	}
	return out
}

// checkRounds fails the test when a round fetched a page twice or sent
// anything but GETs of path.
func checkRounds(t *testing.T, rounds [][]vpsorgtest.Request, path string) {
	t.Helper()
	for i, round := range rounds {
		seen := map[string]bool{}
		for _, r := range round {
			if r.Method != http.MethodGet || r.Path != path {
				t.Errorf("round %d sent %s %s", i+1, r.Method, r.Path)
			}
			key := canonicalQuery(r.RawQuery)
			if seen[key] {
				t.Errorf("round %d fetched %s?%s twice", i+1, r.Path, key)
			}
			seen[key] = true
		}
	}
}

// canonicalQuery sorts a query's parameters, so that a next link and a
// built URL for the same page compare equal.
func canonicalQuery(raw string) string {
	v, _ := url.ParseQuery(raw)
	if v.Get("page") == "1" {
		v.Del("page")
	}
	return v.Encode()
}

func gets(round []vpsorgtest.Request) int {
	n := 0
	for _, r := range round {
		if r.Method == http.MethodGet {
			n++
		}
	}
	return n
}

// TestWaitAllFleet is issue 12's target: 1,000 servers, one create each,
// the backups taking 5 polls to complete. WaitAll reads the whole list, 10
// pages of 100, in each of the 5 rounds and stops: 1,050 requests, 1.05 a
// backup (the target is 1.25; one Wait per backup costs 6).
func TestWaitAllFleet(t *testing.T) {
	t.Parallel()
	const servers, polls = 1000, 5
	// Complete between the 4th and the 5th poll.
	f := newFleetFake(t, servers, vpsorgtest.WithCompletionDelay(polls*pollStep-pollStep/2))
	backups := f.createBackups(t, f.servers)
	var updates []int64
	var progress []vpsorg.Status
	opts := fleetWaitOptions
	opts.OnUpdate = func(id int64, s vpsorg.Status, _ time.Duration) {
		if s != vpsorg.StatusCompleted {
			t.Errorf("OnUpdate(%d, %q): want only the change to completed", id, s)
		}
		updates = append(updates, id)
	}
	opts.OnProgress = func(s vpsorg.Status, _ time.Duration) { progress = append(progress, s) }

	got, err := f.client.Backups.WaitAll(context.Background(), backups, &opts)

	if err != nil {
		t.Fatal(err)
	}
	for i, b := range got {
		if b.ID != backups[i].ID || b.Status != vpsorg.StatusCompleted || b.SizeMB == nil {
			t.Fatalf("result %d = %+v; want backup %d completed, in the order given", i, b, backups[i].ID)
		}
	}
	if len(updates) != servers {
		t.Errorf("OnUpdate called %d times; want once per backup", len(updates))
	}
	wantProgress := []vpsorg.Status{"in_progress", "in_progress", "in_progress", "in_progress", "completed"}
	if !slices.Equal(progress, wantProgress) {
		t.Errorf("OnProgress saw %v; want %v", progress, wantProgress)
	}
	rounds := f.rounds()
	if len(rounds) != polls {
		t.Fatalf("%d poll rounds; want %d and none after the last backup completed", len(rounds), polls)
	}
	checkRounds(t, rounds, "/api/v1/backups/")
	total := len(f.srv.Requests())
	for i, round := range rounds {
		if len(round) != servers/vpsorgtest.MaxPageSize {
			t.Errorf("round %d: %d requests; want the whole list's %d pages", i+1, len(round), servers/vpsorgtest.MaxPageSize)
		}
	}
	perBackup := float64(total) / servers
	t.Logf("%d requests for %d backups (creates included): %.3f a backup", total, servers, perBackup)
	if perBackup > 1.25 {
		t.Errorf("%.3f requests a backup; the target is 1.25", perBackup)
	}
}

// TestWaitAllPollsServersAlone: two backups, created before 300 others of
// other servers, sit on the last of four pages. Their servers' own lists
// are cheaper, and a server whose backup is final is not polled again.
func TestWaitAllPollsServersAlone(t *testing.T) {
	t.Parallel()
	f := newFleetFake(t, 32, vpsorgtest.WithCompletionDelay(time.Hour))
	a, b := f.servers[0], f.servers[1]
	waited := f.createBackups(t, []int64{a, b})
	for range 10 {
		f.createBackups(t, f.servers[2:]) // 300 newer backups, listed first
	}
	f.onPause = func(n int) {
		switch n {
		case 3: // a's backup completes before round 3
			mustSetStatus(t, f.srv, waited[0].ID, "completed")
		case 5:
			mustSetStatus(t, f.srv, waited[1].ID, "completed")
		}
	}

	got, err := f.client.Backups.WaitAll(context.Background(), waited, &fleetWaitOptions)

	if err != nil || got[0].Status != "completed" || got[1].Status != "completed" {
		t.Fatalf("got %v, %v", got, err)
	}
	rounds := f.rounds()
	checkRounds(t, rounds, "/api/v1/backups/")
	var shape []string
	for _, round := range rounds {
		var qs []string
		for _, r := range round {
			v, _ := url.ParseQuery(r.RawQuery)
			if s := v.Get("server_id"); s != "" {
				qs = append(qs, "server "+s)
			} else {
				qs = append(qs, "whole page "+cmp.Or(v.Get("page"), "1"))
			}
		}
		shape = append(shape, strings.Join(qs, ", "))
	}
	sa, sb := fmt.Sprintf("server %d", a), fmt.Sprintf("server %d", b)
	want := []string{
		"whole page 1, " + sa + ", " + sb, // the first page tells the list's size: 4 pages, more than 2 servers
		sa + ", " + sb,
		sa + ", " + sb, // a's backup completes here
		sb,
		sb, // and b's
	}
	if !slices.Equal(shape, want) {
		t.Fatalf("rounds:\n%s\nwant:\n%s", strings.Join(shape, "\n"), strings.Join(want, "\n"))
	}
}

func mustSetStatus(t *testing.T, srv *vpsorgtest.Server, id int64, status vpsorg.Status) {
	t.Helper()
	if err := srv.SetBackupStatus(id, status); err != nil {
		t.Error(err)
	}
}

// TestWaitAllReadsOnlyThePagesItNeeds: 20 new backups are listed first
// (the fake, like many APIs, lists the newest first), before 500 older
// automatic ones of the same servers, so each round reads the first page of
// six and stops there.
func TestWaitAllReadsOnlyThePagesItNeeds(t *testing.T) {
	t.Parallel()
	f := newFleetFake(t, 20, vpsorgtest.WithCompletionDelay(3*pollStep-pollStep/2))
	for _, id := range f.servers {
		for range 25 {
			if _, err := f.srv.AddAutomaticBackup(id); err != nil {
				t.Fatal(err)
			}
		}
	}
	backups := f.createBackups(t, f.servers)

	if _, err := f.client.Backups.WaitAll(context.Background(), backups, &fleetWaitOptions); err != nil {
		t.Fatal(err)
	}
	rounds := f.rounds()
	checkRounds(t, rounds, "/api/v1/backups/")
	if len(rounds) != 3 {
		t.Fatalf("%d rounds; want 3", len(rounds))
	}
	for i, round := range rounds {
		if len(round) != 1 || canonicalQuery(round[0].RawQuery) != "page_size=100" {
			t.Errorf("round %d sent %v; want the first page only", i+1, round)
		}
	}
}

// TestWaitAllUnknownServerOnALaterPage: a backup given without its server
// is only in the whole list, here on its second page behind 120 newer
// ones; the walk goes on to it even when every other backup was seen on
// the first page.
func TestWaitAllUnknownServerOnALaterPage(t *testing.T) {
	t.Parallel()
	f := newFleetFake(t, 14, vpsorgtest.WithCompletionDelay(3*pollStep-pollStep/2))
	old := f.createBackups(t, f.servers[:1])[0]
	for range 10 {
		f.createBackups(t, f.servers[1:13])
	}
	newest := f.createBackups(t, f.servers[13:])
	anonymous := *old
	anonymous.Server = vpsorg.ServerRef{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := fleetWaitOptions
	rounds := 0
	opts.OnProgress = func(vpsorg.Status, time.Duration) {
		if rounds++; rounds == 10 {
			cancel() // never seen: it would poll for ever
		}
	}

	got, err := f.client.Backups.WaitAll(ctx, []*vpsorg.Backup{&anonymous, newest[0]}, &opts)

	if err != nil || got[0].Status != "completed" || got[1].Status != "completed" {
		t.Fatalf("got %+v, %v; want both completed", got, err)
	}
	checkRounds(t, f.rounds(), "/api/v1/backups/")
	for i, round := range f.rounds() {
		if len(round) != 2 {
			t.Errorf("round %d sent %d requests; want the whole list's 2 pages", i+1, len(round))
		}
	}
}

func TestWaitAllOutcomes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFleetFake(t, 3, vpsorgtest.WithCompletionDelay(pollStep/2))
	backups := f.createBackups(t, f.servers)
	ok, failed, gone := backups[0], backups[1], backups[2]
	f.onPause = func(n int) {
		if n == 1 {
			mustSetStatus(t, f.srv, failed.ID, vpsorg.StatusFailed)
			if _, err := f.srv.Client().Backups.Delete(ctx, gone.ID); err != nil {
				t.Error(err)
			}
		}
	}
	var updates []string
	opts := fleetWaitOptions
	opts.OnUpdate = func(id int64, s vpsorg.Status, _ time.Duration) {
		updates = append(updates, fmt.Sprintf("%d %s", id, s))
	}
	var progress []vpsorg.Status
	opts.OnProgress = func(s vpsorg.Status, _ time.Duration) { progress = append(progress, s) }

	got, err := f.client.Backups.WaitAll(ctx, []*vpsorg.Backup{gone, ok, failed, ok}, &opts)

	if !errors.Is(err, vpsorg.ErrOperationFailed) || !errors.Is(err, vpsorg.ErrNotFound) {
		t.Fatalf("err = %v; want it to match ErrOperationFailed and ErrNotFound", err)
	}
	want := fmt.Sprintf("vpsorg: wait for backup %d: vpsorg: not found\nvpsorg: wait for backup %d: vpsorg: operation failed", gone.ID, failed.ID)
	if err.Error() != want {
		t.Errorf("error %q; want %q: one line per backup, in the order given", err, want)
	}
	if got[0] != gone || got[1].Status != "completed" || got[2].Status != "failed" || got[3] != got[1] {
		t.Errorf("results %+v; want the vanished one as given, then completed, failed, and the duplicate alike", got)
	}
	wantUpdates := []string{fmt.Sprintf("%d failed", failed.ID), fmt.Sprintf("%d completed", ok.ID)}
	if !slices.Equal(updates, wantUpdates) {
		t.Errorf("updates %v; want %v", updates, wantUpdates)
	}
	if !slices.Equal(progress, []vpsorg.Status{"failed"}) {
		t.Errorf("OnProgress saw %v; want the group failed after its one round", progress)
	}
	// The one round: the whole list's only page, which lacks the deleted
	// backup, then its server's own list, which confirms it is gone.
	rounds := f.rounds()
	if len(rounds) != 1 {
		t.Fatalf("%d rounds", len(rounds))
	}
	var sent []string
	for _, r := range rounds[0] {
		sent = append(sent, r.Method+" "+canonicalQuery(r.RawQuery))
	}
	wantSent := []string{"DELETE ", "GET page_size=100", fmt.Sprintf("GET page_size=100&server_id=%d", gone.Server.ID)}
	if !slices.Equal(sent, wantSent) {
		t.Errorf("round sent %v; want %v", sent, wantSent)
	}
}

func TestWaitAllWithoutPolling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFleetFake(t, 1)
	done := &vpsorg.Backup{ID: 7, Server: vpsorg.ServerRef{ID: 1}, Status: vpsorg.StatusCompleted}
	bad := &vpsorg.Backup{ID: 8, Server: vpsorg.ServerRef{ID: 1}, Status: vpsorg.StatusFailed}
	tests := []struct {
		name    string
		in      []*vpsorg.Backup
		want    []*vpsorg.Backup
		wantErr error
		field   string // a ValidationError's
	}{
		{name: "nil", in: nil},
		{name: "empty", in: []*vpsorg.Backup{}},
		{name: "all completed", in: []*vpsorg.Backup{done, done}, want: []*vpsorg.Backup{done, done}},
		{name: "a failed one", in: []*vpsorg.Backup{done, bad}, want: []*vpsorg.Backup{done, bad}, wantErr: vpsorg.ErrOperationFailed},
		{name: "nil backup", in: []*vpsorg.Backup{done, nil}, field: "backup_id"},
		{name: "id 0", in: []*vpsorg.Backup{{Server: vpsorg.ServerRef{ID: 1}}}, field: "backup_id"},
		{name: "server -1", in: []*vpsorg.Backup{{ID: 3, Server: vpsorg.ServerRef{ID: -1}}}, field: "server_id"},
	}
	for _, tt := range tests { //nolint:paralleltest // the cases share one fake, whose log is checked after them all
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.client.Backups.WaitAll(ctx, tt.in, nil)
			var verr *vpsorg.ValidationError
			switch {
			case tt.field != "":
				if !errors.As(err, &verr) || verr.Field != tt.field || got != nil {
					t.Fatalf("got %v, %v; want a ValidationError on %s", got, err, tt.field)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), "backup 8") {
					t.Fatalf("err = %v; want %v naming backup 8", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			}
			if tt.field == "" && !slices.Equal(got, tt.want) {
				t.Fatalf("got %v; want %v", got, tt.want)
			}
		})
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d requests sent; want none", n)
	}
}

func TestWaitAllContextEnds(t *testing.T) {
	t.Parallel()
	f := newFleetFake(t, 3, vpsorgtest.WithCompletionDelay(time.Hour))
	backups := f.createBackups(t, f.servers)
	mustSetStatus(t, f.srv, backups[1].ID, vpsorg.StatusFailed)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := fleetWaitOptions
	opts.OnProgress = func(vpsorg.Status, time.Duration) { cancel() }

	got, err := f.client.Backups.WaitAll(ctx, backups, &opts)

	if !errors.Is(err, context.Canceled) || !errors.Is(err, vpsorg.ErrOperationFailed) {
		t.Fatalf("err = %v; want the failure and context.Canceled", err)
	}
	if want := fmt.Sprintf("still pending: %d, %d", backups[0].ID, backups[2].ID); !strings.Contains(err.Error(), want) {
		t.Errorf("err = %q; want it to say %q", err, want)
	}
	if got[0].Status != "in_progress" || got[1].Status != "failed" || got[0] == backups[0] {
		t.Errorf("results %+v; want the backups as the one poll saw them", got)
	}
	if rounds := f.rounds(); len(rounds) != 2 || len(rounds[1]) != 0 {
		t.Errorf("rounds %v; want one poll, then a pause cut short by the context", rounds)
	}
}

// TestWaitAllSlowsDownOn429: a 429 ends the round without an error, and
// the next one comes no sooner than Retry-After: the pacer's pause is at
// least half of it, and the Client's pause after a 429 holds the try for
// the rest.
func TestWaitAllSlowsDownOn429(t *testing.T) {
	t.Parallel()
	f := newFleetFake(t, 2, vpsorgtest.WithCompletionDelay(0))
	var pauses []time.Duration
	client := f.srv.Client(vpsorg.WithRetryMax(0), vpsorg.WithClock(f.clock.Now),
		vpsorg.WithWaitHook(func(d time.Duration) { pauses = append(pauses, d); f.clock.Advance(d) }))
	backups := f.createBackups(t, f.servers)
	f.srv.AddFault(vpsorgtest.Rule{Method: "GET", Path: "/api/v1/backups/", Nth: 1,
		Fault: vpsorgtest.Fault{Status: 429, RetryAfter: "20"}})

	got, err := client.Backups.WaitAll(context.Background(), backups, &fleetWaitOptions)

	if err != nil || got[0].Status != "completed" || got[1].Status != "completed" {
		t.Fatalf("got %v, %v", got, err)
	}
	if len(pauses) < 2 || pauses[1] < 10*time.Second {
		t.Fatalf("pauses %v; want the second at least half of Retry-After 20s", pauses)
	}
	var after time.Duration
	for _, d := range pauses[1:] {
		after += d
	}
	if after != 20*time.Second {
		t.Errorf("pauses %v: %s between the 429 and the next poll; want Retry-After's 20s", pauses, after)
	}
}

func TestSnapshotsWaitAll(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFleetFake(t, 3, vpsorgtest.WithCompletionDelay(2*pollStep-pollStep/2))
	var snaps []*vpsorg.Snapshot
	for _, id := range f.servers {
		s, _, err := f.client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: id, Name: "before-upgrade"})
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, s)
	}
	f.onPause = func(n int) {
		if n == 1 {
			if err := f.srv.SetSnapshotStatus(snaps[2].ID, vpsorg.StatusFailed); err != nil {
				t.Error(err)
			}
		}
	}

	got, err := f.client.Snapshots.WaitAll(ctx, snaps, &fleetWaitOptions)

	if !errors.Is(err, vpsorg.ErrOperationFailed) || !strings.Contains(err.Error(), fmt.Sprintf("snapshot %d", snaps[2].ID)) {
		t.Fatalf("err = %v; want snapshot %d failed", err, snaps[2].ID)
	}
	if got[0].Status != "completed" || got[1].Status != "completed" || got[2].Status != "failed" {
		t.Fatalf("got %v", got)
	}
	rounds := f.rounds()
	checkRounds(t, rounds, "/api/v1/snapshots/")
	if len(rounds) != 2 || gets(rounds[0])+gets(rounds[1]) != 2 {
		t.Errorf("rounds %v; want two of one page each", rounds)
	}
}

// TestServerWaitCost: in a 1,000-server account, each poll while the
// server restores is one request (the restoring servers' only page), and
// the poll that finds it gone walks the unfiltered list once, to the
// server's page.
func TestServerWaitCost(t *testing.T) {
	t.Parallel()
	const servers, polls = 1000, 5
	tests := []struct {
		name      string
		server    int // index among the servers, in creation order
		wantPages int // pages of the unfiltered list, newest first, to reach it
	}{
		{"the newest server, on the first page", servers - 1, 1},
		{"one in the middle", servers / 2, 5},
		{"the oldest, on the last page", 0, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFleetFake(t, servers, vpsorgtest.WithCompletionDelay(0),
				vpsorgtest.WithRestoreDuration(polls*pollStep-pollStep/2))
			ctx := context.Background()
			id := f.servers[tt.server]
			b := f.createBackups(t, []int64{id})[0]
			if _, _, err := f.client.Servers.Restore(ctx, id, &vpsorg.ServerRestoreRequest{BackupID: b.ID}); err != nil {
				t.Fatal(err)
			}
			var seen []vpsorg.Status
			opts := fleetWaitOptions
			opts.OnProgress = func(s vpsorg.Status, _ time.Duration) { seen = append(seen, s) }

			got, err := f.client.Servers.Wait(ctx, id, &opts)

			if err != nil || got.ID != id || got.Status != vpsorg.ServerStatusActive {
				t.Fatalf("got %+v, %v", got, err)
			}
			rounds := f.rounds()
			checkRounds(t, rounds, "/api/v1/servers/")
			if len(rounds) != polls || len(seen) != polls || seen[polls-1] != vpsorg.ServerStatusActive {
				t.Fatalf("%d rounds, progress %v; want %d polls", len(rounds), seen, polls)
			}
			total := 0
			for i, round := range rounds {
				total += len(round)
				restoring := 0
				for _, r := range round {
					if v, _ := url.ParseQuery(r.RawQuery); v.Get("status") == "restoring" {
						restoring++
					}
				}
				want := 1
				if i == polls-1 {
					want = 1 + tt.wantPages
				}
				if restoring != 1 || len(round) != want {
					t.Errorf("poll %d: %d requests (%d of the restoring list); want %d", i+1, len(round), restoring, want)
				}
			}
			t.Logf("%d polls, %d requests: %.2f a poll", polls, total, float64(total)/polls)
		})
	}
}
