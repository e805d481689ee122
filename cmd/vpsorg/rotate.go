package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// rotateInput is "backups rotate"'s flags.
type rotateInput struct {
	out         outputFlags
	keep        keepFlags
	servers     []int64 // --server, repeated or a comma list
	all         bool
	description string
	timeout     time.Duration
	metricsFile string
	yes         bool
}

func newBackupsRotateCmd(a *app) *cobra.Command {
	var in rotateInput
	cmd := &cobra.Command{
		Use:   "rotate (--server ID ... | --all) " + keepUsage + " [--description TEXT] [--timeout D] [--metrics-file PATH] [--yes]",
		Short: "Back up servers, wait, then prune each one whose backup completed",
		Long:  rotateLong,
		Example: `  vpsorg backups rotate --server 12345,12346 --keep-daily 7 --keep-weekly 3 --yes
  # nightly, for every server, with metrics for node_exporter:
  vpsorg backups rotate --all --keep-last 2 --keep-daily 7 --yes \
    --metrics-file /var/lib/node_exporter/textfile/vpsorg.prom`,
		Args: cobra.NoArgs,
		RunE: asFailureRunE(func(cmd *cobra.Command, _ []string) error {
			return runBackupsRotate(cmd.Context(), a, in)
		}),
	}
	addOutputFlags(cmd, &in.out)
	addKeepFlags(cmd, &in.keep, "backup")
	f := cmd.Flags()
	f.Int64SliceVar(&in.servers, "server", nil, "server to back up; repeat it or give a comma list")
	f.BoolVar(&in.all, "all", false, "back up every server of the account")
	f.StringVar(&in.description, "description", "", "free text for the new backups")
	f.DurationVar(&in.timeout, "timeout", 2*time.Hour, "give up waiting for the backups after this long (exit 6, nothing pruned)")
	f.StringVar(&in.metricsFile, "metrics-file", "", "write Prometheus metrics here, atomically, for node_exporter's textfile collector")
	f.BoolVarP(&in.yes, "yes", "y", false, "back up and delete without asking")
	return cmd
}

const rotateLong = `Back up every server named (or every server with --all), wait for all the
backups, then prune each server whose new backup completed with the --keep
rules (see 'vpsorg backups prune --help'). A backup that fails or is still
running at --timeout never costs an old one: that server is not pruned.

A server already at the API's limit of 10 manual backups (counting those
in progress and failed) is pruned first as if the new backup existed, so
that it fits; when the rules keep all 10, the server is reported failed and
left untouched, and no backup is made.

It prints a row per server: the new backup, the server's status (ok,
failed or timed_out), the ids deleted and the error; -o json an object per
server with "server_id", "backup_id" (0 when none was made), "status",
"backup_status", "deleted", "kept" and "error"; -q the ids of the new
backups. Exit 5 when any server failed, 6 on --timeout.

--metrics-file writes, atomically (a temporary file, synced, renamed),
vpsorg_backup_last_success_timestamp_seconds{server_id} (the newest
completed backup the API shows, of either type, so a failed night keeps the
last good one; 0 when there is none) and vpsorg_backup_rotate_success
{server_id} (1 or 0), for node_exporter's textfile collector.

On a terminal it asks first; anywhere else it needs --yes, and without it
exits 2 having sent nothing.`

// check refuses flags that cannot say what to rotate, before anything is
// sent, and returns the policy.
func (in rotateInput) check() (vpsorg.RetentionPolicy, error) {
	if err := in.out.check(); err != nil {
		return vpsorg.RetentionPolicy{}, err
	}
	switch {
	case len(in.servers) > 0 && in.all:
		return vpsorg.RetentionPolicy{}, usageErrorf("give either --server or --all", "--server and --all both given")
	case len(in.servers) == 0 && !in.all:
		return vpsorg.RetentionPolicy{}, usageErrorf("give --server ID (repeatable, or a comma list) or --all", "no server to rotate")
	case in.timeout <= 0:
		return vpsorg.RetentionPolicy{}, usageErrorf("give a positive --timeout such as 2h", "--timeout %s is not positive", in.timeout)
	}
	for _, id := range in.servers {
		if id <= 0 {
			return vpsorg.RetentionPolicy{}, usageErrorf("give the servers' ids: vpsorg servers list", "--server %d is not a server id", id)
		}
	}
	return in.keep.policy()
}

