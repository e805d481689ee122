package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// waiting is what "wait" needs beyond kind: how to wait for several
// objects at once, and which status is a good end.
type waiting[T any] struct {
	kind[T]
	all  func(context.Context, *vpsorg.Client, []T, *vpsorg.WaitOptions) ([]T, error)
	good func(vpsorg.Status) bool
}

var (
	backupWaiting = waiting[*vpsorg.Backup]{
		kind: backupKind,
		all: func(ctx context.Context, c *vpsorg.Client, bs []*vpsorg.Backup, o *vpsorg.WaitOptions) ([]*vpsorg.Backup, error) {
			return c.Backups.WaitAll(ctx, bs, o)
		},
		good: func(s vpsorg.Status) bool { return s == vpsorg.StatusCompleted },
	}
	snapshotWaiting = waiting[*vpsorg.Snapshot]{
		kind: snapshotKind,
		all: func(ctx context.Context, c *vpsorg.Client, ss []*vpsorg.Snapshot, o *vpsorg.WaitOptions) ([]*vpsorg.Snapshot, error) {
			return c.Snapshots.WaitAll(ctx, ss, o)
		},
		good: func(s vpsorg.Status) bool { return s == vpsorg.StatusCompleted },
	}
	serverWaiting = waiting[*vpsorg.Server]{
		kind: serverKind,
		all:  waitServers,
		good: func(s vpsorg.Status) bool { return s != vpsorg.ServerStatusRestoring },
	}
)

// waitInput is a wait command's ids and flags.
type waitInput struct {
	args []string
	out  outputFlags
	wait waitFlags
}

func newWaitCmd[T any](a *app, w waiting[T], until, example string) *cobra.Command {
	in := waitInput{wait: waitFlags{wait: true}}
	cmd := &cobra.Command{
		Use:   "wait ID...",
		Short: "Wait for " + w.name + "s, as --wait does",
		Long: `Wait until each ` + w.name + ` ` + until + `, as --wait does, and print them
as last seen: one as an object, several as a list, also when the wait ends
early. It picks up what a create or restore started: after --wait ran out of
time (exit 6) or was stopped with Ctrl-C (130), or when it was not given.
Progress goes to stderr. An id that is not listed is exit 3, a failed backup
or snapshot 5, --timeout 6.`,
		Example:           example,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeIDs(a, w.kind, true),
		RunE: asFailureRunE(func(cmd *cobra.Command, args []string) error {
			in.args = args
			return runWait(cmd.Context(), a, w, in)
		}),
	}
	addOutputFlags(cmd, &in.out)
	addColumns(cmd, &in.out, w.view)
	cmd.Flags().DurationVar(&in.wait.timeout, "timeout", 30*time.Minute, "give up waiting after this long (exit 6)")
	return cmd
}

// runWait finds the objects (one walk of the list), waits for them with
// progress, and prints them as last seen.
func runWait[T any](ctx context.Context, a *app, w waiting[T], in waitInput) error {
	ids, err := parseIDs(w.name, in.args)
	if err != nil {
		return err
	}
	if err := errors.Join(in.out.check(), in.wait.check()); err != nil {
		return err
	}
	c, err := a.newClient()
	if err != nil {
		return err
	}
	items, err := lookUp(ctx, c, w.kind, ids)
	if err != nil {
		return err
	}
	got, waitErr := waitWithProgress(ctx, a, c, w, in.wait, items)
	var printErr error
	if len(got) == 1 {
		printErr = writeOne(a.stdout, in.out, w.view, got[0])
	} else {
		printErr = writeList(a.stdout, in.out, w.view, got)
	}
	if waitErr != nil {
		return waitErr
	}
	return printErr
}

// waitWithProgress waits for items with a line of progress each, under
// --timeout, and returns them as last seen with the CLI's error for how
// the wait ended.
func waitWithProgress[T any](ctx context.Context, a *app, c *vpsorg.Client, w waiting[T], wf waitFlags, items []T) ([]T, error) {
	prog := a.newProgress()
	trackers := make(map[int64]tracker, len(items))
	for _, it := range items {
		trackers[w.view.id(it)] = prog.track(w.name+" "+formatID(w.view.id(it)), string(w.status(it)))
	}
	wctx, cancel := context.WithTimeout(ctx, wf.timeout)
	defer cancel()
	got, err := w.all(wctx, c, items, &vpsorg.WaitOptions{
		Interval:    a.pollInterval,
		MaxInterval: 12 * a.pollInterval, // as --wait: 5s grows to the SDK's 60s
		OnUpdate: func(id int64, s vpsorg.Status, elapsed time.Duration) {
			if t, ok := trackers[id]; ok {
				t.update(string(s), elapsed)
			}
		},
	})
	for _, it := range got {
		trackers[w.view.id(it)].finish(w.good(w.status(it)))
	}
	prog.stop()
	obj, last := w.ended(ctx, got, err)
	return got, waitEnded(ctx, wf, obj, last, err)
}

// ended names what the wait was for and what was last seen of it, for
// waitEnded's messages: "backup 502" and "in_progress", or "backups 502,
// 503" and "502 completed, 503 in_progress"; when the wait ended because
// some failed, only those.
func (w waiting[T]) ended(ctx context.Context, got []T, err error) (awaited, string) {
	var ids, failed []int64
	var seen []string
	for _, it := range got {
		id, status := w.view.id(it), w.status(it)
		ids = append(ids, id)
		seen = append(seen, formatID(id)+" "+string(status))
		if status == vpsorg.StatusFailed {
			failed = append(failed, id)
		}
	}
	obj := awaited{what: idList(w.name, ids), later: "vpsorg " + w.name + "s list", resume: "vpsorg " + w.name + "s wait " + joinIDs(ids)}
	last := strings.Join(seen, ", ")
	if len(got) == 1 {
		obj.later = "vpsorg " + w.name + "s get " + formatID(ids[0])
		last = string(w.status(got[0]))
	}
	if len(failed) > 0 && errors.Is(err, vpsorg.ErrOperationFailed) && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		obj.what, last = idList(w.name, failed), string(vpsorg.StatusFailed)
	}
	return obj, last
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, n := range ids {
		parts[i] = formatID(n)
	}
	return strings.Join(parts, " ")
}

// waitServers waits for each restoring server with Servers.Wait, all at
// once; a server that is not restoring has nothing to wait for. It calls
// o.OnUpdate when a server's status changes, as WaitAll does.
func waitServers(ctx context.Context, c *vpsorg.Client, servers []*vpsorg.Server, o *vpsorg.WaitOptions) ([]*vpsorg.Server, error) {
	out := slices.Clone(servers)
	errs := make([]error, len(servers))
	var wg sync.WaitGroup
	for i, s := range servers {
		if s.Status != vpsorg.ServerStatusRestoring {
			continue
		}
		opts := *o
		last := s.Status
		opts.OnProgress = func(status vpsorg.Status, elapsed time.Duration) {
			if status != last && o.OnUpdate != nil {
				o.OnUpdate(s.ID, status, elapsed)
			}
			last = status
		}
		wg.Go(func() {
			got, err := c.Servers.Wait(ctx, s.ID, &opts)
			if got != nil {
				out[i] = got
			}
			errs[i] = err
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
