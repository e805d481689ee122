package vpsorg

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Recovery: a write whose answer was lost after it may have acted on the
// server looks for its own result before it answers, since every write's
// result shows in a list. RELIABILITY.md states the rules and their limits.

const (
	// lookupMaxPages bounds the pages one look-up reads: a server with more
	// than that many matching objects is not answering a look-up sensibly.
	lookupMaxPages = 50
	// clockTolerance widens the window "made since the call began" for the
	// server's own clocks: the one that stamps Date (a proxy in front) and
	// the one that stamps created_at (the application) may differ a little.
	clockTolerance = time.Second
	// handoutMax bounds the record of ids the Client's creates returned.
	handoutMax = 4096
)

// errNoServerClock is why a create's look-up cannot decide "since the call
// began": it compares on the server's clock, which it reads from Date.
var errNoServerClock = errors.New("the look-up's answer has no Date header, so the call's start cannot be placed on the server's clock")

// outcomeError is the error of a write that may have acted and whose
// result was not found. It reads as the write's own error, matches it, and
// matches ErrOutcomeUnknown.
type outcomeError struct {
	err    error  // the write's error, as it would be without recovery
	reason string // why the result is unknown
}

func (e *outcomeError) Error() string {
	return e.err.Error() + " (outcome unknown: " + e.reason + ")"
}

func (e *outcomeError) Unwrap() error { return e.err }

func (e *outcomeError) Is(target error) bool { return target == ErrOutcomeUnknown }

// lostWrite is a write whose answer was lost, as its look-up sees it.
type lostWrite struct {
	start time.Time // the client's clock just before the write's first try
}

// write sends req, a POST, and decodes a 2xx answer into out. answered, if
// set, is told how the POST ended before anything else happens. When the
// POST failed after it may have acted on the server (see checkRetry), write
// calls find to look for its result instead of answering at once: a result
// found makes the call a success with Response.Recovered set; nothing
// found, or a look-up that failed, gives the POST's error, which then also
// matches ErrOutcomeUnknown. The POST is never sent again.
func write[T any](ctx context.Context, c *Client, req request, out *T,
	answered func(*T, error), find func(context.Context, *lostWrite) (*T, *Response, error),
) (*T, *Response, error) {
	lw := &lostWrite{start: c.now()}
	st := &callState{}
	resp, err := c.doCall(ctx, st, req, out)
	if answered != nil {
		answered(out, err)
	}
	if err == nil {
		return out, resp, nil
	}
	if !st.ambiguous {
		return nil, resp, err
	}
	if !c.recovery {
		return nil, resp, &outcomeError{err: err, reason: "the write may have been carried out; recovery is off"}
	}
	c.debug(ctx, "answer lost, looking for the result", req, "attempts", st.attempts, "error", err)
	found, fresp, ferr := find(ctx, lw)
	switch {
	case ferr != nil:
		c.debug(ctx, "result look-up failed", req, "error", ferr)
		return nil, resp, &outcomeError{err: err, reason: "the write may have been carried out; looking for its result failed: " + ferr.Error()}
	case found == nil:
		c.debug(ctx, "result not found", req)
		return nil, resp, &outcomeError{err: err, reason: "the write may have been carried out, and a look-up did not find its result"}
	}
	c.debug(ctx, "result found", req, "request_id", fresp.RequestID)
	r := *fresp
	r.Recovered, r.Attempts, r.Count, r.NextPage = true, st.attempts, 0, 0
	return found, &r, nil
}

// serverStart places a write's start on the server's clock: the Date of a
// look-up answer received at received (client clock), less the time the
// client saw pass since the write began, less the tolerance, rounded down
// to the second as Date is. That is never later than the moment the server
// got the write, whatever the two clocks read, so the write's object, made
// after that moment, is never too old to count. ok is false without a Date.
func serverStart(lw *lostWrite, resp *Response, received time.Time) (time.Time, bool) {
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return time.Time{}, false
	}
	elapsed := max(received.Sub(lw.start), 0)
	return date.Add(-elapsed - clockTolerance).Truncate(time.Second), true
}

// pageFunc fetches one page of a look-up's list.
type pageFunc[T any] func(ctx context.Context, page int) ([]*T, *Response, error)

// scan walks the pages of a look-up's list, at most lookupMaxPages of them,
// giving each page and its answer to visit until visit says stop.
func scan[T any](ctx context.Context, next pageFunc[T], visit func([]*T, *Response) (more bool)) error {
	for page, n := 1, 0; page > 0 && n < lookupMaxPages; n++ {
		items, resp, err := next(ctx, page)
		if err != nil {
			return err
		}
		if !visit(items, resp) {
			return nil
		}
		page = resp.NextPage
	}
	return nil
}

// made is what a create's look-up needs of a backup or snapshot.
type made interface {
	identified
	createdAt() time.Time
}

func (b Backup) createdAt() time.Time   { return b.CreatedAt }
func (s Snapshot) createdAt() time.Time { return s.CreatedAt }

