package vpsorg_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// lostAnswers are the ways a write's answer is lost after the server
// acted.
var lostAnswers = []struct {
	name  string
	fault vpsorgtest.Fault
}{
	{"act then 503", vpsorgtest.Fault{AfterAction: true, Status: 503}},
	{"act then drop", vpsorgtest.Fault{AfterAction: true, Drop: true}},
	{"2xx body cut", vpsorgtest.Fault{TruncateBody: 30}},
}

// TestLostCreateIsRecovered: a create whose answer was lost returns the
// object it made, marked Recovered, and is sent once.
func TestLostCreateIsRecovered(t *testing.T) {
	t.Parallel()
	for _, lost := range lostAnswers {
		for _, kind := range []string{"backup", "snapshot"} {
			t.Run(lost.name+"/"+kind, func(t *testing.T) {
				t.Parallel()
				srv := vpsorgtest.NewServer()
				defer srv.Close()
				server := srv.AddServer("recovered")
				path := "/api/v1/" + kind + "s/"
				srv.AddFault(vpsorgtest.Rule{Method: "POST", Path: path, Nth: 1, Fault: lost.fault})
				client := srv.Client(noWait())
				ctx := context.Background()

				var (
					id   int64
					resp *vpsorg.Response
					err  error
				)
				if kind == "backup" {
					var b *vpsorg.Backup
					b, resp, err = client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: server, Description: "nightly"})
					if b != nil {
						id = b.ID
					}
				} else {
					var s *vpsorg.Snapshot
					s, resp, err = client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: server, Name: "nightly"})
					if s != nil {
						id = s.ID
					}
				}
				if err != nil {
					t.Fatalf("want the create recovered, got %v", err)
				}
				if !resp.Recovered || resp.Attempts != 1 {
					t.Errorf("Recovered = %v, Attempts = %d; want true, 1", resp.Recovered, resp.Attempts)
				}
				if n := count(srv, "POST", path); n != 1 {
					t.Errorf("%d POSTs reached the fake; want 1", n)
				}
				if ids := objectsOn(t, client, server); len(ids) != 1 || ids[0] != id {
					t.Errorf("the fake holds %v on the server; want only %d, the one returned", ids, id)
				}
			})
		}
	}
}

// objectsOn lists the ids of the backups and snapshots on a server.
func objectsOn(t *testing.T, client *vpsorg.Client, server int64) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for b, err := range client.Backups.All(ctx, &vpsorg.BackupListOptions{ServerID: server}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, b.ID)
	}
	for s, err := range client.Snapshots.All(ctx, &vpsorg.SnapshotListOptions{ServerID: server}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	return ids
}

// TestUnactedCreateIsUnknown: a 503 before the server acted cannot be
// told from one after; the look-up finds nothing and says so.
func TestUnactedCreateIsUnknown(t *testing.T) {
	t.Parallel()
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	server := srv.AddServer("untouched")
	srv.AddFault(vpsorgtest.Rule{Method: "POST", Nth: 1, Fault: vpsorgtest.Fault{Status: 503}})
	client := srv.Client(noWait())

	b, resp, err := client.Backups.Create(context.Background(), &vpsorg.BackupCreateRequest{ServerID: server, Description: "x"})
	var apiErr *vpsorg.APIError
	if b != nil || !errors.Is(err, vpsorg.ErrOutcomeUnknown) || !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("Create = %+v, %v; want no backup, ErrOutcomeUnknown and the 503", b, err)
	}
	if resp == nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Recovered {
		t.Errorf("Response = %+v; want the 503's", resp)
	}
	if ids := objectsOn(t, client, server); len(ids) != 0 {
		t.Errorf("the fake holds %v", ids)
	}
}

// TestWithoutRecoveryOnTheFake: no look-up; the orphan the write left
// stays, and the error says the outcome is unknown.
func TestWithoutRecoveryOnTheFake(t *testing.T) {
	t.Parallel()
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	server := srv.AddServer("orphaned")
	srv.AddFault(vpsorgtest.Rule{Method: "POST", Nth: 1, Fault: vpsorgtest.Fault{AfterAction: true, Status: 503}})
	client := srv.Client(noWait(), vpsorg.WithoutRecovery())

	_, _, err := client.Snapshots.Create(context.Background(), &vpsorg.SnapshotCreateRequest{ServerID: server, Name: "orphan"})
	if !errors.Is(err, vpsorg.ErrOutcomeUnknown) || !errors.Is(err, vpsorg.ErrServerError) {
		t.Fatalf("error %v; want ErrOutcomeUnknown and ErrServerError", err)
	}
	if log := srv.Requests(); len(log) != 1 {
		t.Fatalf("%d requests reached the fake; want the POST alone", len(log))
	}
	if ids := objectsOn(t, client, server); len(ids) != 1 {
		t.Errorf("the fake holds %v; want the one orphan", ids)
	}
}

