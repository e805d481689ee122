package vpsorg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
)

// Body limits: a success body is decoded up to maxBodySize and an error
// body kept up to maxErrorBodySize; nothing past them is read.
const (
	maxBodySize      = 32 << 20
	maxErrorBodySize = 64 << 10
)

// Response is the HTTP answer of a call, with what the SDK read from it.
// Its Body has already been read and closed.
type Response struct {
	*http.Response

	Count     int    // list calls: the envelope's "count", all items across pages
	NextPage  int    // list calls: the next page's number, 0 on the last page
	RequestID string // the server's X-Request-Id (or Request-Id), when it sends one
	Attempts  int    // tries this call took, 429 retries included
}

// request is one API call: where it goes and what it carries.
type request struct {
	method string
	path   string // relative to the base URL, such as "backups/"; ignored when url is set
	url    string // absolute URL, for following a list's "next" link
	query  any    // a struct with `url` tags for go-querystring, or nil
	body   any    // marshalled to JSON when non-nil
}

// do sends req and decodes a 2xx JSON answer into out (when out is non-nil).
// Any other answer becomes an *APIError; a call with no usable answer an
// *RequestError.
func (c *Client) do(ctx context.Context, req request, out any) (*Response, error) {
	// The call's path, for errors and logs, is made by c.pathOf(req) where
	// one needs it: a successful call without a logger never does.
	u := req.url
	if u == "" {
		u = c.base + req.path
	}
	fail := func(attempts int, err error) error {
		return &RequestError{Method: req.method, Path: c.pathOf(req), Attempts: attempts, Err: err}
	}
	if ctx == nil {
		return nil, fail(0, errors.New("nil context"))
	}
	if err := ctx.Err(); err != nil {
		return nil, fail(0, err) // an ended context sends nothing, whatever the transport
	}
	if req.query != nil {
		v, err := query.Values(req.query)
		if err != nil {
			return nil, fail(0, fmt.Errorf("encode query: %w", err))
		}
		if q := v.Encode(); q != "" {
			u += "?" + q
		}
	}
	var body []byte
	if req.body != nil {
		var err error
		if body, err = json.Marshal(req.body); err != nil {
			return nil, fail(0, fmt.Errorf("encode body: %w", err))
		}
	}

	st := &callState{method: req.method}
	var rawBody any // untyped nil without a body: a nil []byte would go out as an empty chunked body
	if body != nil {
		rawBody = body
	}
	hreq, err := retryablehttp.NewRequestWithContext(withCallState(ctx, st), req.method, u, rawBody)
	if err != nil {
		return nil, fail(0, err)
	}
	// The keys are canonical and the values share one array, instead of
	// an allocation per Header.Set; each slice is capped at its length,
	// so an append to one cannot reach the next.
	vals := [...]string{*c.auth, "application/json", c.userAgent, "application/json"}
	h := hreq.Header
	h["Authorization"] = vals[0:1:1]
	h["Accept"] = vals[1:2:2]
	h["User-Agent"] = vals[2:3:3]
	if body != nil {
		h["Content-Type"] = vals[3:4:4]
	}

	hresp, err := c.http.Do(hreq)
	if err != nil {
		if c.logger != nil {
			c.log(ctx, slog.LevelDebug, "request failed", req.method, c.pathOf(req), "attempts", st.attempts, "error", err)
		}
		return nil, fail(st.attempts, err)
	}
	rbody := hresp.Body
	drain := true // false once the body was read to its end, or proved too large: draining it would read past the limit
	defer func() {
		if drain {
			drainAndClose(rbody)
		} else {
			_ = rbody.Close()
		}
	}()
	hresp.Request = withoutAuth(hresp.Request)

	resp := &Response{Response: hresp, RequestID: requestID(hresp.Header), Attempts: st.attempts}
	if c.logger != nil {
		c.log(ctx, slog.LevelDebug, "response", req.method, c.pathOf(req), "status", hresp.StatusCode, "attempts", st.attempts, "request_id", resp.RequestID)
	}

	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		if req.method == http.MethodDelete && hresp.StatusCode == http.StatusNotFound && st.ambiguous {
			// An earlier try may have deleted it: gone is what was asked.
			hresp.Body = http.NoBody
			return resp, nil
		}
		apiErr, readErr := c.newAPIError(req.method, c.pathOf(req), hresp, st.attempts)
		drain = readErr == nil && len(apiErr.Body) < maxErrorBodySize
		hresp.Body = http.NoBody
		if readErr != nil && ctx.Err() != nil {
			// The context ended while the body came: that, not the
			// status, is why the call failed.
			return resp, fail(st.attempts, fmt.Errorf("read body of %d answer: %w", hresp.StatusCode, ctx.Err()))
		}
		return resp, apiErr
	}
	if out != nil && hresp.StatusCode != http.StatusNoContent {
		err := decodeBody(hresp, out)
		drain = err != nil && !errors.Is(err, ErrResponseTooLarge)
		if err != nil {
			hresp.Body = http.NoBody
			return resp, fail(st.attempts, err)
		}
	}
	hresp.Body = http.NoBody
	return resp, nil
}

