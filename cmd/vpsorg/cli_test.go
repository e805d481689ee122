package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

func TestBackupsCreateWait(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t)
	r := inv.run(t, "backups", "create", "--server", "12345", "--description", "pre-deploy", "--wait", "-o", "json").expect(t, exitOK)
	var b vpsorg.Backup
	if err := json.Unmarshal([]byte(r.stdout), &b); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if b.ID != 502 || b.Status != vpsorg.StatusCompleted || b.SizeMB == nil || b.Description != "pre-deploy" {
		t.Errorf("backup as printed: %+v", b)
	}
	// Without a terminal: one plain line per status, nothing redrawn.
	if !strings.Contains(r.stderr, "backup 502: in_progress\n") || !strings.Contains(r.stderr, "backup 502: completed after ") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "\x1b[") || strings.Contains(r.stderr, "\r") {
		t.Errorf("escape codes without a terminal: %q", r.stderr)
	}
	if posts := countRequests(srv, http.MethodPost, "/api/v1/backups/"); posts != 1 {
		t.Errorf("%d POSTs, want 1", posts)
	}
}

func TestBackupsCreateWithoutWait(t *testing.T) {
	t.Parallel()
	_, inv := fake(t, vpsorgtest.WithCompletionDelay(time.Hour))
	r := inv.run(t, "backups", "create", "--server", "12345", "-q").expect(t, exitOK)
	if r.stdout != "502\n" || r.stderr != "" {
		t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
	}
	r = inv.run(t, "backups", "list", "--server", "12345", "--type", "manual").expect(t, exitOK)
	if !regexp.MustCompile(`(?m)^502 .* manual +in_progress +- `).MatchString(r.stdout) {
		t.Errorf("in-progress backup as listed:\n%s", r.stdout)
	}
}

// A backup that fails while waited for is exit 5.
func TestBackupsCreateWaitFailed(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t, vpsorgtest.WithCompletionDelay(time.Hour))
	srv.SetFaultFunc(func(r *http.Request) *vpsorgtest.Fault {
		if r.Method == http.MethodGet && r.URL.Path == "/api/v1/backups/" {
			_ = srv.SetBackupStatus(502, "failed")
		}
		return nil
	})
	r := inv.run(t, "backups", "create", "--server", "12345", "--wait").expect(t, exitFailed)
	if r.stdout != "" || !strings.Contains(r.stderr, "vpsorg: backup 502 failed (status failed); see vpsorg backups list --server 12345\n") {
		t.Errorf("stdout %q\nstderr:\n%s", r.stdout, r.stderr)
	}
}

// --timeout ends the wait with exit 6 and says the backup goes on.
func TestWaitTimeout(t *testing.T) {
	t.Parallel()
	_, inv := fake(t, vpsorgtest.WithCompletionDelay(time.Hour))
	r := inv.run(t, "snapshots", "create", "--server", "12345", "--name", "slow", "--wait", "--timeout", "30ms").expect(t, exitTimeout)
	if !strings.Contains(r.stderr, "timed out after 30ms waiting for snapshot 802 (last seen in_progress); it goes on on the server") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// Ctrl-C stops the wait, not the backup, says so, and exits 130.
func TestWaitInterrupted(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t, vpsorgtest.WithCompletionDelay(time.Hour))
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	srv.SetFaultFunc(func(r *http.Request) *vpsorgtest.Fault {
		if r.Method == http.MethodGet {
			cancel(errInterrupted) // as SIGINT does, during the first poll
		}
		return nil
	})
	inv.ctx = ctx
	r := inv.run(t, "backups", "create", "--server", "12345", "--wait").expect(t, exitInterrupted)
	if !strings.Contains(r.stderr, "interrupted: stopped waiting for backup 502 (last seen in_progress); it goes on on the server") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if got := countRequests(srv, http.MethodDelete, ""); got != 0 {
		t.Errorf("%d DELETEs after Ctrl-C", got)
	}
}