// TestSameDescriptionConcurrently: creates of one Client with the same
// description on one server, at the same moment, each get a backup of
// their own, whether they were answered or recovered.
func TestSameDescriptionConcurrently(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		creates int
		faulted int // the first this many POSTs act, then answer 503
	}{
		{"both lost", 2, 2},
		{"one lost, one answered", 2, 1},
		{"four, three lost", 4, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := vpsorgtest.NewServer()
			defer srv.Close()
			client := srv.Client(noWait())
			for round := range 10 {
				server := srv.AddServer(fmt.Sprintf("round-%d", round))
				srv.ClearFaults()
				srv.AddFault(vpsorgtest.Rule{Method: "POST", Nth: 1, Count: tc.faulted, Fault: vpsorgtest.Fault{AfterAction: true, Status: 503}})
				ids := make([]int64, tc.creates)
				errs := make([]error, tc.creates)
				recovered := make([]bool, tc.creates)
				var wg sync.WaitGroup
				for i := range tc.creates {
					wg.Go(func() {
						b, resp, err := client.Backups.Create(context.Background(), &vpsorg.BackupCreateRequest{ServerID: server, Description: "nightly"})
						errs[i] = err
						if err == nil {
							ids[i], recovered[i] = b.ID, resp.Recovered
						}
					})
				}
				wg.Wait()
				seen := map[int64]bool{}
				nRecovered := 0
				for i := range tc.creates {
					if errs[i] != nil {
						t.Fatalf("round %d: create %d: %v", round, i, errs[i])
					}
					if seen[ids[i]] {
						t.Fatalf("round %d: backup %d returned to two creates: %v", round, ids[i], ids)
					}
					seen[ids[i]] = true
					if recovered[i] {
						nRecovered++
					}
				}
				if nRecovered != tc.faulted {
					t.Fatalf("round %d: %d recovered; want %d", round, nRecovered, tc.faulted)
				}
				if on := objectsOn(t, client, server); len(on) != tc.creates {
					t.Fatalf("round %d: the fake holds %v; want %d backups", round, on, tc.creates)
				}
			}
		})
	}
}

// TestRecoveryOnTheFakesOwnClock: the fake runs in 2025 while the client's
// clock reads today; "made since the call began" is judged on the fake's
// clock, so a backup with the same description from an hour before is not
// taken for the one this call made.
func TestRecoveryOnTheFakesOwnClock(t *testing.T) {
	t.Parallel()
	clock := vpsorgtest.NewClock(time.Date(2025, 1, 16, 15, 45, 0, 0, time.UTC))
	srv := vpsorgtest.NewServer(vpsorgtest.WithClock(clock.Now))
	defer srv.Close()
	ctx := context.Background()
	req := &vpsorg.BackupCreateRequest{ServerID: 12345, Description: "nightly"}
	// Made by another program an hour ago (on the fake's clock).
	old, _, err := srv.Client().Backups.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	srv.AddFault(vpsorgtest.Rule{Method: "POST", Nth: 1, Fault: vpsorgtest.Fault{AfterAction: true, Drop: true}})

	b, resp, err := srv.Client(noWait()).Backups.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Recovered || b.ID == old.ID || !b.CreatedAt.Equal(clock.Now()) {
		t.Fatalf("got backup %d made %s (Recovered %v); want the new one, not %d", b.ID, b.CreatedAt, resp.Recovered, old.ID)
	}
}

