package synth

import (
	"sort"

	"sigs.k8s.io/yaml"
)

// kustomization is the kustomize base written beside the manifests with --format kustomize,
// so Argo CD, Flux or `kubectl apply -k` can consume the rendered layer as is.
type kustomization struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Resources  []string          `json:"resources"`
	Labels     []kustomizeLabels `json:"labels,omitempty"`
}

type kustomizeLabels struct {
	Pairs            map[string]string `json:"pairs"`
	IncludeSelectors bool              `json:"includeSelectors"`
}

// Kustomization renders kustomization.yaml for the manifests of a result.
func (r *Result) Kustomization() ([]byte, error) {
	k := kustomization{APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization"}
	for name := range r.Manifests {
		k.Resources = append(k.Resources, name)
	}
	sort.Strings(k.Resources)
	// Marks what otelfleet rendered without touching selectors (which are immutable).
	k.Labels = []kustomizeLabels{{Pairs: map[string]string{"otelfleet.io/rendered-stack": r.Stack}, IncludeSelectors: false}}
	return yaml.Marshal(k)
}
