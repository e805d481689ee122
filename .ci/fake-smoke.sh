#!/usr/bin/env bash
# Smoke test of cmd/vpsorg-fake as a user would run it: build it, start it on
# a free loopback port read from its first line, talk to it with curl (a
# list, a create, the errors and the control API), stop it with SIGTERM and
# expect exit 0. Every wait is bounded. Run from anywhere:
#   bash .ci/fake-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	printf 'fake-smoke: %s\n' "$*" >&2
	if [ -s "$tmp/stderr" ]; then
		printf -- '-- the fake'"'"'s stderr:\n' >&2
		cat "$tmp/stderr" >&2
	fi
	exit 1
}

timeout 300 go build -o "$tmp/vpsorg-fake" ./cmd/vpsorg-fake

"$tmp/vpsorg-fake" -addr 127.0.0.1:0 >"$tmp/stdout" 2>"$tmp/stderr" &
pid=$!

line=""
for _ in $(seq 100); do
	line=$(grep -m1 '^vpsorg-fake: serving ' "$tmp/stdout" || true)
	[ -n "$line" ] && break
	kill -0 "$pid" 2>/dev/null || fail "the fake exited before serving"
	sleep 0.1
done
[ -n "$line" ] || fail "no first line after 10 s"

pattern='^vpsorg-fake: serving (http://127\.0\.0\.1:[0-9]+)/api/v1/ \(token ([^ ]+)\)$'
[[ $line =~ $pattern ]] || fail "unexpected first line: $line"
root=${BASH_REMATCH[1]}
token=${BASH_REMATCH[2]}
echo "fake-smoke: serving on $root"

# expect STATUS METHOD PATH [BODY]: sends the request with the token and
# checks the status; the body is left in $tmp/body.
expect() {
	local want=$1 method=$2 path=$3 body=${4:-}
	local args=(-sS --max-time 5 -o "$tmp/body" -w '%{http_code}' -X "$method"
		-H "Authorization: Bearer $token")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
	local got
	got=$(curl "${args[@]}" "$root$path") || fail "$method $path: curl failed"
	[ "$got" = "$want" ] || fail "$method $path: status $got, want $want; body: $(cat "$tmp/body")"
	echo "fake-smoke: $method $path -> $got"
}

expect 200 GET /api/v1/backups/
grep -q '"count":3' "$tmp/body" || fail "the list does not hold the 3 documented backups"
expect 201 POST /api/v1/backups/ '{"server_id": 12345, "description": "smoke"}'
grep -q '"status":"in_progress"' "$tmp/body" || fail "the create is not in_progress"
expect 404 DELETE /api/v1/backups/1/
expect 400 POST /api/v1/snapshots/ '{}'

got=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$root/api/v1/servers/") || fail "curl failed"
[ "$got" = 401 ] || fail "GET without a token: status $got, want 401"
echo "fake-smoke: GET /api/v1/servers/ without a token -> 401"

expect 201 POST /_fake/faults '{"method": "GET", "path": "/api/v1/snapshots/", "nth": 1, "fault": {"status": 503}}'
expect 503 GET /api/v1/snapshots/
expect 200 GET /api/v1/snapshots/
expect 200 GET /_fake/requests
grep -q '"status":503' "$tmp/body" || fail "the request log lacks the faulted request"
expect 201 POST /_fake/backups '{"server_id": 12345, "created_at": "2024-06-01T03:00:00Z", "description": "history"}'
expect 200 GET '/api/v1/backups/?server_id=12345'
grep -q '"created_at":"2024-06-01T03:00:00Z"' "$tmp/body" || fail "the added backup is not listed"
expect 204 POST /_fake/reset

# README's test in another language: Python's standard library only.
if command -v python3 >/dev/null; then
	timeout 60 python3 cmd/vpsorg-fake/testdata/example.py "$root" "$token" || fail "the Python example failed"
else
	echo "fake-smoke: no python3 here; the Python example was not run"
fi

kill -TERM "$pid"
for _ in $(seq 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "still running 10 s after SIGTERM"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM, want 0"
if grep -qF -- "$token" "$tmp/stderr"; then
	fail "the token shows in the request log"
fi
echo "fake-smoke: stopped with SIGTERM, exit 0"
