#!/usr/bin/env bash
# CI for the chaos module (its own go.mod): the SDK through toxiproxy,
# embedded in-process between a vpsorg.Client and vpsorgtest, under each
# toxic. vet, then the race-enabled tests, which print the per-toxic table
# with -v. About 30 s on two cores, compilation included. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/../chaos"

step() { printf '\n== chaos: %s\n' "$*"; }

step "go vet"
go vet ./...

step "tests (-race)"
go test -race -count=1 -v ./...
