package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// progress shows waits and deletes as they go: lines redrawn in place on
// a terminal, a plain line per change anywhere else (CI logs, pipes).
// Several trackers and counters may run at once. Progress goes to stderr.
type progress interface {
	// track follows one object that is last seen with status.
	track(what, status string) tracker
	// count follows total items of one job, such as deletes.
	count(what string, total int) counter
	// stop ends the display once every tracker and counter has finished.
	stop()
}

type tracker interface {
	update(status string, elapsed time.Duration)
	finish(ok bool)
}

type counter interface {
	done(item string, err error)
}

// newProgress draws live on a terminal, except with --debug, whose log
// lines would tear the redrawn ones.
func (a *app) newProgress() progress {
	if a.live && !a.debug {
		return newLiveProgress(a.stderr, a.width)
	}
	return &plainProgress{w: a.stderr}
}

// plainProgress prints one line per status change, for logs that keep
// every line.
type plainProgress struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *plainProgress) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format, args...)
}

func (p *plainProgress) track(what, status string) tracker {
	p.printf("%s: %s\n", what, status)
	return &plainTracker{p: p, what: what, last: status}
}

func (p *plainProgress) count(string, int) counter { return plainCounter{p} }
func (p *plainProgress) stop()                     {}

type plainTracker struct {
	p    *plainProgress
	what string
	last string
}

func (t *plainTracker) update(status string, elapsed time.Duration) {
	if status == t.last {
		return
	}
	t.last = status
	t.p.printf("%s: %s after %s\n", t.what, status, elapsed.Round(time.Second))
}

func (t *plainTracker) finish(bool) {}

type plainCounter struct{ p *plainProgress }

func (c plainCounter) done(item string, err error) {
	if err == nil {
		c.p.printf("deleted %s\n", item)
	}
}

// liveProgress draws with mpb: a spinner, the status and the time spent
// per object, and a bar per counted job.
type liveProgress struct {
	p    *mpb.Progress
	mu   sync.Mutex
	bars []*mpb.Bar
}

func newLiveProgress(w io.Writer, width int) *liveProgress {
	return &liveProgress{p: mpb.New(
		mpb.WithOutput(w),
		// The caller has checked the terminal; w may be a wrapper around it,
		// which mpb would take for a pipe and neither redraw nor refresh.
		mpb.ForceTTY(),
		mpb.WithAutoRefresh(),
		mpb.WithWidth(width),
		mpb.WithRefreshRate(150*time.Millisecond),
	)}
}

func (l *liveProgress) add(b *mpb.Bar) *mpb.Bar {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bars = append(l.bars, b)
	return b
}

func (l *liveProgress) track(what, status string) tracker {
	t := &liveTracker{}
	t.status.Store(&status)
	t.bar = l.add(l.p.New(0, mpb.NopStyle(),
		mpb.PrependDecorators(
			decor.OnAbort(decor.OnComplete(decor.Spinner(nil, decor.WC{W: 2, C: decor.DindentRight}), "✓ "), "✗ "),
			decor.Name(what, decor.WC{C: decor.DindentRight | decor.DextraSpace}),
			decor.Any(func(decor.Statistics) string { return *t.status.Load() }, decor.WC{W: 12, C: decor.DindentRight}),
		),
		mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO)),
	))
	return t
}

func (l *liveProgress) count(what string, total int) counter {
	c := &liveCounter{}
	c.bar = l.add(l.p.AddBar(int64(total),
		mpb.PrependDecorators(
			decor.Name(what, decor.WC{C: decor.DindentRight | decor.DextraSpace}),
			decor.CountersNoUnit("%d/%d", decor.WC{C: decor.DindentRight | decor.DextraSpace}),
			decor.Any(func(decor.Statistics) string {
				if n := c.failed.Load(); n > 0 {
					return fmt.Sprintf("(%d failed)", n)
				}
				return ""
			}),
		),
		mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO)),
	))
	return c
}

