#!/usr/bin/env bash
# Runs every otelfleet test on a bare machine (Go + the module proxy + apt): it first builds
# or reuses everything the tests need — the real collector and telemetrygen, kube-apiserver
# and etcd, the CRDs — caching them under ~/.cache/otelfleet keyed by version, then vets and
# tests the root module and the nested example modules.
#
#   tools/test.sh            all tests
#   tools/test.sh -run X     extra arguments go to `go test` of the root module
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

step() { printf '\n== %s (%s)\n' "$*" "$(date +%T)"; }
t0=$(date +%s)

# The three tool builds are independent: run them side by side and compile the Go test
# binaries meanwhile (cold: ~20 min for the collector, ~10 for the apiserver, ~10 for the
# Pulumi SDKs; warm: seconds).
step "building tools (collector, telemetrygen, kube-apiserver + etcd, CRDs, actionlint) in the background"
bash tools/otelcol.sh >"$logs/otelcol.out" 2>"$logs/otelcol.err" & otelcol_pid=$!
bash tools/telemetrygen.sh >"$logs/telemetrygen.out" 2>"$logs/telemetrygen.err" & telemetrygen_pid=$!
bash tools/kube-apiserver.sh >"$logs/apiserver.out" 2>"$logs/apiserver.err" & apiserver_pid=$!
bash tools/crds.sh >"$logs/crds.out" 2>"$logs/crds.err" & crds_pid=$!
bash tools/actionlint.sh >"$logs/actionlint.out" 2>"$logs/actionlint.err" & actionlint_pid=$!

step "go vet (compiles every package)"
go vet ./...

wait_tool() { # name pid
  if ! wait "$2"; then
    echo "building $1 failed:" >&2
    tail -50 "$logs/$1.err" >&2
    exit 1
  fi
}
wait_tool otelcol "$otelcol_pid"
wait_tool telemetrygen "$telemetrygen_pid"
wait_tool apiserver "$apiserver_pid"
wait_tool crds "$crds_pid"
wait_tool actionlint "$actionlint_pid"
OTELFLEET_OTELCOL=$(tail -n1 "$logs/otelcol.out")
OTELFLEET_TELEMETRYGEN=$(tail -n1 "$logs/telemetrygen.out")
OTELFLEET_KUBE_APISERVER=$(sed -n 's/^KUBE_APISERVER=//p' "$logs/apiserver.out" | tail -n1)
OTELFLEET_ETCD=$(sed -n 's/^ETCD=//p' "$logs/apiserver.out" | tail -n1)
OTELFLEET_CRDS=$(tail -n1 "$logs/crds.out")
OTELFLEET_ACTIONLINT=$(tail -n1 "$logs/actionlint.out")
export OTELFLEET_OTELCOL OTELFLEET_TELEMETRYGEN OTELFLEET_KUBE_APISERVER OTELFLEET_ETCD OTELFLEET_CRDS OTELFLEET_ACTIONLINT
printf 'collector:      %s\ntelemetrygen:   %s\nkube-apiserver: %s\netcd:           %s\nCRDs:           %s\nactionlint:     %s\n' \
  "$OTELFLEET_OTELCOL" "$OTELFLEET_TELEMETRYGEN" "$OTELFLEET_KUBE_APISERVER" "$OTELFLEET_ETCD" "$OTELFLEET_CRDS" "$OTELFLEET_ACTIONLINT"
printf 'tools ready after %ss\n' $(( $(date +%s) - t0 ))

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted" >&2; exit 1; fi

step "go test ./... (root module)"
go test -count=1 -timeout 40m "$@" ./...

# Nested modules (examples that import otelfleet as a library, Lambda handler).
for mod in $(git ls-files '*/go.mod' | xargs -r -n1 dirname); do
  step "go test ./... in $mod"
  (cd "$mod" && go vet ./... && go test -count=1 ./...)
done

printf '\nall tests passed in %ss\n' $(( $(date +%s) - t0 ))
