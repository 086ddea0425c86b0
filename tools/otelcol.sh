#!/usr/bin/env bash
# Build (or reuse a cached) otelfleet OpenTelemetry Collector binary.
#
#   tools/otelcol.sh            -> prints the absolute path of the binary as the LAST line of stdout
#
# The collector is described by tools/otelcol/builder-config.yaml (an ocb manifest).
# Recipe (see VERSIONS.md, "OpenTelemetry collector"):
#   1. go install go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION (GOBIN in the cache)
#   2. builder --skip-get-modules --skip-compilation: generate main.go/components.go only
#      (the builder's own `go get`/`go mod tidy` step fails behind the filtered proxy)
#   3. write go.mod ourselves from the manifest's `gomod:` lines and `replaces:` list
#   4. go mod tidy -e (checksums verified against GOSUMDB as usual)
#   5. go build -mod=mod -trimpath into a temp dir, then rename the finished directory
#      into the cache atomically.
#
# Cache: ${OTELFLEET_CACHE_DIR:-$HOME/.cache/otelfleet}/otelcol/<sha256>/otelcol-otelfleet
# where <sha256> covers the manifest bytes plus every recipe input of this script
# (builder version, Go version/platform, build flags and the build functions' code).
# A cold build takes ~20 min and ~3 GB RAM on 2 cores; a warm call is instant.
# Progress goes to stderr; only the final path goes to stdout.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
release=$(collector_release)           # components/collector/release.go
BUILDER_VERSION=v$release
BUILDER_MODULE=go.opentelemetry.io/collector/cmd/builder
OTELCOL_CORE_VERSION=v$release         # go.opentelemetry.io/collector/otelcol
BUILD_LDFLAGS="-s -w"                  # same as ocb's default (strip symbol table/DWARF)
DIST_NAME=otelcol-otelfleet

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
manifest="$script_dir/otelcol/builder-config.yaml"
cache_base="$(otelfleet_cache)"
cache_root="$cache_base/otelcol"

log() { printf '[otelcol.sh] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH"
[[ -f "$manifest" ]] || die "manifest not found: $manifest"

# The build must not be influenced by a surrounding workspace or module flags.
export GOWORK=off
export CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:-}"
GOFLAGS=$(printf '%s' "$GOFLAGS" | sed -E 's/(^| )-mod=[^ ]*//g')

go_version=$(go env GOVERSION)
go_platform="$(go env GOOS)/$(go env GOARCH)"

