package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"golang.org/x/oauth2"

	"github.com/vpsorg/vpsorg-go"
)

// ops are the calls the benchmarks time, on one client pointed at a
// fixture server that speaks that client's shape. Each checks its answer,
// so that a client that silently does less cannot look fast.
type ops struct {
	list   func(ctx context.Context, n int) (int, error) // one page of n items; the count decoded
	keep   func(ctx context.Context, n int) (any, error) // the same, returning the decoded page
	create func(ctx context.Context) error
	delete func(ctx context.Context) error
	all    func(ctx context.Context, visit func(i int)) (int, error) // every item of the All case; the count seen
}

// contender is one client under comparison.
type contender struct {
	name  string
	shape func() shape
	// dial returns the client's ops against the server at url. wrap, when
	// not nil, wraps the client's transport (the heap sampler uses it).
	dial func(tb testing.TB, url string, wrap wrapper) ops
	// mem returns the same client's ops with rt, an in-memory transport,
	// in place of the network (see overhead_test.go).
	mem func(tb testing.TB, url string, rt http.RoundTripper) ops
}

type wrapper func(http.RoundTripper) http.RoundTripper

// contenders lists the clients in the order benchstat shows them: the
// floor first, so that every other column reads as a cost over it.
func contenders() []contender {
	return []contender{
		{"floor", vpsorgShape, dialFloor, memFloor},
		{"vpsorg", vpsorgShape, dialVPSOrg, memVPSOrg},
		{"godo", godoShape, dialGodo, memGodo},
		{"hcloud", hcloudShape, dialHcloud, memHcloud},
		{"oapi", vpsorgShape, dialOapi, memOapi},
	}
}

// newHTTPClient is the pooled client the floor, hcloud and oapi get: the same
// settings as vpsorg's default one (a clone of http.DefaultTransport, 16
// idle connections per host, a 60 s timeout), so that transports are equal
// and the figures compare the code above them.
func newHTTPClient(wrap wrapper) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	var rt http.RoundTripper = t
	if wrap != nil {
		rt = wrap(t)
	}
	return &http.Client{Transport: rt, Timeout: 60 * time.Second}
}

// dialVPSOrg builds the SDK as a user would: NewClient with a base URL and
// every default (its own pooled HTTP client, retries on).
func dialVPSOrg(tb testing.TB, url string, wrap wrapper) ops {
	opts := []vpsorg.Option{vpsorg.WithBaseURL(url + "/api/v1/")}
	if wrap != nil {
		opts = append(opts, vpsorg.WithHTTPClient(newHTTPClient(wrap)))
	}
	c, err := vpsorg.NewClient(token, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return vpsorgOps(c)
}

func vpsorgOps(c *vpsorg.Client) ops {
	listOpts := func(n int) *vpsorg.SnapshotListOptions {
		return &vpsorg.SnapshotListOptions{ListOptions: vpsorg.ListOptions{PageSize: n}}
	}
	return ops{
		list: func(ctx context.Context, n int) (int, error) {
			s, _, err := c.Snapshots.List(ctx, listOpts(n))
			return len(s), err
		},
		keep: func(ctx context.Context, n int) (any, error) {
			s, _, err := c.Snapshots.List(ctx, listOpts(n))
			return s, err
		},
		create: func(ctx context.Context) error {
			s, _, err := c.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{
				ServerID: serverID, Name: "before-update-snapshot", Description: "Snapshot before system update",
			})
			return checkID(err, s != nil && s.ID == 802)
		},
		delete: func(ctx context.Context) error {
			_, err := c.Snapshots.Delete(ctx, deleteID)
			return err
		},
		all: func(ctx context.Context, visit func(int)) (int, error) {
			n := 0
			for _, err := range c.Snapshots.All(ctx, listOpts(allPerPage)) {
				if err != nil {
					return n, err
				}
				if visit != nil {
					visit(n)
				}
				n++
			}
			return n, nil
		},
	}
}

