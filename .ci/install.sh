#!/usr/bin/env bash
# "go install github.com/vpsorg/vpsorg-go/cmd/vpsorg@VERSION" as a user
# will run it once VERSION is tagged, offline: a file-based module proxy
# serves the SDK at the commit cmd/vpsorg/sdk-release records and
# cmd/vpsorg from this work tree, both as VERSION, the SDK version that
# cmd/vpsorg/go.mod requires (the two are tagged together). It fails when
# cmd/vpsorg/go.mod has a replace (go install refuses one), when the
# command line uses an SDK API newer than the pinned commit, or when the
# SDK's hash in cmd/vpsorg/go.sum is not the one the binary was built
# from: then run scripts/pin-sdk.sh (CONTRIBUTING.md, Releasing).
#
# go install pkg@version reads the installed module's go.mod but not its
# go.sum (it checks downloads against the checksum database, which this
# offline run skips for our modules only), so the hash is compared here
# with the one the go command recorded in the binary.
set -euo pipefail
# shellcheck source=tools/proxy.sh
source "$(dirname "$0")/tools/proxy.sh"

step() { printf '\n== install: %s\n' "$*"; }

version=$(sdk_version)
commit=$(sdk_commit)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "file proxy: the SDK at ${commit:0:12} and cmd/vpsorg from the work tree, as $version"
add_sdk "$tmp/proxy" "$version" "$commit"
add_cli "$tmp/proxy" "$version"

step "go install $CLI_MODULE@$version"
use_proxy "$tmp/proxy" "$tmp/modcache"
(cd "$tmp" && GOBIN="$tmp/bin" go install "$CLI_MODULE@$version")

step "the SDK in the binary is the one cmd/vpsorg/go.sum pins"
got=$(go version -m "$tmp/bin/vpsorg" | awk -v m="$SDK_MODULE" '$1 == "dep" && $2 == m { print $3, $4 }')
want=$(awk -v m="$SDK_MODULE" -v v="$version" '$1 == m && $2 == v { print $2, $3 }' "$ROOT/cmd/vpsorg/go.sum")
echo "$got"
if [ -z "$want" ] || [ "$got" != "$want" ]; then
	echo "install: cmd/vpsorg/go.sum pins \"$want\"; run scripts/pin-sdk.sh $version $commit" >&2
	exit 1
fi

step "vpsorg version"
"$tmp/bin/vpsorg" version | tee "$tmp/version"
sdk=$(git -C "$ROOT" show "$commit:client.go" | sed -n 's/^const Version = "\(.*\)".*/\1/p')
if ! grep -qx "vpsorg $version" "$tmp/version" || ! grep -qx "vpsorg-go SDK $sdk" "$tmp/version"; then
	echo "install: want \"vpsorg $version\" and \"vpsorg-go SDK $sdk\"" >&2
	exit 1
fi
