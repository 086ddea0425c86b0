#!/usr/bin/env bash
# Measures the developer loop: how long `go test` takes after touching one file of the
# collector-config package (warm build cache) for each layer, how many cloud-SDK packages
# each layer's tests compile, and how long an offline render of every stack takes.
#
#   bench/devloop.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}'; }

file=components/collector/types.go
backup=$(mktemp)
cp "$file" "$backup"
restore() { cp "$backup" "$file"; rm -f "$backup"; }
trap restore EXIT
touch_collector() { # a real edit (a comment); the file is restored on exit
  printf '\n// devloop %s\n' "$(date +%s%N)" >> "$file"
}
cloud_sdks() { # cloud-SDK packages a test target compiles
  go list -test -deps "$@" | grep -cE 'github.com/pulumi/pulumi-(aws|eks|azure-native-sdk)/' || true
}

go test -count=1 ./components/collector/ ./stacks/plan/ >/dev/null # warm the cache
rows=()
for target in ./components/collector/ ./components/fleet/ ./stacks/plan/ ./components/kube/; do
  touch_collector
  rows+=("$(printf '%-62s %8.1f %6s' "go test $target" "$(seconds go test -count=1 "$target")" "$(cloud_sdks "$target")")")
done
touch_collector
mocks=$(seconds go test -count=1 ./components/... ./stacks/... ./synth/... ./tests/aws/ ./tests/azure/ ./tests/plan/ ./tests/urns/ .)
restore
trap - EXIT
render=$(seconds go run . synth --out "$(mktemp -d)")

printf '%-62s %8s %6s\n' "measurement (warm build cache, one collector file touched)" "seconds" "cloud SDK pkgs"
printf '%s\n' "${rows[@]}"
printf '%-62s %8.1f\n' "go test of all mock-tested packages (no real collector/apiserver)" "$mocks"
printf '%-62s %8.1f\n' "go run . synth (every stack, incl. relink)" "$render"
