package vpsorgtest

import (
	"slices"
	"testing"
)

// statuses sends n GET /api/v1/backups/ one after another and returns what
// each was answered.
func (h *harness) statuses(t *testing.T, n int) []int {
	t.Helper()
	out := make([]int, n)
	for i := range out {
		out[i] = h.do(t, "GET", "/api/v1/backups/", "").status
	}
	return out
}

func count(statuses []int, status int) int {
	n := 0
	for _, s := range statuses {
		if s == status {
			n++
		}
	}
	return n
}

func TestProbabilityShare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		rule     Rule
		n        int
		min, max int // faults among the n requests
	}{
		// 1000 draws at 20%: the standard deviation is 12.6, so 150..250 is
		// about four of them either side.
		{"20% of 1000", Rule{Method: "GET", Probability: 0.2, Fault: Fault{Status: 503}}, 1000, 150, 250},
		{"probability 1 is always", Rule{Method: "GET", Probability: 1, Fault: Fault{Status: 503}}, 50, 50, 50},
		{"0 is always", Rule{Method: "GET", Fault: Fault{Status: 503}}, 50, 50, 50},
		{"out of range is always", Rule{Method: "GET", Probability: -0.5, Fault: Fault{Status: 503}}, 50, 50, 50},
		{"other method never", Rule{Method: "POST", Probability: 0.5, Fault: Fault{Status: 503}}, 50, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t)
			h.AddFault(tt.rule)
			got := h.statuses(t, tt.n)
			faulted := count(got, 503)
			if faulted < tt.min || faulted > tt.max {
				t.Fatalf("%d of %d faulted, want %d..%d", faulted, tt.n, tt.min, tt.max)
			}
			if faulted+count(got, 200) != tt.n {
				t.Fatalf("statuses other than 200 and 503: %v", got)
			}
		})
	}
}

func TestProbabilityWithinNthAndCount(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.AddFault(Rule{Method: "GET", Nth: 11, Count: 40, Probability: 0.5, Fault: Fault{Status: 503}})
	got := h.statuses(t, 100)
	if n := count(got[:10], 503) + count(got[50:], 503); n != 0 {
		t.Fatalf("%d faults outside requests 11..50: %v", n, got)
	}
	if n := count(got[10:50], 503); n < 8 || n > 32 {
		t.Fatalf("%d of 40 faulted at 50%%: %v", n, got)
	}
}

func TestFaultSeedRepeats(t *testing.T) {
	t.Parallel()
	run := func(opts ...Option) []int {
		h := start(t, opts...)
		h.AddFault(Rule{Method: "GET", Probability: 0.3, Fault: Fault{Status: 503}})
		// A rule without a probability draws nothing, so it cannot shift
		// the sequence of the other.
		h.AddFault(Rule{Method: "POST", Fault: Fault{Status: 500}})
		return h.statuses(t, 200)
	}
	seven, sevenAgain, eight := run(WithFaultSeed(7)), run(WithFaultSeed(7)), run(WithFaultSeed(8))
	if !slices.Equal(seven, sevenAgain) {
		t.Fatal("the same seed gave different faults")
	}
	if slices.Equal(seven, eight) {
		t.Fatal("seeds 7 and 8 gave the same 200 draws")
	}
	if !slices.Equal(run(), run(WithFaultSeed(DefaultFaultSeed))) {
		t.Fatal("no seed is not DefaultFaultSeed")
	}
}
