// Command ratios compares vpsorg with each other client round by round,
// from the raw output of bench/run.sh:
//
//	go run ./cmd/ratios results.txt
//
// run.sh runs every benchmark once per round, so within a round the clients
// were measured seconds apart, under the same load. For each case and each
// other client it divides vpsorg's ns/op by that client's from the same
// round, and prints, over the rounds: the median ratio, its 95 %
// distribution-free interval (order statistics), the rounds vpsorg was
// faster, and the two-sided sign test of that count. A ratio below 1 means
// vpsorg was faster; an interval wholly below 1 means it was faster beyond
// the noise.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// subject is the client compared with the others.
const subject = "vpsorg"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: ratios results.txt")
		os.Exit(2)
	}
	rounds, err := parseFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratios:", err)
		os.Exit(1)
	}
	fmt.Print(table(rounds))
}

// parseFile parses the results file the user named.
func parseFile(name string) ([]round, error) {
	f, err := os.Open(name) //nolint:gosec // reading the file named on the command line is the point
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse(f)
}

// round maps a case ("List/items=100") to each client's ns/op in it.
type round map[string]map[string]float64

// parse reads run.sh's output, in which each round starts with a "goos:"
// line. AllHeap is left out: its time is forced collections.
func parse(r io.Reader) ([]round, error) {
	var rounds []round
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "goos:") {
			rounds = append(rounds, round{})
			continue
		}
		name, client, ns, ok := benchLine(line)
		if !ok || strings.HasPrefix(name, "AllHeap") {
			continue
		}
		if len(rounds) == 0 {
			return nil, fmt.Errorf("benchmark line before the first round: %q", line)
		}
		cur := rounds[len(rounds)-1]
		if cur[name] == nil {
			cur[name] = map[string]float64{}
		}
		cur[name][client] = ns
	}
	return rounds, sc.Err()
}

// benchLine reads "BenchmarkList/items=100/client=vpsorg-2  N  741400 ns/op ...".
func benchLine(line string) (name, client string, ns float64, ok bool) {
	fields := strings.Fields(line)
	if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") || fields[3] != "ns/op" {
		return "", "", 0, false
	}
	full := strings.TrimPrefix(fields[0], "Benchmark")
	if i := strings.LastIndexByte(full, '-'); i > 0 {
		full = full[:i] // the GOMAXPROCS suffix
	}
	i := strings.Index(full, "/client=")
	if i < 0 {
		return "", "", 0, false
	}
	ns, err := strconv.ParseFloat(fields[2], 64)
	if err != nil {
		return "", "", 0, false
	}
	return full[:i], full[i+len("/client="):], ns, true
}

// table prints one row a case, one column for each other client.
func table(rounds []round) string {
	cases, others := names(rounds)
	var b strings.Builder
	b.WriteString("| case |")
	for _, o := range others {
		fmt.Fprintf(&b, " %s/%s: median [95%% interval], faster in, p |", subject, o)
	}
	b.WriteString("\n|---|")
	b.WriteString(strings.Repeat("---|", len(others)))
	b.WriteString("\n")
	for _, name := range cases {
		fmt.Fprintf(&b, "| %s |", name)
		for _, o := range others {
			fmt.Fprintf(&b, " %s |", summarize(ratios(rounds, name, o)))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// names returns the cases in the rounds, sorted, and the clients other
// than the subject, the floor first, then by name.
func names(rounds []round) (cases, others []string) {
	for _, r := range rounds {
		for name, clients := range r {
			if !slices.Contains(cases, name) {
				cases = append(cases, name)
			}
			for c := range clients {
				if c != subject && !slices.Contains(others, c) {
					others = append(others, c)
				}
			}
		}
	}
	slices.Sort(cases)
	slices.SortFunc(others, func(a, b string) int {
		return strings.Compare(strings.Replace(a, "floor", "", 1), strings.Replace(b, "floor", "", 1))
	})
	return cases, others
}

// ratios is the subject's time over other's in case name, one a round
// that has both.
func ratios(rounds []round, name, other string) []float64 {
	var out []float64
	for _, r := range rounds {
		s, x := r[name][subject], r[name][other]
		if s > 0 && x > 0 {
			out = append(out, s/x)
		}
	}
	return out
}

// summarize gives the median of ratios, its 95 % interval, the count below
// 1 and the sign test's p.
func summarize(ratios []float64) string {
	n := len(ratios)
	if n == 0 {
		return "–"
	}
	slices.Sort(ratios)
	faster := 0
	for _, r := range ratios {
		if r < 1 {
			faster++
		}
	}
	med := ratios[n/2]
	if n%2 == 0 {
		med = (ratios[n/2-1] + ratios[n/2]) / 2
	}
	interval := "n too small"
	if lo, hi, ok := medianInterval(n); ok {
		interval = fmt.Sprintf("%.3f–%.3f", ratios[lo-1], ratios[hi-1])
	}
	return fmt.Sprintf("%.3f [%s], %d of %d, p=%s", med, interval, faster, n, formatP(signTest(faster, n)))
}

// medianInterval returns the 1-based order statistics that bound a 95 %
// interval for the median of n samples: the largest k with
// P(Binomial(n, 1/2) < k) <= 0.025, and n+1-k.
func medianInterval(n int) (lo, hi int, ok bool) {
	k := 0
	for k+1 <= n && binomCDF(k, n) <= 0.025 { // P(X <= k) = P(X < k+1)
		k++
	}
	if k == 0 {
		return 0, 0, false
	}
	return k, n + 1 - k, true
}

// signTest is the two-sided p of k successes in n fair trials.
func signTest(k, n int) float64 {
	tail := min(k, n-k)
	return min(1, 2*binomCDF(tail, n))
}

// binomCDF is P(X <= k) for X ~ Binomial(n, 1/2).
func binomCDF(k, n int) float64 {
	p, c := 0.0, 1.0 // c = C(n, i) / 2^n, built up to stay in range
	for range n {
		c /= 2
	}
	for i := 0; i <= k; i++ {
		p += c
		c = c * float64(n-i) / float64(i+1)
	}
	return p
}

func formatP(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return fmt.Sprintf("%.3f", p)
}