// TestLostRestoreIsRecovered: a restore whose answer was lost counts as
// started when its server reads "restoring", and one the server never got
// is an unknown outcome.
func TestLostRestoreIsRecovered(t *testing.T) {
	t.Parallel()
	for _, lost := range append(lostAnswers, struct {
		name  string
		fault vpsorgtest.Fault
	}{"503 before acting", vpsorgtest.Fault{Status: 503}}) {
		for _, kind := range []string{"snapshot", "server"} {
			t.Run(lost.name+"/"+kind, func(t *testing.T) {
				t.Parallel()
				srv := vpsorgtest.NewServer(vpsorgtest.WithRestoreDuration(time.Hour))
				defer srv.Close()
				srv.AddFault(vpsorgtest.Rule{Method: "POST", Nth: 1, Fault: lost.fault})
				client := srv.Client(noWait())
				ctx := context.Background()
				var (
					state vpsorg.ServerState
					resp  *vpsorg.Response
					err   error
				)
				if kind == "snapshot" {
					var out *vpsorg.SnapshotRestore
					if out, resp, err = client.Snapshots.Restore(ctx, 801); err == nil {
						state = out.Server
						if out.Snapshot.ID != 801 {
							t.Errorf("Snapshot = %+v", out.Snapshot)
						}
					}
				} else {
					var out *vpsorg.ServerRestore
					if out, resp, err = client.Servers.Restore(ctx, 12345, &vpsorg.ServerRestoreRequest{BackupID: 501}); err == nil {
						state = out.Server
					}
				}
				posts := 0
				for _, r := range srv.Requests() {
					if r.Method == http.MethodPost {
						posts++
					}
				}
				if posts != 1 {
					t.Fatalf("%d POSTs reached the fake; want 1", posts)
				}
				if !lost.fault.AfterAction && lost.fault.TruncateBody == 0 {
					if !errors.Is(err, vpsorg.ErrOutcomeUnknown) || !errors.Is(err, vpsorg.ErrServerError) {
						t.Fatalf("error %v; want ErrOutcomeUnknown and the 503", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("want the restore recovered, got %v", err)
				}
				if !resp.Recovered || state.ID != 12345 || state.Status != vpsorg.ServerStatusRestoring {
					t.Fatalf("Recovered = %v, server %+v; want server 12345 restoring", resp.Recovered, state)
				}
			})
		}
	}
}

// TestRecoveryIsRetried: the look-up follows the Client's retry rules, so a
// look-up that meets a 429 and a 502 still finds the backup.
func TestRecoveryIsRetried(t *testing.T) {
	t.Parallel()
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	srv.AddFault(vpsorgtest.Rule{Method: "POST", Nth: 1, Fault: vpsorgtest.Fault{AfterAction: true, Status: 502}})
	srv.AddFault(vpsorgtest.Rule{Method: "GET", Nth: 1, Fault: vpsorgtest.Fault{Status: 429, RetryAfter: "1"}})
	srv.AddFault(vpsorgtest.Rule{Method: "GET", Nth: 2, Fault: vpsorgtest.Fault{Status: 502}})
	client := srv.Client(noWait())
	b, resp, err := client.Backups.Create(context.Background(), &vpsorg.BackupCreateRequest{ServerID: 12345, Description: "retried"})
	if err != nil || !resp.Recovered || b.Description != "retried" {
		t.Fatalf("Create = %+v, %+v, %v; want recovered", b, resp, err)
	}
	if n := count(srv, http.MethodGet, "/api/v1/backups/"); n != 3 {
		t.Errorf("the look-up took %d GETs; want 3", n)
	}
}

// TestLookupWaitsForAnAnswerInFlight: a create whose answer is lost does
// not take the backup of a create of the same Client still waiting for its
// own answer. A acts at once and answers late; B, sent after A acted, acts
// and answers 503, so B's look-up sees A's backup, the older, unclaimed
// while A's answer is on its way.
func TestLookupWaitsForAnAnswerInFlight(t *testing.T) {
	t.Parallel()
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	server := srv.AddServer("racing")
	srv.AddFault(vpsorgtest.Rule{Method: "POST", Nth: 1, Fault: vpsorgtest.Fault{AfterAction: true, Delay: 300 * time.Millisecond}})
	srv.AddFault(vpsorgtest.Rule{Method: "POST", Nth: 2, Fault: vpsorgtest.Fault{AfterAction: true, Status: 503}})
	client := srv.Client(noWait())
	req := &vpsorg.BackupCreateRequest{ServerID: server, Description: "nightly"}

	type result struct {
		id        int64
		recovered bool
		err       error
	}
	run := func(out chan<- result) {
		b, resp, err := client.Backups.Create(context.Background(), req)
		if err != nil {
			out <- result{err: err}
			return
		}
		out <- result{id: b.ID, recovered: resp.Recovered}
	}
	a, b := make(chan result, 1), make(chan result, 1)
	go run(a)
	// B goes once A has acted: its backup is on the fake.
	deadline := time.Now().Add(10 * time.Second)
	for len(objectsOn(t, client, server)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("A's create never reached the fake")
		}
		time.Sleep(time.Millisecond)
	}
	go run(b)
	ra, rb := <-a, <-b
	if ra.err != nil || rb.err != nil {
		t.Fatalf("A: %v, B: %v", ra.err, rb.err)
	}
	if ra.recovered || !rb.recovered || ra.id == rb.id {
		t.Fatalf("A got %d (recovered %v), B got %d (recovered %v); want each its own, B recovered", ra.id, ra.recovered, rb.id, rb.recovered)
	}
}
