// Command quickstart tours the VPS.org backups and snapshots API: it lists
// your servers, backups and snapshots, makes a backup and a snapshot and waits
// for them, restores the server from the snapshot, shows how errors are
// handled, and deletes what it made.
//
// With VPSORG_API_TOKEN set it talks to VPS.org and needs -server: the tour
// snapshots that server, and with -restore also restores it, which stops it
// and overwrites its data. Without the token it runs against vpsorgtest, an
// in-process fake of the API, and restores the fake's server:
//
//	go run ./examples/quickstart
//	VPSORG_API_TOKEN=... go run ./examples/quickstart -server 12345 -restore
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// timeLayout shows the API's times, which are in UTC, to the minute.
const timeLayout = "2006-01-02 15:04 MST"

// config is what the tour needs besides a client.
type config struct {
	ServerID int64
	Restore  bool               // restore the server from the new snapshot
	Wait     vpsorg.WaitOptions // polling of the waits; zero means the SDK's defaults
}

func main() {
	serverID := flag.Int64("server", 0, "id of the server to use (required with VPSORG_API_TOKEN; the fake's 12345 otherwise)")
	restore := flag.Bool("restore", false, "also restore the server from the new snapshot: this stops it and overwrites its data (always done on the fake)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := start(ctx, os.Stdout, config{ServerID: *serverID, Restore: *restore})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// start runs the tour against VPS.org when VPSORG_API_TOKEN is set, and
// against an in-process fake otherwise.
func start(ctx context.Context, out io.Writer, cfg config) error {
	if os.Getenv(vpsorg.EnvToken) != "" {
		if cfg.ServerID == 0 {
			return errors.New("-server is required with " + vpsorg.EnvToken + ": the tour makes a backup and a snapshot of that server")
		}
		client, err := vpsorg.NewClientFromEnv()
		if err != nil {
			return err
		}
		return run(ctx, client, out, cfg)
	}

	fmt.Fprintln(out, vpsorg.EnvToken+" is not set: running against vpsorgtest, an in-process fake of the API")
	// Short delays and polls, so the tour takes a second rather than the
	// minutes the real API needs.
	srv := vpsorgtest.NewServer(
		vpsorgtest.WithCompletionDelay(300*time.Millisecond),
		vpsorgtest.WithRestoreDuration(500*time.Millisecond),
	)
	defer srv.Close()
	if cfg.ServerID == 0 {
		cfg.ServerID = 12345 // the documented server the fake starts with
	}
	cfg.Restore = true
	cfg.Wait = vpsorg.WaitOptions{Interval: 100 * time.Millisecond, MaxInterval: 200 * time.Millisecond}
	return run(ctx, srv.Client(), out, cfg)
}

// run is the tour itself, one step a section of its output.
func run(ctx context.Context, client *vpsorg.Client, out io.Writer, cfg config) (err error) {
	t := &tour{client: client, out: out, cfg: cfg}
	if err := t.list(ctx); err != nil {
		return err
	}
	// Whatever happens from here on, delete what the tour made, so that a
	// second run does not meet the limits (10 manual backups, 5 snapshots).
	defer func() {
		// A fresh context: an interrupted tour still cleans up.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		err = errors.Join(err, cleanUp(ctx, client, out, t.backupID, t.snapshotID))
	}()
	if err := t.backUp(ctx); err != nil {
		return err
	}
	snap, err := t.snapshot(ctx)
	if err != nil {
		return err
	}
	if err := t.restore(ctx, snap); err != nil {
		return err
	}
	return t.showErrors(ctx)
}

// tour is one run of the tour, and what it made that is not deleted yet
// (0 for none).
type tour struct {
	client     *vpsorg.Client
	out        io.Writer
	cfg        config
	backupID   int64
	snapshotID int64
}

// list shows the servers, and the backups and snapshots of the tour's one.
func (t *tour) list(ctx context.Context) error {
	id := t.cfg.ServerID
	fmt.Fprintln(t.out, "\n== Servers")
	for s, err := range t.client.Servers.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("list servers: %w", err)
		}
		fmt.Fprintf(t.out, "%d %s: %s, %s, %s\n", s.ID, s.Name, s.Status, s.Location, s.IPAddress)
	}

	fmt.Fprintf(t.out, "\n== Backups of server %d\n", id)
	for b, err := range t.client.Backups.All(ctx, &vpsorg.BackupListOptions{ServerID: id}) {
		if err != nil {
			return fmt.Errorf("list backups: %w", err)
		}
		fmt.Fprintf(t.out, "%d %s, %s, %s, created %s\n", b.ID, b.Type, b.Status, size(b.SizeMB), b.CreatedAt.Format(timeLayout))
	}

	fmt.Fprintf(t.out, "\n== Snapshots of server %d\n", id)
	for s, err := range t.client.Snapshots.All(ctx, &vpsorg.SnapshotListOptions{ServerID: id}) {
		if err != nil {
			return fmt.Errorf("list snapshots: %w", err)
		}
		fmt.Fprintf(t.out, "%d %s, %s, %s, created %s\n", s.ID, s.Name, s.Status, size(s.SizeMB), s.CreatedAt.Format(timeLayout))
	}
	return nil
}

