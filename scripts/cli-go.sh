#!/usr/bin/env bash
# Runs the go command in cmd/vpsorg as a module on its own, as
# "go install .../cmd/vpsorg@VERSION" sees it: without go.work, with the
# SDK release cmd/vpsorg/go.mod requires, served from a file proxy built
# from the commit cmd/vpsorg/sdk-release records (.ci/tools/proxy.sh). For
# what the workspace cannot do, since go.work stands in for that release:
#
#   scripts/cli-go.sh mod tidy           # after changing cmd/vpsorg's imports
#   scripts/cli-go.sh mod tidy -diff     # CI
#   scripts/cli-go.sh get example.com/mod@v1.2.3
#   scripts/cli-go.sh build -o /tmp/vpsorg .   # against the pinned SDK
set -euo pipefail
# shellcheck source=../.ci/tools/proxy.sh
source "$(dirname "$0")/../.ci/tools/proxy.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
add_sdk "$tmp/proxy" "$(sdk_version)" "$(sdk_commit)"
use_proxy "$tmp/proxy" "$tmp/modcache"
cd "$ROOT/cmd/vpsorg"
go "$@"
