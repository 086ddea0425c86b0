#!/usr/bin/env bash
# Builds (or reuses) a kube-apiserver, a kube-controller-manager and an etcd for throwaway
# test control planes.
#
# kube-apiserver and kube-controller-manager are built from the Go module proxy through a
# wrapper module that lives in the cache (never in this repo); etcd is taken from Debian's
# etcd-server package without installing it system-wide.
#
# Progress goes to stderr. The last three lines of stdout are:
#   KUBE_APISERVER=/abs/path/kube-apiserver
#   KUBE_CONTROLLER_MANAGER=/abs/path/kube-controller-manager
#   ETCD=/abs/path/etcd
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.33.4}"
STAGING_VERSION="v0.${K8S_VERSION#v1.}"   # v1.33.4 -> v0.33.4
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CACHE_ROOT="$(otelfleet_cache)"
APISERVER_DIR="$CACHE_ROOT/kube-apiserver/$K8S_VERSION"
ETCD_ROOT="$CACHE_ROOT/etcd"

log() { printf '[kube-apiserver.sh] %s\n' "$*" >&2; }

mkdir -p "$CACHE_ROOT/kube-apiserver" "$ETCD_ROOT"

CLEANUP=()
cleanup() { if ((${#CLEANUP[@]})); then rm -rf "${CLEANUP[@]}"; fi; }
trap cleanup EXIT

# Serialise concurrent callers (parallel test packages) on one lock.
exec 9>"$CACHE_ROOT/.kube-apiserver.lock"
flock 9

# ---------------------------------------------------------------- kube-apiserver
build_apiserver() {
  local tmp wrap gomod_file go_directive staging t0
  t0=$(date +%s)
  tmp="$(mktemp -d "$CACHE_ROOT/kube-apiserver/.tmp-$K8S_VERSION.XXXXXX")"
  CLEANUP+=("$tmp")
  wrap="$tmp/wrapper"
  mkdir -p "$wrap" "$tmp/out"

  log "downloading k8s.io/kubernetes@$K8S_VERSION metadata"
  # Outside any module: only this module's go.mod/zip are fetched.
  gomod_file="$(cd "$tmp" && GOFLAGS=-mod=mod GO111MODULE=on GOTOOLCHAIN=local \
    go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    sed -n 's/^[[:space:]]*"GoMod":[[:space:]]*"\(.*\)",\{0,1\}[[:space:]]*$/\1/p')"
  if [[ -z "$gomod_file" || ! -f "$gomod_file" ]]; then
    log "could not locate go.mod of k8s.io/kubernetes@$K8S_VERSION"; return 1
  fi

  # Every k8s.io/* module that kubernetes replaces with ./staging/src/... .
  staging="$(go mod edit -print "$gomod_file" | awk '
    { sub(/^replace[[:space:]]+/, "") }
    $2 == "=>" && $1 ~ /^k8s\.io\// && $3 ~ /^\.\/staging\/src\// { print $1 }' | sort -u)"
  if [[ -z "$staging" ]]; then
    log "no staging replaces found in $gomod_file"; return 1
  fi
  log "staging modules replaced by $STAGING_VERSION: $(wc -l <<<"$staging")"

  go_directive="$(go mod edit -print "$gomod_file" | awk '$1 == "go" { print $2; exit }')"
  {
    echo "module otelfleet.local/kube-apiserver-build"
    echo
    echo "go ${go_directive:-1.24.0}"
    # Keep kubernetes' own GODEBUG defaults for the binary.
    go mod edit -print "$gomod_file" | awk '$1 == "godebug" { print }'
  } >"$wrap/go.mod"

  local args=(-require "k8s.io/kubernetes@$K8S_VERSION")
  local m
  while read -r m; do
    args+=(-replace "$m=$m@$STAGING_VERSION")
  done <<<"$staging"
  (cd "$wrap" && go mod edit "${args[@]}")

  local pkg="k8s.io/component-base/version"
  local major="${K8S_VERSION#v}"; major="${major%%.*}"
  local minor="${K8S_VERSION#v*.}"; minor="${minor%%.*}"
  local ldflags="-X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"

  local cmd
  for cmd in kube-apiserver kube-controller-manager; do
    log "building $cmd $K8S_VERSION (cold: ~8 min for the first, ~3 for the second, ~2 GB RAM)"
    (cd "$wrap" && GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 \
      go build -trimpath -ldflags "$ldflags" -o "$tmp/out/$cmd" "k8s.io/kubernetes/cmd/$cmd") >&2
    "$tmp/out/$cmd" --version >&2
  done
  # Atomic publish: rename a complete directory into place.
  rm -rf "$APISERVER_DIR"
  mv -T "$tmp/out" "$APISERVER_DIR"
  log "kube-apiserver and kube-controller-manager built in $(( $(date +%s) - t0 )) s"
}

if [[ ! -x "$APISERVER_DIR/kube-apiserver" || ! -x "$APISERVER_DIR/kube-controller-manager" ]]; then
  build_apiserver
else
  log "using cached $APISERVER_DIR"
fi

# -------------------------------------------------------------------------- etcd
fetch_etcd() {
  local tmp deb ver
  tmp="$(mktemp -d "$ETCD_ROOT/.tmp.XXXXXX")"
  CLEANUP+=("$tmp")
  chmod 755 "$tmp"   # lets apt's _apt sandbox user write here
  log "downloading Debian package etcd-server"
  if ! (cd "$tmp" && apt-get download etcd-server) >&2; then
    log "apt-get download failed; running apt-get update"
    apt-get update >&2
    (cd "$tmp" && apt-get download etcd-server) >&2
  fi
  deb="$(ls "$tmp"/etcd-server_*.deb | head -n1)"
  ver="$(dpkg-deb -f "$deb" Version)"
  mkdir -p "$tmp/root"
  dpkg-deb -x "$deb" "$tmp/root"
  if [[ ! -x "$tmp/root/usr/bin/etcd" ]]; then
    log "etcd binary not found in $deb"; return 1
  fi
  mkdir -p "$tmp/out"
  cp "$tmp/root/usr/bin/etcd" "$tmp/out/etcd"
  if [[ ! -x "$ETCD_ROOT/$ver/etcd" ]]; then
    rm -rf "${ETCD_ROOT:?}/$ver"
    mv -T "$tmp/out" "$ETCD_ROOT/$ver"
  fi
  ETCD_VERSION="$ver"
}

# Warm path: reuse the newest cached etcd without asking apt.
ETCD_VERSION="$(ls -1 "$ETCD_ROOT" 2>/dev/null | grep -v '^\.' | sort -V | tail -n1 || true)"
if [[ -n "$ETCD_VERSION" && -x "$ETCD_ROOT/$ETCD_VERSION/etcd" ]]; then
  log "using cached $ETCD_ROOT/$ETCD_VERSION/etcd"
else
  fetch_etcd
fi

echo "KUBE_APISERVER=$APISERVER_DIR/kube-apiserver"
echo "KUBE_CONTROLLER_MANAGER=$APISERVER_DIR/kube-controller-manager"
echo "ETCD=$ETCD_ROOT/$ETCD_VERSION/etcd"
