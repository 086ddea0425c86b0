#!/usr/bin/env bash
# Build (or reuse a cached) Pulumi CLI and Kubernetes resource provider, for the real-engine
# test (tests/engine). Neither is installed on a bare machine and no download site is
# reachable, so both are compiled from the Go module proxy.
#
#   tools/pulumi.sh   -> the last two lines of stdout are
#                          PULUMI=/abs/path/bin/pulumi
#                          PULUMI_KUBERNETES=/abs/path/bin/pulumi-resource-kubernetes
#
# Recipe (a wrapper module each, in a temp dir):
#   - the CLI: github.com/pulumi/pulumi/pkg/v3/cmd/pulumi at $PULUMI_VERSION, with the one
#     replace pkg/v3 itself carries (atotto/clipboard) and the version stamped by -ldflags;
#   - the provider: the only provider module version the proxy serves (a pseudo-version of
#     release $K8S_PROVIDER_VERSION), with the pulumi/pkg it asks for (it does not compile
#     against the CLI's newer one). Its command embeds schema-embed.json and
#     terraform-mapping-embed.json, which the module zip lacks: tools/pulumi/embedgen writes
#     them the way the provider's own `go generate` does.
# The Go language host is not served, so the CLI runs only inline programs of the
# Automation API (the test drives it that way).
#
# Cache: ${OTELFLEET_CACHE_DIR:-$HOME/.cache/otelfleet}/pulumi/<sha256>/bin/ (the layout the
# Automation API expects of a CLI root: PulumiCommandOptions.Root) where <sha256> covers the
# versions, embedgen and every build function of this script. Cold: ~25 min and ~5 GB RAM
# on 2 cores; warm: instant. Progress goes to stderr.
set -euo pipefail

PULUMI_VERSION=v3.274.1
K8S_PROVIDER_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
K8S_PROVIDER_PSEUDO=v4.0.0-20260115033456-f47bc2d6f199   # the only version served
K8S_PROVIDER_VERSION=4.25.0                                # the release it was cut from
K8S_PROVIDER_SDK=v4.25.0                                   # its SDK, as VERSIONS.md verified

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=tools/lib.sh
source "$repo/tools/lib.sh"
cache_root="$(otelfleet_cache)/pulumi"

