package vpsorg

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"net/http"
	"time"
)

// WaitOptions tunes the Wait methods. A nil *WaitOptions means the defaults.
type WaitOptions struct {
	// Interval is the delay before the first poll (default 5s). Later
	// delays double up to MaxInterval, each shortened by a random jitter so
	// that many waiters do not poll in step.
	Interval time.Duration
	// MaxInterval caps the delay between polls (default 60s).
	MaxInterval time.Duration
	// OnProgress, when set, is called after each successful poll with the
	// status seen and the time since Wait started. For WaitAll the status
	// is the group's: see [BackupsService.WaitAll].
	OnProgress func(status Status, elapsed time.Duration)
	// OnUpdate, when set, is called by WaitAll each time a poll shows an
	// object in another status than the one last seen (the one it was given
	// with, to begin with), with the object's id and the time since WaitAll
	// started. The Wait methods do not call it.
	OnUpdate func(id int64, status Status, elapsed time.Duration)
}

// Defaults of [WaitOptions].
const (
	DefaultWaitInterval    = 5 * time.Second
	DefaultWaitMaxInterval = 60 * time.Second
)

func (o *WaitOptions) withDefaults() WaitOptions {
	var w WaitOptions
	if o != nil {
		w = *o
	}
	if w.Interval <= 0 {
		w.Interval = DefaultWaitInterval
	}
	if w.MaxInterval <= 0 {
		w.MaxInterval = DefaultWaitMaxInterval
	}
	if w.MaxInterval < w.Interval {
		w.MaxInterval = w.Interval
	}
	return w
}

// tracked is what a waiter needs of an object: its id, to find it in a
// list, and its status.
type tracked interface {
	identified
	currentStatus() Status
}

// poller is one object being waited for: where to look for it, and which
// of its statuses end the wait.
type poller[T tracked] struct {
	op    string                                     // "Backups.Wait", the call's name for observers
	what  string                                     // "backup 502", for errors
	id    int64                                      // the object's id
	list  func(context.Context) iter.Seq2[*T, error] // a listing it appears in
	final func(Status) (bool, error)                 // whether the wait is over, and how
}

// pollUntilFinal polls p until a final status, an error or the end of
// ctx, backing off from Interval to MaxInterval. A rate-limited poll is not
// an error: the waiter waits what the server asked, then polls again.
func pollUntilFinal[T tracked](ctx context.Context, c *Client, opts *WaitOptions, last *T, p poller[T]) (_ *T, err error) {
	ctx, end := c.startCall(ctx, p.op)
	defer func() { end(err) }()
	o := opts.withDefaults()
	start := c.now()
	pace := newPacer(o)
	for {
		if err := c.pollSleep(ctx, pace.next()); err != nil {
			return last, fmt.Errorf("vpsorg: wait for %s: %w", p.what, err)
		}
		obj, err := findByID(p.list(ctx), p.id)
		switch {
		case pace.slowDown(err):
			continue
		case err != nil:
			return last, fmt.Errorf("vpsorg: wait for %s: %w", p.what, err)
		}
		last = obj
		status := (*obj).currentStatus()
		if o.OnProgress != nil {
			o.OnProgress(status, c.now().Sub(start))
		}
		if final, err := p.final(status); final {
			if err != nil {
				return last, fmt.Errorf("vpsorg: wait for %s: %w", p.what, err)
			}
			return last, nil
		}
	}
}

// pacer spaces the polls of a waiter: from Interval, doubling up to
// MaxInterval, each pause shortened by a random jitter so that many waiters
// do not poll in step.
type pacer struct{ delay, max time.Duration }

func newPacer(o WaitOptions) pacer { return pacer{delay: o.Interval, max: o.MaxInterval} }

// next returns the pause before the next poll.
func (p *pacer) next() time.Duration {
	d := p.delay/2 + rand.N(p.delay/2+1) //nolint:gosec // jitter spreads polls; it guards nothing
	p.delay = min(p.delay*2, p.max)
	return d
}

// slowDown reports whether err is a 429, which is no reason to stop
// waiting: the next pause is then at least what the server asked.
func (p *pacer) slowDown(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests {
		return false
	}
	p.delay = max(p.delay, apiErr.RetryAfter)
	return true
}

// finalOperation ends a backup's or snapshot's wait on completed or failed.
func finalOperation(s Status) (bool, error) {
	switch s {
	case StatusCompleted:
		return true, nil
	case StatusFailed:
		return true, ErrOperationFailed
	default:
		return false, nil // in_progress, or a status the SDK does not know
	}
}

// sleepCtx waits d or until ctx ends, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// operation is a backup or a snapshot: the object of one server's
// operation, which ends completed or failed.
type operation interface {
	tracked
	serverID() int64
}

