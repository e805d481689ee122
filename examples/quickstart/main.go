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

// run is the tour itself.
func run(ctx context.Context, client *vpsorg.Client, out io.Writer, cfg config) (err error) {
	id := cfg.ServerID

	fmt.Fprintln(out, "\n== Servers")
	for s, err := range client.Servers.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("list servers: %w", err)
		}
		fmt.Fprintf(out, "%d %s: %s, %s, %s\n", s.ID, s.Name, s.Status, s.Location, s.IPAddress)
	}

	fmt.Fprintf(out, "\n== Backups of server %d\n", id)
	for b, err := range client.Backups.All(ctx, &vpsorg.BackupListOptions{ServerID: id}) {
		if err != nil {
			return fmt.Errorf("list backups: %w", err)
		}
		fmt.Fprintf(out, "%d %s, %s, %s, created %s\n", b.ID, b.Type, b.Status, size(b.SizeMB), b.CreatedAt.Format(timeLayout))
	}

	fmt.Fprintf(out, "\n== Snapshots of server %d\n", id)
	for s, err := range client.Snapshots.All(ctx, &vpsorg.SnapshotListOptions{ServerID: id}) {
		if err != nil {
			return fmt.Errorf("list snapshots: %w", err)
		}
		fmt.Fprintf(out, "%d %s, %s, %s, created %s\n", s.ID, s.Name, s.Status, size(s.SizeMB), s.CreatedAt.Format(timeLayout))
	}

	// Whatever happens from here on, delete what the tour made, so that a
	// second run does not meet the limits (10 manual backups, 5 snapshots).
	var backupID, snapshotID int64
	defer func() {
		// A fresh context: an interrupted tour still cleans up.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		err = errors.Join(err, cleanUp(ctx, client, out, backupID, snapshotID))
	}()

	fmt.Fprintf(out, "\n== Backup\n")
	b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: id, Description: "vpsorg-go quickstart"})
	if err != nil {
		return fmt.Errorf("create backup: %w", err)
	}
	backupID = b.ID
	fmt.Fprintf(out, "backup %d: %s\n", b.ID, b.Message)
	b, err = client.Backups.Wait(ctx, b, withProgress(cfg.Wait, out, fmt.Sprintf("backup %d", backupID)))
	if err != nil {
		return fmt.Errorf("wait for backup %d: %w", backupID, err)
	}
	fmt.Fprintf(out, "backup %d is %s: %s\n", b.ID, b.Status, size(b.SizeMB))

	fmt.Fprintf(out, "\n== Snapshot\n")
	name := "quickstart-" + time.Now().UTC().Format("20060102-150405")
	snap, _, err := client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: id, Name: name, Description: "vpsorg-go quickstart"})
	if err != nil {
		return fmt.Errorf("create snapshot: %w", err)
	}
	snapshotID = snap.ID
	fmt.Fprintf(out, "snapshot %d %s: %s\n", snap.ID, snap.Name, snap.Message)
	snap, err = client.Snapshots.Wait(ctx, snap, withProgress(cfg.Wait, out, fmt.Sprintf("snapshot %d", snapshotID)))
	if err != nil {
		return fmt.Errorf("wait for snapshot %d: %w", snapshotID, err)
	}
	fmt.Fprintf(out, "snapshot %d is %s: %s\n", snap.ID, snap.Status, size(snap.SizeMB))

	fmt.Fprintf(out, "\n== Restore\n")
	if !cfg.Restore {
		fmt.Fprintln(out, "skipped: run with -restore to restore the server from the snapshot")
	} else {
		r, _, err := client.Snapshots.Restore(ctx, snap.ID)
		if err != nil {
			return fmt.Errorf("restore server %d from snapshot %d: %w", id, snap.ID, err)
		}
		fmt.Fprintf(out, "server %d is %s: %s\n", r.Server.ID, r.Server.Status, r.Message)
		server, err := client.Servers.Wait(ctx, id, withProgress(cfg.Wait, out, fmt.Sprintf("server %d", id)))
		if err != nil {
			return fmt.Errorf("wait for the restore of server %d: %w", id, err)
		}
		fmt.Fprintf(out, "server %d is %s again\n", server.ID, server.Status)
	}

	fmt.Fprintf(out, "\n== Errors\n")
	// Bad input is refused before anything is sent.
	_, _, err = client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: id, Name: "not a valid name!"})
	var invalid *vpsorg.ValidationError
	if !errors.As(err, &invalid) {
		return fmt.Errorf("create snapshot with a bad name: want a *vpsorg.ValidationError, got %w", err)
	}
	fmt.Fprintf(out, "bad snapshot name, nothing sent: %v\n", invalid)
	// The API's answers match sentinels: deleting the backup twice.
	deleted := backupID
	if _, err := client.Backups.Delete(ctx, deleted); err != nil {
		return fmt.Errorf("delete backup %d: %w", deleted, err)
	}
	backupID = 0 // nothing left to clean up
	fmt.Fprintf(out, "backup %d deleted\n", deleted)
	_, err = client.Backups.Delete(ctx, deleted)
	var apiErr *vpsorg.APIError
	switch {
	case errors.Is(err, vpsorg.ErrNotFound) && errors.As(err, &apiErr):
		fmt.Fprintf(out, "deleting backup %d again: not found, already gone (%d %q, request %s)\n",
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
