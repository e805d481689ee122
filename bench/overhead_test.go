package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/oauth2"

	"github.com/vpsorg/vpsorg-go"
)

// Client overhead without the network.
//
// On loopback, a one-item list, a create or a delete is almost all round
// trip (the kernel and the in-process server); what the clients themselves
// do differs by a few per cent of it. BenchmarkOverhead times the same
// calls, on the same clients built the same way and answered with the same
// prepared bodies, through memTransport: an http.RoundTripper that reads
// the request body and answers from the fixture in memory. What is left is
// each client's own cost (building the request, its retry and auth layers,
// decoding) plus the transport's small, equal share (one *http.Response,
// its header map and a bytes.Reader a call).
//
// Every client gets memTransport at the bottom of its own stack, under its
// own layers (godo's oauth2 and go-retryablehttp, vpsorg's and hcloud's
// wrappers), in an *http.Client without a Timeout: net/http enforces a
// Timeout with a goroutine and a timer for any transport it does not know,
// which none of them pays on the network. These figures say nothing about
// connections or latency; the loopback benchmarks do.

// memURL is the base URL the in-memory clients are given. Loopback, so
// that vpsorg accepts plain http; nothing is ever dialled.
const memURL = "http://127.0.0.1:1"

// memTransport answers every request from a fixture, without a network.
type memTransport struct{ fs *fixtureServer }

func (t memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		// A real transport writes the body; so does this one, to nowhere.
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	status, a := t.fs.answer(r)
	resp := &http.Response{
		Status:     statusLine(status),
		StatusCode: status,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header, 2),
		Body:       http.NoBody,
		Request:    r,
	}
	if a.body != nil {
		resp.Header["Content-Type"] = t.fs.ctype
		resp.Header["Content-Length"] = a.length
		resp.Body = io.NopCloser(bytes.NewReader(a.body))
		resp.ContentLength = int64(len(a.body))
	}
	return resp, nil
}

// statusLine is Response.Status for the codes the fixture answers with,
// without building a string per call.
func statusLine(code int) string {
	switch code {
	case http.StatusOK:
		return "200 OK"
	case http.StatusCreated:
		return "201 Created"
	case http.StatusNoContent:
		return "204 No Content"
	case http.StatusUnauthorized:
		return "401 Unauthorized"
	default:
		return "404 Not Found"
	}
}

func memFloor(_ testing.TB, url string, rt http.RoundTripper) ops {
	return floorOps(&floorClient{hc: &http.Client{Transport: rt}, base: url + "/api/v1/", auth: "Bearer " + token})
}

// memVPSOrg gives the SDK an *http.Client through WithHTTPClient, the only
// way to change its transport; everything else is the default.
func memVPSOrg(tb testing.TB, url string, rt http.RoundTripper) ops {
	c, err := vpsorg.NewClient(token, vpsorg.WithBaseURL(url+"/api/v1/"), vpsorg.WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		tb.Fatal(err)
	}
	return vpsorgOps(c)
}

// memGodo builds godo as dialGodo does and puts rt under go-retryablehttp,
// where godo's own pooled transport was: oauth2 -> retryablehttp -> rt.
func memGodo(tb testing.TB, url string, rt http.RoundTripper) ops {
	c := newGodo(tb, url)
	auth, ok := c.HTTPClient.Transport.(*oauth2.Transport)
	if !ok {
		tb.Fatalf("godo's transport is %T, want *oauth2.Transport", c.HTTPClient.Transport)
	}
	retry, ok := auth.Base.(*retryablehttp.RoundTripper)
	if !ok {
		tb.Fatalf("godo's oauth2 base is %T, want *retryablehttp.RoundTripper", auth.Base)
	}
	retry.Client.HTTPClient.Transport = rt
	return godoOps(c)
}

func memHcloud(_ testing.TB, url string, rt http.RoundTripper) ops {
	return hcloudOps(newHcloud(url, &http.Client{Transport: rt}))
}

// BenchmarkOverhead is the List, Create, Delete and All cases again, each
// client through memTransport: client overhead without the network.
func BenchmarkOverhead(b *testing.B) {
	type tcase struct {
		name  string
		items int // the fixture's List page; 0 for the All pages
		call  func(o ops) func(context.Context) error
	}
	list := func(n int) func(o ops) func(context.Context) error {
		return func(o ops) func(context.Context) error {
			return func(ctx context.Context) error {
				got, err := o.list(ctx, n)
				if err == nil && got != n {
					err = fmt.Errorf("list: %d items, want %d", got, n)
				}
				return err
			}
		}
	}
	cases := []tcase{
		{"List/items=1", 1, list(1)},
		{"List/items=100", 100, list(100)},
		{"List/items=1000", 1000, list(1000)},
		{"Create", 1, func(o ops) func(context.Context) error { return o.create }},
		{"Delete", 1, func(o ops) func(context.Context) error { return o.delete }},
		{fmt.Sprintf("All/items=%d", allPages*allPerPage), 0, func(o ops) func(context.Context) error {
			return func(ctx context.Context) error {
				got, err := o.all(ctx, nil)
				if err == nil && got != allPages*allPerPage {
					err = fmt.Errorf("all: %d items, want %d", got, allPages*allPerPage)
				}
				return err
			}
		}},
	}
	for _, tc := range cases {
		for _, c := range contenders() {
			b.Run(tc.name+"/client="+c.name, func(b *testing.B) {
				fs := newFixture(c.shape(), memURL, tc.items)
				call := tc.call(c.mem(b, memURL, memTransport{fs}))
				ctx := context.Background()
				if err := call(ctx); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := call(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
