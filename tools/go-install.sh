#!/usr/bin/env bash
# Install (or reuse a cached) Go command from the module proxy.
#
#   tools/go-install.sh NAME PACKAGE VERSION   -> prints the binary's absolute path as the LAST line of stdout
#
# Cache: ${OTELFLEET_CACHE_DIR:-$HOME/.cache/otelfleet}/NAME/VERSION/NAME
# `go install PACKAGE@VERSION` runs outside the repository (module-aware mode, no surrounding
# go.mod, no -mod flag) into a temp GOBIN that is renamed into place only when complete; a
# lock makes concurrent installs of one version wait for each other. Progress goes to stderr.
# tools/actionlint.sh and tools/telemetrygen.sh pin what they install through this script.
set -euo pipefail

[[ $# -eq 3 ]] || { echo "usage: $0 NAME PACKAGE VERSION" >&2; exit 2; }
name=$1 pkg=$2 version=$3

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cache_root="$(otelfleet_cache)/$name"
final_dir="$cache_root/$version"
final_bin="$final_dir/$name"

log() { printf '[%s] %s\n' "$name" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# One function, parsed completely before it runs: editing this file mid-install is harmless.
main() {
    if [[ -x "$final_bin" ]]; then
        log "cached: $final_bin"
        printf '%s\n' "$final_bin"
        exit 0
    fi

    command -v go >/dev/null 2>&1 || die "go is not on PATH"
    export GOWORK=off CGO_ENABLED=0
    GOFLAGS=$(printf '%s' "${GOFLAGS:-}" | sed -E 's/(^| )-mod=[^ ]*//g')
    export GOFLAGS

    mkdir -p "$cache_root"
    hold_lock "$cache_root/.lock-$version"
    if [[ -x "$final_bin" ]]; then
        log "cached (installed by another process): $final_bin"
        printf '%s\n' "$final_bin"
        exit 0
    fi

    # We hold the lock: temp dirs of earlier runs are leftovers of a killed install.
    rm -rf "$cache_root/.tmp-$version."*
    tmp=$(mktemp -d "$cache_root/.tmp-$version.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    log "installing $pkg@$version"
    start=$(date +%s)
    mkdir -p "$tmp/bin"
    (cd "$tmp" && GOBIN="$tmp/bin" go install -trimpath -ldflags="-s -w" "$pkg@$version") >&2
    [[ -x "$tmp/bin/$name" ]] || die "go install did not produce $name"
    chmod -R a+rX "$tmp/bin"
    if ! mv -T "$tmp/bin" "$final_dir" 2>/dev/null; then
        [[ -x "$final_bin" ]] || die "could not move $name into $final_dir"
    fi
    log "installed in $(( $(date +%s) - start ))s: $final_bin"
    printf '%s\n' "$final_bin"
}

main "$@"; exit
