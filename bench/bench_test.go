package bench

import (
	"context"
	"fmt"
	"testing"
)

// Sub-benchmarks end in /client=NAME so that benchstat can put the clients
// side by side: benchstat -col /client (see run.sh).

func BenchmarkList(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		for _, c := range contenders() {
			b.Run(fmt.Sprintf("items=%d/client=%s", n, c.name), func(b *testing.B) {
				srv := startServer(b, c.shape(), n)
				o := c.dial(b, srv.URL, nil)
				run(b, srv, func(ctx context.Context) error {
					got, err := o.list(ctx, n)
					if err == nil && got != n {
						err = fmt.Errorf("list: %d items, want %d", got, n)
					}
					return err
				})
			})
		}
	}
}

func BenchmarkCreate(b *testing.B) {
	for _, c := range contenders() {
		b.Run("client="+c.name, func(b *testing.B) {
			srv := startServer(b, c.shape(), 1)
			run(b, srv, c.dial(b, srv.URL, nil).create)
		})
	}
}

func BenchmarkDelete(b *testing.B) {
	for _, c := range contenders() {
		b.Run("client="+c.name, func(b *testing.B) {
			srv := startServer(b, c.shape(), 1)
			run(b, srv, c.dial(b, srv.URL, nil).delete)
		})
	}
}

// BenchmarkAll walks 10,000 items in 100 pages of 100, with each client's
// own way to do that: vpsorg's All iterator, the floor following "next",
// godo's documented page loop, hcloud's AllWithOpts.
func BenchmarkAll(b *testing.B) {
	for _, c := range contenders() {
		b.Run(fmt.Sprintf("items=%d/client=%s", allPages*allPerPage, c.name), func(b *testing.B) {
			srv := startServer(b, c.shape(), 0)
			o := c.dial(b, srv.URL, nil)
			run(b, srv, func(ctx context.Context) error {
				got, err := o.all(ctx, nil)
				if err == nil && got != allPages*allPerPage {
					err = fmt.Errorf("all: %d items, want %d", got, allPages*allPerPage)
				}
				return err
			})
		})
	}
}

// run times call. One untimed call first opens the connection, so that
// every client starts warm; the "conns" metric is how many TCP connections
// the server saw in all, which is 1 for a client that reuses its connection.
func run(b *testing.B, srv *fixtureServer, call func(context.Context) error) {
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
	b.ReportMetric(float64(srv.conns.Load()), "conns")
}