// stop aborts what was left running, so that a wait cut short by an
// error never leaves the display waiting for it.
func (l *liveProgress) stop() {
	l.mu.Lock()
	for _, b := range l.bars {
		if !b.Completed() {
			b.Abort(false)
		}
	}
	l.mu.Unlock()
	l.p.Wait()
}

type liveTracker struct {
	bar    *mpb.Bar
	status atomic.Pointer[string]
}

func (t *liveTracker) update(status string, _ time.Duration) { t.status.Store(&status) }

func (t *liveTracker) finish(ok bool) {
	if ok {
		t.bar.SetTotal(-1, true)
		return
	}
	t.bar.Abort(false)
}

type liveCounter struct {
	bar    *mpb.Bar
	failed atomic.Int64
}

func (c *liveCounter) done(_ string, err error) {
	if err != nil {
		c.failed.Add(1)
	}
	c.bar.Increment()
}

// waitFlags are --wait and --timeout.
type waitFlags struct {
	wait    bool
	timeout time.Duration
}

func addWaitFlags(cmd *cobra.Command, w *waitFlags, until string) {
	cmd.Flags().BoolVar(&w.wait, "wait", false, "wait until "+until+", showing progress on stderr")
	cmd.Flags().DurationVar(&w.timeout, "timeout", 30*time.Minute, "with --wait, give up waiting after this long (exit 6)")
}

func (w waitFlags) check() error {
	if w.wait && w.timeout <= 0 {
		return usageErrorf("give a positive --timeout such as 30m", "--timeout %s is not positive", w.timeout)
	}
	return nil
}

// awaited names what a command waits for, and how to look at it later,
// for the messages that say it goes on on the server.
type awaited struct {
	what   string // "backup 502"
	later  string // "vpsorg backups list --server 12345"
	resume string // "vpsorg backups wait 502": how to wait again; "" when none
}

// await runs wait with progress and --timeout, and turns the ways a wait
// ends into the CLI's errors: exit 5 when the object failed, 6 on
// timeout, 130 on Ctrl-C. Ending the wait never stops the operation on
// the server, and the messages say so.
func await[T any](ctx context.Context, a *app, w waitFlags, obj awaited, status string,
	wait func(context.Context, *vpsorg.WaitOptions) (*T, error)) (*T, error) {
	prog := a.newProgress()
	t := prog.track(obj.what, status)
	last := status
	wctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	got, err := wait(wctx, &vpsorg.WaitOptions{
		Interval:    a.pollInterval,
		MaxInterval: 12 * a.pollInterval, // 5s grows to the SDK's 60s
		OnProgress: func(s vpsorg.Status, elapsed time.Duration) {
			last = string(s)
			t.update(last, elapsed)
		},
	})
	t.finish(err == nil)
	prog.stop()
	return got, waitEnded(ctx, w, obj, last, err)
}

// waitEnded turns the ways a wait ends into the CLI's errors: exit 5 when
// the object failed, 6 on timeout, 130 on Ctrl-C, nil when it ended well.
// last is the status last seen. Ending the wait never stops the operation
// on the server, and the messages say so, and how to wait again.
func waitEnded(ctx context.Context, w waitFlags, obj awaited, last string, err error) error {
	goesOn := "it goes on on the server; see " + obj.later
	if obj.resume != "" {
		goesOn = "it goes on on the server; wait again with: " + obj.resume
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(context.Cause(ctx), errInterrupted):
		return &failure{err: fmt.Errorf("interrupted: stopped waiting for %s (last seen %s)", obj.what, last), hint: goesOn, code: exitInterrupted}
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return &failure{err: fmt.Errorf("timed out after %s waiting for %s (last seen %s)", w.timeout, obj.what, last), hint: goesOn, code: exitTimeout}
	case errors.Is(err, vpsorg.ErrOperationFailed):
		return &failure{err: fmt.Errorf("%s failed (status %s)", obj.what, last), hint: "see " + obj.later, code: exitFailed}
	}
	return apiFailure("wait for "+obj.what, err, "it is gone; see "+obj.later)
}