// backUp makes a backup and waits for it.
func (t *tour) backUp(ctx context.Context) error {
	fmt.Fprintf(t.out, "\n== Backup\n")
	b, _, err := t.client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: t.cfg.ServerID, Description: "vpsorg-go quickstart"})
	if err != nil {
		return fmt.Errorf("create backup: %w", err)
	}
	t.backupID = b.ID
	fmt.Fprintf(t.out, "backup %d: %s\n", b.ID, b.Message)
	b, err = t.client.Backups.Wait(ctx, b, withProgress(t.cfg.Wait, t.out, fmt.Sprintf("backup %d", t.backupID)))
	if err != nil {
		return fmt.Errorf("wait for backup %d: %w", t.backupID, err)
	}
	fmt.Fprintf(t.out, "backup %d is %s: %s\n", b.ID, b.Status, size(b.SizeMB))
	return nil
}

// snapshot makes a snapshot, waits for it and returns it.
func (t *tour) snapshot(ctx context.Context) (*vpsorg.Snapshot, error) {
	fmt.Fprintf(t.out, "\n== Snapshot\n")
	name := "quickstart-" + time.Now().UTC().Format("20060102-150405")
	snap, _, err := t.client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: t.cfg.ServerID, Name: name, Description: "vpsorg-go quickstart"})
	if err != nil {
		return nil, fmt.Errorf("create snapshot: %w", err)
	}
	t.snapshotID = snap.ID
	fmt.Fprintf(t.out, "snapshot %d %s: %s\n", snap.ID, snap.Name, snap.Message)
	snap, err = t.client.Snapshots.Wait(ctx, snap, withProgress(t.cfg.Wait, t.out, fmt.Sprintf("snapshot %d", t.snapshotID)))
	if err != nil {
		return nil, fmt.Errorf("wait for snapshot %d: %w", t.snapshotID, err)
	}
	fmt.Fprintf(t.out, "snapshot %d is %s: %s\n", snap.ID, snap.Status, size(snap.SizeMB))
	return snap, nil
}

// restore restores the server from snap and waits for it, with -restore.
func (t *tour) restore(ctx context.Context, snap *vpsorg.Snapshot) error {
	id := t.cfg.ServerID
	fmt.Fprintf(t.out, "\n== Restore\n")
	if !t.cfg.Restore {
		fmt.Fprintln(t.out, "skipped: run with -restore to restore the server from the snapshot")
		return nil
	}
	r, _, err := t.client.Snapshots.Restore(ctx, snap.ID)
	if err != nil {
		return fmt.Errorf("restore server %d from snapshot %d: %w", id, snap.ID, err)
	}
	fmt.Fprintf(t.out, "server %d is %s: %s\n", r.Server.ID, r.Server.Status, r.Message)
	server, err := t.client.Servers.Wait(ctx, id, withProgress(t.cfg.Wait, t.out, fmt.Sprintf("server %d", id)))
	if err != nil {
		return fmt.Errorf("wait for the restore of server %d: %w", id, err)
	}
	fmt.Fprintf(t.out, "server %d is %s again\n", server.ID, server.Status)
	return nil
}

