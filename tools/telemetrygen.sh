#!/usr/bin/env bash
# Install (or reuse a cached) telemetrygen, the OpenTelemetry load generator, at the
# collector release otelfleet pins; prints the binary's path as the last line (see
# tools/go-install.sh).
set -euo pipefail
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
release=$(collector_release)
exec bash "$(dirname "${BASH_SOURCE[0]}")/go-install.sh" telemetrygen github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen "v$release"
