// Command backup-rotation keeps the newest manual backups of a server: it
// makes today's backup, waits for it, and then deletes the oldest manual
// backups beyond -keep. Automatic backups are never touched; the plan's
// retention policy expires them.
//
// The API keeps at most 10 manual backups per server. When a server already
// has 10, the oldest is deleted before the new backup is made, since the
// API would refuse it; otherwise nothing is deleted until the new backup is
// complete, so a failed backup never costs an old one.
//
// With VPSORG_API_TOKEN set it talks to VPS.org; without it, it runs against
// vpsorgtest, an in-process fake of the API, seeded with a week and more of
// nightly manual backups:
//
//	go run ./examples/backup-rotation
//	VPSORG_API_TOKEN=... go run ./examples/backup-rotation -server 12345 -keep 7
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sync/atomic"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// maxManual is the API's limit of manual backups per server.
const maxManual = 10

// config is what a rotation needs besides a client.
type config struct {
	ServerID int64
	Keep     int                // manual backups to keep, today's included
	Wait     vpsorg.WaitOptions // polling of the wait; zero means the SDK's defaults
}

func main() {
	serverID := flag.Int64("server", 0, "id of the server to back up (required with VPSORG_API_TOKEN; the fake's 12345 otherwise)")
	keep := flag.Int("keep", 7, fmt.Sprintf("manual backups to keep, today's included (1 to %d)", maxManual))
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := start(ctx, os.Stdout, config{ServerID: *serverID, Keep: *keep})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "backup-rotation:", err)
		os.Exit(1)
	}
}

// start rotates the backups on VPS.org when VPSORG_API_TOKEN is set, and on
// an in-process fake otherwise.
func start(ctx context.Context, out io.Writer, cfg config) error {
	if os.Getenv(vpsorg.EnvToken) != "" {
		if cfg.ServerID == 0 {
			return errors.New("-server is required with " + vpsorg.EnvToken)
		}
		client, err := vpsorg.NewClientFromEnv()
		if err != nil {
			return err
		}
		return run(ctx, client, out, cfg)
	}

	fmt.Fprintln(out, vpsorg.EnvToken+" is not set: running against vpsorgtest, an in-process fake of the API")
	// The fake's clock runs behind while it is seeded, so that the seeded
	// backups look like the nightly ones of the past days.
	var behind atomic.Int64
	srv := vpsorgtest.NewServer(
		vpsorgtest.WithClock(func() time.Time { return time.Now().Add(-time.Duration(behind.Load())) }),
		vpsorgtest.WithCompletionDelay(300*time.Millisecond),
	)
	defer srv.Close()
	if cfg.ServerID == 0 {
		cfg.ServerID = 12345 // the documented server the fake starts with
	}
	client := srv.Client()
	// The fake starts with one manual backup; nine more make ten, the limit.
	for day := 9; day >= 1; day-- {
		behind.Store(int64(time.Duration(day) * 24 * time.Hour))
		if _, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: cfg.ServerID, Description: "nightly"}); err != nil {
			return fmt.Errorf("seed the fake: %w", err)
		}
	}
	behind.Store(0)
	cfg.Wait = vpsorg.WaitOptions{Interval: 100 * time.Millisecond, MaxInterval: 200 * time.Millisecond}
	return run(ctx, client, out, cfg)
}

// run makes today's backup and keeps the newest cfg.Keep manual backups.
func run(ctx context.Context, client *vpsorg.Client, out io.Writer, cfg config) error {
	if cfg.Keep < 1 || cfg.Keep > maxManual {
		return fmt.Errorf("-keep %d: must be 1 to %d, the API's limit of manual backups", cfg.Keep, maxManual)
	}
	backups, err := manualBackups(ctx, client, cfg.ServerID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "server %d has %d manual backups (limit %d):\n", cfg.ServerID, len(backups), maxManual)
	for _, b := range backups {
		printBackup(out, b)
	}

	// At the limit the API refuses a new backup: make room, oldest first.
	if extra := len(backups) - (maxManual - 1); extra > 0 {
		fmt.Fprintf(out, "at the limit: deleting the oldest %d to make room\n", extra)
		if err := deleteBackups(ctx, client, out, backups[:extra]); err != nil {
			return err
		}
	}

	b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{
		ServerID:    cfg.ServerID,
		Description: "rotation " + time.Now().UTC().Format(time.DateOnly),
	})
	if err != nil {
		return fmt.Errorf("create backup of server %d: %w", cfg.ServerID, err)
	}
	id := b.ID
	fmt.Fprintf(out, "backup %d started\n", id)
	wait := cfg.Wait
	wait.OnProgress = func(s vpsorg.Status, elapsed time.Duration) {
		fmt.Fprintf(out, "  backup %d: %s after %s\n", id, s, elapsed.Round(10*time.Millisecond))
	}
	// A failed backup ends the rotation here, before anything old is deleted.
	if b, err = client.Backups.Wait(ctx, b, &wait); err != nil {
		return fmt.Errorf("wait for backup %d: %w", id, err)
	}
	fmt.Fprintf(out, "backup %d completed\n", b.ID)

	// List again rather than trust what was seen before: the API is the
	// truth, and someone may have made or deleted a backup meanwhile.
	if backups, err = manualBackups(ctx, client, cfg.ServerID); err != nil {
		return err
	}
	if extra := len(backups) - cfg.Keep; extra > 0 {
		fmt.Fprintf(out, "keeping the newest %d: deleting %d\n", cfg.Keep, extra)
		if err := deleteBackups(ctx, client, out, backups[:extra]); err != nil {
			return err
		}
		backups = backups[extra:]
	}
	fmt.Fprintf(out, "server %d keeps %d manual backups:\n", cfg.ServerID, len(backups))
	for _, b := range backups {
		printBackup(out, b)
	}
	return nil
}

// manualBackups returns a server's manual backups, oldest first. The API
// promises no order, so they are sorted here.
func manualBackups(ctx context.Context, client *vpsorg.Client, serverID int64) ([]*vpsorg.Backup, error) {
	var backups []*vpsorg.Backup
	for b, err := range client.Backups.All(ctx, &vpsorg.BackupListOptions{ServerID: serverID, Type: vpsorg.BackupTypeManual}) {
		if err != nil {
			return nil, fmt.Errorf("list backups of server %d: %w", serverID, err)
		}
		// The filter is the API's; checking again costs nothing and
		// guarantees an automatic backup is never deleted here.
		if b.Type == vpsorg.BackupTypeManual {
			backups = append(backups, b)
		}
	}
	slices.SortFunc(backups, func(a, b *vpsorg.Backup) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return backups, nil
}

// deleteBackups deletes backups; one already gone counts as deleted.
func deleteBackups(ctx context.Context, client *vpsorg.Client, out io.Writer, backups []*vpsorg.Backup) error {
	for _, b := range backups {
		if _, err := client.Backups.Delete(ctx, b.ID); err != nil && !errors.Is(err, vpsorg.ErrNotFound) {
			return fmt.Errorf("delete backup %d: %w", b.ID, err)
		}
		fmt.Fprintf(out, "  deleted backup %d of %s\n", b.ID, b.CreatedAt.Format(time.DateOnly))
	}
	return nil
}

func printBackup(out io.Writer, b *vpsorg.Backup) {
	fmt.Fprintf(out, "  %d  %s  %s  %s\n", b.ID, b.CreatedAt.Format("2006-01-02 15:04 MST"), b.Status, b.Description)
}
