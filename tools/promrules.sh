#!/usr/bin/env bash
# Build (or reuse a cached) promrules: tools/promrules, a small command around Prometheus's
# own rule-file parser (github.com/prometheus/prometheus/model/rulefmt, pinned in
# tools/promrules/go.mod) that checks PrometheusRule manifests. Prints the binary's path as
# the LAST line of stdout.
#
# Cache: ${OTELFLEET_CACHE_DIR:-$HOME/.cache/otelfleet}/promrules/<hash of tools/promrules/*>/promrules
set -euo pipefail

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=tools/lib.sh
source "$here/lib.sh"
src="$here/promrules"
key=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)
cache_root="$(otelfleet_cache)/promrules"
final_bin="$cache_root/$key/promrules"

log() { printf '[promrules] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

main() {
    if [[ -x "$final_bin" ]]; then
        log "cached: $final_bin"
        printf '%s\n' "$final_bin"
        exit 0
    fi
    command -v go >/dev/null 2>&1 || die "go is not on PATH"
    mkdir -p "$cache_root"
    hold_lock "$cache_root/.lock-$key"
    if [[ -x "$final_bin" ]]; then
        log "cached (built by another process): $final_bin"
        printf '%s\n' "$final_bin"
        exit 0
    fi
    rm -rf "$cache_root/.tmp-$key."*
    tmp=$(mktemp -d "$cache_root/.tmp-$key.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    start=$(date +%s)
    (cd "$src" && GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags="-s -w" -o "$tmp/promrules" .) >&2
    mv -T "$tmp" "$cache_root/$key" || [[ -x "$final_bin" ]] || die "could not move into $cache_root/$key"
    trap - EXIT
    log "built in $(( $(date +%s) - start ))s: $final_bin"
    printf '%s\n' "$final_bin"
}

main "$@"; exit