// waitForOperation is Backups.Wait and Snapshots.Wait: it checks obj, then
// polls the list of obj's server, which listServer reads, until obj is
// completed or failed. kind ("backup") names obj's field and errors, op
// ("Backups.Wait") the call to observers.
func waitForOperation[T operation](ctx context.Context, c *Client, op, kind string, obj *T, opts *WaitOptions,
	listServer func(ctx context.Context, serverID int64) iter.Seq2[*T, error],
) (*T, error) {
	field := kind + "_id"
	if obj == nil {
		return nil, &ValidationError{Field: field, Message: "nil " + kind}
	}
	id, serverID := (*obj).itemID(), (*obj).serverID()
	if err := checkID(field, id); err != nil {
		return nil, err
	}
	if err := checkServerFilter(serverID); err != nil {
		return nil, err
	}
	if final, err := finalOperation((*obj).currentStatus()); final {
		return obj, err
	}
	return pollUntilFinal(ctx, c, opts, obj, poller[T]{
		op:    op,
		what:  fmt.Sprintf("%s %d", kind, id),
		id:    id,
		list:  func(ctx context.Context) iter.Seq2[*T, error] { return listServer(ctx, serverID) },
		final: finalOperation,
	})
}

// Wait polls until backup b is completed and returns it as last seen.
// There is no endpoint for one backup, so each poll lists b's server's
// backups (GET /api/v1/backups/?server_id=...) and finds b by id, paging as
// needed. A b that is already completed or failed is returned at once.
//
// Errors: [ErrOperationFailed] with the backup when it failed;
// [ErrNotFound] when it vanished; the context's error when ctx ends first
// (with the last seen backup); [*ValidationError] for a nil b or an id <= 0;
// any error of the listing, except 429, which only slows the polling.
func (s *BackupsService) Wait(ctx context.Context, b *Backup, opts *WaitOptions) (*Backup, error) {
	return waitForOperation(ctx, s.client, "Backups.Wait", "backup", b, opts, func(ctx context.Context, serverID int64) iter.Seq2[*Backup, error] {
		return s.All(ctx, &BackupListOptions{ServerID: serverID})
	})
}

// Wait polls until snapshot snap is completed and returns it as last seen.
// Each poll lists snap's server's snapshots (GET
// /api/v1/snapshots/?server_id=...) and finds it by id. A snapshot that is
// already completed or failed is returned at once.
//
// Errors: [ErrOperationFailed] with the snapshot when it failed;
// [ErrNotFound] when it vanished; the context's error when ctx ends first;
// [*ValidationError] for a nil snap or an id <= 0; any error of the
// listing, except 429, which only slows the polling.
func (s *SnapshotsService) Wait(ctx context.Context, snap *Snapshot, opts *WaitOptions) (*Snapshot, error) {
	return waitForOperation(ctx, s.client, "Snapshots.Wait", "snapshot", snap, opts, func(ctx context.Context, serverID int64) iter.Seq2[*Snapshot, error] {
		return s.All(ctx, &SnapshotListOptions{ServerID: serverID})
	})
}

// Wait polls until server serverID is no longer "restoring", and returns it
// as last seen. Each poll reads the restoring servers (GET
// /api/v1/servers/?status=restoring, 100 a page), so it costs requests in
// proportion to the servers being restored, not to the fleet. When the
// server is not among them, one walk of the unfiltered list, stopping at
// the server, confirms it and reads its new status: the API documents no
// status but "restoring" and "active", so filtering by the new one would be
// a guess. OnProgress gets the server's status.
//
// Errors: [ErrNotFound] when the server is in neither list; the context's
// error when ctx ends first; [*ValidationError] for an id <= 0; any error
// of the listing, except 429, which only slows the polling.
func (s *ServersService) Wait(ctx context.Context, serverID int64, opts *WaitOptions) (*Server, error) {
	if err := checkID("server_id", serverID); err != nil {
		return nil, err
	}
	page := ListOptions{PageSize: maxPageSize}
	restoring := &ServerListOptions{Status: ServerStatusRestoring, ListOptions: page}
	every := &ServerListOptions{ListOptions: page}
	return pollUntilFinal(ctx, s.client, opts, nil, poller[Server]{
		op:   "Servers.Wait",
		what: fmt.Sprintf("server %d", serverID),
		id:   serverID,
		list: func(ctx context.Context) iter.Seq2[*Server, error] {
			return concat(s.All(ctx, restoring), s.All(ctx, every))
		},
		final: func(s Status) (bool, error) { return s != ServerStatusRestoring, nil },
	})
}

// concat yields first's items, then second's. second is started only if
// the loop is still going when first is done.
func concat[T any](first, second iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for item, err := range first {
			if !yield(item, err) || err != nil {
				return
			}
		}
		for item, err := range second {
			if !yield(item, err) || err != nil {
				return
			}
		}
	}
}

// findByID walks seq until the item with id, stopping the walk there.
func findByID[T identified](seq iter.Seq2[*T, error], id int64) (*T, error) {
	for item, err := range seq {
		if err != nil {
			return nil, err
		}
		if (*item).itemID() == id {
			return item, nil
		}
	}
	return nil, ErrNotFound
}
