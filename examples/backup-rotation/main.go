// Command backup-rotation is the nightly job of a backups API: back up
// every server, wait for all the backups, then keep what a retention policy
// keeps (restic's rules: the newest, one a day, one a week...) and delete
// the other manual backups. Automatic backups are never touched; the
// plan's retention expires them.
//
// A failed backup never costs an old one: a server is pruned only after its
// new backup completed. The API keeps at most 10 manual backups a server,
// and refuses an 11th; a server at the limit is pruned first as if the new
// backup existed (PruneOptions.Upcoming), so that it fits.
//
// With VPSORG_API_TOKEN set it talks to VPS.org; without it, it runs against
// vpsorgtest, an in-process fake of the API, with two servers and ten days
// of nightly backups on one of them:
//
//	go run ./examples/backup-rotation
//	VPSORG_API_TOKEN=... go run ./examples/backup-rotation -server 12345,12346 -daily 7 -weekly 2
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// config is what a rotation needs besides a client.
type config struct {
	Servers []int64
	Policy  vpsorg.RetentionPolicy
	Wait    vpsorg.WaitOptions // polling of the wait; zero means the SDK's defaults
}

func main() {
	servers := flag.String("server", "", "ids of the servers to back up, comma separated (required with VPSORG_API_TOKEN; the fake's otherwise)")
	var p vpsorg.RetentionPolicy
	flag.IntVar(&p.Last, "last", 1, "keep the N newest backups")
	flag.IntVar(&p.Daily, "daily", 6, "keep the newest backup of each of the N last days")
	flag.IntVar(&p.Weekly, "weekly", 2, "keep the newest backup of each of the N last weeks")
	flag.Parse()

	ids, err := parseIDs(*servers)
	if err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		err = start(ctx, os.Stdout, config{Servers: ids, Policy: p})
		stop()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "backup-rotation:", err)
		os.Exit(1)
	}
}

func parseIDs(s string) ([]int64, error) {
	var ids []int64
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("-server: %q is not a server id", f)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// start rotates the backups on VPS.org when VPSORG_API_TOKEN is set, and on
// an in-process fake otherwise.
func start(ctx context.Context, out io.Writer, cfg config) error {
	if os.Getenv(vpsorg.EnvToken) != "" {
		if len(cfg.Servers) == 0 {
			return errors.New("-server is required with " + vpsorg.EnvToken)
		}
		client, err := vpsorg.NewClientFromEnv()
		if err != nil {
			return err
		}
		return run(ctx, client, out, cfg)
	}

	fmt.Fprintln(out, vpsorg.EnvToken+" is not set: running against vpsorgtest, an in-process fake of the API")
	srv := vpsorgtest.NewServer(vpsorgtest.WithCompletionDelay(300 * time.Millisecond))
	defer srv.Close()
	second := srv.AddServer("db-01")
	// The fake starts with one manual backup of 12345; nine nights more make
	// ten, the limit.
	for night := 9; night >= 1; night-- {
		made := time.Now().AddDate(0, 0, -night)
		if _, err := srv.AddBackup(vpsorg.Backup{Server: vpsorg.ServerRef{ID: 12345}, CreatedAt: made, Description: "nightly"}); err != nil {
			return fmt.Errorf("seed the fake: %w", err)
		}
	}
	if len(cfg.Servers) == 0 {
		cfg.Servers = []int64{12345, second}
	}
	return run(ctx, srv.Client(), out, cfg)
}

// run backs up cfg.Servers, waits for all of them, and prunes each server
// whose new backup completed. The error joins one error per server that
// failed; the others are rotated all the same.
func run(ctx context.Context, client *vpsorg.Client, out io.Writer, cfg config) error {
	// Refuse a bad policy before anything is sent: Decide checks it.
	if _, err := cfg.Policy.Decide(nil); err != nil {
		return fmt.Errorf("retention policy: %w", err)
	}
	var errs []error
	var started []*vpsorg.Backup
	for _, id := range cfg.Servers {
		b, err := backUp(ctx, client, out, id, cfg.Policy)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(out, "server %d: backup %d started\n", id, b.ID)
		started = append(started, b)
	}

	// One WaitAll polls the shared list for every backup at once.
	done, err := client.Backups.WaitAll(ctx, started, &cfg.Wait)
	if err != nil {
		errs = append(errs, err) // names each backup that failed
	}
	for _, b := range done {
		if b.Status != vpsorg.StatusCompleted {
			fmt.Fprintf(out, "server %d: backup %d %s: nothing deleted\n", b.Server.ID, b.ID, b.Status)
			continue
		}
		res, err := client.Backups.Prune(ctx, b.Server.ID, cfg.Policy, nil)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(out, "server %d: backup %d completed; kept %d, deleted %d\n", b.Server.ID, b.ID, len(res.Kept()), len(res.Dropped()))
		for _, c := range res.Candidates {
			fmt.Fprintf(out, "  %d  %s  %-5v %s\n", c.Object.ID, c.Object.CreatedAt.Format("2006-01-02 15:04"), c.Keep, strings.Join(c.Reasons, ","))
		}
	}
	return errors.Join(errs...)
}

// backUp starts a backup of a server. At the API's limit it first prunes
// as if the new backup existed; when the policy keeps them all, the API
// refuses the create and the server is left as it was.
func backUp(ctx context.Context, client *vpsorg.Client, out io.Writer, serverID int64, policy vpsorg.RetentionPolicy) (*vpsorg.Backup, error) {
	// One backup a page: Count is what the API counts against the limit,
	// in progress and failed ones included.
	_, resp, err := client.Backups.List(ctx, &vpsorg.BackupListOptions{
		ServerID: serverID, Type: vpsorg.BackupTypeManual, ListOptions: vpsorg.ListOptions{PageSize: 1},
	})
	if err != nil {
		return nil, fmt.Errorf("server %d: %w", serverID, err)
	}
	if resp.Count >= vpsorg.MaxManualBackupsPerServer {
		res, err := client.Backups.Prune(ctx, serverID, policy, &vpsorg.PruneOptions{Upcoming: time.Now()})
		if err != nil {
			return nil, fmt.Errorf("server %d: make room: %w", serverID, err)
		}
		fmt.Fprintf(out, "server %d: at the limit of %d: deleted %d to make room\n", serverID, vpsorg.MaxManualBackupsPerServer, len(res.Dropped()))
	}
	b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{
		ServerID:    serverID,
		Description: "rotation " + time.Now().UTC().Format(time.DateOnly),
	})
	if err != nil {
		return nil, fmt.Errorf("server %d: create backup: %w", serverID, err)
	}
	return b, nil
}
