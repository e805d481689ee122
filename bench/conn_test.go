package bench

import (
	"context"
	"testing"
)

// TestOneConnectionFor1000Calls: 1000 sequential calls of each kind reuse
// one TCP connection, for every client, so that no client in the figures
// pays for dialling (or gains from skipping the drain that lets a
// connection be reused).
func TestOneConnectionFor1000Calls(t *testing.T) { //nolint:paralleltest // counts connections: other tests' load would open more
	const calls = 1000
	for _, c := range contenders() { //nolint:paralleltest // one case at a time, for the same reason
		cases := []struct {
			name  string
			items int
			call  func(o ops) func(context.Context) error
		}{
			{"list", 100, func(o ops) func(context.Context) error {
				return func(ctx context.Context) error { _, err := o.list(ctx, 100); return err }
			}},
			{"create", 1, func(o ops) func(context.Context) error { return o.create }},
			{"delete", 1, func(o ops) func(context.Context) error { return o.delete }},
		}
		for _, tc := range cases {
			t.Run(c.name+"/"+tc.name, func(t *testing.T) {
				srv := startServer(t, c.shape(), tc.items)
				call := tc.call(c.dial(t, srv.URL, nil))
				ctx := context.Background()
				for i := range calls {
					if err := call(ctx); err != nil {
						t.Fatalf("call %d: %v", i, err)
					}
				}
				// One connection carries them all. net/http hands a
				// connection back to its pool on its own goroutine after
				// the answer is read, so on a loaded machine the next call
				// can find the pool empty for an instant and dial while it
				// waits; the pool then keeps both. A second connection is
				// that race (the "conns" metric of the benchmarks shows 1
				// on a quiet machine); a third or more means a client that
				// does not drain and close its bodies.
				n := srv.conns.Load()
				if n > 1 {
					t.Logf("%d sequential calls opened %d connections", calls, n)
				}
				if n > 2 {
					t.Errorf("%d sequential calls opened %d connections, want 1 (2 at most under load)", calls, n)
				}
			})
		}
	}
}