# write_gomod MANIFEST OUT: go.mod for the generated sources, from the manifest.
write_gomod() {
    local manifest=$1 out=$2 module
    module=$(awk '
        /^[^[:space:]#]/ { section = $1 }
        section == "dist:" && $1 == "module:" { print $2; exit }' "$manifest")
    [[ -n "$module" ]] || module="github.com/otelfleet/otelfleet/$DIST_NAME"
    {
        printf 'module %s\n\ngo 1.25\n\nrequire (\n' "$module"
        # every `gomod: <module> <version>` line (components, providers, telemetry)
        awk '
            /^[[:space:]]*#/ { next }
            match($0, /gomod:[[:space:]]*[^[:space:]]+[[:space:]]+[^[:space:]#]+/) {
                s = substr($0, RSTART, RLENGTH); sub(/gomod:[[:space:]]*/, "", s)
                split(s, f, /[[:space:]]+/); print "\t" f[1] " " f[2]
            }' "$manifest" | sort -u
        printf '\tgo.opentelemetry.io/collector/otelcol %s\n)\n\n' "$OTELCOL_CORE_VERSION"
        # the `replaces:` list: "- <old> => <new> <version>"
        awk '
            /^[^[:space:]#]/ { section = $1; next }
            section == "replaces:" && /^[[:space:]]*-[[:space:]]/ {
                s = $0; sub(/^[[:space:]]*-[[:space:]]*/, "", s); sub(/[[:space:]]+#.*$/, "", s)
                gsub(/["\047]/, "", s); print "replace " s
            }' "$manifest"
    } >"$out"
}

# build_collector WORKDIR BUILDER OUTBIN: generate sources, resolve modules, compile.
build_collector() {
    local work=$1 builder=$2 outbin=$3
    mkdir -p "$work"
    cp "$manifest" "$work/builder-config.yaml"
    # output_path in the manifest is relative (./_build): run the builder inside $work.
    (cd "$work" && "$builder" --config builder-config.yaml --skip-get-modules --skip-compilation) >&2
    local src="$work/_build"
    [[ -f "$src/main.go" && -f "$src/components.go" ]] || die "builder did not generate sources in $src"
    write_gomod "$work/builder-config.yaml" "$src/go.mod"
    log "generated go.mod:"; sed 's/^/    /' "$src/go.mod" >&2
    # -e: some modules reachable only from tests or other GOOSes (pkg/semconvtest,
    # scraper/scrapertest, pkg/winperfcounters) are not served; they are not needed to
    # build for linux. A module the build really needs still fails `go build` below.
    log "go mod tidy -e (downloads the module graph; slow when cold)"
    (cd "$src" && go mod tidy -e) >&2
    log "go build -mod=mod -trimpath (cold: ~20 min on 2 cores)"
    (cd "$src" && go build -mod=mod -trimpath -ldflags="$BUILD_LDFLAGS" -o "$outbin" .) >&2
    "$outbin" --version >&2
}

# install_builder DIR: go install the ocb builder into DIR/builder (atomically).
install_builder() {
    local dir=$1
    if [[ -x "$dir/builder" ]]; then return 0; fi
    local tmp
    tmp=$(mktemp -d "$cache_root/.tmp-builder.XXXXXX")
    log "installing $BUILDER_MODULE@$BUILDER_VERSION"
    if ! GOBIN="$tmp" go install "$BUILDER_MODULE@$BUILDER_VERSION" >&2; then
        rm -rf "$tmp"; die "go install $BUILDER_MODULE@$BUILDER_VERSION failed"
    fi
    mkdir -p "$(dirname "$dir")"
    if ! mv -T "$tmp" "$dir" 2>/dev/null; then
        rm -rf "$tmp"   # another process finished first
        [[ -x "$dir/builder" ]] || die "could not install builder into $dir"
    fi
}

recipe_inputs() {
    printf 'builder=%s@%s\notelcol=%s\ngo=%s\nplatform=%s\ncgo=%s\nldflags=%s\ndist=%s\n' \
        "$BUILDER_MODULE" "$BUILDER_VERSION" "$OTELCOL_CORE_VERSION" "$go_version" \
        "$go_platform" "$CGO_ENABLED" "$BUILD_LDFLAGS" "$DIST_NAME"
    printf 'goflags=%s\n' "$GOFLAGS"
    declare -f write_gomod build_collector
}

# Everything below runs from one function that bash parses completely before running it, so
# editing or checking out this file during a 20-minute build cannot break the running build.
main() {
    key=$( { cat "$manifest"; recipe_inputs; } | sha256sum | cut -d' ' -f1)
    final_dir="$cache_root/$key"
    final_bin="$final_dir/$DIST_NAME"

    if [[ -x "$final_bin" ]]; then
        log "cached: $final_bin"
        printf '%s\n' "$final_bin"
        exit 0
    fi

    mkdir -p "$cache_root"
    # Serialise concurrent callers (e.g. several test packages at once): one builds, the others wait.
    hold_lock "$cache_root/.lock-$key"
    if [[ -x "$final_bin" ]]; then
        log "cached (built by another process): $final_bin"
        printf '%s\n' "$final_bin"
        exit 0
    fi

    # We hold the lock for $key: temp dirs of earlier runs for it are leftovers of a killed build.
    rm -rf "$cache_root/.tmp-$key."*

    log "cache miss: building $DIST_NAME into $final_dir"
    start=$(date +%s)
    builder_dir="$cache_root/builder-$BUILDER_VERSION-$go_version-${go_platform/\//-}"
    install_builder "$builder_dir"

    tmp=$(mktemp -d "$cache_root/.tmp-$key.XXXXXX")
    cleanup() { rm -rf "$tmp"; }
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    mkdir -p "$tmp/out"
    build_collector "$tmp/work" "$builder_dir/builder" "$tmp/out/$DIST_NAME"
    cp "$tmp/work/_build/go.mod" "$tmp/work/_build/go.sum" "$tmp/work/builder-config.yaml" "$tmp/out/"
    recipe_inputs >"$tmp/out/recipe.txt"
    chmod -R a+rX "$tmp/out"

    if ! mv -T "$tmp/out" "$final_dir" 2>/dev/null; then
        [[ -x "$final_bin" ]] || die "could not move the build into $final_dir"
    fi
    log "built in $(( $(date +%s) - start ))s: $final_bin ($(du -h "$final_bin" | cut -f1))"
    printf '%s\n' "$final_bin"
}

main "$@"; exit
