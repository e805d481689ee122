package vpsorg

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WaitAll waits until every backup in backups is completed or failed, with
// polls shared by all of them, and returns them as last seen, in the order
// given. Use it instead of one [BackupsService.Wait] per backup: its
// requests grow with the pages of the lists it reads, not with the number
// of backups.
//
// Each poll round reads GET /api/v1/backups/ with page_size=100: the whole
// list while that takes fewer pages than listing each server with a
// pending backup on its own (?server_id=), and the servers' own lists
// otherwise. Every page read settles every backup on it; a walk stops as
// soon as every pending backup has been seen in that round, and a server
// whose backups are all final is not polled again. Rounds are spaced as
// [BackupsService.Wait] spaces its polls, and a 429 only slows them.
// WaitAll returns as soon as the last backup is final, without another
// request.
//
// Backups already completed or failed are final at once: nothing is sent
// for them, and when all are, nothing at all. The same backup may appear
// more than once; it is waited for once (by its first appearance's server)
// and every position gets the result. A nil or empty slice returns nil,
// nil.
//
// [WaitOptions.OnUpdate] is called whenever a poll shows a backup in
// another status than the one last seen (the one given, to begin with);
// [WaitOptions.OnProgress] after each poll round with the group's status:
// [StatusInProgress] while any backup is pending, then [StatusCompleted]
// when every one completed, or [StatusFailed] when one or more failed or
// vanished. Both are called from the goroutine that called WaitAll.
//
// The error is nil when every backup completed. Otherwise it is an
// [errors.Join] of one error per backup that failed ([ErrOperationFailed])
// or vanished ([ErrNotFound]: absent from its server's complete list),
// each naming the backup's id, and, when ctx ended first or a poll failed
// with an error other than 429, that error too, naming the backups still
// pending. A nil backup, an id <= 0 or a negative server id is a
// [*ValidationError] before anything is sent.
func (s *BackupsService) WaitAll(ctx context.Context, backups []*Backup, opts *WaitOptions) ([]*Backup, error) {
	return waitAll(ctx, s.client, backups, opts, fleet[Backup]{
		kind:   "backup",
		path:   "backups/",
		server: func(b *Backup) int64 { return b.Server.ID },
		query: func(serverID int64, page int) any {
			return &BackupListOptions{ServerID: serverID, ListOptions: ListOptions{Page: page, PageSize: maxPageSize}}
		},
	})
}

// WaitAll waits until every snapshot in snaps is completed or failed, with
// polls shared by all of them, and returns them as last seen, in the order
// given. It reads GET /api/v1/snapshots/ (whole, or per server with
// ?server_id= while that is cheaper) and behaves in every other way as
// [BackupsService.WaitAll] does: the same rounds, progress calls, results
// and errors.
func (s *SnapshotsService) WaitAll(ctx context.Context, snaps []*Snapshot, opts *WaitOptions) ([]*Snapshot, error) {
	return waitAll(ctx, s.client, snaps, opts, fleet[Snapshot]{
		kind:   "snapshot",
		path:   "snapshots/",
		server: func(s *Snapshot) int64 { return s.Server.ID },
		query: func(serverID int64, page int) any {
			return &SnapshotListOptions{ServerID: serverID, ListOptions: ListOptions{Page: page, PageSize: maxPageSize}}
		},
	})
}

// fleet is what waitAll needs to know of one kind of object.
type fleet[T tracked] struct {
	kind   string                             // "backup", for errors
	path   string                             // the list's path
	server func(*T) int64                     // the object's server; 0 when unknown
	query  func(serverID int64, page int) any // a list page: one server's, or every server's for 0
}

// waiter is one object being waited for.
type waiter[T tracked] struct {
	id     int64
	server int64
	last   T      // as a poll last saw it, once seen is true
	seen   bool   // a poll has seen it
	status Status // the status last known
	round  int    // the last round whose polls saw it
	done   bool
	err    error // why it ended badly
}

// group is the objects of one server (0: of unknown servers).
type group[T tracked] struct {
	waiters []*waiter[T]
	pending int // not final yet
	unseen  int // pending and not seen in this round
	pages   int // pages the server's own list took when last read; 0 before
}

// fleetWait is the state of one WaitAll call.
type fleetWait[T tracked] struct {
	c       *Client
	f       fleet[T]
	o       WaitOptions
	start   time.Time
	byID    map[int64]*waiter[T]
	order   []*waiter[T] // first appearances, in the order given
	servers map[int64]*group[T]
	pending int
	round   int
	whole   int // pages of the whole list when last read; 0 before
	need    int // pages of it the last walk needed to see every pending object
}

