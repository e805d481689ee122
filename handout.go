package vpsorg

import (
	"context"
	"sync"
)

// handoutMax bounds the record of ids the Client's creates returned.
const handoutMax = 4096

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
