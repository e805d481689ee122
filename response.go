package vpsorg

import (
	"context"
	"fmt"
	"net/http"
)

// The last layer of a call: its answer, decoded or made an *APIError.

// Response is the HTTP answer of a call, with what the SDK read from it.
// Its Body has already been read and closed.
type Response struct {
	*http.Response

	Count     int    // list calls: the envelope's "count", all items across pages
	NextPage  int    // list calls: the next page's number, 0 on the last page
	RequestID string // the server's X-Request-Id (or Request-Id), when it sends one
	Attempts  int    // tries this call took, 429 retries included

	// Recovered reports that the write's answer was lost (a 5xx, a timeout
	// or a reset after the request was sent, or a 2xx body that broke off)
	// and the SDK found the call's result by looking for it: see
	// [ErrOutcomeUnknown]. The embedded *http.Response and RequestID are
	// then those of the look-up's answer, and Attempts counts the write's
	// own tries.
	Recovered bool
}

// read reads the answer the tries ended with and closes its body: a 2xx,
// whose body the try read whole, is decoded into out, anything else
// becomes an *APIError.
func (cl *call) read(ctx context.Context, hresp *http.Response, out any) (*Response, error) {
	defer func() {
		_ = hresp.Body.Close()
		hresp.Body = http.NoBody // what a caller reading Response.Body finds
	}()
	hresp.Request = withoutAuth(hresp.Request)
	resp := &Response{Response: hresp, RequestID: requestID(hresp.Header), Attempts: cl.attempts}
	cl.client.debug(ctx, "response", cl.req, "status", hresp.StatusCode, "attempts", cl.attempts, "request_id", resp.RequestID)

	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		return resp, cl.apiError(ctx, hresp)
	}
	// The call lives on behind Response.Request's context, whose trace is
	// its own: it must not keep the raw body alive beside the decoded answer.
	body := cl.body
	cl.body = nil
	if out == nil || hresp.StatusCode == http.StatusNoContent {
		return resp, nil
	}
	if err := decodeInto(body, out); err != nil {
		return resp, cl.fail(err)
	}
	return resp, nil
}

// apiError reads the error body of a non-2xx answer (errorbody.go) into its
// *APIError.
func (cl *call) apiError(ctx context.Context, hresp *http.Response) error {
	apiErr, readErr := cl.client.newAPIError(cl.req.method, cl.client.pathOf(cl.req), hresp, cl.attempts)
	if readErr != nil && ctx.Err() != nil {
		// The context ended while the body came: that, not the status, is
		// why the call failed.
		return cl.fail(fmt.Errorf("read body of %d answer: %w", hresp.StatusCode, ctx.Err()))
	}
	return apiErr
}

// withoutAuth returns a copy of r, and of the requests it was redirected
// from, without the Authorization header: a caller printing
// Response.Request.Header must not see the token.
func withoutAuth(r *http.Request) *http.Request {
	if r == nil {
		return nil
	}
	// A shallow copy with a header map of its own is enough: the request
	// has been sent and nothing changes it, or its header values, any more.
	out := new(http.Request)
	*out = *r
	out.Header = make(http.Header, len(r.Header))
	for k, v := range r.Header {
		if k != "Authorization" {
			out.Header[k] = v
		}
	}
	if r.Response != nil {
		prev := *r.Response
		prev.Request = withoutAuth(prev.Request)
		out.Response = &prev
	}
	return out
}

// requestID returns the id the server gave the request, under any of the
// header names in common use.
func requestID(h http.Header) string {
	for _, k := range [...]string{"X-Request-Id", "Request-Id", "X-Correlation-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}
