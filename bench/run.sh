#!/usr/bin/env bash
# Runs the benchmarks six times each (benchstat needs six samples for its
# confidence intervals) and prints them with the clients side by side:
# floor, vpsorg, godo, hcloud, oapi: on loopback, then (the Overhead group) through
# an in-memory transport, client overhead without the network. Last comes
# vpsorg against each other client paired round by round (cmd/ratios).
#
# The six samples are taken as six rounds of -count=1 rather than one
# -count=6, so that a change in the machine's load during the run (other
# people's tests and fuzzers) falls on every client alike, not on whichever
# client was running at the time.
#
#   bench/run.sh                 # everything, raw results in bench/results.txt
#   BENCH=List COUNT=3 bench/run.sh
#   COUNT=120 BENCHTIME=100ms bench/run.sh  # how BENCHMARKS.md's tables were made
#
# On a shared or virtual machine, more and shorter rounds (the last line)
# give the same time to each client but much narrower intervals: a burst of
# noise then spoils one short sample of every client instead of one long
# sample of one client.
#
# The raw results are kept so that the tables can be printed again:
#   go run $BENCHSTAT -col /client bench/results.txt
#   (cd bench && go run ./cmd/ratios results.txt)
set -euo pipefail
cd "$(dirname "$0")"

# Pinned, so that everyone prints the same tables.
BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
OUT=${OUT:-results.txt}

go test -c -o bench.test .
trap 'rm -f bench.test' EXIT
: > "$OUT"
for i in $(seq "${COUNT:-6}"); do
	echo "# round $i of ${COUNT:-6}, load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	./bench.test -test.run '^$' -test.bench "${BENCH:-.}" -test.benchtime "${BENCHTIME:-1s}" -test.count 1 -test.timeout 30m | tee -a "$OUT"
done

echo
echo "## time, memory, connections (floor is the base column)"
go run "$BENCHSTAT" -col /client -filter '-.name:AllHeap -.name:Overhead' "$OUT"
echo
echo "## All over 10,000 items: peak live heap, one decoded page, and their ratio"
go run "$BENCHSTAT" -col /client -filter '.name:AllHeap -.unit:sec/op' "$OUT"
echo
echo "## client overhead without the network (in-memory RoundTripper, same bodies and clients)"
go run "$BENCHSTAT" -col /client -filter '.name:Overhead' "$OUT"
echo
echo "## vpsorg against each client, paired by round (ns/op ratios; below 1: vpsorg faster)"
go run ./cmd/ratios "$OUT"