// Ctrl-C during a call is exit 130 too.
func TestInterruptedCall(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t)
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	srv.SetFaultFunc(func(*http.Request) *vpsorgtest.Fault {
		cancel(errInterrupted)
		return &vpsorgtest.Fault{Delay: time.Second} // cut short when the client goes away
	})
	inv.ctx = ctx
	r := inv.run(t, "servers", "list").expect(t, exitInterrupted)
	if r.stderr != "vpsorg: interrupted; whatever was sent goes on on the server\n" {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestSnapshotsCreateAndRestore(t *testing.T) {
	t.Parallel()
	_, inv := fake(t)
	r := inv.run(t, "snapshots", "create", "--server", "12345", "--name", "pre-deploy", "--wait", "-q").expect(t, exitOK)
	if r.stdout != "802\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
	r = inv.run(t, "snapshots", "restore", "802", "--yes", "--wait", "-o", "json").expect(t, exitOK)
	var s vpsorg.Server
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || s.ID != 12345 || s.Status != "active" {
		t.Errorf("server after the wait: %+v, %v\n%s", s, err, r.stdout)
	}
	if !strings.Contains(r.stderr, "server 12345: restoring\n") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// Snapshot names the SDK refuses are usage errors, with nothing sent.
func TestSnapshotsCreateBadName(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t)
	inv.run(t, "snapshots", "create", "--server", "12345", "--name", "no spaces").expect(t, exitUsage)
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// A second restore while the first runs is refused by the API: exit 1 with
// its message and request id.
func TestServersRestore(t *testing.T) {
	t.Parallel()
	_, inv := fake(t, vpsorgtest.WithRestoreDuration(time.Hour))
	r := inv.run(t, "servers", "restore", "12345", "--backup", "499", "--yes").expect(t, exitOK)
	want := "SERVER                 STATUS     FROM\nweb-server-01 (12345)  restoring  backup 499\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	r = inv.run(t, "servers", "list", "--status", "restoring", "-q").expect(t, exitOK)
	if r.stdout != "12345\n" {
		t.Errorf("restoring servers: %q", r.stdout)
	}
	r = inv.run(t, "servers", "restore", "12345", "--backup", "499", "--yes").expect(t, exitOther)
	if !regexp.MustCompile(`^vpsorg: restore server 12345 from backup 499: Server is not in a valid state for restoration. \(HTTP 400, request req-\d+\)\n$`).MatchString(r.stderr) {
		t.Errorf("stderr: %q", r.stderr)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	_, inv := fake(t)
	for _, tc := range []struct {
		args []string
		hint string
	}{
		{[]string{"backups", "create", "--server", "999"}, "check --server"},
		{[]string{"snapshots", "create", "--server", "999", "--name", "x"}, "check --server"},
		{[]string{"backups", "delete", "777", "--yes"}, "check the id: vpsorg backups list"},
		{[]string{"snapshots", "delete", "777", "--yes"}, "check the id: vpsorg snapshots list"},
		{[]string{"snapshots", "restore", "777", "--yes"}, "check the id: vpsorg snapshots list"},
		{[]string{"servers", "restore", "999", "--backup", "499", "--yes"}, "check the server id"},
	} {
		r := inv.run(t, tc.args...).expect(t, exitNotFound)
		if !strings.Contains(r.stderr, "Not found. (HTTP 404, request req-") || !strings.Contains(r.stderr, tc.hint) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: stderr %q", tc.args, r.stderr)
		}
	}
}

func TestUnauthorized(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t)
	r := inv.with("VPSORG_API_TOKEN", "wrong-token-123").run(t, "backups", "list").expect(t, exitUnauthorized)
	if !strings.Contains(r.stderr, "(HTTP 401, request req-") || !strings.HasSuffix(r.stderr, "; the API token was refused: set VPSORG_API_TOKEN to a valid one, or give the context a new one (vpsorg context delete NAME, then vpsorg context create NAME)\n") {
		t.Errorf("stderr %q", r.stderr)
	}
	before := len(srv.Requests())
	r = inv.with("VPSORG_API_TOKEN", "").run(t, "backups", "list").expect(t, exitUnauthorized)
	if !strings.Contains(r.stderr, "VPSORG_API_TOKEN is not set") || len(srv.Requests()) != before {
		t.Errorf("without a token: %q, %d requests", r.stderr, len(srv.Requests())-before)
	}
}

// Usage errors are exit 2 and send nothing.
func TestUsageErrors(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"backups", "lst"}, `unknown command "lst" for "vpsorg backups"`},
		{[]string{"nosuch"}, `unknown command "nosuch" for "vpsorg"`},
		{[]string{"backups", "list", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"backups", "list", "-o", "xml"}, `unknown output format "xml"`},
		{[]string{"backups", "list", "--type", "weekly"}, `unknown backup type "weekly"`},
		{[]string{"backups", "list", "--server", "x"}, `--server "x" is not a whole number`},
		{[]string{"backups", "create"}, `required flag(s) "server" not set`},
		{[]string{"backups", "create", "--server", "1", "--wait", "--timeout", "0s"}, "--timeout 0s is not positive"},
		{[]string{"backups", "delete"}, "requires at least 1 arg"},
		{[]string{"backups", "delete", "abc", "--yes"}, `"abc" is not a backup id`},
		{[]string{"backups", "prune", "--server", "12345"}, "no keep rule: nothing says what to keep"},
		{[]string{"backups", "prune", "--server", "12345", "--keep", "-2", "--yes"}, "--keep -2 is below -1"},
		{[]string{"snapshots", "restore"}, "accepts 1 arg(s), received 0"},
		{[]string{"servers", "restore", "12345"}, `required flag(s) "backup" not set`},
		{[]string{"completion", "tcsh"}, `invalid argument "tcsh"`},
	} {
		r := inv.run(t, tc.args...).expect(t, exitUsage)
		if !strings.HasPrefix(r.stderr, "vpsorg: ") || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%v: stdout %q stderr %q, want one line with %q", tc.args, r.stdout, r.stderr, tc.want)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("usage errors sent %d requests", n)
	}
}

