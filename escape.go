package vpsorg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The escape hatch: a request to an endpoint the SDK does not wrap yet,
// sent through the same layers as every call (call.go), so that it gets
// the token, the retries, the rate limit, the errors and the size caps.

// NewRequest returns a request for an endpoint the SDK has no method for,
// to send with [Client.Do]: method, such as "GET", to path relative to the
// base URL, such as "backups/?server_id=1" (a query is allowed), with body
// encoded as JSON when it is not nil. The request has the SDK's
// User-Agent, Accept and, with a body, Content-Type headers, and no token:
// Do adds it, so a request printed or logged before Do holds none.
//
// Errors: a nil ctx; a path that is not relative to the base URL (one
// with a scheme or a host, starting with "/", with a fragment, or with a
// "." or ".." segment, percent-encoded or not, or a backslash, which a
// server may read as climbing out of the base path), so that the token
// never goes elsewhere; an invalid method; a body that cannot be encoded.
func (c *Client) NewRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	if ctx == nil {
		return nil, errors.New("vpsorg: NewRequest: nil context")
	}
	u, err := url.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("vpsorg: NewRequest: path: %w", err)
	}
	if err := checkRelative(u); err != nil {
		return nil, fmt.Errorf("vpsorg: NewRequest: path %q: %w", clip(path), err)
	}
	var (
		r       io.Reader
		encoded bool
	)
	if body != nil {
		b, err := marshalJSON(body)
		if err != nil {
			return nil, fmt.Errorf("vpsorg: NewRequest: encode body: %w", err)
		}
		r, encoded = bytes.NewReader(b), true
	}
	target := c.base + u.EscapedPath()
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	req, err := http.NewRequestWithContext(ctx, method, target, r)
	if err != nil {
		return nil, fmt.Errorf("vpsorg: NewRequest: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if encoded {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// checkRelative refuses a URL reference that could leave the base URL:
// absolute, host-relative, or with a segment a server or a proxy may
// resolve upwards.
func checkRelative(u *url.URL) error {
	switch {
	case u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "":
		return errors.New(`must be relative to the base URL, such as "backups/", not an absolute URL`)
	case strings.HasPrefix(u.Path, "/"):
		return errors.New(`must be relative to the base URL, such as "backups/", without a leading "/"`)
	case u.Fragment != "" || u.RawFragment != "":
		return errors.New("must not have a fragment")
	}
	return checkSegments(u.Path)
}

// checkSegments refuses a decoded path with a "." or ".." segment or a
// backslash.
func checkSegments(path string) error {
	if strings.Contains(path, `\`) {
		return errors.New("must not contain a backslash")
	}
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "." || seg == ".." {
			return errors.New(`must not have "." or ".." segments`)
		}
	}
	return nil
}

// Do sends req, made by [Client.NewRequest] or by hand, as the SDK sends
// its own calls: with the token (in Authorization, whatever req held
// there), retries by method, the rate limit ([WithRateLimit]), the errors
// of every call ([Errors]) and the size caps. It decodes a 2xx answer's
// JSON body into v, under the SDK's rules, unless v is nil or the answer is
// 204. req's other headers are sent as they are, and its body, read whole
// (through GetBody when req has one), is sent again with each retry.
//
// GET, HEAD, OPTIONS, PUT and DELETE are retried as GET is; any other
// method, POST and PATCH included, as a create is: only when the server
// certainly did not act. A failure after it may have acted returns an
// error that also matches [ErrOutcomeUnknown]: Do does not know the
// endpoint, so it cannot look for the result as a create does.
//
// Errors: besides those of every call, a nil req, and a request whose URL
// is not under the Client's base URL (another scheme, host or port,
// another path, user info, or a "." or ".." segment), which is sent
// nowhere, so that the token never leaves the API.
//
// [Errors]: https://pkg.go.dev/github.com/vpsorg/vpsorg-go#hdr-Errors
func (c *Client) Do(req *http.Request, v any) (_ *Response, err error) {
	r, err := c.requestOf(req)
	if err != nil {
		return nil, err
	}
	ctx, end := c.startCall(req.Context(), "Client.Do")
	defer func() { end(err) }()
	cl := c.newCall(r)
	resp, err := cl.do(ctx, v)
	if err != nil && cl.ambiguous && !idempotent(r.method) {
		return resp, &outcomeError{err: err, reason: "the request may have been carried out; Client.Do cannot look for its result"}
	}
	return resp, err
}

// requestOf turns req back into the SDK's own request: its method, its
// URL (rebuilt on the base URL), its path relative to the base URL, which
// names the call, and its body and headers, sent as they are.
func (c *Client) requestOf(req *http.Request) (request, error) {
	if req == nil || req.URL == nil {
		return request{}, errors.New("vpsorg: Client.Do: nil request")
	}
	rel, err := c.relativePath(req.URL)
	if err != nil {
		return request{}, fmt.Errorf("vpsorg: Client.Do: %s %s://%s%s: %w", req.Method, req.URL.Scheme, req.URL.Host, clip(req.URL.EscapedPath()), err)
	}
	body, err := bodyOf(req)
	if err != nil {
		return request{}, fmt.Errorf("vpsorg: Client.Do: read request body: %w", err)
	}
	target := c.base + rel
	if req.URL.RawQuery != "" {
		target += "?" + req.URL.RawQuery
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet // as net/http reads it
	}
	return request{method: method, path: rel, url: target, body: &handed{body: body, header: req.Header}}, nil
}

// relativePath returns u's escaped path relative to the base URL, and
// refuses a u that is not under it.
func (c *Client) relativePath(u *url.URL) (string, error) {
	base, err := url.Parse(c.base)
	if err != nil {
		return "", err // cannot happen: NewClient parsed it
	}
	path := u.EscapedPath()
	switch {
	case originOf(u) != c.origin || !u.IsAbs():
		return "", fmt.Errorf("not the base URL's origin %s://%s", base.Scheme, base.Host)
	case u.User != nil:
		return "", errors.New("user info in the URL: the API token is the only credential sent")
	case !strings.HasPrefix(path, base.EscapedPath()):
		return "", fmt.Errorf("not under the base URL's path %s", base.EscapedPath())
	}
	if err := checkSegments(u.Path); err != nil {
		return "", err
	}
	return strings.TrimPrefix(path, base.EscapedPath()), nil
}

// bodyOf reads req's body whole, from a copy when req can make one, so
// that req can be sent again.
func bodyOf(req *http.Request) ([]byte, error) {
	body := req.Body
	if req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		body = b
	}
	if body == nil || body == http.NoBody {
		return nil, nil
	}
	defer func() { _ = body.Close() }()
	return io.ReadAll(body)
}

// handed is the body of a request given to [Client.Do], sent as it is,
// with the headers it came with.
type handed struct {
	body   []byte // nil: no body
	header http.Header
}

// idempotent reports whether sending a request of method twice does what
// sending it once does (RFC 9110, 9.2.2), so that a try that may have
// acted can be sent again.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}