func runBackupsRotate(ctx context.Context, a *app, in rotateInput) error {
	policy, err := in.check()
	if err != nil {
		return err
	}
	if err := a.mayAsk(in.yes, "rotate backups"); err != nil {
		return err
	}
	in.keep.warnLimit(a.stderr, policy, "manual backups", vpsorg.MaxManualBackupsPerServer)
	c, err := a.newClient()
	if err != nil {
		return err
	}
	servers, err := rotationServers(ctx, c, in)
	if err != nil {
		return err
	}
	if !in.yes {
		question := fmt.Sprintf("Back up %s, then delete the manual backups not kept (keeping %s)?",
			idList("server", servers), in.keep.describe(policy))
		if err := a.confirm(ctx, question); err != nil {
			return err
		}
	}
	r := &rotation{a: a, c: c, policy: policy, in: in}
	rows, timedOut := r.run(ctx, servers)
	metricsErr := r.writeMetrics(ctx, rows)
	if err := writeRotated(a, in.out, rows); err != nil {
		return err
	}
	outcome := r.outcome(rows, timedOut)
	if metricsErr == nil {
		return outcome
	}
	if outcome == nil {
		return metricsErr
	}
	report(a.stderr, metricsErr) // said here, as the exit code is the rotation's
	return outcome
}