// The token is never a flag: asking for one is a usage error that says
// where it goes and does not echo the value.
func TestTokenIsNeverAFlag(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t)
	for _, args := range [][]string{
		{"backups", "list", "--token", "s3cret-value"},
		{"backups", "list", "--token=s3cret-value"},
		{"--api-token", "s3cret-value", "servers", "list"},
	} {
		r := inv.run(t, args...).expect(t, exitUsage)
		if !strings.Contains(r.stderr, "the token is never given as a flag: set VPSORG_API_TOKEN") || strings.Contains(r.stderr, "s3cret") {
			t.Errorf("%v: %q", args, r.stderr)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// Without a terminal, destructive commands need --yes and otherwise send
// nothing at all: not even the look-up a prompt would need.
func TestDestructiveNeedYesWithoutTerminal(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t)
	for _, args := range [][]string{
		{"backups", "delete", "501"},
		{"backups", "delete", "501", "499"},
		{"snapshots", "delete", "801"},
		{"snapshots", "restore", "801", "--wait"},
		{"servers", "restore", "12345", "--backup", "499"},
		{"backups", "prune", "--server", "12345", "--keep", "1"},
	} {
		// VPSORG_YES is not --yes: a setting left in a shell never deletes.
		r := inv.with("VPSORG_YES", "true").run(t, args...).expect(t, exitUsage)
		if !strings.Contains(r.stderr, "no terminal to ask on, and no --yes; give --yes to ") {
			t.Errorf("%v: %q", args, r.stderr)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent: %+v", n, srv.Requests())
	}
}

func TestDeletePrompt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		answer  string
		code    int
		deleted bool
	}{
		{"y\n", exitOK, true},
		{"YES\n", exitOK, true},
		{"n\n", exitOther, false},
		{"\n", exitOther, false},
		{"", exitOther, false}, // end of input
	} {
		srv, inv := fake(t)
		inv.tty, inv.stdin = true, tc.answer
		r := inv.run(t, "backups", "delete", "501").expect(t, tc.code)
		if !strings.HasPrefix(r.stderr, "Delete backup 501 (web-server-01, 2025-01-16)? [y/N] ") {
			t.Errorf("%q: prompt %q", tc.answer, r.stderr)
		}
		if got := countRequests(srv, http.MethodDelete, "/api/v1/backups/501/") == 1; got != tc.deleted {
			t.Errorf("%q: deleted %v, want %v", tc.answer, got, tc.deleted)
		}
		if !tc.deleted && !strings.Contains(r.stderr, "not confirmed; nothing was done") {
			t.Errorf("%q: %q", tc.answer, r.stderr)
		}
	}
}

