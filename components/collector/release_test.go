package collector

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestToolsBuildTheRelease: the collector the tests run (tools/otelcol/builder-config.yaml)
// is the release the configs are generated for and the stacks deploy.
func TestToolsBuildTheRelease(t *testing.T) {
	b, err := os.ReadFile("../../tools/otelcol/builder-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	manifest := string(b)
	if !strings.Contains(manifest, "version: "+Release+"-otelfleet") {
		t.Errorf("builder-config.yaml: dist version is not %s-otelfleet", Release)
	}
	core := regexp.MustCompile(`gomod: (go\.opentelemetry\.io/collector/\S+) (v0\.\d+\.\d+)`).FindAllStringSubmatch(manifest, -1)
	if len(core) < 5 {
		t.Fatalf("builder-config.yaml: found %d core collector modules", len(core))
	}
	for _, m := range core {
		if m[2] != "v"+Release {
			t.Errorf("builder-config.yaml: %s %s, want v%s (one collector release)", m[1], m[2], Release)
		}
	}
	if ReleaseImage != Image+":"+Release {
		t.Errorf("ReleaseImage = %q", ReleaseImage)
	}
}
