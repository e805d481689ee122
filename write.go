package vpsorg

import "context"

// A write (a create or a restore) is sent once and, when its answer was
// lost after it may have acted on the server, looks for its own result
// (recover.go) before it answers. RELIABILITY.md states the rules.

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

// sendWrite sends req, a POST, and decodes a 2xx answer into out. answered, if
// set, is told how the POST ended before anything else happens. When the
// POST failed after it may have acted on the server (send.go: afterTry), write
// calls find to look for its result instead of answering at once: a result
// found makes the call a success with Response.Recovered set; nothing
// found, or a look-up that failed, gives the POST's error, which then also
// matches ErrOutcomeUnknown. The POST is never sent again. op names the
// call, look-up included, to observers ("Backups.Create").
func sendWrite[T any](ctx context.Context, c *Client, op string, req request, out *T,
	answered func(*T, error), find func(context.Context, *lostWrite) (*T, *Response, error),
) (_ *T, _ *Response, err error) {
	ctx, end := c.startCall(ctx, op)
	defer func() { end(err) }()
	lw := &lostWrite{start: c.now()}
	cl := c.newCall(req)
	resp, err := cl.do(ctx, out)
	if answered != nil {
		answered(out, err)
	}
	if err == nil {
		return out, resp, nil
	}
	if !cl.ambiguous {
		return nil, resp, err
	}
	if !c.recovery {
		return nil, resp, &outcomeError{err: err, reason: "the write may have been carried out; recovery is off"}
	}
	c.debug(ctx, "answer lost, looking for the result", req, "attempts", cl.attempts, "error", err)
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
	r.Recovered, r.Attempts, r.Count, r.NextPage = true, cl.attempts, 0, 0
	return found, &r, nil
}

// createAndRecover is sendWrite for a POST that makes an object of key: the object it
// returns is recorded as handed out, and its look-up finds the oldest
// object of key made since the call began that no other call of this
// Client was given.
func createAndRecover[T made](ctx context.Context, c *Client, op string, req request, key objectKey, list pageFunc[T], match func(*T) bool) (*T, *Response, error) {
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
	return sendWrite(ctx, c, op, req, new(T), answered, find)
}
