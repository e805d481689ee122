// Command safe-upgrade runs a risky change under the protection of a
// snapshot, as the API's documentation recommends: it snapshots the server
// and waits for the snapshot, runs the command given after the flags, and
// restores the server from the snapshot if the command fails. After a
// success it deletes the old snapshots beyond -keep, since snapshots are for
// short-term rollback.
//
// The command runs on this machine; reach the server with ssh, say:
//
//	VPSORG_API_TOKEN=... go run ./examples/safe-upgrade -server 12345 -- ssh root@web-01 'apt-get -y upgrade'
//
// The API keeps at most 5 snapshots per server: at the limit, the oldest are
// deleted first to make room. The documentation also suggests stopping the
// server before a snapshot, so its file system is consistent.
//
// Without VPSORG_API_TOKEN it runs against vpsorgtest, an in-process fake of
// the API, and without a command it runs a built-in demo step that fails, to
// show the rollback.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// maxSnapshots is the API's limit of snapshots per server.
const maxSnapshots = 5

// errRolledBack says the change failed and the server was restored from the
// snapshot taken before it.
var errRolledBack = errors.New("rolled back")

// config is what an upgrade needs besides a client.
type config struct {
	ServerID int64
	Keep     int                             // snapshots to keep after a success, the new one included
	Name     string                          // the change, for the output
	Change   func(ctx context.Context) error // the risky change itself
	Wait     vpsorg.WaitOptions              // polling of the waits; zero means the SDK's defaults
}

func main() {
	serverID := flag.Int64("server", 0, "id of the server to upgrade (required with VPSORG_API_TOKEN; the fake's 12345 otherwise)")
	keep := flag.Int("keep", 2, fmt.Sprintf("snapshots to keep after a success, the new one included (1 to %d)", maxSnapshots))
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: safe-upgrade [-server ID] [-keep N] -- command [args...]")
		flag.PrintDefaults()
	}
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := start(ctx, os.Stdout, config{ServerID: *serverID, Keep: *keep}, flag.Args())
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "safe-upgrade:", err)
		os.Exit(1)
	}
}

// start upgrades a server on VPS.org when VPSORG_API_TOKEN is set, and on an
// in-process fake otherwise.
func start(ctx context.Context, out io.Writer, cfg config, command []string) error {
	if len(command) > 0 {
		cfg.Name = fmt.Sprintf("command %q", command)
		cfg.Change = runCommand(command, out)
	}
	if os.Getenv(vpsorg.EnvToken) != "" {
		if cfg.ServerID == 0 || cfg.Change == nil {
			return errors.New("-server and a command are required with " + vpsorg.EnvToken + "; see -help")
		}
		client, err := vpsorg.NewClientFromEnv()
		if err != nil {
			return err
		}
		return run(ctx, client, out, cfg)
	}

	fmt.Fprintln(out, vpsorg.EnvToken+" is not set: running against vpsorgtest, an in-process fake of the API")
	srv := vpsorgtest.NewServer(
		vpsorgtest.WithCompletionDelay(300*time.Millisecond),
		vpsorgtest.WithRestoreDuration(500*time.Millisecond),
	)
	defer srv.Close()
	if cfg.ServerID == 0 {
		cfg.ServerID = 12345 // the documented server the fake starts with
	}
	demo := cfg.Change == nil
	if demo {
		fmt.Fprintln(out, "no command given: running a built-in demo step that fails, to show the rollback")
		cfg.Name = "the demo upgrade"
		cfg.Change = func(context.Context) error { return errors.New("exit status 100 (the demo fails on purpose)") }
	}
	cfg.Wait = vpsorg.WaitOptions{Interval: 100 * time.Millisecond, MaxInterval: 200 * time.Millisecond}
	err := run(ctx, srv.Client(), out, cfg)
	if demo && errors.Is(err, errRolledBack) {
		fmt.Fprintln(out, "the demo step failed and the server was rolled back, as it should be")
		return nil
	}
	return err
}

// runCommand returns a change that runs command, its output going to out.
func runCommand(command []string, out io.Writer) func(context.Context) error {
	return func(ctx context.Context) error {
		cmd := exec.CommandContext(ctx, command[0], command[1:]...) //nolint:gosec // running the command the user gave is the program's purpose
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, out, os.Stderr
		return cmd.Run()
	}
}

