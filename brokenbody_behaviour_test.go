package vpsorg_test

import (
	"context"
	"testing"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// noWait is the option that keeps retry backoff and polling from sleeping.
func noWait() vpsorg.Option { return vpsorg.WithWaitHook(func(time.Duration) {}) }

// count returns how many requests of the fake's log have method and path.
func count(srv *vpsorgtest.Server, method, path string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// TestTruncatedGETTakesTwoAttempts: a list answer that breaks off in its
// body is a failed try, and the retry gets the whole list.
func TestTruncatedGETTakesTwoAttempts(t *testing.T) {
	t.Parallel()
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	srv.AddFault(vpsorgtest.Rule{Method: "GET", Path: "/api/v1/backups/", Nth: 1, Fault: vpsorgtest.Fault{TruncateBody: 20}})
	client := srv.Client(noWait())

	backups, resp, err := client.Backups.List(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 2 || count(srv, "GET", "/api/v1/backups/") != 2 {
		t.Fatalf("Attempts = %d, %d GETs on the fake; want 2, 2", resp.Attempts, count(srv, "GET", "/api/v1/backups/"))
	}
	if len(backups) != 3 || resp.Count != 3 {
		t.Fatalf("got %d backups (count %d); want the 3 seeded", len(backups), resp.Count)
	}
}

// TestWaitSurvivesATruncatedPoll: a poll whose answer breaks off is retried
// inside the poll, and the wait goes on.
func TestWaitSurvivesATruncatedPoll(t *testing.T) {
	t.Parallel()
	srv := vpsorgtest.NewServer(vpsorgtest.WithCompletionDelay(0))
	defer srv.Close()
	client := srv.Client(noWait())
	ctx := context.Background()
	b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345, Description: "waited"})
	if err != nil {
		t.Fatal(err)
	}
	srv.AddFault(vpsorgtest.Rule{Method: "GET", Path: "/api/v1/backups/", Nth: 1, Count: 2, Fault: vpsorgtest.Fault{TruncateBody: 50}})
	done, err := client.Backups.Wait(ctx, b, &vpsorg.WaitOptions{Interval: time.Millisecond})
	if err != nil || done.Status != vpsorg.StatusCompleted {
		t.Fatalf("Wait = %+v, %v; want the backup completed", done, err)
	}
	truncated := 0
	for _, r := range srv.Requests() {
		if r.Fault != nil && r.Fault.TruncateBody > 0 {
			truncated++
		}
	}
	if truncated != 2 {
		t.Fatalf("%d polls were cut; the test meant 2", truncated)
	}
}

// TestTruncatedDELETERetries: a DELETE whose 2xx broke off deleted; its
// retry's 404 is the success the caller asked for.
func TestTruncatedDELETERetries(t *testing.T) {
	t.Parallel()
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	srv.AddFault(vpsorgtest.Rule{Method: "DELETE", Nth: 1, Fault: vpsorgtest.Fault{Status: 200, TruncateBody: 5}})
	client := srv.Client(noWait())

	resp, err := client.Backups.Delete(context.Background(), 501)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 2 || count(srv, "DELETE", "/api/v1/backups/501/") != 2 {
		t.Fatalf("Attempts = %d; want 2", resp.Attempts)
	}
	for b, err := range client.Backups.All(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if b.ID == 501 {
			t.Fatal("backup 501 is still there")
		}
	}
}
