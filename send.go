package vpsorg

import (
	"context"
	"net/http"
	"net/http/httptrace"

	"github.com/hashicorp/go-retryablehttp"
)

// The second layer of a call: its tries. go-retryablehttp makes them and
// waits between them; the call's two hooks, beforeTry and afterTry, are
// where it is paced, observed (observe.go) and judged.

// traced returns ctx with the trace by which a try learns that its request
// was written whole: a try that failed before that cannot have acted on
// the server, so even a POST may be sent again.
func (cl *call) traced(ctx context.Context) context.Context {
	cl.trace.WroteRequest = cl.wroteRequest
	return httptrace.WithClientTrace(ctx, &cl.trace)
}

func (cl *call) wroteRequest(info httptrace.WroteRequestInfo) {
	if info.Err == nil {
		cl.wrote.Store(true)
	}
}

// send makes the tries of hreq and returns the last answer (a 2xx with its
// body already read: see afterTry), or the error that ended them. The
// Client's settings (retry.go: newRetryClient) go into a
// retryablehttp.Client of the call's own, so that its hooks are the
// call's methods and know it without asking the context.
func (cl *call) send(hreq *retryablehttp.Request) (*http.Response, error) {
	s := cl.client.http
	cl.retry = retryablehttp.Client{
		HTTPClient:     s.HTTPClient,
		Logger:         s.Logger,
		RetryWaitMin:   s.RetryWaitMin,
		RetryWaitMax:   s.RetryWaitMax,
		RetryMax:       s.RetryMax,
		Backoff:        s.Backoff,
		ErrorHandler:   s.ErrorHandler,
		RequestLogHook: cl.beforeTry,
		CheckRetry:     cl.afterTry,
	}
	return cl.retry.Do(hreq)
}

// beforeTry runs before every try, retries included: it holds the try for
// the Client's throttle (ratelimit.go). An error there is the context's,
// and the try then fails at once, since both transports the Client sends
// through (net/http's and userTransport) send nothing for a context that
// has ended. Then the Client's observers, if any, see the try begin
// (observe.go).
func (cl *call) beforeTry(_ retryablehttp.Logger, req *http.Request, _ int) {
	cl.wrote.Store(false)
	_ = cl.client.throttle.wait(req.Context(), cl)
	if cl.observed != nil {
		// req holds the last try's context on a retry; every try starts from the call's.
		cl.startTry(cl.observed.ctx, req) //nolint:contextcheck // the call's context is req's own or its parent
	}
}

// afterTry is the one place where a try's outcome is judged, run by
// go-retryablehttp after every try with its answer or its error. It counts
// the try; reads a 2xx body whole (body.go), so that one that breaks off
// is a failed try like a connection lost after the request was written; lets
// a 429 pause the Client (ratelimit.go); applies the retry table
// (retry.go: judge) and notes on the call when the try may have acted. The
// error it returns is the one the call ends with when no try follows,
// handed on by passThrough.
func (cl *call) afterTry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	c := cl.client
	cl.attempts++
	if err == nil {
		if cl.body, err = readAnswer(resp, cl.wantBody); err != nil {
			c.debug(ctx, "reading the answer failed", cl.req, "attempts", cl.attempts, "error", err)
		}
	}
	if cl.observed != nil {
		cl.endTry(resp, err)
	}
	c.throttle.observe(cl, resp)
	v := c.judge(cl.req.method, resp, err, cl.wrote.Load())
	cl.ambiguous = cl.ambiguous || v.ambiguous
	if ctx.Err() != nil {
		cl.body = nil // the call fails with the context's error: nothing decodes it
		return false, ctx.Err()
	}
	return v.retry, err
}
