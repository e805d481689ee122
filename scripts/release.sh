#!/usr/bin/env bash
# Builds the command line's release archives into dist/:
#
#   scripts/release.sh vX.Y.Z               # a release: checks first
#   scripts/release.sh --snapshot [TARGETS]  # CI: the same build, no checks
#
# For each target (GOOS/GOARCH; all six below by default) it builds vpsorg
# as "go install ...@vX.Y.Z" would (no go.work, the SDK release
# cmd/vpsorg/go.mod requires: scripts/cli-go.sh), static and stamped with
# the version, and packs it with LICENSE and README.md:
#
#   dist/vpsorg_X.Y.Z_linux_amd64.tar.gz   linux, darwin: tar.gz
#   dist/vpsorg_X.Y.Z_windows_amd64.zip    windows: zip
#   dist/vpsorg_X.Y.Z_checksums.txt        sha256sum of each archive
#
# Archives are dated the commit's time, entries sorted, owners zeroed: the
# same commit gives the same archives. A release checks that the work tree
# is clean, that client.go's Version and CHANGELOG.md's newest release are
# X.Y.Z (TestVersionMatchesChangelog), and that cmd/vpsorg requires the SDK
# vX.Y.Z pinned to a commit that has that Version.
set -euo pipefail
# shellcheck source=../.ci/tools/proxy.sh
source "$(dirname "$0")/../.ci/tools/proxy.sh"

TARGETS="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"

die() {
	echo "release: $*" >&2
	exit 1
}

# check_release VERSION refuses to release what the checks above refuse.
check_release() {
	local version=$1 const pinned
	[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "$version is not vX.Y.Z"
	[ -z "$(git -C "$ROOT" status --porcelain)" ] || die "the work tree has changes: commit them first"
	const=$(sed -n 's/^const Version = "\(.*\)".*/\1/p' "$ROOT/client.go")
	[ "v$const" = "$version" ] || die "client.go's Version is $const, not ${version#v}"
	(cd "$ROOT" && GOWORK=off go test -count=1 -run '^TestVersionMatchesChangelog$' .) >/dev/null ||
		die "CHANGELOG.md's newest release is not ${version#v}"
	[ "$(sdk_version)" = "$version" ] || die "cmd/vpsorg/go.mod requires the SDK $(sdk_version): scripts/pin-sdk.sh $version"
	pinned=$(git -C "$ROOT" show "$(sdk_commit):client.go" | sed -n 's/^const Version = "\(.*\)".*/\1/p')
	[ "$pinned" = "$const" ] || die "the pinned SDK commit has Version $pinned: scripts/pin-sdk.sh $version"
}

# build_archive DIST VERSION GOOS GOARCH builds and packs one target.
build_archive() {
	local dist=$1 version=$2 goos=$3 goarch=$4 name exe=vpsorg stage
	name="vpsorg_${version#v}_${goos}_${goarch}"
	[ "$goos" = windows ] && exe=vpsorg.exe
	stage=$(mktemp -d)
	mkdir "$stage/$name"
	(cd "$ROOT/cmd/vpsorg" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch \
		go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$stage/$name/$exe" .)
	cp "$ROOT/LICENSE" "$ROOT/README.md" "$stage/$name/"
	touch -d "@$EPOCH" "$stage/$name" "$stage/$name"/*
	if [ "$goos" = windows ]; then
		GOWORK=off GOFLAGS= go -C "$ROOT/.ci/tools" run ./zipdir -o "$dist/$name.zip" -C "$stage" -time "$EPOCH" "$name"
	else
		tar --sort=name --mtime="@$EPOCH" --owner=0 --group=0 --numeric-owner -C "$stage" -cf - "$name" |
			gzip -n >"$dist/$name.tar.gz"
	fi
	rm -rf "$stage"
	echo "release: $name"
}

main() {
	local version targets dist
	if [ "${1:-}" = --snapshot ]; then
		version="$(sdk_version)-snapshot"
		targets=${2:-$TARGETS}
	else
		version=${1:?usage: scripts/release.sh vX.Y.Z | --snapshot [TARGETS]}
		targets=$TARGETS
		check_release "$version"
	fi
	EPOCH=$(git -C "$ROOT" log -1 --format=%ct)
	dist=$ROOT/dist
	rm -rf "$dist"
	mkdir -p "$dist"
	tmp=$(mktemp -d) # global: the trap runs after main returns
	trap 'rm -rf "$tmp"' EXIT
	add_sdk "$tmp/proxy" "$(sdk_version)" "$(sdk_commit)"
	use_proxy "$tmp/proxy" "$tmp/modcache"
	for t in $targets; do
		build_archive "$dist" "$version" "${t%/*}" "${t#*/}"
	done
	(cd "$dist" && sha256sum -- vpsorg_* >"vpsorg_${version#v}_checksums.txt")
	cat "$dist/vpsorg_${version#v}_checksums.txt"
}

main "$@"