// rotationServers is the servers to back up: those named, once each, in
// the order given, or every server of the account.
func rotationServers(ctx context.Context, c *vpsorg.Client, in rotateInput) ([]int64, error) {
	if !in.all {
		var ids []int64
		for _, id := range in.servers {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		return ids, nil
	}
	servers, err := collect(c.Servers.All(ctx, nil))
	if err != nil {
		return nil, apiFailure("list the servers", err, "")
	}
	ids := make([]int64, len(servers))
	for i, s := range servers {
		ids[i] = s.ID
	}
	slices.Sort(ids)
	return ids, nil
}

// Statuses of a server in rotate's output.
const (
	rotateOK       = "ok"
	rotateFailed   = "failed"
	rotateTimedOut = "timed_out"
)

// rotated is one server's row of rotate's output.
type rotated struct {
	ServerID     int64   `json:"server_id"`
	BackupID     int64   `json:"backup_id"`     // 0: none was made
	Status       string  `json:"status"`        // ok, failed or timed_out
	BackupStatus string  `json:"backup_status"` // the new backup's, as last seen; "" without one
	Deleted      []int64 `json:"deleted"`       // by this run, before the create and after it
	Kept         []int64 `json:"kept"`          // the completed manual backups the last prune kept
	Error        string  `json:"error,omitempty"`

	backup   *vpsorg.Backup // the new one, as last seen
	lastGood *time.Time     // the newest completed backup's time, for the metrics; nil when unknown
}

// fail marks the row failed with err, the first error only: what followed
// it did not run.
func (r *rotated) fail(err error) {
	if r.Status == rotateFailed {
		return
	}
	r.Status = rotateFailed
	var b strings.Builder
	report(&b, err)
	r.Error = strings.TrimSuffix(strings.TrimPrefix(b.String(), "vpsorg: "), "\n")
}

// live reports whether the row is still going: nothing has failed it.
func (r *rotated) live() bool { return r.Status == "" }

// rotation is one run of rotate.
type rotation struct {
	a      *app
	c      *vpsorg.Client
	policy vpsorg.RetentionPolicy
	in     rotateInput
}

// run rotates every server and returns their rows, in the order given,
// and whether the wait timed out.
func (r *rotation) run(ctx context.Context, servers []int64) ([]*rotated, bool) {
	rows := make([]*rotated, len(servers))
	for i, id := range servers {
		rows[i] = &rotated{ServerID: id, Deleted: []int64{}, Kept: []int64{}}
	}
	each(rows, func(row *rotated) {
		if r.makeRoom(ctx, row) {
			r.create(ctx, row)
		}
	})
	if r.wait(ctx, rows) {
		return rows, true
	}
	each(rows, func(row *rotated) { r.prune(ctx, row) })
	return rows, false
}

// each runs fn on every row, a few at a time (inParallel).
func each(rows []*rotated, fn func(*rotated)) {
	inParallel(rows, func(_ int, row *rotated) { fn(row) })
}

// makeRoom reports whether the server can take a new manual backup. At the
// API's limit it prunes first, as if the new backup existed; when the
// policy keeps them all, or failed ones fill the room, it fails the row and
// deletes nothing.
func (r *rotation) makeRoom(ctx context.Context, row *rotated) bool {
	manual, err := collect(r.c.Backups.All(ctx, &vpsorg.BackupListOptions{ServerID: row.ServerID, Type: vpsorg.BackupTypeManual}))
	if err != nil {
		row.fail(apiFailure(fmt.Sprintf("list the backups of server %d", row.ServerID), err, "check --server: vpsorg servers list"))
		return false
	}
	limit := vpsorg.MaxManualBackupsPerServer
	if len(manual) < limit {
		return true
	}
	opts := &vpsorg.PruneOptions{DryRun: true, Upcoming: upcoming(manual)}
	plan, err := r.c.Backups.Prune(ctx, row.ServerID, r.policy, opts)
	if err != nil {
		row.fail(apiFailure(fmt.Sprintf("prune server %d before its backup", row.ServerID), err, ""))
		return false
	}
	if len(manual)-len(plan.Dropped()) >= limit {
		row.fail(&failure{
			err:  fmt.Errorf("server %d has %d manual backups, the API's limit, and the policy keeps them all: nothing was done", row.ServerID, len(manual)),
			hint: "lower the --keep flags, or delete one: vpsorg backups list --server " + formatID(row.ServerID),
		})
		return false
	}
	opts.DryRun = false
	res, err := r.c.Backups.Prune(ctx, row.ServerID, r.policy, opts)
	row.noteDeleted(res)
	if err != nil {
		row.fail(apiFailure(fmt.Sprintf("prune server %d before its backup", row.ServerID), err, ""))
		return false
	}
	return true
}

// upcoming is when the new backup will be made, for the decision made
// before it exists: now, unless the API's clock is ahead of ours, when it
// must still come out as the newest.
func upcoming(manual []*vpsorg.Backup) time.Time {
	at := time.Now()
	for _, b := range manual {
		if !b.CreatedAt.Before(at) {
			at = b.CreatedAt.Add(time.Second)
		}
	}
	return at
}

// noteDeleted adds what a prune deleted to the row, and what it kept.
func (r *rotated) noteDeleted(res *vpsorg.PruneResult[vpsorg.Backup]) {
	if res == nil {
		return
	}
	r.Kept = r.Kept[:0]
	for _, c := range res.Candidates {
		switch {
		case c.Deleted:
			r.Deleted = append(r.Deleted, c.Object.ID)
		case c.Keep:
			r.Kept = append(r.Kept, c.Object.ID)
		}
	}
}

func (r *rotation) create(ctx context.Context, row *rotated) {
	b, _, err := r.c.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: row.ServerID, Description: r.in.description})
	if err != nil {
		row.fail(apiFailure(fmt.Sprintf("create a backup of server %d", row.ServerID), err, "check --server: vpsorg servers list"))
		return
	}
	row.backup, row.BackupID, row.BackupStatus = b, b.ID, string(b.Status)
}

// prune applies the policy to a server whose new backup completed.
func (r *rotation) prune(ctx context.Context, row *rotated) {
	if !row.live() || row.BackupStatus != string(vpsorg.StatusCompleted) {
		return
	}
	res, err := r.c.Backups.Prune(ctx, row.ServerID, r.policy, nil)
	row.noteDeleted(res)
	if err != nil {
		row.fail(apiFailure(fmt.Sprintf("prune server %d", row.ServerID), err, ""))
		return
	}
	row.Status = rotateOK
}