// create is write for a POST that makes an object of key: the object it
// returns is recorded as handed out, and its look-up finds the oldest
// object of key made since the call began that no other call of this
// Client was given.
func create[T made](ctx context.Context, c *Client, req request, key objectKey, list pageFunc[T], match func(*T) bool) (*T, *Response, error) {
	c.handout.begin(key)
	answered := func(out *T, err error) {
		var id int64
		if err == nil {
			id = (*out).itemID()
		}
		c.handout.end(key, id)
	}
	find := func(ctx context.Context, lw *lostWrite) (*T, *Response, error) {
		return findMade(ctx, c, lw, key, list, match)
	}
	return write(ctx, c, req, new(T), answered, find)
}

// findMade is a create's look-up: see create.
func findMade[T made](ctx context.Context, c *Client, lw *lostWrite, key objectKey, list pageFunc[T], match func(*T) bool) (*T, *Response, error) {
	// A create of the same object from this Client whose answer is still
	// coming may own an object the list shows: wait until it has it.
	if err := c.handout.settle(ctx, key); err != nil {
		return nil, nil, err
	}
	var (
		since      time.Time
		first      *Response
		candidates []*T
		noClock    bool
	)
	err := scan(ctx, list, func(items []*T, resp *Response) bool {
		if first == nil {
			first = resp
			var ok bool
			if since, ok = serverStart(lw, resp, c.now()); !ok {
				noClock = true
				return false
			}
		}
		for _, it := range items {
			if match(it) && !(*it).createdAt().Before(since) {
				candidates = append(candidates, it)
			}
		}
		return true
	})
	switch {
	case err != nil:
		return nil, nil, err
	case noClock:
		return nil, nil, errNoServerClock
	}
	// The oldest first: a create that began after this one, and is not yet
	// answered, made its object later.
	slices.SortFunc(candidates, func(a, b *T) int {
		return cmp.Or((*a).createdAt().Compare((*b).createdAt()), cmp.Compare((*a).itemID(), (*b).itemID()))
	})
	for _, cand := range candidates {
		if c.handout.claim(key.kind, (*cand).itemID()) {
			return cand, first, nil
		}
	}
	return nil, first, nil
}

// findRestoring is a restore's look-up: serverID among the servers that
// read "restoring".
func (c *Client) findRestoring(ctx context.Context, serverID int64) (*Server, *Response, error) {
	var (
		found *Server
		at    *Response
	)
	err := scan(ctx, func(ctx context.Context, page int) ([]*Server, *Response, error) {
		return c.Servers.List(ctx, &ServerListOptions{Status: ServerStatusRestoring, ListOptions: ListOptions{Page: page, PageSize: maxPageSize}})
	}, func(items []*Server, resp *Response) bool {
		for _, it := range items {
			if it.ID == serverID && it.Status == ServerStatusRestoring {
				found, at = it, resp
				return false
			}
		}
		return true
	})
	return found, at, err
}

// objectKey names what a create makes, as its look-up matches it: a
// backup's server and description, a snapshot's server and name.
type objectKey struct {
	kind     string // "backup" or "snapshot": their ids are separate sequences
	serverID int64
	label    string
}

// objectID is one backup or snapshot.
type objectID struct {
	kind string
	id   int64
}

// handout is a Client's record of the backups and snapshots its creates
// returned, so that recovery never gives one object to two calls, and of
// the creates whose answer is still coming, which a look-up waits for. The
// record keeps the last handoutMax ids: a look-up only counts objects made
// since its own call began, so an id can only matter again while fewer
// than that many creates of this Client have been answered since.
type handout struct {
	mu       sync.Mutex
	given    map[objectID]struct{}
	order    []objectID // the ring behind given, oldest at next once full
	next     int
	sending  map[objectKey]int // creates of each key whose answer is coming
	answered chan struct{}     // closed, and replaced, whenever one comes
}

func newHandout() *handout {
	return &handout{given: map[objectID]struct{}{}, sending: map[objectKey]int{}, answered: make(chan struct{})}
}

// begin notes a create of key about to be sent.
func (h *handout) begin(key objectKey) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sending[key]++
}

// end notes the answer of a create begun with begin, and records the id it
// returned (0 when it failed) in the same step, so that no look-up sees the
// create answered but its object free.
func (h *handout) end(key objectKey, id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sending[key]--; h.sending[key] <= 0 {
		delete(h.sending, key)
	}
	if id != 0 {
		h.record(objectID{key.kind, id})
	}
	close(h.answered)
	h.answered = make(chan struct{})
}

// settle waits until no create of key is waiting for its answer, or ctx ends.
func (h *handout) settle(ctx context.Context, key objectKey) error {
	for {
		h.mu.Lock()
		n, ch := h.sending[key], h.answered
		h.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// claim records id as handed out, and reports false when it already was.
func (h *handout) claim(kind string, id int64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	oid := objectID{kind, id}
	if _, ok := h.given[oid]; ok {
		return false
	}
	h.record(oid)
	return true
}

// record adds oid to the record, forgetting the oldest id when full. The
// caller holds h.mu.
func (h *handout) record(oid objectID) {
	if _, ok := h.given[oid]; ok {
		return
	}
	if len(h.order) < handoutMax {
		h.order = append(h.order, oid)
	} else {
		delete(h.given, h.order[h.next])
		h.order[h.next] = oid
		h.next = (h.next + 1) % handoutMax
	}
	h.given[oid] = struct{}{}
}
