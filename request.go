package vpsorg

import (
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
	u, path := req.url, c.pathOf(req)
	if u == "" {
		u = c.base + req.path
	}
	fail := func(attempts int, err error) error {
		return &RequestError{Method: req.method, Path: path, Attempts: attempts, Err: err}
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
	hreq, err := retryablehttp.NewRequestWithContext(withCallState(ctx, st), req.method, u, body)
	if err != nil {
		return nil, fail(0, err)
	}
	hreq.Header.Set("Authorization", *c.auth)
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}

	hresp, err := c.http.Do(hreq)
	if err != nil {
		if c.logger != nil {
			c.log(ctx, slog.LevelDebug, "request failed", req.method, path, "attempts", st.attempts, "error", err)
		}
		return nil, fail(st.attempts, err)
	}
	defer drainAndClose(hresp.Body)

	resp := &Response{Response: hresp, RequestID: requestID(hresp.Header), Attempts: st.attempts}
	if c.logger != nil {
		c.log(ctx, slog.LevelDebug, "response", req.method, path, "status", hresp.StatusCode, "attempts", st.attempts, "request_id", resp.RequestID)
	}

	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		if req.method == http.MethodDelete && hresp.StatusCode == http.StatusNotFound && st.ambiguous {
			// An earlier try may have deleted it: gone is what was asked.
			hresp.Body = http.NoBody
			return resp, nil
		}
		apiErr := c.newAPIError(req.method, path, hresp, st.attempts)
		hresp.Body = http.NoBody
		return resp, apiErr
	}
	if out != nil && hresp.StatusCode != http.StatusNoContent {
		if err := decodeBody(hresp, out); err != nil {
			hresp.Body = http.NoBody
			return resp, fail(st.attempts, err)
		}
	}
	hresp.Body = http.NoBody
	return resp, nil
}

// decodeBody decodes a JSON success body, refusing one over maxBodySize
// before reading past the limit.
func decodeBody(resp *http.Response, out any) error {
	if resp.ContentLength > maxBodySize {
		return fmt.Errorf("%w (%d bytes, limit %d)", ErrResponseTooLarge, resp.ContentLength, maxBodySize)
	}
	lr := &limitReader{r: resp.Body, n: maxBodySize}
	if raw, ok := out.(*rawBody); ok {
		b, err := io.ReadAll(lr)
		if err != nil {
			return fmt.Errorf("read response: %w", err)
		}
		*raw = b
		return nil
	}
	if err := json.NewDecoder(lr).Decode(out); err != nil {
		if errors.Is(err, ErrResponseTooLarge) {
			return fmt.Errorf("%w (limit %d bytes)", ErrResponseTooLarge, maxBodySize)
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
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

// newAPIError reads at most maxErrorBodySize of an error answer.
func (c *Client) newAPIError(method, path string, resp *http.Response, attempts int) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodySize))
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
	return e
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
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxErrorBodySize))
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
