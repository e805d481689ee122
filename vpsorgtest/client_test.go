package vpsorgtest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	vpsorg "github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

func TestClient(t *testing.T) {
	t.Parallel()
	srv := vpsorgtest.NewServer(vpsorgtest.WithCompletionDelay(0))
	defer srv.Close()
	client := srv.Client(vpsorg.WithRetryWait(time.Millisecond, time.Millisecond))
	ctx := context.Background()

	backups, resp, err := client.Backups.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(backups) != 3 || backups[0].ID != 501 || resp.Count != 3 || resp.RequestID == "" {
		t.Fatalf("backups %+v, response %+v", backups, resp)
	}

	b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345, Description: "sdk"})
	if err != nil || b.ID != 502 || b.Status != vpsorg.StatusInProgress {
		t.Fatalf("create: %+v, %v", b, err)
	}

	_, _, err = client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: 404, Name: "x"})
	if !errors.Is(err, vpsorg.ErrNotFound) {
		t.Fatalf("create on an unknown server: %v", err)
	}

	// A GET answered 503 once is retried and succeeds.
	srv.AddFault(vpsorgtest.Rule{Method: "GET", Nth: 1, Fault: vpsorgtest.Fault{Status: http.StatusServiceUnavailable}})
	if _, resp, err := client.Servers.List(ctx, nil); err != nil || resp.Attempts != 2 {
		t.Fatalf("retried list: %+v, %v", resp, err)
	}
}

func TestClientPanicsOnBadOption(t *testing.T) {
	t.Parallel()
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	srv.Client(vpsorg.WithHTTPClient(nil))
}
