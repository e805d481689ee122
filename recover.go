package vpsorg

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
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
)

// errNoServerClock is why a create's look-up cannot decide "since the call
// began": it compares on the server's clock, which it reads from Date.
var errNoServerClock = errors.New("the look-up's answer has no Date header, so the call's start cannot be placed on the server's clock")

// lostWrite is a write whose answer was lost, as its look-up sees it.
type lostWrite struct {
	start time.Time // the client's clock just before the write's first try
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

// scanLookupPages walks the pages of a look-up's list, at most lookupMaxPages of them,
// giving each page and its answer to visit until visit says stop.
func scanLookupPages[T any](ctx context.Context, next pageFunc[T], visit func([]*T, *Response) (more bool)) error {
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

// findMade is a create's look-up: see createAndRecover.
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
	err := scanLookupPages(ctx, list, func(items []*T, resp *Response) bool {
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
	err := scanLookupPages(ctx, func(ctx context.Context, page int) ([]*Server, *Response, error) {
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
