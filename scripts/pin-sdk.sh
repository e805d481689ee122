#!/usr/bin/env bash
# Pins the SDK release the command line requires:
#
#   scripts/pin-sdk.sh vX.Y.Z [COMMIT]     # COMMIT: HEAD by default
#
# records COMMIT in cmd/vpsorg/sdk-release, makes cmd/vpsorg/go.mod require
# github.com/vpsorg/vpsorg-go vX.Y.Z, and puts into cmd/vpsorg/go.sum the
# hashes of the SDK's tree at COMMIT, zipped as the go command zips the tag
# vX.Y.Z. The tag vX.Y.Z must then go on COMMIT (or on a later commit that
# changes nothing in the SDK's module, such as the one this pin makes: it
# touches cmd/vpsorg only, a module of its own), or "go install" from the
# real proxy will refuse the hash. Commit the three files it changes.
set -euo pipefail
# shellcheck source=../.ci/tools/proxy.sh
source "$(dirname "$0")/../.ci/tools/proxy.sh"

version=${1:?usage: scripts/pin-sdk.sh vX.Y.Z [COMMIT]}
if ! [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	echo "pin-sdk: $version is not a release version (vX.Y.Z)" >&2
	exit 2
fi
commit=$(git -C "$ROOT" rev-parse --verify "${2:-HEAD}^{commit}")
const=$(git -C "$ROOT" show "$commit:client.go" | sed -n 's/^const Version = "\(.*\)".*/\1/p')
if [ "v$const" != "$version" ]; then
	echo "pin-sdk: warning: at $commit the SDK's Version is $const, not ${version#v}:" >&2
	echo "pin-sdk: a provisional pin; pin the release commit before tagging (CONTRIBUTING.md)" >&2
fi

cat >"$ROOT/cmd/vpsorg/sdk-release" <<END
# The commit of the SDK release cmd/vpsorg/go.mod requires. Written by
# scripts/pin-sdk.sh; CI serves the SDK from it until the tag is public.
$commit
END
go -C "$ROOT/cmd/vpsorg" mod edit -require="$SDK_MODULE@$version"
# A pin of the same version to another commit changes its hashes.
sed -i "\#^$SDK_MODULE $version[ /]#d" "$ROOT/cmd/vpsorg/go.sum"
"$ROOT/scripts/cli-go.sh" mod tidy
echo "pin-sdk: cmd/vpsorg requires $SDK_MODULE $version, the SDK at $commit:"
grep "^$SDK_MODULE $version[ /]" "$ROOT/cmd/vpsorg/go.sum"
