# Sourced by the tool builders (tools/*.sh): the contracts they share, each written once.

# otelfleet_cache prints where tool builds are cached: $OTELFLEET_CACHE_DIR, by default
# ~/.cache/otelfleet (CI caches that directory).
otelfleet_cache() {
    printf '%s\n' "${OTELFLEET_CACHE_DIR:-$HOME/.cache/otelfleet}"
}

# collector_release prints the collector release otelfleet pins, e.g. 0.161.0, from the one
# place it is written: components/collector/release.go.
collector_release() {
    local file
    file="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)/components/collector/release.go"
    sed -n 's/^const Release = "\([0-9][0-9.]*\)"$/\1/p' "$file" | grep . || {
        echo "no 'const Release = \"X.Y.Z\"' line in $file" >&2
        return 1
    }
}

# hold_lock FILE takes an exclusive lock on FILE (fd 9), waiting while another process holds
# it, so concurrent callers install a version once. Without flock (not a Debian machine) it
# does nothing: installs stay atomic by rename. The caller defines log().
hold_lock() {
    command -v flock >/dev/null 2>&1 || return 0
    exec 9>"$1"
    if ! flock -n 9; then
        log "another install is running; waiting for it"
        flock 9
    fi
}

# cached_build TOOL KEY BUILD makes the cache entry $(otelfleet_cache)/TOOL/KEY once: the
# function BUILD fills an empty temp directory (its one argument) under a lock, and the
# directory is renamed into place only when BUILD succeeds. Sets CACHED_ENTRY to the entry's
# path. The caller defines log(); progress goes to stderr.
cached_build() {
    local tool=$1 key=$2 build=$3
    local root="$(otelfleet_cache)/$tool"
    CACHED_ENTRY="$root/$key"
    if [[ -d "$CACHED_ENTRY" ]]; then
        log "cached: $CACHED_ENTRY"
        return 0
    fi
    mkdir -p "$root"
    hold_lock "$root/.lock-$key"
    if [[ -d "$CACHED_ENTRY" ]]; then
        log "cached (made by another process): $CACHED_ENTRY"
        return 0
    fi
    # We hold the lock: temp dirs of earlier runs are leftovers of a killed build.
    rm -rf "$root/.tmp-$key."*
    local tmp start
    tmp=$(mktemp -d "$root/.tmp-$key.XXXXXX")
    start=$(date +%s)
    if ! "$build" "$tmp" || ! mv -T "$tmp" "$CACHED_ENTRY"; then
        rm -rf "$tmp"
        log "ERROR: could not make $CACHED_ENTRY"
        return 1
    fi
    log "made in $(( $(date +%s) - start ))s: $CACHED_ENTRY"
}
