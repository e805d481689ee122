package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// On a terminal, waits draw a line that ends on the object's final status
// with a mark; plain "after" lines are for logs only.
func TestLiveProgress(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t)
	inv.tty, inv.stdin = true, "y\n"
	r := inv.run(t, "backups", "create", "--server", "12345", "--wait").expect(t, exitOK)
	if !strings.Contains(r.stderr, "✓ backup 502 completed") || strings.Contains(r.stderr, " after ") {
		t.Errorf("stderr %q", r.stderr)
	}

	srv.SetFaultFunc(func(r *http.Request) *vpsorgtest.Fault {
		if r.Method == http.MethodGet && r.URL.Path == "/api/v1/backups/" {
			_ = srv.SetBackupStatus(503, "failed")
		}
		return nil
	})
	r = inv.run(t, "backups", "create", "--server", "12345", "--wait").expect(t, exitFailed)
	if !strings.Contains(r.stderr, "✗ backup 503 failed") {
		t.Errorf("stderr %q", r.stderr)
	}
	srv.SetFaultFunc(nil)

	// prune asks, then draws one bar for its deletes.
	r = inv.run(t, "backups", "prune", "--server", "12345", "--keep", "1").expect(t, exitOK)
	for _, want := range []string{"Delete 1 manual backups of web-server-01 (12345), keeping the 1 newest? [y/N] ", "deleting backups 1/1"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("no %q in %q", want, r.stderr)
		}
	}
}

// A wait long enough for several frames redraws its line in place.
func TestLiveProgressRedraws(t *testing.T) {
	t.Parallel()
	_, inv := fake(t, vpsorgtest.WithCompletionDelay(500*time.Millisecond))
	inv.tty = true
	r := inv.with("VPSORG_POLL_INTERVAL", "20ms").run(t, "snapshots", "create", "--server", "12345", "--name", "s", "--wait").expect(t, exitOK)
	if n := strings.Count(r.stderr, "\x1b[1A\x1b[J"); n < 2 {
		t.Errorf("%d redraws in %q", n, r.stderr)
	}
	if !strings.Contains(r.stderr, "snapshot 802 in_progress") || !strings.Contains(r.stderr, "✓ snapshot 802 completed ") {
		t.Errorf("stderr %q", r.stderr)
	}
}
