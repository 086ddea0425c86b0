#!/usr/bin/env bash
# Runs every otelfleet test on a bare machine (Go + the module proxy + apt): it first builds
# or reuses everything the tests need — the real collector and telemetrygen, kube-apiserver,
# kube-controller-manager and etcd, the CRDs, the pulumi CLI and its Kubernetes provider —
# caching them under ~/.cache/otelfleet keyed by version, then vets and tests the root module
# and the nested example modules.
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

# The tool builds are independent: run them side by side and compile the Go test binaries
# meanwhile (cold, each alone: ~20 min for the collector, ~25 for the pulumi CLI and
# provider, ~10 for the control plane, ~10 for the Pulumi SDKs; warm: seconds).
step "building tools (collector, telemetrygen, control plane, CRDs, actionlint, Kusto checker, promrules, pulumi) in the background"
bash tools/pulumi.sh >"$logs/pulumi.out" 2>"$logs/pulumi.err" & pulumi_pid=$!
bash tools/otelcol.sh >"$logs/otelcol.out" 2>"$logs/otelcol.err" & otelcol_pid=$!
bash tools/telemetrygen.sh >"$logs/telemetrygen.out" 2>"$logs/telemetrygen.err" & telemetrygen_pid=$!
bash tools/kube-apiserver.sh >"$logs/apiserver.out" 2>"$logs/apiserver.err" & apiserver_pid=$!
bash tools/crds.sh >"$logs/crds.out" 2>"$logs/crds.err" & crds_pid=$!
bash tools/actionlint.sh >"$logs/actionlint.out" 2>"$logs/actionlint.err" & actionlint_pid=$!
bash tools/kusto.sh >"$logs/kusto.out" 2>"$logs/kusto.err" & kusto_pid=$!
bash tools/promrules.sh >"$logs/promrules.out" 2>"$logs/promrules.err" & promrules_pid=$!

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
wait_tool kusto "$kusto_pid"
wait_tool promrules "$promrules_pid"
wait_tool pulumi "$pulumi_pid"
OTELFLEET_OTELCOL=$(tail -n1 "$logs/otelcol.out")
OTELFLEET_TELEMETRYGEN=$(tail -n1 "$logs/telemetrygen.out")
OTELFLEET_KUBE_APISERVER=$(sed -n 's/^KUBE_APISERVER=//p' "$logs/apiserver.out" | tail -n1)
OTELFLEET_ETCD=$(sed -n 's/^ETCD=//p' "$logs/apiserver.out" | tail -n1)
OTELFLEET_KUBE_CONTROLLER_MANAGER=$(sed -n 's/^KUBE_CONTROLLER_MANAGER=//p' "$logs/apiserver.out" | tail -n1)
OTELFLEET_PULUMI=$(sed -n 's/^PULUMI=//p' "$logs/pulumi.out" | tail -n1)
OTELFLEET_PULUMI_KUBERNETES=$(sed -n 's/^PULUMI_KUBERNETES=//p' "$logs/pulumi.out" | tail -n1)
OTELFLEET_CRDS=$(tail -n1 "$logs/crds.out")
OTELFLEET_ACTIONLINT=$(tail -n1 "$logs/actionlint.out")
OTELFLEET_KUSTO=$(sed -n 's/^KUSTO=//p' "$logs/kusto.out" | tail -n1)
OTELFLEET_PROMRULES=$(sed -n 's/^PROMRULES=//p' "$logs/promrules.out" | tail -n1)
export OTELFLEET_OTELCOL OTELFLEET_TELEMETRYGEN OTELFLEET_KUBE_APISERVER OTELFLEET_ETCD OTELFLEET_CRDS OTELFLEET_ACTIONLINT OTELFLEET_KUSTO OTELFLEET_PROMRULES \
  OTELFLEET_KUBE_CONTROLLER_MANAGER OTELFLEET_PULUMI OTELFLEET_PULUMI_KUBERNETES
printf 'collector:      %s\ntelemetrygen:   %s\nkube-apiserver: %s\ncontrollers:    %s\netcd:           %s\nCRDs:           %s\nactionlint:     %s\nKusto checker:  %s\npromrules:      %s\npulumi:         %s\nprovider:       %s\n' \
  "$OTELFLEET_OTELCOL" "$OTELFLEET_TELEMETRYGEN" "$OTELFLEET_KUBE_APISERVER" "$OTELFLEET_KUBE_CONTROLLER_MANAGER" "$OTELFLEET_ETCD" \
  "$OTELFLEET_CRDS" "$OTELFLEET_ACTIONLINT" "$OTELFLEET_KUSTO" "$OTELFLEET_PROMRULES" "$OTELFLEET_PULUMI" "$OTELFLEET_PULUMI_KUBERNETES"
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
