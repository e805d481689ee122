package vpsorg

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptrace"
	"sync/atomic"

	"github.com/hashicorp/go-retryablehttp"
)

// The path of one call, top to bottom (CONTRIBUTING.md, "The path of one
// call"): build the HTTP request (request.go); send it, one try at a time,
// under the retry policy (send.go, with retry.go, ratelimit.go and
// body.go); read the answer (response.go, errorbody.go).

// call is one API call on its way through those layers: what they learn
// about it, handed from one to the next as this value and never through
// the context. A write keeps it to learn, once the call is over, whether a
// failed try may have acted on the server.
type call struct {
	client *Client
	req    request

	attempts int    // tries sent, 429 retries included
	body     []byte // the last 2xx body, read whole by the try that got it

	// observed is nil unless the Client has observers (observe.go): one
	// pointer, which a call without them does not pay for, since the call
	// still fits its allocation's size class (384 bytes; a field more
	// would make it 416).
	observed *observedTries

	// The try layer's machinery (send.go), in the call so that one
	// allocation holds it all.
	trace httptrace.ClientTrace // tells wrote
	retry retryablehttp.Client  // the Client's retry settings, with this call's hooks
	wrote atomic.Bool           // the current try's request was written whole

	wantBody  bool // the caller decodes the answer; without, a 2xx body is only drained
	ambiguous bool // a try may have acted on the server (a 5xx, a connection lost after the request was written)
}

// do sends req and decodes a 2xx JSON answer into out (when out is
// non-nil). Any other answer becomes an *APIError; a call with no usable
// answer an *RequestError.
func (c *Client) do(ctx context.Context, req request, out any) (*Response, error) {
	return c.newCall(req).do(ctx, out)
}

// newCall starts a call of req.
func (c *Client) newCall(req request) *call {
	return &call{client: c, req: req}
}

// do is the whole of one call: build the request, send it (the tries also
// read a 2xx body, so that one that breaks off is a failed try), read the
// answer.
func (cl *call) do(ctx context.Context, out any) (*Response, error) {
	if ctx == nil {
		return nil, cl.fail(errors.New("nil context"))
	}
	if err := ctx.Err(); err != nil {
		return nil, cl.fail(err) // an ended context sends nothing, whatever the transport
	}
	cl.wantBody = out != nil
	ctx = cl.traced(ctx)
	if len(cl.client.observers) > 0 {
		cl.observed = &observedTries{ctx: ctx}
	}
	hreq, err := cl.client.newHTTPRequest(ctx, cl.req)
	if err != nil {
		return nil, cl.fail(err)
	}
	hresp, err := cl.send(hreq) //nolint:bodyclose // read closes it
	if err != nil {
		cl.client.debug(ctx, "request failed", cl.req, "attempts", cl.attempts, "error", err)
		return nil, cl.fail(err)
	}
	return cl.read(ctx, hresp, out)
}

// fail names the call that got no usable answer.
func (cl *call) fail(err error) *RequestError {
	return &RequestError{Method: cl.req.method, Path: cl.client.pathOf(cl.req), Attempts: cl.attempts, Err: err}
}

// debug writes one debug line about a call to the configured logger. A
// silent client returns before building the line.
func (c *Client) debug(ctx context.Context, msg string, req request, args ...any) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	c.logger.Log(ctx, slog.LevelDebug, "vpsorg: "+msg, append([]any{"method", req.method, "path", c.pathOf(req)}, args...)...)
}
