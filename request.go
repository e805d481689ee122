package vpsorg

import (
	"context"
	"fmt"
	"net/url"
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
	body   any    // marshalled to JSON when non-nil
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
