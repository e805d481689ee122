package vpsorg

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
)

// The first layer of a call: the HTTP request it sends.

// request is one API call: where it goes and what it carries.
type request struct {
	method string
	path   string // relative to the base URL, such as "backups/"; ignored when url is set
	url    string // absolute URL, for following a list's "next" link
	query  any    // a struct with `url` tags for go-querystring, or nil
	body   any    // marshalled to JSON when non-nil; a *handed (Client.Do) is sent as it is
}

// newHTTPRequest builds the HTTP request of req: its URL with the query,
// its JSON body and the SDK's headers. go-retryablehttp's request keeps
// the body, so that every try sends it whole.
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
	body, header, err := encodeBody(req.body)
	if err != nil {
		return nil, err
	}
	hreq, err := retryablehttp.NewRequestWithContext(ctx, req.method, u, body)
	if err != nil {
		return nil, err
	}
	c.setHeaders(hreq.Header, header, body != nil)
	return hreq, nil
}

// encodeBody returns the body to send, untyped nil for none (a nil []byte
// would go out as an empty chunked body), and, for a request handed to
// Client.Do, the headers it came with.
func encodeBody(v any) (body any, header http.Header, err error) {
	switch v := v.(type) {
	case nil:
		return nil, nil, nil
	case *handed:
		if v.body == nil {
			return nil, v.header, nil
		}
		return v.body, v.header, nil
	}
	b, err := marshalJSON(v)
	if err != nil {
		return nil, nil, fmt.Errorf("encode body: %w", err)
	}
	return b, nil, nil
}

// setHeaders sets a request's headers: from's first (those of a request
// handed to Client.Do; nil for the SDK's own calls), then the token, in
// place of any from held, the User-Agent, and Accept and, with a body,
// Content-Type, unless from set them.
func (c *Client) setHeaders(h, from http.Header, hasBody bool) {
	for k, v := range from {
		h[k] = slices.Clone(v)
	}
	h.Set("Authorization", *c.auth)
	h.Set("User-Agent", c.userAgent)
	if h.Get("Accept") == "" {
		h.Set("Accept", "application/json")
	}
	if hasBody && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
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
