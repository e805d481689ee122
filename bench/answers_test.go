package bench

import (
	"context"
	"testing"
)

// TestOpsFailOnAnUnauthorizedAnswer: every op of every client returns an
// error when the server refuses the token, so that no op can pass in the
// benchmarks without having had the answer it times. The oapi client needs
// this most: its generated calls return any status without an error.
func TestOpsFailOnAnUnauthorizedAnswer(t *testing.T) {
	t.Parallel()
	for _, c := range contenders() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fs := newFixture(c.shape(), memURL, 1)
			fs.auth = "Bearer another-token" // every request is then answered 401
			o := c.mem(t, memURL, memTransport{fs})
			ctx := context.Background()
			calls := []struct {
				name string
				call func() error
			}{
				{"list", func() error { _, err := o.list(ctx, 1); return err }},
				{"keep", func() error { _, err := o.keep(ctx, 1); return err }},
				{"create", func() error { return o.create(ctx) }},
				{"delete", func() error { return o.delete(ctx) }},
				{"all", func() error { _, err := o.all(ctx, nil); return err }},
			}
			for _, tc := range calls {
				if err := tc.call(); err == nil {
					t.Errorf("%s: no error on a 401", tc.name)
				}
			}
		})
	}
}
