package main

import (
	"math"
	"strings"
	"testing"
)

func TestSignTest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		k, n int
		want float64
	}{
		{15, 30, 1},
		{20, 30, 0.0987},
		{21, 30, 0.0428},
		{10, 30, 0.0987}, // two-sided: as far below the middle
		{30, 30, 1.86e-9},
		{3, 3, 0.25},
	} {
		if got := signTest(tc.k, tc.n); math.Abs(got-tc.want) > tc.want*0.005 {
			t.Errorf("signTest(%d, %d) = %.4g, want %.4g", tc.k, tc.n, got, tc.want)
		}
	}
}

func TestMedianInterval(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n, lo, hi int
		ok        bool
	}{
		{5, 0, 0, false}, // P(X = 0) = 1/32 > 0.025
		{6, 1, 6, true},
		{30, 10, 21, true},
		{60, 22, 39, true}, // P(X <= 21) = 0.0137, P(X <= 22) = 0.0259
	} {
		lo, hi, ok := medianInterval(tc.n)
		if lo != tc.lo || hi != tc.hi || ok != tc.ok {
			t.Errorf("medianInterval(%d) = %d, %d, %v; want %d, %d, %v", tc.n, lo, hi, ok, tc.lo, tc.hi, tc.ok)
		}
	}
}

func TestTable(t *testing.T) {
	t.Parallel()
	// Three rounds; in each, vpsorg takes 90 and the floor 100, and godo
	// is missing from the last one.
	in := `goos: linux
BenchmarkDelete/client=floor-2   100   100 ns/op   1.000 conns
BenchmarkDelete/client=vpsorg-2  100    90 ns/op   1.000 conns
BenchmarkDelete/client=godo-2    100    80 ns/op   1.000 conns
BenchmarkAllHeap/items=1/client=vpsorg-2 1 5 ns/op
goos: linux
BenchmarkDelete/client=floor-2   100   100 ns/op
BenchmarkDelete/client=vpsorg-2  100    90 ns/op
BenchmarkDelete/client=godo-2    100   120 ns/op
goos: linux
BenchmarkDelete/client=floor-2   100   100 ns/op
BenchmarkDelete/client=vpsorg-2  100    90 ns/op
PASS
`
	rounds, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rounds) != 3 {
		t.Fatalf("%d rounds, want 3", len(rounds))
	}
	got := table(rounds)
	for _, want := range []string{
		"| vpsorg/floor: median [95% interval], faster in, p | vpsorg/godo:",
		"| Delete | 0.900 [n too small], 3 of 3, p=0.250 | 0.938 [n too small], 1 of 2, p=1.000 |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "AllHeap") {
		t.Errorf("table has AllHeap:\n%s", got)
	}
}
