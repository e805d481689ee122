# shellcheck shell=bash
# Sourced by scripts/pin-sdk.sh, scripts/cli-go.sh, scripts/release.sh and
# .ci/install.sh. cmd/vpsorg requires a released SDK (no replace), so that
# "go install github.com/vpsorg/vpsorg-go/cmd/vpsorg@VERSION" works. Until
# that release is tagged and on proxy.golang.org (and while checking it
# before tagging), these functions serve it from a file-based module proxy
# built from the commit cmd/vpsorg/sdk-release records: its zip is made as
# the go command makes it from a tag, so its go.sum hash is the real one.

SDK_MODULE=github.com/vpsorg/vpsorg-go
CLI_MODULE=$SDK_MODULE/cmd/vpsorg
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# sdk_version prints the SDK version cmd/vpsorg/go.mod requires.
sdk_version() {
	awk -v m="$SDK_MODULE" '{ for (i = 1; i < NF; i++) if ($i == m) { print $(i + 1); exit } }' "$ROOT/cmd/vpsorg/go.mod"
}

# sdk_commit prints the commit of that release, from cmd/vpsorg/sdk-release.
sdk_commit() {
	grep -v '^#' "$ROOT/cmd/vpsorg/sdk-release" | tr -d '[:space:]'
}

# modproxy PROXY MODULE VERSION DIR adds DIR's files as MODULE@VERSION to
# the proxy in PROXY and prints the version's go.sum lines.
modproxy() {
	GOWORK=off go -C "$ROOT/.ci/tools" run ./modproxy -proxy "$1" -module "$2" -version "$3" -dir "$4"
}

# add_sdk PROXY VERSION COMMIT adds the SDK as it is at COMMIT, taken out
# of git as the go command takes a tag out (git archive, LF line ends).
add_sdk() {
	local src
	src=$(mktemp -d)
	git -C "$ROOT" -c core.autocrlf=input -c core.eol=lf archive --format=tar "$3" | tar -x -C "$src"
	modproxy "$1" "$SDK_MODULE" "$2" "$src" >/dev/null
	rm -rf "$src"
}

# add_cli PROXY VERSION adds cmd/vpsorg as it is in the work tree (its
# tracked and new files, never ignored ones such as a built binary), with
# the repository's LICENSE, which the go command adds to a module in a
# subdirectory that has none.
add_cli() {
	local src
	src=$(mktemp -d)
	(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard -- cmd/vpsorg LICENSE |
		tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -x -C "$src"
	[ -e "$src/cmd/vpsorg/LICENSE" ] || cp "$src/LICENSE" "$src/cmd/vpsorg/LICENSE"
	modproxy "$1" "$CLI_MODULE" "$2" "$src/cmd/vpsorg" >/dev/null
	rm -rf "$src"
}

# use_proxy PROXY CACHE sets the environment in which the go command sees
# the modules as "go install ...@VERSION" on a user's machine does: no
# go.work, and the SDK from PROXY. Everything else comes from this
# machine's module cache when it is there (offline), else from GOPROXY as
# set. CACHE is a module cache of its own, so that a version served from
# PROXY never lands in the shared cache, where a later pin of the same
# version to another commit would meet it. Sums are checked against
# go.sum; the checksum database is skipped for our modules only, which it
# cannot know before they are tagged.
use_proxy() {
	local shared
	shared=$(go env GOMODCACHE)
	export GOPROXY="file://$1,file://$shared/cache/download,$(go env GOPROXY)"
	export GOFLAGS="$(go env GOFLAGS) -modcacherw"
	export GOMODCACHE=$2 GOWORK=off GONOSUMDB=$SDK_MODULE
}