log() { printf '[pulumi.sh] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH"
export GOWORK=off CGO_ENABLED=0
GOFLAGS=$(printf '%s' "${GOFLAGS:-}" | sed -E 's/(^| )-mod=[^ ]*//g')
export GOFLAGS

# write_cli DIR: the CLI's wrapper module: go.mod and a tools file naming the command.
write_cli() {
    local dir=$1
    mkdir -p "$dir"
    printf 'module otelfleet.local/pulumi-cli-build\n\ngo 1.25\n\nrequire (\n\tgithub.com/pulumi/pulumi/pkg/v3 %s\n\tgithub.com/pulumi/pulumi/sdk/v3 %s\n)\n\nreplace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e\n' \
        "$PULUMI_VERSION" "$PULUMI_VERSION" >"$dir/go.mod"
    printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n' >"$dir/tools.go"
}

# write_provider DIR: the provider's wrapper module with a copy of its command directory and
# the embeds that command needs.
write_provider() {
    local dir=$1 src
    mkdir -p "$dir/cmd"
    printf 'module otelfleet.local/pulumi-kubernetes-build\n\ngo 1.25\n\nrequire (\n\t%s %s\n\tgithub.com/pulumi/pulumi-kubernetes/sdk/v4 %s\n)\n' \
        "$K8S_PROVIDER_MODULE" "$K8S_PROVIDER_PSEUDO" "$K8S_PROVIDER_SDK" >"$dir/go.mod"
    src=$(cd "$dir" && go mod download -json "$K8S_PROVIDER_MODULE@$K8S_PROVIDER_PSEUDO" |
        sed -n 's/^[[:space:]]*"Dir":[[:space:]]*"\(.*\)",\{0,1\}[[:space:]]*$/\1/p')
    [[ -d "$src/cmd/pulumi-resource-kubernetes" ]] || die "provider module has no cmd/pulumi-resource-kubernetes"
    cp "$src/cmd/pulumi-resource-kubernetes/main.go" "$src/cmd/pulumi-resource-kubernetes/schema.json" \
        "$src/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$dir/cmd/"
    chmod u+w "$dir/cmd/"*
    (cd "$repo" && go run ./tools/pulumi/embedgen "$dir/cmd" "$K8S_PROVIDER_VERSION") >&2
}

# build_tools DIR OUT: both wrapper modules, their module graphs, both commands.
build_tools() {
    local dir=$1 out=$2
    write_cli "$dir/cli"
    write_provider "$dir/provider"
    log "go mod tidy (downloads the module graphs)"
    (cd "$dir/cli" && go mod tidy) >&2
    (cd "$dir/provider" && go mod tidy) >&2
    log "building the pulumi CLI $PULUMI_VERSION"
    (cd "$dir/cli" && go build -mod=mod -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
        -o "$out/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) >&2
    log "building the Kubernetes provider $K8S_PROVIDER_VERSION"
    (cd "$dir/provider" && go build -mod=mod -ldflags "-s -w -X $K8S_PROVIDER_MODULE/pkg/version.Version=$K8S_PROVIDER_VERSION" \
        -o "$out/pulumi-resource-kubernetes" ./cmd) >&2
    "$out/pulumi" version >&2
}

recipe_inputs() {
    printf 'pulumi=%s\nprovider=%s@%s (%s, sdk %s)\ngo=%s\nplatform=%s/%s\ngoflags=%s\n' \
        "$PULUMI_VERSION" "$K8S_PROVIDER_MODULE" "$K8S_PROVIDER_PSEUDO" "$K8S_PROVIDER_VERSION" \
        "$K8S_PROVIDER_SDK" "$(go env GOVERSION)" "$(go env GOOS)" "$(go env GOARCH)" "$GOFLAGS"
    declare -f write_cli write_provider build_tools
    cat "$repo/tools/pulumi/embedgen/main.go"
}

# One function, parsed completely before it runs: editing this file mid-build is harmless.
main() {
    local key final start
    key=$(recipe_inputs | sha256sum | cut -d' ' -f1)
    final="$cache_root/$key"
    if [[ ! -x "$final/bin/pulumi" || ! -x "$final/bin/pulumi-resource-kubernetes" ]]; then
        mkdir -p "$cache_root"
        hold_lock "$cache_root/.lock-$key"
    fi
    if [[ -x "$final/bin/pulumi" && -x "$final/bin/pulumi-resource-kubernetes" ]]; then
        log "cached: $final"
    else
        rm -rf "$cache_root/.tmp-$key."*   # we hold the lock: leftovers of a killed build
        tmp=$(mktemp -d "$cache_root/.tmp-$key.XXXXXX")   # global: the EXIT trap runs after main
        trap 'rm -rf "${tmp:-}"' EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
        start=$(date +%s)
        log "cache miss: building into $final (cold: ~25 min on 2 cores)"
        mkdir -p "$tmp/out/bin"
        build_tools "$tmp/src" "$tmp/out/bin"
        cp "$tmp/src/cli/go.mod" "$tmp/out/cli.go.mod"
        cp "$tmp/src/provider/go.mod" "$tmp/out/provider.go.mod"
        recipe_inputs >"$tmp/out/recipe.txt"
        if ! mv -T "$tmp/out" "$final" 2>/dev/null; then
            [[ -x "$final/bin/pulumi" ]] || die "could not move the build into $final"
        fi
        log "built in $(( $(date +%s) - start ))s"
    fi
    printf 'PULUMI=%s\nPULUMI_KUBERNETES=%s\n' "$final/bin/pulumi" "$final/bin/pulumi-resource-kubernetes"
}

main "$@"; exit