// floorClient is the floor: what a careful hand-written net/http +
// encoding/json client does for the same requests, and nothing more. It
// decodes into the SDK's own Snapshot type, so the decoding work is equal.
type floorClient struct {
	hc   *http.Client
	base string // ends with "/"
	auth string
}

// floorPage is the list envelope, as the SDK reads it.
type floorPage struct {
	Count   int               `json:"count"`
	Next    *string           `json:"next"`
	Results []vpsorg.Snapshot `json:"results"`
}

func (f *floorClient) send(req *http.Request, want int, out any) error {
	req.Header.Set("Authorization", f.auth)
	req.Header.Set("Accept", "application/json")
	resp, err := f.hc.Do(req)
	if err != nil {
		return err
	}
	defer func() {
		// Drained, so the connection goes back to the pool.
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (f *floorClient) page(ctx context.Context, url string) (*floorPage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	var p floorPage
	return &p, f.send(req, http.StatusOK, &p)
}

func dialFloor(_ testing.TB, url string, wrap wrapper) ops {
	return floorOps(&floorClient{hc: newHTTPClient(wrap), base: url + "/api/v1/", auth: "Bearer " + token})
}

func floorOps(f *floorClient) ops {
	listURL := func(n int) string { return f.base + "snapshots/?page_size=" + strconv.Itoa(n) }
	return ops{
		list: func(ctx context.Context, n int) (int, error) {
			p, err := f.page(ctx, listURL(n))
			if err != nil {
				return 0, err
			}
			return len(p.Results), nil
		},
		keep: func(ctx context.Context, n int) (any, error) {
			p, err := f.page(ctx, listURL(n))
			if err != nil {
				return nil, err
			}
			return p.Results, nil
		},
		create: func(ctx context.Context) error {
			body, err := json.Marshal(&vpsorg.SnapshotCreateRequest{
				ServerID: serverID, Name: "before-update-snapshot", Description: "Snapshot before system update",
			})
			if err != nil {
				return err
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.base+"snapshots/", bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			var s vpsorg.Snapshot
			return checkID(f.send(req, http.StatusCreated, &s), s.ID == 802)
		},
		delete: func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodDelete,
				f.base+"snapshots/"+strconv.FormatInt(deleteID, 10)+"/", nil)
			if err != nil {
				return err
			}
			return f.send(req, http.StatusNoContent, nil)
		},
		all: func(ctx context.Context, visit func(int)) (int, error) {
			url := listURL(allPerPage)
			return walkPages(visit, func() (int, bool, error) {
				p, err := f.page(ctx, url)
				if err != nil {
					return 0, false, err
				}
				if p.Next == nil {
					return len(p.Results), false, nil
				}
				url = *p.Next
				return len(p.Results), true, nil
			})
		},
	}
}

// dialGodo builds godo the way godo.NewFromToken does (an oauth2 static
// token source, retries on with godo's defaults), pointed at url. godo then
// sends through go-retryablehttp's own pooled transport.
func dialGodo(tb testing.TB, url string, wrap wrapper) ops {
	c := newGodo(tb, url)
	if wrap != nil {
		c.HTTPClient.Transport = wrap(c.HTTPClient.Transport)
	}
	return godoOps(c)
}

func newGodo(tb testing.TB, url string) *godo.Client {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})
	c, err := godo.New(oauth2.NewClient(context.Background(), ts),
		godo.SetBaseURL(url+"/"),
		godo.WithRetryAndBackoffs(godo.RetryConfig{RetryMax: 4, RetryWaitMin: godo.PtrTo(1.0), RetryWaitMax: godo.PtrTo(30.0)}),
	)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func godoOps(c *godo.Client) ops {
	return ops{
		list: func(ctx context.Context, n int) (int, error) {
			s, _, err := c.Snapshots.List(ctx, &godo.ListOptions{PerPage: n})
			return len(s), err
		},
		keep: func(ctx context.Context, n int) (any, error) {
			s, _, err := c.Snapshots.List(ctx, &godo.ListOptions{PerPage: n})
			return s, err
		},
		create: func(ctx context.Context) error {
			s, _, err := c.Storage.CreateSnapshot(ctx, &godo.SnapshotCreateRequest{
				VolumeID: strconv.Itoa(serverID), Name: "before-update-snapshot", Description: "Snapshot before system update",
			})
			return checkID(err, s != nil && s.ID == "802")
		},
		delete: func(ctx context.Context) error {
			_, err := c.Snapshots.Delete(ctx, strconv.Itoa(deleteID))
			return err
		},
		all: func(ctx context.Context, visit func(int)) (int, error) {
			// godo has no iterator: this is the loop its README shows.
			opt := &godo.ListOptions{PerPage: allPerPage}
			return walkPages(visit, func() (int, bool, error) {
				s, resp, err := c.Snapshots.List(ctx, opt)
				if err != nil || resp.Links == nil || resp.Links.IsLastPage() {
					return len(s), false, err
				}
				page, err := resp.Links.CurrentPage()
				opt.Page = page + 1
				return len(s), err == nil, err
			})
		},
	}
}