// showErrors shows an input refused before anything is sent, and an
// answer that matches a sentinel: deleting the tour's backup twice.
func (t *tour) showErrors(ctx context.Context) error {
	fmt.Fprintf(t.out, "\n== Errors\n")
	_, _, err := t.client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: t.cfg.ServerID, Name: "not a valid name!"})
	var invalid *vpsorg.ValidationError
	if !errors.As(err, &invalid) {
		return fmt.Errorf("create snapshot with a bad name: want a *vpsorg.ValidationError, got %w", err)
	}
	fmt.Fprintf(t.out, "bad snapshot name, nothing sent: %v\n", invalid)
	deleted := t.backupID
	if _, err := t.client.Backups.Delete(ctx, deleted); err != nil {
		return fmt.Errorf("delete backup %d: %w", deleted, err)
	}
	t.backupID = 0 // nothing left to clean up
	fmt.Fprintf(t.out, "backup %d deleted\n", deleted)
	_, err = t.client.Backups.Delete(ctx, deleted)
	var apiErr *vpsorg.APIError
	switch {
	case errors.Is(err, vpsorg.ErrNotFound) && errors.As(err, &apiErr):
		fmt.Fprintf(t.out, "deleting backup %d again: not found, already gone (%d %q, request %s)\n",
			deleted, apiErr.StatusCode, apiErr.Message, apiErr.RequestID)
	case err != nil:
		return fmt.Errorf("delete backup %d again: %w", deleted, err)
	default:
		return fmt.Errorf("delete backup %d again: succeeded, want not found", deleted)
	}
	return nil
}

// cleanUp deletes the tour's backup and snapshot (0 for none). Not found is
// fine: gone is what was asked.
func cleanUp(ctx context.Context, client *vpsorg.Client, out io.Writer, backupID, snapshotID int64) error {
	if backupID == 0 && snapshotID == 0 {
		return nil
	}
	fmt.Fprintf(out, "\n== Clean up\n")
	var errs []error
	if snapshotID != 0 {
		_, err := client.Snapshots.Delete(ctx, snapshotID)
		switch {
		case err == nil:
			fmt.Fprintf(out, "snapshot %d deleted\n", snapshotID)
		case !errors.Is(err, vpsorg.ErrNotFound):
			errs = append(errs, fmt.Errorf("delete snapshot %d: %w", snapshotID, err))
		}
	}
	if backupID != 0 {
		_, err := client.Backups.Delete(ctx, backupID)
		switch {
		case err == nil:
			fmt.Fprintf(out, "backup %d deleted\n", backupID)
		case !errors.Is(err, vpsorg.ErrNotFound):
			errs = append(errs, fmt.Errorf("delete backup %d: %w", backupID, err))
		}
	}
	return errors.Join(errs...)
}

// withProgress returns the wait options with a progress line per poll.
func withProgress(opts vpsorg.WaitOptions, out io.Writer, what string) *vpsorg.WaitOptions {
	opts.OnProgress = func(status vpsorg.Status, elapsed time.Duration) {
		fmt.Fprintf(out, "  %s: %s after %s\n", what, status, elapsed.Round(10*time.Millisecond))
	}
	return &opts
}

// size prints a size the API may not know yet.
func size(mb *int64) string {
	if mb == nil {
		return "size not known yet"
	}
	return fmt.Sprintf("%d MB", *mb)
}
