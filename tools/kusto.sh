#!/usr/bin/env bash
# Install (or reuse a cached) Kusto query checker: Microsoft's Kusto.Language
# (@kusto/language-service-next from the npm registry, pinned with its integrity in
# tools/kusto/package-lock.json) beside tools/kusto/check.js. Prints KUSTO=<the directory
# holding check.js and its node_modules> on stdout; run `node DIR/check.js`.
#
# Cache: ${OTELFLEET_CACHE_DIR:-$HOME/.cache/otelfleet}/kusto/<hash of tools/kusto/*>/
set -euo pipefail

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=tools/lib.sh
source "$here/lib.sh"
src="$here/kusto"

log() { printf '[kusto] %s\n' "$*" >&2; }

install() { # DIR
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        log "node or npm missing: installing Debian's nodejs and npm"
        apt-get install -y nodejs npm >&2 || { apt-get update >&2 && apt-get install -y nodejs npm >&2; } || return 1
    fi
    cp "$src/package.json" "$src/package-lock.json" "$src/check.js" "$1/"
    # npm ci installs exactly the lock file's versions and checks their integrity hashes.
    (cd "$1" && npm ci --no-audit --no-fund --ignore-scripts) >&2 || return 1
    # A smoke query proves the engine loads before the cache entry exists.
    echo '{"tables":{"T":"(a:string)"},"queries":{"q":"T | where b == 1"}}' | node "$1/check.js" | grep -q "KS142.*columns" \
        || { log "the checker did not report an unknown column"; return 1; }
}

main() {
    cached_build kusto "$(cat "$src/package.json" "$src/package-lock.json" "$src/check.js" | sha256sum | cut -c1-16)" install
    printf 'KUSTO=%s\n' "$CACHED_ENTRY"
}

main "$@"; exit