// run snapshots the server, makes the change, and restores the snapshot if
// the change fails; it then returns an error matching errRolledBack.
func run(ctx context.Context, client *vpsorg.Client, out io.Writer, cfg config) error {
	if cfg.Keep < 1 || cfg.Keep > maxSnapshots {
		return fmt.Errorf("-keep %d: must be 1 to %d, the API's limit of snapshots", cfg.Keep, maxSnapshots)
	}
	snapshots, err := listSnapshots(ctx, client, cfg.ServerID)
	if err != nil {
		return err
	}
	// At the limit the API refuses a new snapshot: make room, oldest first.
	if extra := len(snapshots) - (maxSnapshots - 1); extra > 0 {
		fmt.Fprintf(out, "server %d has %d snapshots, the limit: deleting the oldest %d to make room\n", cfg.ServerID, len(snapshots), extra)
		if err := deleteSnapshots(ctx, client, out, snapshots[:extra]); err != nil {
			return err
		}
	}

	name := "pre-upgrade-" + time.Now().UTC().Format("20060102-150405")
	snap, _, err := client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: cfg.ServerID, Name: name, Description: "before " + cfg.Name})
	if err != nil {
		return fmt.Errorf("snapshot server %d: %w", cfg.ServerID, err)
	}
	id := snap.ID
	fmt.Fprintf(out, "snapshot %d %s started\n", id, name)
	// Nothing is changed until the snapshot is complete: a failed snapshot
	// ends here, before any risk is taken.
	if _, err := client.Snapshots.Wait(ctx, snap, progress(cfg.Wait, out, fmt.Sprintf("snapshot %d", id))); err != nil {
		return fmt.Errorf("wait for snapshot %d: %w", id, err)
	}
	fmt.Fprintf(out, "snapshot %d completed\n", id)

	fmt.Fprintf(out, "running %s\n", cfg.Name)
	if changeErr := cfg.Change(ctx); changeErr != nil {
		fmt.Fprintf(out, "%s failed: %v\nrolling back: restoring server %d from snapshot %d\n", cfg.Name, changeErr, cfg.ServerID, id)
		if _, _, err := client.Snapshots.Restore(ctx, id); err != nil {
			return fmt.Errorf("%s failed (%w), and the restore from snapshot %d did too: %w", cfg.Name, changeErr, id, err)
		}
		server, err := client.Servers.Wait(ctx, cfg.ServerID, progress(cfg.Wait, out, fmt.Sprintf("server %d", cfg.ServerID)))
		if err != nil {
			return fmt.Errorf("%s failed (%w); wait for the restore from snapshot %d: %w", cfg.Name, changeErr, id, err)
		}
		fmt.Fprintf(out, "server %d is %s again, as it was before %s\n", server.ID, server.Status, cfg.Name)
		// The snapshot stays: it is the server's last known good state.
		return fmt.Errorf("%s failed: %w; %w to snapshot %d", cfg.Name, changeErr, errRolledBack, id)
	}
	fmt.Fprintf(out, "%s succeeded\n", cfg.Name)

	// Snapshots are for short-term rollback: keep the newest few.
	if snapshots, err = listSnapshots(ctx, client, cfg.ServerID); err != nil {
		return err
	}
	if extra := len(snapshots) - cfg.Keep; extra > 0 {
		fmt.Fprintf(out, "keeping the newest %d snapshots: deleting %d\n", cfg.Keep, extra)
		if err := deleteSnapshots(ctx, client, out, snapshots[:extra]); err != nil {
			return err
		}
	}
	return nil
}

// listSnapshots returns a server's snapshots, oldest first. The API promises
// no order, so they are sorted here.
func listSnapshots(ctx context.Context, client *vpsorg.Client, serverID int64) ([]*vpsorg.Snapshot, error) {
	var snapshots []*vpsorg.Snapshot
	for s, err := range client.Snapshots.All(ctx, &vpsorg.SnapshotListOptions{ServerID: serverID}) {
		if err != nil {
			return nil, fmt.Errorf("list snapshots of server %d: %w", serverID, err)
		}
		snapshots = append(snapshots, s)
	}
	slices.SortFunc(snapshots, func(a, b *vpsorg.Snapshot) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return snapshots, nil
}

// deleteSnapshots deletes snapshots; one already gone counts as deleted.
func deleteSnapshots(ctx context.Context, client *vpsorg.Client, out io.Writer, snapshots []*vpsorg.Snapshot) error {
	for _, s := range snapshots {
		if _, err := client.Snapshots.Delete(ctx, s.ID); err != nil && !errors.Is(err, vpsorg.ErrNotFound) {
			return fmt.Errorf("delete snapshot %d: %w", s.ID, err)
		}
		fmt.Fprintf(out, "  deleted snapshot %d %s of %s\n", s.ID, s.Name, s.CreatedAt.Format("2006-01-02 15:04 MST"))
	}
	return nil
}

// progress returns the wait options with a progress line per poll.
func progress(opts vpsorg.WaitOptions, out io.Writer, what string) *vpsorg.WaitOptions {
	opts.OnProgress = func(status vpsorg.Status, elapsed time.Duration) {
		fmt.Fprintf(out, "  %s: %s after %s\n", what, status, elapsed.Round(10*time.Millisecond))
	}
	return &opts
}
