#!/usr/bin/env bash
# Build (or reuse a cached) promrules: tools/promrules, a small command around Prometheus's
# own rule-file parser (github.com/prometheus/prometheus/model/rulefmt, pinned in
# tools/promrules/go.mod) that checks PrometheusRule manifests. Prints PROMRULES=<the
# binary's path> on stdout.
#
# Cache: ${OTELFLEET_CACHE_DIR:-$HOME/.cache/otelfleet}/promrules/<hash of tools/promrules/*>/promrules
set -euo pipefail

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=tools/lib.sh
source "$here/lib.sh"
src="$here/promrules"

log() { printf '[promrules] %s\n' "$*" >&2; }

build() { # DIR
    command -v go >/dev/null 2>&1 || { log "go is not on PATH"; return 1; }
    (cd "$src" && GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags="-s -w" -o "$1/promrules" .) >&2
}

main() {
    cached_build promrules "$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)" build
    printf 'PROMRULES=%s\n' "$CACHED_ENTRY/promrules"
}

main "$@"; exit
