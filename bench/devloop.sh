#!/usr/bin/env bash
# Measures the developer loop: how long `go test` takes after touching one file of the
# collector-config package (warm build cache), for that package alone and for the whole
# module, and how long an offline render of both stacks takes. Prints a table.
#
#   bench/devloop.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}'; }

touch_collector() { # a real edit (a comment), reverted afterwards
  printf '\n// devloop %s\n' "$(date +%s%N)" >> components/collector/types.go
}
restore() { git checkout -- components/collector/types.go; }
trap restore EXIT

go test -count=1 ./components/collector/ >/dev/null # warm the cache
touch_collector
pkg=$(seconds go test -count=1 ./components/collector/)
touch_collector
kube=$(seconds go test -count=1 ./components/kube/)
touch_collector
mocks=$(seconds go test -count=1 ./components/... ./stacks/... ./synth/... ./tests/aws/ ./tests/azure/ .)
restore
render=$(seconds go run . synth --out "$(mktemp -d)")

printf '%-62s %8s\n' "measurement (warm build cache, one collector file touched)" "seconds"
printf '%-62s %8.1f\n' "go test ./components/collector/" "$pkg"
printf '%-62s %8.1f\n' "go test ./components/kube/" "$kube"
printf '%-62s %8.1f\n' "go test of all mock-tested packages (no real collector/apiserver)" "$mocks"
printf '%-62s %8.1f\n' "go run . synth (both stacks, incl. relink)" "$render"
