#!/usr/bin/env bash
# Collects upstream CustomResourceDefinition YAML from Go module zips (no internet
# needed beyond the Go module proxy) into a content-addressed cache directory:
#
#   $HOME/.cache/otelfleet/crds/<hash-of-list>/
#     cert-manager/         cert-manager v1.21.2  deploy/crds/*.yaml
#     vpa/                  VPA v1.8.1            deploy/vpa-v1-crd-gen.yaml
#     prometheus-operator/  v0.85.0               ServiceMonitor, PodMonitor, PrometheusRule
#
# Progress goes to stderr; the last line of stdout is the directory.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CACHE_ROOT="$(otelfleet_cache)"

# subdir|module|version|file glob relative to the module root (one per line)
LIST='cert-manager|github.com/cert-manager/cert-manager|v1.21.2|deploy/crds/*.yaml
vpa|k8s.io/autoscaler/vertical-pod-autoscaler|v1.8.1|deploy/vpa-v1-crd-gen.yaml
prometheus-operator|github.com/prometheus-operator/prometheus-operator|v0.85.0|example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml
prometheus-operator|github.com/prometheus-operator/prometheus-operator|v0.85.0|example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml
prometheus-operator|github.com/prometheus-operator/prometheus-operator|v0.85.0|example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml'

log() { printf '[crds.sh] %s\n' "$*" >&2; }

hash="$(printf '%s\n' "$LIST" | sha256sum | cut -c1-16)"
dest="$CACHE_ROOT/crds/$hash"
if [[ -f "$dest/.complete" ]]; then
  log "using cached $dest"
  echo "$dest"
  exit 0
fi

mkdir -p "$CACHE_ROOT/crds"
tmp="$(mktemp -d "$CACHE_ROOT/crds/.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# An empty module, so that downloading MOD@VER fetches only that module's zip.
mkdir -p "$tmp/mod" "$tmp/out"
printf 'module otelfleet.local/crds\n\ngo 1.24\n' >"$tmp/mod/go.mod"

declare -A dirs=()
while IFS='|' read -r sub mod ver glob; do
  key="$mod@$ver"
  if [[ -z "${dirs[$key]:-}" ]]; then
    log "downloading $key"
    json="$(cd "$tmp/mod" && GOFLAGS=-mod=mod go mod download -json "$key")"
    dir="$(sed -n 's/^[[:space:]]*"Dir":[[:space:]]*"\(.*\)",\{0,1\}[[:space:]]*$/\1/p' <<<"$json")"
    if [[ -z "$dir" || ! -d "$dir" ]]; then
      log "no Dir for $key: $json"; exit 1
    fi
    dirs[$key]="$dir"
  fi
  mkdir -p "$tmp/out/$sub"
  shopt -s nullglob
  # shellcheck disable=SC2206
  files=(${dirs[$key]}/$glob)
  shopt -u nullglob
  if ((${#files[@]} == 0)); then
    log "no files match $key $glob"; exit 1
  fi
  for f in "${files[@]}"; do
    cp "$f" "$tmp/out/$sub/"
    chmod 644 "$tmp/out/$sub/$(basename "$f")"
  done
done <<<"$LIST"

printf '%s\n' "$LIST" >"$tmp/out/.sources"
touch "$tmp/out/.complete"
if ! mv -T "$tmp/out" "$dest" 2>/dev/null; then
  # A concurrent run won the race (or a stale partial dir exists): replace it.
  [[ -f "$dest/.complete" ]] || { rm -rf "$dest"; mv -T "$tmp/out" "$dest"; }
fi
log "CRDs in $dest: $(find "$dest" -name '*.yaml' | wc -l) files"
echo "$dest"
