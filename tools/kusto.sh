#!/usr/bin/env bash
# Install (or reuse a cached) Kusto query checker: Microsoft's Kusto.Language
# (@kusto/language-service-next from the npm registry, pinned with its integrity in
# tools/kusto/package-lock.json) beside tools/kusto/check.js. Prints the directory holding
# check.js and its node_modules as the LAST line of stdout; run `node DIR/check.js`.
#
# Cache: ${OTELFLEET_CACHE_DIR:-$HOME/.cache/otelfleet}/kusto/<hash of tools/kusto/*>/
set -euo pipefail

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=tools/lib.sh
source "$here/lib.sh"
src="$here/kusto"
key=$(cat "$src/package.json" "$src/package-lock.json" "$src/check.js" | sha256sum | cut -c1-16)
cache_root="$(otelfleet_cache)/kusto"
final_dir="$cache_root/$key"

log() { printf '[kusto] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

main() {
    if [[ -f "$final_dir/check.js" ]]; then
        log "cached: $final_dir"
        printf '%s\n' "$final_dir"
        exit 0
    fi
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        log "node or npm missing: installing Debian's nodejs and npm"
        apt-get install -y nodejs npm >&2 || { apt-get update >&2 && apt-get install -y nodejs npm >&2; } \
            || die "could not install nodejs and npm"
    fi

    mkdir -p "$cache_root"
    hold_lock "$cache_root/.lock-$key"
    if [[ -f "$final_dir/check.js" ]]; then
        log "cached (installed by another process): $final_dir"
        printf '%s\n' "$final_dir"
        exit 0
    fi
    rm -rf "$cache_root/.tmp-$key."*
    tmp=$(mktemp -d "$cache_root/.tmp-$key.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT

    start=$(date +%s)
    cp "$src/package.json" "$src/package-lock.json" "$tmp/"
    # npm ci installs exactly the lock file's versions and checks their integrity hashes.
    (cd "$tmp" && npm ci --no-audit --no-fund --ignore-scripts) >&2
    cp "$src/check.js" "$tmp/"
    # A smoke query proves the engine loads before the cache entry exists.
    echo '{"tables":{"T":"(a:string)"},"queries":{"q":"T | where b == 1"}}' | node "$tmp/check.js" | grep -q "KS142.*columns" \
        || die "the checker did not report an unknown column"
    mv -T "$tmp" "$final_dir" || [[ -f "$final_dir/check.js" ]] || die "could not move into $final_dir"
    trap - EXIT
    log "installed in $(( $(date +%s) - start ))s: $final_dir"
    printf '%s\n' "$final_dir"
}

main "$@"; exit