func TestPromptsNameWhatTheyChange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args   []string
		prompt string
	}{
		{[]string{"backups", "delete", "501", "499"}, "Delete 2 backups: 501 (web-server-01, 2025-01-16), 499 (web-server-01, 2025-01-14)? [y/N] "},
		{[]string{"snapshots", "delete", "798"}, "Delete snapshot 798 (weekly-snapshot-2025-01-08, web-server-01, 2025-01-08)? [y/N] "},
		{[]string{"snapshots", "restore", "801"}, "Restore server web-server-01 (12345) from snapshot 801 (pre-migration-snapshot, 2025-01-15)? This overwrites all data on the server. [y/N] "},
		{[]string{"servers", "restore", "12345", "--backup", "499"}, "Restore server web-server-01 (12345) from backup 499 (manual, 2025-01-14)? This overwrites all data on the server. [y/N] "},
	} {
		srv, inv := fake(t)
		inv.tty = true // and no answer: declined
		r := inv.run(t, tc.args...).expect(t, exitOther)
		if !strings.HasPrefix(r.stderr, tc.prompt) {
			t.Errorf("%v: stderr %q\nwant prefix %q", tc.args, r.stderr, tc.prompt)
		}
		for _, req := range srv.Requests() {
			if req.Method != http.MethodGet {
				t.Errorf("%v: declined, but sent %s %s", tc.args, req.Method, req.Path)
			}
		}
	}
}

