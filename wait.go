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
	// status seen and the time since Wait started.
	OnProgress func(status Status, elapsed time.Duration)
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
	what  string                                    // "backup 502", for errors
	id    int64                                     // the object's id
	list  func(context.Context) iter.Seq2[T, error] // a listing it appears in
	final func(Status) (bool, error)                // whether the wait is over, and how
}

// wait polls p until a final status, an error or the end of ctx, backing
// off from Interval to MaxInterval. A rate-limited poll is not an error:
// the waiter waits what the server asked, then polls again.
func wait[T tracked](ctx context.Context, c *Client, opts *WaitOptions, last *T, p poller[T]) (*T, error) {
	o := opts.withDefaults()
	start := c.now()
	delay := o.Interval
	for {
		if err := c.sleep(ctx, delay/2+rand.N(delay/2+1)); err != nil {
			return last, fmt.Errorf("vpsorg: wait for %s: %w", p.what, err)
		}
		delay = min(delay*2, o.MaxInterval)

		obj, err := find(p.list(ctx), p.id)
		var apiErr *APIError
		switch {
		case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests:
			delay = max(delay, apiErr.RetryAfter)
			continue
		case err != nil:
			return last, fmt.Errorf("vpsorg: wait for %s: %w", p.what, err)
		}
		last = obj
		status := (*obj).currentStatus()
		if o.OnProgress != nil {
			o.OnProgress(status, c.now().Sub(start))
		}
		if done, err := p.final(status); done {
			if err != nil {
				return last, fmt.Errorf("vpsorg: wait for %s: %w", p.what, err)
			}
			return last, nil
		}
	}
}

// finalOperation ends a backup's or snapshot's wait on completed or failed.
func finalOperation(s Status) (bool, error) {
	switch s {
	case StatusCompleted:
		return true, nil
	case StatusFailed:
		return true, ErrOperationFailed
	}
	return false, nil
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
	if b == nil {
		return nil, &ValidationError{Field: "backup_id", Message: "nil backup"}
	}
	if err := checkID("backup_id", b.ID); err != nil {
		return nil, err
	}
	if err := checkServerFilter(b.Server.ID); err != nil {
		return nil, err
	}
	if done, err := finalOperation(b.Status); done {
		return b, err
	}
	filter := &BackupListOptions{ServerID: b.Server.ID}
	return wait(ctx, s.client, opts, b, poller[Backup]{
		what:  fmt.Sprintf("backup %d", b.ID),
		id:    b.ID,
		list:  func(ctx context.Context) iter.Seq2[Backup, error] { return s.All(ctx, filter) },
		final: finalOperation,
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
	if snap == nil {
		return nil, &ValidationError{Field: "snapshot_id", Message: "nil snapshot"}
	}
	if err := checkID("snapshot_id", snap.ID); err != nil {
		return nil, err
	}
	if err := checkServerFilter(snap.Server.ID); err != nil {
		return nil, err
	}
	if done, err := finalOperation(snap.Status); done {
		return snap, err
	}
	filter := &SnapshotListOptions{ServerID: snap.Server.ID}
	return wait(ctx, s.client, opts, snap, poller[Snapshot]{
		what:  fmt.Sprintf("snapshot %d", snap.ID),
		id:    snap.ID,
		list:  func(ctx context.Context) iter.Seq2[Snapshot, error] { return s.All(ctx, filter) },
		final: finalOperation,
	})
}

// Wait polls the server list (GET /api/v1/servers/) until server serverID
// is no longer "restoring", and returns it as last seen. OnProgress gets the
// server's status.
//
// Errors: [ErrNotFound] when the server is not listed; the context's error
// when ctx ends first; [*ValidationError] for an id <= 0; any error of the
// listing, except 429, which only slows the polling.
func (s *ServersService) Wait(ctx context.Context, serverID int64, opts *WaitOptions) (*Server, error) {
	if err := checkID("server_id", serverID); err != nil {
		return nil, err
	}
	return wait(ctx, s.client, opts, nil, poller[Server]{
		what:  fmt.Sprintf("server %d", serverID),
		id:    serverID,
		list:  func(ctx context.Context) iter.Seq2[Server, error] { return s.All(ctx, nil) },
		final: func(s Status) (bool, error) { return s != ServerStatusRestoring, nil },
	})
}

// find walks seq until the item with id, stopping the walk there.
func find[T identified](seq iter.Seq2[T, error], id int64) (*T, error) {
	for item, err := range seq {
		if err != nil {
			return nil, err
		}
		if item.itemID() == id {
			return &item, nil
		}
	}
	return nil, ErrNotFound
}
