package vpsorg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
)

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

	// ambiguous is set when an earlier try of this call may have acted on
	// the server (a 5xx, or a connection lost after the request was sent).
	ambiguous bool
}

// request is one API call: where it goes and what it carries.
type request struct {
	method string
	path   string // relative to the base URL, such as "backups/"; ignored when url is set
	url    string // absolute URL, for following a list's "next" link
	query  any    // a struct with `url` tags for go-querystring, or nil
	body   any    // marshalled to JSON when non-nil
}

// do sends req and decodes a 2xx JSON answer into out (when out is
// non-nil). Any other answer becomes an *APIError; a call with no usable
// answer an *RequestError. It is three steps: build the HTTP request, send
// it through the retry policy (which also reads a 2xx body, so that one
// that breaks off is a failed try), read the answer.
func (c *Client) do(ctx context.Context, req request, out any) (*Response, error) {
	return c.doCall(ctx, &callState{}, req, out)
}

// doCall is do with the call's state in st, which a write reads afterwards
// to learn whether a failed try may have acted on the server.
func (c *Client) doCall(ctx context.Context, st *callState, req request, out any) (*Response, error) {
	if ctx == nil {
		return nil, c.requestError(req, 0, errors.New("nil context"))
	}
	if err := ctx.Err(); err != nil {
		return nil, c.requestError(req, 0, err) // an ended context sends nothing, whatever the transport
	}
	st.method, st.wantBody = req.method, out != nil
	hreq, err := c.newHTTPRequest(withCallState(ctx, st), req)
	if err != nil {
		return nil, c.requestError(req, 0, err)
	}
	hreq.SetResponseHandler(st.readAnswer)
	hresp, err := c.http.Do(hreq) //nolint:bodyclose // readResponse closes it
	if err != nil {
		c.debug(ctx, "request failed", req, "attempts", st.attempts, "error", err)
		return nil, c.requestError(req, st.attempts, err)
	}
	return c.readResponse(ctx, req, st, hresp, out)
}

// newHTTPRequest builds the HTTP request of req: its URL with the query,
// its JSON body and the SDK's headers.
func (c *Client) newHTTPRequest(ctx context.Context, req request) (*retryablehttp.Request, error) {
	u := req.url
	if u == "" {
		u = c.base + req.path
	}
	if req.query != nil {
		v, err := query.Values(req.query)
		if err != nil {
			return nil, fmt.Errorf("encode query: %w", err)
		}
		if q := v.Encode(); q != "" {
			u += "?" + q
		}
	}
	var body any // untyped nil without a body: a nil []byte would go out as an empty chunked body
	if req.body != nil {
		b, err := marshalJSON(req.body)
		if err != nil {
			return nil, fmt.Errorf("encode body: %w", err)
		}
		body = b
	}
	hreq, err := retryablehttp.NewRequestWithContext(ctx, req.method, u, body)
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Authorization", *c.auth)
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	return hreq, nil
}

// readResponse reads the answer of a call and closes its body: a 2xx is
// decoded into out, anything else becomes an *APIError.
func (c *Client) readResponse(ctx context.Context, req request, st *callState, hresp *http.Response, out any) (*Response, error) {
	defer func() {
		_ = hresp.Body.Close()
		hresp.Body = http.NoBody // what a caller reading Response.Body finds
	}()
	hresp.Request = withoutAuth(hresp.Request)
	resp := &Response{Response: hresp, RequestID: requestID(hresp.Header), Attempts: st.attempts, ambiguous: st.ambiguous}
	c.debug(ctx, "response", req, "status", hresp.StatusCode, "attempts", st.attempts, "request_id", resp.RequestID)

	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		apiErr, readErr := c.newAPIError(req.method, c.pathOf(req), hresp, st.attempts)
		if readErr != nil && ctx.Err() != nil {
			// The context ended while the body came: that, not the
			// status, is why the call failed.
			return resp, c.requestError(req, st.attempts, fmt.Errorf("read body of %d answer: %w", hresp.StatusCode, ctx.Err()))
		}
		return resp, apiErr
	}
	// The body was read whole inside the retry loop (callState.readAnswer).
	if out == nil || hresp.StatusCode == http.StatusNoContent {
		return resp, nil
	}
	body := st.body
	// The call's state lives on in the context of Response.Request: it
	// must not keep the raw body alive beside the decoded answer.
	st.body = nil
	if err := decodeInto(body, out); err != nil {
		return resp, c.requestError(req, st.attempts, err)
	}
	return resp, nil
}

// requestError names the call that got no usable answer.
func (c *Client) requestError(req request, attempts int, err error) *RequestError {
	return &RequestError{Method: req.method, Path: c.pathOf(req), Attempts: attempts, Err: err}
}

// withoutAuth returns a copy of r, and of the requests it was redirected
// from, without the Authorization header: a caller printing
// Response.Request.Header must not see the token.
func withoutAuth(r *http.Request) *http.Request {
	if r == nil {
		return nil
	}
	// A shallow copy with its own header map is enough: the request has
	// been sent and nothing changes it any more.
	out := new(http.Request)
	*out = *r
	out.Header = r.Header.Clone()
	out.Header.Del("Authorization")
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

// pathOf returns the URL path a request goes to, which names the call in
// errors and logs.
func (c *Client) pathOf(req request) string {
	if req.url == "" {
		return c.basePath + req.path
	}
	if u, err := url.Parse(req.url); err == nil && u.Path != "" {
		return u.Path
	}
	if i := strings.IndexByte(req.url, '?'); i >= 0 {
		return req.url[:i]
	}
	return req.url
}

// debug writes one debug line about a call to the configured logger. A
// silent client returns before building the line.
func (c *Client) debug(ctx context.Context, msg string, req request, args ...any) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	c.logger.Log(ctx, slog.LevelDebug, "vpsorg: "+msg, append([]any{"method", req.method, "path", c.pathOf(req)}, args...)...)
}
