package bench

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/vpsorg/vpsorg-go/bench/oapi"
)

// The oapi contender is the client oapi-codegen generates from our own
// OpenAPI description of the snapshots endpoints (oapi/openapi.yaml), used
// as its README shows: NewClientWithResponses, a request editor that adds
// the token, the *WithResponse calls. It speaks VPS.org's API, so it gets
// the same fixture server as the floor and vpsorg.

// dialOapi gives the generated client the same pooled HTTP client as the
// floor and hcloud-go.
func dialOapi(tb testing.TB, url string, wrap wrapper) ops {
	return oapiOps(newOapi(tb, url, newHTTPClient(wrap)))
}

// memOapi is the same client over rt, for BenchmarkOverhead.
func memOapi(tb testing.TB, url string, rt http.RoundTripper) ops {
	return oapiOps(newOapi(tb, url, &http.Client{Transport: rt}))
}

func newOapi(tb testing.TB, url string, hc *http.Client) *oapi.ClientWithResponses {
	auth := "Bearer " + token
	c, err := oapi.NewClientWithResponses(url+"/api/v1/",
		oapi.WithHTTPClient(hc),
		oapi.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", auth)
			return nil
		}),
	)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// oapiOps checks the status of every answer itself: the generated client
// returns any status without an error, with the body decoded only into the
// field for the status the spec names (JSON200, JSON201).
func oapiOps(c *oapi.ClientWithResponses) ops {
	list := func(ctx context.Context, params *oapi.ListSnapshotsParams) (*oapi.SnapshotPage, error) {
		r, err := c.ListSnapshotsWithResponse(ctx, params)
		if err != nil {
			return nil, err
		}
		if r.JSON200 == nil {
			return nil, fmt.Errorf("list: status %d", r.StatusCode())
		}
		return r.JSON200, nil
	}
	description := "Snapshot before system update"
	return ops{
		list: func(ctx context.Context, n int) (int, error) {
			p, err := list(ctx, &oapi.ListSnapshotsParams{PageSize: &n})
			if err != nil {
				return 0, err
			}
			return len(p.Results), nil
		},
		keep: func(ctx context.Context, n int) (any, error) {
			p, err := list(ctx, &oapi.ListSnapshotsParams{PageSize: &n})
			if err != nil {
				return nil, err
			}
			return p.Results, nil
		},
		create: func(ctx context.Context) error {
			r, err := c.CreateSnapshotWithResponse(ctx, oapi.SnapshotCreateRequest{
				ServerId: serverID, Name: "before-update-snapshot", Description: &description,
			})
			if err == nil && r.JSON201 == nil {
				err = fmt.Errorf("create: status %d", r.StatusCode())
			}
			return checkID(err, err == nil && r.JSON201.Id == 802)
		},
		delete: func(ctx context.Context) error {
			r, err := c.DeleteSnapshotWithResponse(ctx, deleteID)
			if err == nil && r.StatusCode() != http.StatusNoContent {
				err = fmt.Errorf("delete: status %d", r.StatusCode())
			}
			return err
		},
		all: func(ctx context.Context, visit func(int)) (int, error) {
			// The generated client knows nothing of pagination: ask for
			// page after page until the envelope's next is null.
			page, perPage := 1, allPerPage
			return walkPages(visit, func() (int, bool, error) {
				p, err := list(ctx, &oapi.ListSnapshotsParams{Page: &page, PageSize: &perPage})
				if err != nil {
					return 0, false, err
				}
				page++
				return len(p.Results), p.Next != nil, nil
			})
		},
	}
}