// dialHcloud builds hcloud-go with a token, the fixture's endpoint and the
// same pooled HTTP client as the floor; its own defaults otherwise.
func dialHcloud(_ testing.TB, url string, wrap wrapper) ops {
	return hcloudOps(newHcloud(url, newHTTPClient(wrap)))
}

func newHcloud(url string, hc *http.Client) *hcloud.Client {
	return hcloud.NewClient(hcloud.WithToken(token), hcloud.WithEndpoint(url+"/v1"), hcloud.WithHTTPClient(hc))
}

func hcloudOps(c *hcloud.Client) ops {
	listOpts := func(n int) hcloud.ImageListOpts {
		return hcloud.ImageListOpts{ListOpts: hcloud.ListOpts{PerPage: n}}
	}
	return ops{
		list: func(ctx context.Context, n int) (int, error) {
			s, _, err := c.Image.List(ctx, listOpts(n))
			return len(s), err
		},
		keep: func(ctx context.Context, n int) (any, error) {
			s, _, err := c.Image.List(ctx, listOpts(n))
			return s, err
		},
		create: func(ctx context.Context) error {
			r, _, err := c.Server.CreateImage(ctx, &hcloud.Server{ID: serverID}, &hcloud.ServerCreateImageOpts{
				Type: hcloud.ImageTypeSnapshot, Description: hcloud.Ptr("Snapshot before system update"),
			})
			return checkID(err, r.Image != nil && r.Image.ID == 802)
		},
		delete: func(ctx context.Context) error {
			_, err := c.Image.Delete(ctx, &hcloud.Image{ID: deleteID})
			return err
		},
		all: func(ctx context.Context, visit func(int)) (int, error) {
			s, err := c.Image.AllWithOpts(ctx, listOpts(allPerPage))
			for i := range s {
				if visit != nil {
					visit(i)
				}
			}
			return len(s), err
		},
	}
}

// walkPages is the loop of a client without an iterator: it calls next for
// page after page, visiting and counting the items of each, until next
// reports the last page or fails. next returns the page's item count and
// whether another page follows.
func walkPages(visit func(i int), next func() (items int, more bool, err error)) (int, error) {
	n := 0
	for {
		items, more, err := next()
		if err != nil {
			return n, err
		}
		for range items {
			if visit != nil {
				visit(n)
			}
			n++
		}
		if !more {
			return n, nil
		}
	}
}

// checkID turns a create that decoded the wrong object into an error.
func checkID(err error, ok bool) error {
	if err == nil && !ok {
		return fmt.Errorf("create: wrong object decoded")
	}
	return err
}
