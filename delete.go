package vpsorg

import (
	"context"
	"errors"
	"net/http"
)

// deleteObject sends DELETE to path. When an earlier try failed
// ambiguously (a 5xx, or a connection lost after the request was sent) and
// a retry answers 404, that earlier try may have deleted the object: gone
// is what was asked, so the call succeeds. op names the call to observers
// ("Backups.Delete").
func (c *Client) deleteObject(ctx context.Context, op, path string) (_ *Response, err error) {
	ctx, end := c.startCall(ctx, op)
	defer func() { end(err) }()
	cl := c.newCall(request{method: http.MethodDelete, path: path})
	resp, err := cl.do(ctx, nil)
	if err != nil && resp != nil && cl.ambiguous && errors.Is(err, ErrNotFound) {
		return resp, nil
	}
	return resp, err
}
