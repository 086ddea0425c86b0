package kube

import (
	"sort"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/internal/kubetest"
)

// breakage derives a broken object from a rendered one.
type breakage struct {
	name   string
	pick   func(t *testing.T, r *rendered) manifest
	mutate func(t *testing.T, obj map[string]any)
	// want are substrings of the apiserver's message.
	want []string
}

var breakages = []breakage{
	{
		name: "hpa-min-replicas-above-max",
		pick: func(t *testing.T, r *rendered) manifest {
			return r.one(t, "HorizontalPodAutoscaler", r.Config.Kubernetes.Namespace)
		},
		mutate: func(t *testing.T, obj map[string]any) {
			max, ok := number(obj, "spec", "maxReplicas")
			if !ok {
				t.Fatalf("HPA without spec.maxReplicas")
			}
			mapAt(obj, "spec")["minReplicas"] = max + 1
		},
		want: []string{"spec.maxReplicas", "must be greater than or equal to `minReplicas`"},
	},
	{
		name: "workload-selector-does-not-match-template",
		pick: func(t *testing.T, r *rendered) manifest { return r.gatewayWorkload(t) },
		mutate: func(t *testing.T, obj map[string]any) {
			sel := mapAt(obj, "spec", "selector", "matchLabels")
			if len(sel) == 0 {
				t.Fatalf("workload without spec.selector.matchLabels")
			}
			keys := make([]string, 0, len(sel))
			for k := range sel {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			labels := mapAt(obj, "spec", "template", "metadata", "labels")
			labels[keys[0]] = str(labels, keys[0]) + "-other"
		},
		want: []string{"spec.template.metadata.labels", "`selector` does not match template `labels`"},
	},
	{
		name: "service-port-out-of-range",
		pick: func(t *testing.T, r *rendered) manifest {
			return r.find("Service", r.Config.Kubernetes.Namespace)[0]
		},
		mutate: func(t *testing.T, obj map[string]any) {
			ports := listAt(obj, "spec", "ports")
			if len(ports) == 0 {
				t.Fatalf("Service without ports")
			}
			ports[0].(map[string]any)["port"] = 70000
		},
		want: []string{"spec.ports[0].port", "70000", "must be between 1 and 65535"},
	},
	{
		// A typo in a security-relevant field must not be dropped silently.
		name: "unknown-field",
		pick: func(t *testing.T, r *rendered) manifest { return r.gatewayWorkload(t) },
		mutate: func(t *testing.T, obj map[string]any) {
			sc := mapAt(obj, "spec", "template", "spec", "securityContext")
			if sc == nil {
				t.Fatalf("pod template without securityContext")
			}
			sc["runAsNonRot"] = true
		},
		want: []string{"runAsNonRot", "field not declared in schema"},
	},
	{
		name: "unknown-field-in-custom-resource",
		pick: func(t *testing.T, r *rendered) manifest {
			certs := r.find("Certificate", "")
			if len(certs) == 0 {
				t.Fatalf("%s renders no cert-manager Certificate (tlsEnabled=%v)", r.Key, r.Config.TLS.Enabled)
			}
			return certs[0]
		},
		mutate: func(t *testing.T, obj map[string]any) {
			mapAt(obj, "spec")["secretNam"] = "typo"
		},
		want: []string{"secretNam", "field not declared in schema"},
	},
}

// testBrokenManifests proves the apply check can fail: each rendered object is accepted,
// and the same object with one mistake is rejected with the apiserver's reason.
func testBrokenManifests(t *testing.T, c *kubetest.Cluster, r *rendered) {
	for _, b := range breakages {
		t.Run(b.name, func(t *testing.T) {
			m := b.pick(t, r)
			ctx := t.Context()
			if _, _, err := c.Apply(ctx, toJSON(t, m.Obj), kubetest.ApplyOptions{DryRun: true}); err != nil {
				t.Fatalf("%s: the unmodified object is rejected: %s", m, apiMessage(err))
			}
			broken := clone(t, m.Obj)
			b.mutate(t, broken)
			_, _, err := c.Apply(ctx, toJSON(t, broken), kubetest.ApplyOptions{DryRun: true})
			if err == nil {
				t.Fatalf("%s with %s: accepted by the apiserver, want a rejection", m, b.name)
			}
			msg := apiMessage(err)
			for _, w := range b.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%s with %s: rejection does not mention %q: %s", m, b.name, w, msg)
				}
			}
			t.Logf("%s with %s: rejected: %s", m.File, b.name, msg)
		})
	}
}