// decodeBody decodes a JSON success body, refusing one over maxBodySize
// before reading past the limit. The SDK's own answer types go through
// jsonReader (fastjson.go) and fall back to encoding/json, so results and
// errors are encoding/json's either way.
func decodeBody(resp *http.Response, out any) error {
	if resp.ContentLength > maxBodySize {
		return fmt.Errorf("%w (%d bytes, limit %d)", ErrResponseTooLarge, resp.ContentLength, maxBodySize)
	}
	b, err := readBody(resp.Body, resp.ContentLength)
	if err != nil {
		if errors.Is(err, ErrResponseTooLarge) {
			return fmt.Errorf("%w (limit %d bytes)", ErrResponseTooLarge, maxBodySize)
		}
		return fmt.Errorf("read response: %w", err)
	}
	if raw, ok := out.(*rawBody); ok {
		*raw = b
		return nil
	}
	if d, ok := out.(jsonDecodable); ok {
		if decodeFast(b, d) {
			return nil
		}
		// out may hold part of the answer: only values encoding/json
		// stores for the same keys, which it stores again.
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(out); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}

// readBody reads a whole body of at most maxBodySize bytes. A declared
// length sizes the buffer (up to a bound, since the server chooses it), so
// a body is usually read with one allocation.
func readBody(body io.Reader, length int64) ([]byte, error) {
	size := int64(4 << 10)
	if length >= 0 {
		size = min(length, 1<<20) + 1 // +1 to see EOF without growing
	}
	b := make([]byte, 0, size)
	lr := &limitReader{r: body, n: maxBodySize}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// rawBody asks do for the body's bytes, undecoded, for answers whose shape
// is not documented.
type rawBody []byte

// limitReader reads at most n bytes and then fails with ErrResponseTooLarge
// if more are there, unlike io.LimitReader, which would end quietly and
// let a cut body decode as if whole.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, ErrResponseTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// newAPIError reads at most maxErrorBodySize of an error answer. It
// returns the error that cut the body short, if any, with what was read.
func (c *Client) newAPIError(method, path string, resp *http.Response, attempts int) (*APIError, error) {
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodySize))
	body = c.maskToken(body)
	msg, fields := parseErrorBody(body)
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	e := &APIError{
		StatusCode:  resp.StatusCode,
		Method:      method,
		Path:        path,
		Message:     msg,
		FieldErrors: fields,
		RequestID:   requestID(resp.Header),
		Attempts:    attempts,
		Body:        body,
	}
	if d, ok := retryAfter(resp.Header, c.now()); ok {
		e.RetryAfter = d
	}
	return e, readErr
}

// maskToken hides the token in an error body, where a proxy's error page
// that echoes the request's headers would show it. The body keeps its length.
func (c *Client) maskToken(body []byte) []byte {
	tok := []byte(strings.TrimPrefix(*c.auth, "Bearer "))
	return bytes.ReplaceAll(body, tok, bytes.Repeat([]byte("*"), len(tok)))
}

// withoutAuth returns a copy of r, and of the requests it was redirected
// from, without the Authorization header: a caller printing
// Response.Request.Header must not see the token.
func withoutAuth(r *http.Request) *http.Request {
	if r == nil {
		return nil
	}
	// A shallow copy with its own header map is enough: the request has
	// been sent and nothing changes it any more, and a deep Clone would
	// copy its URL and every header value on every call.
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

// drainAndClose reads what is left of a body, up to a limit, so that the
// connection goes back to the pool.
func drainAndClose(body io.ReadCloser) {
	if body != http.NoBody { // what net/http gives for a 204
		_, _ = io.Copy(io.Discard, io.LimitReader(body, maxErrorBodySize))
	}
	_ = body.Close()
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

// log writes one line to the configured logger. Callers check c.logger
// first, so that a silent client does not pay for building the arguments.
func (c *Client) log(ctx context.Context, level slog.Level, msg, method, path string, args ...any) {
	if !c.logger.Enabled(ctx, level) {
		return
	}
	c.logger.Log(ctx, level, "vpsorg: "+msg, append([]any{"method", method, "path", path}, args...)...)
}
