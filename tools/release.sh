# Sourced by the tool builders: collector_release prints the collector release otelfleet
# pins (components/collector/release.go, the one place it is written), e.g. 0.161.0.
collector_release() {
    local file
    file="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)/components/collector/release.go"
    sed -n 's/^const Release = "\([0-9][0-9.]*\)"$/\1/p' "$file" | grep . || {
        echo "no 'const Release = \"X.Y.Z\"' line in $file" >&2
        return 1
    }
}
