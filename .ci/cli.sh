#!/usr/bin/env bash
# CI for the command line, cmd/vpsorg (its own module): go mod tidy
# against the SDK release it requires, then in the workspace (go.work: the
# SDK in this tree) gofmt, vet, staticcheck, golangci-lint with the
# repository's config, the race-enabled tests (the binary under a
# pseudo-terminal and against cmd/vpsorg-fake included), and a build. Run
# from anywhere; .ci/run calls it, then .ci/install.sh.
set -euo pipefail
cd "$(dirname "$0")/../cmd/vpsorg"
export GOWORK="$PWD/../../go.work"

step() { printf '\n== cmd/vpsorg: %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	printf 'gofmt would change:\n%s\n' "$unformatted"
	exit 1
fi

step "go mod tidy -diff, against the pinned SDK release (scripts/cli-go.sh)"
../../scripts/cli-go.sh mod tidy -diff

step "go vet"
go vet ./...

step "staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

step "golangci-lint"
go run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0 run --config ../../.golangci.yml ./...

step "tests"
go test -race -count=1 ./...

step "build"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/vpsorg" .
"$out/vpsorg" version
