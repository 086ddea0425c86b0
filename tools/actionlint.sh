#!/usr/bin/env bash
# Install (or reuse a cached) actionlint, the GitHub Actions workflow linter.
#
#   tools/actionlint.sh         -> prints the absolute path of the binary as the LAST line of stdout
#
# Cache: ${OTELFLEET_CACHE_DIR:-$HOME/.cache/otelfleet}/actionlint/<version>/actionlint
# Installed with `go install github.com/rhysd/actionlint/cmd/actionlint@<version>` (served by
# the Go module proxy, see VERSIONS.md) into a temp GOBIN that is renamed into place only when
# complete. It is not a dependency of the root module: GOFLAGS=-mod=mod and `@version` install
# it in module-aware mode outside any go.mod. Progress goes to stderr.
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12
ACTIONLINT_PKG=github.com/rhysd/actionlint/cmd/actionlint

cache_base="${OTELFLEET_CACHE_DIR:-$HOME/.cache/otelfleet}"
cache_root="$cache_base/actionlint"
final_dir="$cache_root/$ACTIONLINT_VERSION"
final_bin="$final_dir/actionlint"

log() { printf '[actionlint.sh] %s\n' "$*" >&2; }
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
    export GOFLAGS=-mod=mod

    mkdir -p "$cache_root"
    lock="$cache_root/.lock-$ACTIONLINT_VERSION"
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
    rm -rf "$cache_root/.tmp-$ACTIONLINT_VERSION."*
    tmp=$(mktemp -d "$cache_root/.tmp-$ACTIONLINT_VERSION.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    log "installing $ACTIONLINT_PKG@$ACTIONLINT_VERSION"
    start=$(date +%s)
    mkdir -p "$tmp/bin"
    # Run outside the repository so no surrounding go.mod is consulted.
    (cd "$tmp" && GOBIN="$tmp/bin" go install -trimpath -ldflags="-s -w" "$ACTIONLINT_PKG@$ACTIONLINT_VERSION") >&2
    [[ -x "$tmp/bin/actionlint" ]] || die "go install did not produce actionlint"
    chmod -R a+rX "$tmp/bin"
    if ! mv -T "$tmp/bin" "$final_dir" 2>/dev/null; then
        [[ -x "$final_bin" ]] || die "could not move actionlint into $final_dir"
    fi
    log "installed in $(( $(date +%s) - start ))s: $final_bin"
    printf '%s\n' "$final_bin"
}

main "$@"; exit
