package synth

import (
	"fmt"
	"strings"
	"sync"
)

// notManifests are kubernetes provider types that are not single API objects.
var notManifests = []string{"pulumi:providers:", "kubernetes:helm.sh/", "kubernetes:yaml", "kubernetes:kustomize"}

// manifest returns the Kubernetes object a kubernetes:* resource sends to the API server:
// its inputs, which the SDK fills with apiVersion and kind.
func manifest(r Resource) (map[string]any, bool) {
	if !strings.HasPrefix(r.Type, "kubernetes:") {
		return nil, false
	}
	for _, p := range notManifests {
		if strings.HasPrefix(r.Type, p) {
			return nil, false
		}
	}
	obj := r.Inputs
	if _, ok := obj["apiVersion"]; !ok {
		return nil, false
	}
	return obj, true
}

// manifestFileName is "<kind>-<namespace>-<name>.yaml", lowercase, namespace omitted for
// cluster-scoped objects.
func manifestFileName(m map[string]any) string {
	meta, _ := m["metadata"].(map[string]any)
	parts := []string{fmt.Sprint(m["kind"])}
	if ns, ok := meta["namespace"].(string); ok && ns != "" {
		parts = append(parts, ns)
	}
	parts = append(parts, fmt.Sprint(meta["name"]))
	return strings.ToLower(strings.Join(parts, "-")) + ".yaml"
}

// CollectorConfig is one generated collector configuration found in a resource.
type CollectorConfig struct {
	Name string // file name without .yaml
	YAML string
}

// Extractor finds collector configurations in a resource. Cloud stacks that ship configs
// in something other than a ConfigMap (an SSM parameter, a container group volume) register
// one for their resource type.
type Extractor func(r Resource) []CollectorConfig

var (
	extractorsMu sync.RWMutex
	extractors   = map[string]Extractor{"kubernetes:core/v1:ConfigMap": configMapConfigs}
)

// RegisterExtractor registers the extractor of one resource type.
func RegisterExtractor(typ string, e Extractor) {
	extractorsMu.Lock()
	defer extractorsMu.Unlock()
	extractors[typ] = e
}

func extractCollectorConfigs(r Resource) []CollectorConfig {
	extractorsMu.RLock()
	e, ok := extractors[r.Type]
	extractorsMu.RUnlock()
	if !ok {
		return nil
	}
	return e(r)
}

// collectorConfigAnnotation mirrors kube.CollectorConfigAnnotation (synth does not import
// the Kubernetes layer).
const collectorConfigAnnotation = "otelfleet.io/collector-config"

// configMapConfigs reads config.yaml of ConfigMaps annotated as collector configs. The raw
// inputs are used so a secret-wrapped config still renders (it holds no secret itself:
// secrets reach collectors through ${env:...}).
func configMapConfigs(r Resource) []CollectorConfig {
	meta, _ := r.Inputs["metadata"].(map[string]any)
	annotations, _ := meta["annotations"].(map[string]any)
	tier, ok := annotations[collectorConfigAnnotation].(string)
	if !ok {
		return nil
	}
	data, _ := r.Inputs["data"].(map[string]any)
	text, ok := data["config.yaml"].(string)
	if !ok {
		return nil
	}
	name := tier
	if ns, ok := meta["namespace"].(string); ok && ns != "" {
		name = ns + "-" + tier
	}
	return []CollectorConfig{{Name: name, YAML: text}}
}

// dashboards returns the JSON files of a ConfigMap labelled for Grafana's dashboard sidecar.
func dashboards(r Resource) map[string]string {
	if r.Type != "kubernetes:core/v1:ConfigMap" {
		return nil
	}
	meta, _ := r.Inputs["metadata"].(map[string]any)
	labels, _ := meta["labels"].(map[string]any)
	if _, ok := labels["grafana_dashboard"]; !ok {
		return nil
	}
	out := map[string]string{}
	data, _ := r.Inputs["data"].(map[string]any)
	for k, v := range data {
		if text, ok := v.(string); ok && strings.HasSuffix(k, ".json") {
			out[k] = text
		}
	}
	return out
}
