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
# Then the fleet case (fleet_test.go, issue 12): WaitAll against one Wait
# per backup on 1,000 servers, and create + WaitAll on 300 servers under the
# fake's rate limit. Each op takes seconds of real time (the backups must
# complete, the limit must be waited out), so it runs FLEET_COUNT rounds of
# one op each, into bench/fleet-results.txt; FLEET_COUNT=0 skips it:
#   FLEET_COUNT=6 COUNT=0 bench/run.sh   # the fleet only, as BENCHMARKS.md's "Fleets"
#
# The raw results are kept so that the tables can be printed again:
#   go run $BENCHSTAT -col /client bench/results.txt
#   (cd bench && go run ./cmd/ratios results.txt)
set -euo pipefail
cd "$(dirname "$0")"

# Pinned, so that everyone prints the same tables.
BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
OUT=${OUT:-results.txt}
FLEET_OUT=${FLEET_OUT:-fleet-results.txt}
# The client comparisons; the fleet case has a loop of its own below.
BENCH=${BENCH:-'^Benchmark(List|Create|Delete|All|AllHeap|Overhead)$'}

go test -c -o bench.test .
trap 'rm -f bench.test before.test' EXIT

# BEFORE=REV also times the SDK as it was at git revision REV, in the same
# rounds, as the client "before": the paired ratios then show what a change
# did, measured under the same load as everything else.
#   BEFORE=v0.1.0 COUNT=60 BENCHTIME=100ms bench/run.sh
if [ -n "${BEFORE:-}" ]; then
	tree=$(mktemp -d)
	git worktree add --quiet --detach "$tree" "$BEFORE"
	(cd "$tree/bench" && go test -c -o "$OLDPWD/before.test" .)
	git worktree remove --force "$tree"
fi
# before_round times the old SDK's cases, named as in this binary. Each
# pattern picks one depth of sub-benchmark, since -test.bench matches
# level by level.
before_round() {
	local pat
	for pat in '^Benchmark(Create|Delete)$/^client=vpsorg$' \
		'^Benchmark(List|All|AllHeap)$/./^client=vpsorg$' \
		'^BenchmarkOverhead$/^(Create|Delete)$/^client=vpsorg$' \
		'^BenchmarkOverhead$/^(List|All)$/./^client=vpsorg$'; do
		./before.test -test.run '^$' -test.bench "$pat" -test.benchtime "${BENCHTIME:-1s}" -test.count 1 -test.timeout 30m |
			grep '^Benchmark' | sed 's/client=vpsorg/client=before/'
	done
}

if [ "${FLEET_COUNT:-3}" -gt 0 ]; then
	: > "$FLEET_OUT"
	for i in $(seq "$FLEET_COUNT"); do
		echo "# fleet round $i of $FLEET_COUNT, load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
		./bench.test -test.run '^$' -test.bench '^BenchmarkFleet' -test.benchtime 1x -test.count 1 -test.timeout 30m | tee -a "$FLEET_OUT"
	done
	echo
	echo "## fleets: requests a backup, peak heap, wall time against the rate limit's ideal"
	go run "$BENCHSTAT" -col /wait -filter '.name:Fleet' "$FLEET_OUT"
	go run "$BENCHSTAT" -col /client -filter '.name:FleetRateLimit' "$FLEET_OUT"
fi
[ "${COUNT:-6}" -gt 0 ] || exit 0

: > "$OUT"
for i in $(seq "${COUNT:-6}"); do
	echo "# round $i of ${COUNT:-6}, load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	./bench.test -test.run '^$' -test.bench "$BENCH" -test.benchtime "${BENCHTIME:-1s}" -test.count 1 -test.timeout 30m | tee -a "$OUT"
	if [ -n "${BEFORE:-}" ]; then
		before_round | tee -a "$OUT"
	fi
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
