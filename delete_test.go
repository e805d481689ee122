package vpsorg

import (
	"context"
	"errors"
	"testing"
)

// TestDeleteGoneAfterAmbiguousFailure: a DELETE whose first try may have
// worked reports success when the retry finds the object gone; a plain
// 404 is still ErrNotFound.
func TestDeleteGoneAfterAmbiguousFailure(t *testing.T) {
	t.Parallel()
	notFound := answer{status: 404, body: `{"detail":"Not found."}`}
	tests := []struct {
		name    string
		answers []answer
		wantErr bool
	}{
		{"500 then 404", []answer{{status: 500}, notFound}, false},
		{"reset after write then 404", []answer{{err: reset(), wrote: true}, notFound}, false},
		{"504 then 404", []answer{{status: 504}, notFound}, false},
		{"plain 404", []answer{notFound}, true},
		{"429 then 404", []answer{{status: 429}, notFound}, true},
		{"refused then 404", []answer{{err: refused()}, notFound}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			s := &script{t: t, answers: tc.answers}
			mock.RegisterResponder("DELETE", testBase+"backups/501/", s.respond)

			resp, err := c.Backups.Delete(context.Background(), 501)

			if tc.wantErr {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("want ErrNotFound, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("want success (the backup is gone), got %v", err)
			}
			if resp.Attempts != 2 {
				t.Fatalf("Attempts = %d; want 2", resp.Attempts)
			}
		})
	}
}
