#!/usr/bin/env bash
# Install (or reuse a cached) telemetrygen, the OpenTelemetry load generator.
#
#   tools/telemetrygen.sh       -> prints the absolute path of the binary as the LAST line of stdout
#
# Cache: ${OTELFLEET_CACHE_DIR:-$HOME/.cache/otelfleet}/telemetrygen/<version>/telemetrygen
# Installed with `go install <module>/cmd/telemetrygen@<version>` into a temp GOBIN that is
# renamed into place only when complete. Progress goes to stderr.
set -euo pipefail

TELEMETRYGEN_VERSION=v0.161.0
TELEMETRYGEN_PKG=github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen

cache_base="${OTELFLEET_CACHE_DIR:-$HOME/.cache/otelfleet}"
cache_root="$cache_base/telemetrygen"
final_dir="$cache_root/$TELEMETRYGEN_VERSION"
final_bin="$final_dir/telemetrygen"

log() { printf '[telemetrygen.sh] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# One function, parsed completely before it runs: editing this file mid-install is harmless.
main() {
    if [[ -x "$final_bin" ]]; then
        log "cached: $final_bin"
        printf '%s\n' "$final_bin"
        exit 0
    fi

    command -v go >/dev/null 2>&1 || die "go is not on PATH"
    export GOWORK=off
    export CGO_ENABLED=0
    export GOFLAGS="${GOFLAGS:-}"
    GOFLAGS=$(printf '%s' "$GOFLAGS" | sed -E 's/(^| )-mod=[^ ]*//g')

    mkdir -p "$cache_root"
    lock="$cache_root/.lock-$TELEMETRYGEN_VERSION"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$lock"
        if ! flock -n 9; then
            log "another install is running; waiting for it"
            flock 9
        fi
    fi
    if [[ -x "$final_bin" ]]; then
        log "cached (installed by another process): $final_bin"
        printf '%s\n' "$final_bin"
        exit 0
    fi

    # We hold the lock: temp dirs of earlier runs are leftovers of a killed install.
    rm -rf "$cache_root/.tmp-$TELEMETRYGEN_VERSION."*
    tmp=$(mktemp -d "$cache_root/.tmp-$TELEMETRYGEN_VERSION.XXXXXX")
    cleanup() { rm -rf "$tmp"; }
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    log "installing $TELEMETRYGEN_PKG@$TELEMETRYGEN_VERSION"
    start=$(date +%s)
    mkdir -p "$tmp/bin"
    GOBIN="$tmp/bin" go install -trimpath -ldflags="-s -w" "$TELEMETRYGEN_PKG@$TELEMETRYGEN_VERSION" >&2
    [[ -x "$tmp/bin/telemetrygen" ]] || die "go install did not produce telemetrygen"
    chmod -R a+rX "$tmp/bin"
    if ! mv -T "$tmp/bin" "$final_dir" 2>/dev/null; then
        [[ -x "$final_bin" ]] || die "could not move telemetrygen into $final_dir"
    fi
    log "installed in $(( $(date +%s) - start ))s: $final_bin"
    printf '%s\n' "$final_bin"
}

main "$@"; exit