// wait waits for every new backup with one WaitAll, with progress on
// stderr, and notes how each ended. It reports whether --timeout ended the
// wait; then no server is pruned, not even those whose backup completed:
// the run is cut short, and the next one prunes them.
func (r *rotation) wait(ctx context.Context, rows []*rotated) bool {
	var waiting []*rotated
	var backups []*vpsorg.Backup
	for _, row := range rows {
		if row.backup != nil {
			waiting, backups = append(waiting, row), append(backups, row.backup)
		}
	}
	if len(backups) == 0 {
		return false
	}
	prog := r.a.newProgress()
	trackers := make(map[int64]tracker, len(backups))
	for _, b := range backups {
		trackers[b.ID] = prog.track(fmt.Sprintf("backup %d of server %d", b.ID, b.Server.ID), string(b.Status))
	}
	wctx, cancel := context.WithTimeout(ctx, r.in.timeout)
	defer cancel()
	got, err := r.c.Backups.WaitAll(wctx, backups, &vpsorg.WaitOptions{
		Interval:    r.a.pollInterval,
		MaxInterval: 12 * r.a.pollInterval, // 5s grows to the SDK's 60s
		OnUpdate: func(id int64, s vpsorg.Status, elapsed time.Duration) {
			trackers[id].update(string(s), elapsed)
		},
	})
	timedOut := errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil
	for i, row := range waiting {
		if i < len(got) && got[i] != nil {
			row.backup, row.BackupStatus = got[i], string(got[i].Status)
		}
		trackers[row.BackupID].finish(row.BackupStatus == string(vpsorg.StatusCompleted))
		r.waited(row, err, timedOut)
	}
	prog.stop()
	return timedOut
}

// waited notes on the row how the wait for its backup ended.
func (r *rotation) waited(row *rotated, err error, timedOut bool) {
	switch {
	case timedOut:
		row.Status, row.Error = rotateTimedOut, fmt.Sprintf("timed out after %s with backup %d %s; nothing was pruned", r.in.timeout, row.BackupID, row.BackupStatus)
	case row.BackupStatus == string(vpsorg.StatusCompleted):
	case row.BackupStatus == string(vpsorg.StatusFailed):
		row.fail(&failure{err: fmt.Errorf("backup %d of server %d failed; no old backup was deleted", row.BackupID, row.ServerID)})
	default:
		row.fail(apiFailure(fmt.Sprintf("wait for backup %d of server %d (last seen %s)", row.BackupID, row.ServerID, row.BackupStatus), err, ""))
	}
}

// outcome is the command's error: exit 6 when the wait timed out, 5 when
// any server failed, after a line on stderr for each failure.
func (r *rotation) outcome(rows []*rotated, timedOut bool) error {
	var failed []int64
	made, deleted := 0, 0
	for _, row := range rows {
		if row.Status == rotateFailed {
			fmt.Fprintf(r.a.stderr, "vpsorg: %s\n", row.Error)
			failed = append(failed, row.ServerID)
		}
		if row.BackupStatus == string(vpsorg.StatusCompleted) {
			made++
		}
		deleted += len(row.Deleted)
	}
	fmt.Fprintf(r.a.stderr, "rotated %d servers: %d new backups completed, %d old ones deleted, %d servers failed\n",
		len(rows), made, deleted, len(failed))
	switch {
	case timedOut:
		return &failure{
			err:  fmt.Errorf("timed out after %s waiting for the backups; nothing was pruned", r.in.timeout),
			hint: "they go on on the server; see vpsorg backups list", code: exitTimeout,
		}
	case len(failed) > 0:
		return &failure{err: fmt.Errorf("%s failed", idList("server", failed)), hint: "see the lines above", code: exitFailed}
	}
	return nil
}

// rotateView is rotate's table: a row per server. -q prints the ids of the
// new backups.
var rotateView = view[*rotated]{
	columns: []string{"SERVER", "BACKUP", "STATUS", "DELETED", "KEPT", "ERROR"},
	row: func(r *rotated) []string {
		backup := ""
		if r.BackupID != 0 {
			backup = formatID(r.BackupID) + " (" + r.BackupStatus + ")"
		}
		deleted := make([]string, len(r.Deleted))
		for i, id := range r.Deleted {
			deleted[i] = formatID(id)
		}
		return []string{formatID(r.ServerID), backup, r.Status, strings.Join(deleted, ","), formatID(int64(len(r.Kept))), r.Error}
	},
	id: func(r *rotated) int64 { return r.BackupID },
}

func writeRotated(a *app, out outputFlags, rows []*rotated) error {
	if !out.quiet {
		return writeList(a.stdout, out, rotateView, rows)
	}
	var made []*rotated
	for _, row := range rows {
		if row.BackupID != 0 {
			made = append(made, row)
		}
	}
	return writeIDs(a.stdout, rotateView, made)
}
