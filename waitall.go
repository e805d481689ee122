package vpsorg

import (
	"cmp"
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
		op:   "Backups.WaitAll",
		list: "Backups.List",
		kind: "backup",
		path: "backups/",
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
		op:   "Snapshots.WaitAll",
		list: "Snapshots.List",
		kind: "snapshot",
		path: "snapshots/",
		query: func(serverID int64, page int) any {
			return &SnapshotListOptions{ServerID: serverID, ListOptions: ListOptions{Page: page, PageSize: maxPageSize}}
		},
	})
}

// fleet is what waitAll needs to know of one kind of object.
type fleet[T operation] struct {
	op    string                             // "Backups.WaitAll", the call's name for observers
	list  string                             // "Backups.List", a page's
	kind  string                             // "backup", for errors
	path  string                             // the list's path
	query func(serverID int64, page int) any // a list page: one server's, or every server's for 0
}

// waiter is one object being waited for.
type waiter[T operation] struct {
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
type group[T operation] struct {
	waiters []*waiter[T]
	pending int // not final yet
	unseen  int // pending and not seen in this round
	pages   int // pages the server's own list took when last read; 0 before
}

// fleetWait is the state of one WaitAll call.
type fleetWait[T operation] struct {
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

func waitAll[T operation](ctx context.Context, c *Client, objs []*T, opts *WaitOptions, f fleet[T]) (_ []*T, err error) {
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
	ctx, end := c.startCall(ctx, f.op)
	defer func() { end(err) }()
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
func newFleetWait[T operation](c *Client, objs []*T, opts *WaitOptions, f fleet[T]) (*fleetWait[T], error) {
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
		server := (*obj).serverID()
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
		if final, err := finalOperation(wt.status); final {
			w.finish(wt, err)
		}
	}
	return w, nil
}

// poll is one round: the reads planRound picks, the whole list and then
// the servers it leaves, or the servers' own lists alone.
func (w *fleetWait[T]) poll(ctx context.Context) error {
	w.round++
	for _, g := range w.servers {
		g.unseen = g.pending
	}
	plan := planRound(w.known(0, false))
	if plan.readWhole {
		var err error
		if plan, err = w.walkWhole(ctx); err != nil {
			return err
		}
	}
	for _, id := range plan.servers {
		if err := w.walkServer(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// walkWhole reads the whole list while planRound says so, and returns the
// plan for the rest of the round: the servers to read on their own. After
// a complete walk those are the servers of the objects it did not see, so
// that their own lists confirm they vanished: a list can shift while it is
// walked page by page, and an object moved onto a page already read is
// missed.
func (w *fleetWait[T]) walkWhole(ctx context.Context) (roundPlan, error) {
	read := 0
	for env, err := range walkPages[T](ctx, w.c, w.f.list, w.f.path, 1, func(page int) any { return w.f.query(0, page) }) {
		if err != nil {
			return roundPlan{}, err
		}
		read++
		if read == 1 {
			w.whole = pagesOf(env.Count, len(env.Results))
			w.need = w.whole
		}
		w.settle(env.Results)
		plan := planRound(w.known(read, false))
		if !plan.readWhole {
			if len(plan.servers) == 0 {
				w.need = read // every pending object seen
			}
			return plan, nil
		}
	}
	if g := w.servers[0]; g != nil && g.unseen > 0 {
		w.vanished(g)
	}
	return planRound(w.known(read, true)), nil
}

// known is what planRound needs of the wait's state, read pages of the
// whole list into this round (ended: all of it).
func (w *fleetWait[T]) known(read int, ended bool) roundState {
	st := roundState{wholePages: w.whole, wholeNeed: w.need, wholeRead: read, wholeEnded: ended}
	for id, g := range w.servers {
		switch {
		case g.unseen == 0:
		case id == 0:
			st.unknownUnseen = true
		default:
			st.servers = append(st.servers, serverPages{id: id, pages: g.pages})
		}
	}
	// In order, so that polls run in the same order every round.
	slices.SortFunc(st.servers, func(a, b serverPages) int { return cmp.Compare(a.id, b.id) })
	return st
}

// roundState is what a WaitAll round knows when it plans its next reads.
type roundState struct {
	// unknownUnseen: objects of unknown servers (id 0) are pending and not
	// seen in this round; only the whole list shows them.
	unknownUnseen bool
	// servers are the known servers with pending objects not seen in this
	// round, by id.
	servers    []serverPages
	wholePages int  // pages of the whole list when last read; 0 before
	wholeNeed  int  // pages of it the last walk needed to see every pending object
	wholeRead  int  // pages of the whole list read in this round; 0 before its walk
	wholeEnded bool // this round read the whole list to its end
}

// serverPages is a server with pending objects, and what its own list costs.
type serverPages struct {
	id    int64
	pages int // pages its own list took when last read; 0 before
}

// roundPlan is the next reads of a round.
type roundPlan struct {
	readWhole bool    // read the whole list, or its next page
	servers   []int64 // else read each of these servers' own lists, in order
}

// planRound decides the next reads of a round from what is known: it is
// asked before the round (wholeRead 0) and after each page of the whole
// list. Only the whole list shows objects of unknown servers; a complete
// walk of it leaves the servers of the objects it did not see to their own
// lists; otherwise the whole list is read while it is the cheaper read
// (wholeIsCheaper).
func planRound(st roundState) roundPlan {
	servers := make([]int64, len(st.servers))
	for i, s := range st.servers {
		servers[i] = s.id
	}
	switch {
	case st.wholeEnded:
		return roundPlan{servers: servers}
	case st.unknownUnseen:
		return roundPlan{readWhole: true}
	case len(servers) == 0:
		return roundPlan{} // every pending object seen: the round is over
	case wholeIsCheaper(st):
		return roundPlan{readWhole: true}
	}
	return roundPlan{servers: servers}
}

// wholeIsCheaper reports whether the whole list costs no more pages than
// the servers' own lists. Walking it, that is the pages left. Before, it is
// as many as the last walk needed, which for a list that shows the newest
// first is often the first page or two of many; before the whole list's
// size is known, it is read for more than one server: its first page
// tells, and settles objects too.
func wholeIsCheaper(st roundState) bool {
	own := pagesToRead(st.servers)
	switch {
	case st.wholeRead > 0:
		return st.wholePages-st.wholeRead <= own
	case st.wholePages == 0:
		return len(st.servers) > 1
	}
	return st.wholeNeed <= own
}

// pagesToRead is the pages the servers' own lists take, one for a server
// not read yet.
func pagesToRead(servers []serverPages) int {
	n := 0
	for _, s := range servers {
		n += max(s.pages, 1)
	}
	return n
}

// walkServer reads one server's own list until its pending objects have
// all been seen in this round; those a complete walk did not show have
// vanished.
func (w *fleetWait[T]) walkServer(ctx context.Context, id int64) error {
	g := w.servers[id]
	for env, err := range walkPages[T](ctx, w.c, w.f.list, w.f.path, 1, func(page int) any { return w.f.query(id, page) }) {
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
		if final, err := finalOperation(status); final {
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
