package collector

// Release is the OpenTelemetry Collector release otelfleet generates configurations for,
// deploys by default (the image tag, otelfleet:collectorVersion) and tests against: the
// tools build that release (tools/release.sh reads this line), and release_test.go checks
// that the collector manifest in tools/otelcol pins it.
const Release = "0.161.0"

// Image is the default collector image repository: the contrib distribution, whose
// components every generated configuration uses.
const Image = "otel/opentelemetry-collector-contrib"

// ReleaseImage is Image at Release.
const ReleaseImage = Image + ":" + Release