func waitAll[T tracked](ctx context.Context, c *Client, objs []*T, opts *WaitOptions, f fleet[T]) ([]*T, error) {
	if len(objs) == 0 {
		return nil, nil
	}
	w, err := newFleetWait(c, objs, opts, f)
	if err != nil {
		return nil, err
	}
	if w.pending == 0 {
		return w.results(objs), w.errors(nil)
	}
	pace := newPacer(w.o)
	for {
		if err := c.pollSleep(ctx, pace.next()); err != nil {
			return w.results(objs), w.errors(err)
		}
		err := w.poll(ctx)
		switch {
		case pace.slowDown(err):
			continue
		case err != nil:
			return w.results(objs), w.errors(err)
		}
		if w.o.OnProgress != nil {
			w.o.OnProgress(w.status(), c.now().Sub(w.start))
		}
		if w.pending == 0 {
			return w.results(objs), w.errors(nil)
		}
	}
}

// newFleetWait checks every object before anything is sent and settles
// those already final.
func newFleetWait[T tracked](c *Client, objs []*T, opts *WaitOptions, f fleet[T]) (*fleetWait[T], error) {
	w := &fleetWait[T]{
		c: c, f: f, o: opts.withDefaults(), start: c.now(),
		byID:    make(map[int64]*waiter[T], len(objs)),
		servers: map[int64]*group[T]{},
	}
	field := f.kind + "_id"
	for i, obj := range objs {
		if obj == nil {
			return nil, &ValidationError{Field: field, Message: fmt.Sprintf("nil %s at index %d", f.kind, i)}
		}
		id := (*obj).itemID()
		if err := checkID(field, id); err != nil {
			return nil, err
		}
		server := f.server(obj)
		if err := checkServerFilter(server); err != nil {
			return nil, err
		}
		if w.byID[id] != nil {
			continue
		}
		wt := &waiter[T]{id: id, server: server, status: (*obj).currentStatus()}
		w.byID[id] = wt
		w.order = append(w.order, wt)
		g := w.servers[wt.server]
		if g == nil {
			g = &group[T]{}
			w.servers[wt.server] = g
		}
		g.waiters = append(g.waiters, wt)
		g.pending++
		w.pending++
		if done, err := finalOperation(wt.status); done {
			w.finish(wt, err)
		}
	}
	return w, nil
}