// A prompt names only objects that exist: an unknown id is exit 3 before
// anything is deleted.
func TestPromptUnknownID(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t)
	inv.tty, inv.stdin = true, "y\n"
	r := inv.run(t, "backups", "delete", "501", "777").expect(t, exitNotFound)
	if !strings.Contains(r.stderr, "backup 777 not found; nothing was done") || countRequests(srv, http.MethodDelete, "") != 0 {
		t.Errorf("stderr %q", r.stderr)
	}
	r = inv.run(t, "servers", "restore", "12345", "--backup", "777").expect(t, exitNotFound)
	if !strings.Contains(r.stderr, "check --backup: vpsorg backups list --server 12345") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestDeleteMany(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t)
	r := inv.run(t, "snapshots", "delete", "801", "798", "--yes").expect(t, exitOK)
	for _, line := range []string{"deleted snapshot 801\n", "deleted snapshot 798\n"} {
		if !strings.Contains(r.stderr, line) {
			t.Errorf("stderr %q lacks %q", r.stderr, line)
		}
	}
	if r := inv.run(t, "snapshots", "list", "-q").expect(t, exitOK); r.stdout != "" {
		t.Errorf("left: %q", r.stdout)
	}
	// An id given twice is deleted once.
	r = inv.run(t, "backups", "delete", "499", "499", "--yes").expect(t, exitOK)
	if r.stderr != "deleted backup 499\n" {
		t.Errorf("stderr %q", r.stderr)
	}
	// One of three missing: the others are deleted, the exit code is 3.
	r = inv.run(t, "backups", "delete", "501", "777", "495", "--yes").expect(t, exitNotFound)
	if countRequests(srv, http.MethodDelete, "/api/v1/backups/501/") != 1 || countRequests(srv, http.MethodDelete, "/api/v1/backups/495/") != 1 {
		t.Errorf("the existing backups were not deleted:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "vpsorg: delete backup 777: Not found.") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// prune keeps the N newest completed manual backups and touches nothing
// else: not automatic ones, not those in progress or failed.
func TestBackupsPrune(t *testing.T) {
	t.Parallel()
	clock := vpsorgtest.NewClock(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
	srv, inv := fake(t, vpsorgtest.WithClock(clock.Now))
	c := srv.Client()
	var made []int64
	for range 6 {
		clock.Advance(time.Hour)
		b, _, err := c.Backups.Create(t.Context(), &vpsorg.BackupCreateRequest{ServerID: 12345})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, b.ID) // 502..507, oldest first
	}
	_ = srv.SetBackupStatus(made[5], "in_progress") // the newest: running
	_ = srv.SetBackupStatus(made[1], "failed")
	other := srv.AddServer("db-server-01")
	if _, _, err := c.Backups.Create(t.Context(), &vpsorg.BackupCreateRequest{ServerID: other}); err != nil {
		t.Fatal(err)
	}
	// Completed manual ones, newest first: 506 505 504 502 499.
	r := inv.run(t, "backups", "prune", "--server", "12345", "--keep", "2", "--dry-run", "-q").expect(t, exitOK)
	if r.stdout != "504\n502\n499\n" {
		t.Errorf("dry run would delete %q, want 504 502 499", r.stdout)
	}
	if !strings.Contains(r.stderr, "dry run: would delete 3 of 5 completed manual backups of web-server-01 (12345), keeping the 2 newest; nothing was deleted") {
		t.Errorf("stderr %q", r.stderr)
	}
	if n := countRequests(srv, http.MethodDelete, ""); n != 0 {
		t.Fatalf("dry run sent %d DELETEs", n)
	}

	// -o json prints every candidate, newest first; the three deleted
	// are those it does not keep.
	r = inv.run(t, "backups", "prune", "--server", "12345", "--keep", "2", "--yes", "-o", "json").expect(t, exitOK)
	var candidates []struct {
		ID   int64 `json:"id"`
		Keep bool  `json:"keep"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &candidates); err != nil || len(candidates) != 5 {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	var deleted []int64
	for _, c := range candidates {
		if !c.Keep {
			deleted = append(deleted, c.ID)
		}
	}
	if !slices.Equal(deleted, []int64{504, 502, 499}) {
		t.Errorf("deleted %v, want 504 502 499", deleted)
	}
	r = inv.run(t, "backups", "list", "-q").expect(t, exitOK)
	left := strings.Fields(r.stdout)
	slices.Sort(left)
	if want := []string{"495", "501", "503", "505", "506", "507", "508"}; !slices.Equal(left, want) {
		t.Errorf("left %v, want %v (automatic 495 501, failed 503, kept 505 506, running 507, other server's 508)", left, want)
	}
	// An unknown server is exit 3, not "nothing to prune".
	r = inv.run(t, "backups", "prune", "--server", "999", "--keep", "2", "--yes").expect(t, exitNotFound)
	if !strings.Contains(r.stderr, "server 999 not found; nothing was done; check --server") {
		t.Errorf("stderr %q", r.stderr)
	}
	// Run again: nothing more to do.
	r = inv.run(t, "backups", "prune", "--server", "12345", "--keep", "2", "--yes").expect(t, exitOK)
	if !strings.Contains(r.stderr, "nothing to prune on web-server-01 (12345): 2 completed manual backups, keeping the 2 newest") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// Deletes run at most deleteConcurrency at a time, and all of them run.
func TestDeleteAllIsBounded(t *testing.T) {
	t.Parallel()
	a := &app{stderr: &stream{}}
	ids := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	started, release := make(chan int64, len(ids)), make(chan struct{})
	var inFlight, peak atomic.Int64
	done := make(chan []error)
	go func() {
		done <- a.deleteAll(t.Context(), "backup", ids, func(_ context.Context, id int64) error {
			n := inFlight.Add(1)
			for p := peak.Load(); n > p; p = peak.Load() {
				if peak.CompareAndSwap(p, n) {
					break
				}
			}
			started <- id
			<-release
			inFlight.Add(-1)
			if id == 7 {
				return &vpsorg.APIError{StatusCode: http.StatusNotFound}
			}
			return nil
		})
	}()
	for range deleteConcurrency {
		<-started
	}
	for range len(ids) - deleteConcurrency {
		if len(started) != 0 || inFlight.Load() != deleteConcurrency {
			t.Fatalf("%d in flight, %d more started", inFlight.Load(), len(started))
		}
		release <- struct{}{}
		<-started
	}
	close(release)
	errs := <-done
	if peak.Load() != deleteConcurrency {
		t.Errorf("peak %d in flight, want %d", peak.Load(), deleteConcurrency)
	}
	for i, err := range errs {
		if (err != nil) != (ids[i] == 7) {
			t.Errorf("id %d: %v", ids[i], err)
		}
	}
	if code := exitCode(a.deleteResult("backup", errs)); code != exitNotFound {
		t.Errorf("exit code %d, want %d", code, exitNotFound)
	}
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	var s stream
	secrets := &secrets{}
	secrets.add("  tok-123456  ")
	w := newRedactor(&s, secrets)
	if n, err := w.Write([]byte("a tok-123456 b tok-123456\n")); n != 26 || err != nil {
		t.Errorf("Write = %d, %v", n, err)
	}
	secrets.add("ctx-abcdef") // a context's token, read later
	secrets.add("ab")         // too short: it would garble output
	if n, err := w.Write([]byte("ctx-abcdef tok-123456 ab\n")); n != 25 || err != nil {
		t.Errorf("Write = %d, %v", n, err)
	}
	if got := s.String(); got != "a [redacted] b [redacted]\n[redacted] [redacted] ab\n" {
		t.Errorf("got %q", got)
	}
}

// Flags can come from VPSORG_* variables; the command line wins.
func TestFlagsFromEnvironment(t *testing.T) {
	t.Parallel()
	_, inv := fake(t)
	r := inv.with("VPSORG_OUTPUT", "json").run(t, "servers", "list").expect(t, exitOK)
	if !strings.HasPrefix(r.stdout, "[\n") {
		t.Errorf("VPSORG_OUTPUT=json: %q", r.stdout)
	}
	r = inv.with("VPSORG_OUTPUT", "json").run(t, "servers", "list", "-o", "table").expect(t, exitOK)
	if !strings.HasPrefix(r.stdout, "ID ") {
		t.Errorf("-o table over VPSORG_OUTPUT: %q", r.stdout)
	}
	r = inv.with("VPSORG_SERVER", "12345").run(t, "backups", "create", "-q").expect(t, exitOK)
	if r.stdout != "502\n" {
		t.Errorf("VPSORG_SERVER: %q", r.stdout)
	}
	r = inv.with("VPSORG_TIMEOUT", "soon").run(t, "backups", "create", "--server", "12345").expect(t, exitUsage)
	if !strings.Contains(r.stderr, `VPSORG_TIMEOUT="soon"`) {
		t.Errorf("bad VPSORG_TIMEOUT: %q", r.stderr)
	}
	r = inv.with("VPSORG_API_URL", "ftp://example.com/").run(t, "servers", "list").expect(t, exitUsage)
	if !strings.Contains(r.stderr, "check --api-url or VPSORG_API_URL") {
		t.Errorf("bad VPSORG_API_URL: %q", r.stderr)
	}
}

// A refused --api-url is explained in the command line's words: the
// flags and variables it has, never the SDK's option or function names.
func TestAPIURLErrorsSpeakTheCLIsLanguage(t *testing.T) {
	t.Parallel()
	_, inv := fake(t)
	tests := []struct {
		name string
		args []string
		env  string // VPSORG_API_URL, when set
		want string
	}{
		{name: "empty flag", args: []string{"--api-url", ""}, want: "the API root is empty"},
		{name: "clear text", env: "http://admin.vps.org/api/v1/", want: "http:// to admin.vps.org would send the token in clear text; use https"},
		{name: "user info", env: "https://user:secret@admin.vps.org/api/v1/", want: "must not carry user info"},
		{name: "no API path", env: "https://admin.vps.org/", want: "try https://admin.vps.org/api/v1/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run := inv
			if tt.env != "" {
				run = inv.with("VPSORG_API_URL", tt.env)
			}
			r := run.run(t, append([]string{"servers", "list"}, tt.args...)...).expect(t, exitUsage)
			if !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "check --api-url or VPSORG_API_URL") {
				t.Errorf("stderr %q; want %q and the hint", r.stderr, tt.want)
			}
			for _, sdk := range []string{"With", "NewClient"} {
				if strings.Contains(r.stderr, sdk) {
					t.Errorf("stderr %q names the SDK's %s...", r.stderr, sdk)
				}
			}
		})
	}
}

// With --debug the SDK logs each request to stderr; the token appears in
// no output, whatever happens.
func TestDebugNeverShowsTheToken(t *testing.T) {
	t.Parallel()
	const token = "tok-7f3a9c1e5b2d4f60"
	srv, inv := fake(t, vpsorgtest.WithToken(token))
	srv.AddFault(vpsorgtest.Rule{Method: http.MethodDelete, Fault: vpsorgtest.Fault{Status: http.StatusForbidden, Body: `{"detail": "token ` + token + ` may not delete"}`}})
	var all strings.Builder
	for _, args := range [][]string{
		{"--debug", "backups", "create", "--server", "12345", "--wait", "-o", "json"},
		{"--debug", "backups", "list"},
		{"--debug", "backups", "delete", "501", "--yes"},
		{"--debug", "servers", "list", "--token", token},
	} {
		r := inv.run(t, args...)
		all.WriteString(r.stdout + r.stderr)
	}
	bad := inv.with("VPSORG_API_TOKEN", token+"x")
	r := bad.run(t, "--debug", "snapshots", "list")
	all.WriteString(r.stdout + r.stderr)
	if strings.Contains(all.String(), token) {
		t.Errorf("the token is in the output:\n%s", all.String())
	}
	if !strings.Contains(all.String(), "level=DEBUG msg=\"vpsorg: response\" method=POST path=/api/v1/backups/ status=201") {
		t.Errorf("no SDK debug log in:\n%s", all.String())
	}
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	for shell, marker := range map[string]string{
		"bash":       "__start_vpsorg",
		"zsh":        "#compdef vpsorg",
		"fish":       "complete -c vpsorg",
		"powershell": "Register-ArgumentCompleter",
	} {
		r := invocation{}.run(t, "completion", shell).expect(t, exitOK)
		if !strings.Contains(r.stdout, marker) {
			t.Errorf("%s: no %q in the script", shell, marker)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	r := invocation{}.run(t, "version").expect(t, exitOK)
	if !regexp.MustCompile(`^vpsorg \S+\nvpsorg-go SDK ` + regexp.QuoteMeta(vpsorg.Version) + `\ngo1\.\d+\S* \w+/\w+\n$`).MatchString(r.stdout) {
		t.Errorf("version: %q", r.stdout)
	}
}

// Every command's --help shows an example; the root's documents the exit
// codes.
func TestHelp(t *testing.T) {
	t.Parallel()
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		if cmd.Hidden {
			return
		}
		path := strings.Fields(cmd.CommandPath())[1:]
		r := invocation{}.run(t, append(path, "--help")...).expect(t, exitOK)
		if cmd.Example == "" || !strings.Contains(r.stdout, "Examples:\n") {
			t.Errorf("%q --help has no example", cmd.CommandPath())
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(&app{}))

	r := invocation{}.run(t, "--help").expect(t, exitOK)
	for _, code := range []string{"0    ok", "1    other", "2    usage", "3    not found", "4    unauthorized", "5    the operation failed", "6    timed out", "7    outcome unknown", "130  interrupted"} {
		if !strings.Contains(r.stdout, code) {
			t.Errorf("vpsorg --help lacks exit code %q", code)
		}
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	api := func(status int) error {
		return &vpsorg.APIError{StatusCode: status, Method: "GET", Path: "/api/v1/backups/"}
	}
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{api(http.StatusNotFound), exitNotFound},
		{api(http.StatusUnauthorized), exitUnauthorized},
		{api(http.StatusForbidden), exitUnauthorized},
		{api(http.StatusBadRequest), exitOther},
		{api(http.StatusServiceUnavailable), exitOther},
		{&vpsorg.ValidationError{Field: "name", Message: "bad"}, exitUsage},
		{&vpsorg.RequestError{Method: "GET", Path: "/", Err: context.DeadlineExceeded}, exitTimeout},
		{&failure{op: "wait", err: vpsorg.ErrOperationFailed}, exitFailed},
		{&failure{op: "list", err: api(http.StatusNotFound)}, exitNotFound},
		{&failure{err: api(http.StatusNotFound), code: exitUsage}, exitUsage},
		{errInterrupted, exitInterrupted},
		{fmt.Errorf("create: %w", errors.Join(vpsorg.ErrOutcomeUnknown, api(http.StatusServiceUnavailable))), exitOutcomeUnknown},
		{fmt.Errorf("create: %w", errors.Join(vpsorg.ErrOutcomeUnknown, context.DeadlineExceeded)), exitOutcomeUnknown},
		{&notFoundError{"server", []int64{999}}, exitNotFound},
		{context.Canceled, exitOther},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// countRequests counts the requests with method whose path is path, or
// starts with /api/v1/ when path is "".
func countRequests(srv *vpsorgtest.Server, method, path string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == method && (r.Path == path || path == "" && strings.HasPrefix(r.Path, "/api/v1/")) {
			n++
		}
	}
	return n
}