// poll is one round: the whole list while it is the cheaper read, then
// each server still unaccounted for on its own.
func (w *fleetWait[T]) poll(ctx context.Context) error {
	w.round++
	for _, g := range w.servers {
		g.unseen = g.pending
	}
	servers := w.unseenServers()
	if w.wholeIsCheaper(servers) {
		var err error
		if servers, err = w.walkWhole(ctx); err != nil {
			return err
		}
	}
	for _, id := range servers {
		if err := w.walkServer(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// wholeIsCheaper reports whether the whole list costs no more pages than
// the servers' own lists: as many as the last walk needed, which for a
// list that shows the newest first is often the first page or two of many.
// Before the whole list's size is known, it is read for more than one
// server: its first page tells, and settles objects too.
func (w *fleetWait[T]) wholeIsCheaper(servers []int64) bool {
	if g := w.servers[0]; g != nil && g.unseen > 0 {
		return true // only the whole list has objects of unknown servers
	}
	if w.whole == 0 {
		return len(servers) > 1
	}
	return w.need <= w.cost(servers)
}

// walkWhole reads the whole list until every pending object has been seen
// in this round, or until the servers still unaccounted for cost fewer
// pages on their own than the pages left; those servers it returns. After
// a complete walk it returns the servers of the objects it did not see, so
// that their own lists confirm they vanished: a list can shift while it is
// walked page by page, and an object moved onto a page already read is
// missed.
func (w *fleetWait[T]) walkWhole(ctx context.Context) ([]int64, error) {
	read := 0
	for env, err := range walkPages[T](ctx, w.c, w.f.path, 1, func(page int) any { return w.f.query(0, page) }) {
		if err != nil {
			return nil, err
		}
		read++
		if read == 1 {
			w.whole = pagesOf(env.Count, len(env.Results))
			w.need = w.whole
		}
		w.settle(env.Results)
		servers := w.unseenServers()
		if len(servers) == 0 {
			w.need = read
			return nil, nil
		}
		if g := w.servers[0]; (g == nil || g.unseen == 0) && w.whole-read > w.cost(servers) {
			return servers, nil
		}
	}
	if g := w.servers[0]; g != nil && g.unseen > 0 {
		w.vanished(g)
	}
	return w.unseenServers(), nil
}

// walkServer reads one server's own list until its pending objects have
// all been seen in this round; those a complete walk did not show have
// vanished.
func (w *fleetWait[T]) walkServer(ctx context.Context, id int64) error {
	g := w.servers[id]
	for env, err := range walkPages[T](ctx, w.c, w.f.path, 1, func(page int) any { return w.f.query(id, page) }) {
		if err != nil {
			return err
		}
		g.pages = pagesOf(env.Count, len(env.Results))
		w.settle(env.Results)
		if g.unseen == 0 {
			return nil
		}
	}
	w.vanished(g)
	return nil
}

// settle updates every waited-for object on a page.
func (w *fleetWait[T]) settle(items []T) {
	for i := range items {
		wt := w.byID[items[i].itemID()]
		if wt == nil || wt.done {
			continue
		}
		if wt.round != w.round {
			wt.round = w.round
			w.servers[wt.server].unseen--
		}
		wt.last, wt.seen = items[i], true
		status := wt.last.currentStatus()
		if status != wt.status {
			wt.status = status
			if w.o.OnUpdate != nil {
				w.o.OnUpdate(wt.id, status, w.c.now().Sub(w.start))
			}
		}
		if done, err := finalOperation(status); done {
			w.finish(wt, err)
		}
	}
}

// vanished ends the wait of g's pending objects not seen in this round.
func (w *fleetWait[T]) vanished(g *group[T]) {
	for _, wt := range g.waiters {
		if !wt.done && wt.round != w.round {
			g.unseen--
			w.finish(wt, ErrNotFound)
		}
	}
}

func (w *fleetWait[T]) finish(wt *waiter[T], err error) {
	wt.done = true
	if err != nil {
		wt.err = fmt.Errorf("vpsorg: wait for %s %d: %w", w.f.kind, wt.id, err)
	}
	w.servers[wt.server].pending--
	w.pending--
}

// unseenServers lists the known servers with pending objects not seen in
// this round, in order, so that polls run in the same order every round.
func (w *fleetWait[T]) unseenServers() []int64 {
	var ids []int64
	for id, g := range w.servers {
		if id != 0 && g.unseen > 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// cost is the pages the servers' own lists take, one for a server not read yet.
func (w *fleetWait[T]) cost(servers []int64) int {
	n := 0
	for _, id := range servers {
		n += max(w.servers[id].pages, 1)
	}
	return n
}

// pagesOf is the number of pages of a list of count items whose first page
// held size.
func pagesOf(count, size int) int {
	if size <= 0 || count <= size {
		return 1
	}
	return (count + size - 1) / size
}

// status is the group's status for OnProgress.
func (w *fleetWait[T]) status() Status {
	if w.pending > 0 {
		return StatusInProgress
	}
	for _, wt := range w.order {
		if wt.err != nil {
			return StatusFailed
		}
	}
	return StatusCompleted
}

// results are the objects as last seen, in the order given.
func (w *fleetWait[T]) results(objs []*T) []*T {
	out := make([]*T, len(objs))
	for i, obj := range objs {
		switch wt := w.byID[(*obj).itemID()]; {
		case wt.seen:
			out[i] = &wt.last
		default:
			out[i] = obj
		}
	}
	return out
}

// errors joins one error per object that failed or vanished and, when the
// wait ended early, cause with the ids still pending.
func (w *fleetWait[T]) errors(cause error) error {
	var errs []error
	for _, wt := range w.order {
		if wt.err != nil {
			errs = append(errs, wt.err)
		}
	}
	if cause != nil {
		errs = append(errs, fmt.Errorf("vpsorg: wait for %d %ss (%s): %w", w.pending, w.f.kind, w.pendingIDs(), cause))
	}
	return errors.Join(errs...)
}

// pendingIDs names the objects still pending, the first 20 of them: the
// results say which the others are.
func (w *fleetWait[T]) pendingIDs() string {
	const shown = 20
	var b strings.Builder
	b.WriteString("still pending: ")
	n := 0
	for _, wt := range w.order {
		if wt.done {
			continue
		}
		if n < shown {
			if n > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.FormatInt(wt.id, 10))
		}
		n++
	}
	if n > shown {
		fmt.Fprintf(&b, " and %d more", n-shown)
	}
	return b.String()
}
