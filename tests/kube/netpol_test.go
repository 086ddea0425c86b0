package kube

import (
	"fmt"
	"testing"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"
)

// TestCollectorsAdmitOnlyOTLPAndMetrics evaluates the rendered NetworkPolicies (the
// apiserver stores them but nothing here enforces them, so the test reads them as the CNI
// would) for every collector workload of every stack: each is selected by a policy; OTLP is
// admitted from every namespace, or with gatewayAllowAllNamespaces off only from the
// fleet's and labelled ones; the self-metrics port only from the fleet's namespaces and
// namespaces labelled otelfleet.io/metrics=enabled; nothing else from any namespace.
func TestCollectorsAdmitOnlyOTLPAndMetrics(t *testing.T) {
	for _, rc := range []stackRun{{"aws-prod", "aws-prod", nil}, {"local", "local", nil},
		{"local, OTLP from labelled namespaces only", "local", map[string]string{"otelfleet:gatewayAllowAllNamespaces": "false"}}} {
		t.Run(rc.name, func(t *testing.T) {
			r := render(t, rc.stack, rc.overrides)
			fleetNS := r.Config.Kubernetes.Namespace
			policies := kindOf(r, "NetworkPolicy")
			other := map[string]string{"kubernetes.io/metadata.name": "team-a"}
			telemetry := map[string]string{"kubernetes.io/metadata.name": "team-b", fleet.LabelTelemetry: "enabled"}
			prometheus := map[string]string{"kubernetes.io/metadata.name": "monitoring", fleet.LabelMetrics: "enabled"}
			own := map[string]string{"kubernetes.io/metadata.name": fleetNS}
			checked := 0
			for _, kind := range []string{"Deployment", "DaemonSet", "StatefulSet"} {
				for _, w := range kindOf(r, kind) {
					podLabels := strMap(get(w, "spec", "template", "metadata", "labels"))
					component := podLabels["app.kubernetes.io/component"]
					ns := fmt.Sprint(get(w, "metadata", "namespace"))
					if component != "gateway" && component != "agent" {
						continue
					}
					checked++
					name := kind + "/" + fmt.Sprint(get(w, "metadata", "name"))
					selecting := selectingPolicies(policies, ns, podLabels)
					if len(selecting) == 0 {
						t.Errorf("%s has no NetworkPolicy: every port it binds on 0.0.0.0 is open to the cluster", name)
						continue
					}
					want := []struct {
						from map[string]string
						port int
						ok   bool
					}{
						{other, collector.PortOTLPGRPC, r.Config.Gateway.AllowAllNamespaces},
						{telemetry, collector.PortOTLPGRPC, true},
						{own, collector.PortOTLPHTTP, true},
						{other, collector.PortMetrics, false},
						{prometheus, collector.PortMetrics, true},
						{own, collector.PortMetrics, true},
						{own, collector.PortHealthCheck, false},
						{own, 1777, false}, // pprof
					}
					for _, c := range want {
						if got := admitted(selecting, c.from, c.port); got != c.ok {
							t.Errorf("%s: port %d from namespace %v admitted=%v; want %v", name, c.port, c.from, got, c.ok)
						}
					}
				}
			}
			if checked < 2 {
				t.Fatalf("found %d collector workloads; want the gateway and the agents", checked)
			}
		})
	}
}

// kindOf returns the rendered manifests of a kind.
func kindOf(r *rendered, kind string) []map[string]any {
	var out []map[string]any
	for _, m := range r.Result.Manifests {
		if m["kind"] == kind {
			out = append(out, m)
		}
	}
	return out
}

func strMap(v any) map[string]string {
	out := map[string]string{}
	m, _ := v.(map[string]any)
	for k, x := range m {
		out[k] = fmt.Sprint(x)
	}
	return out
}

// subset reports whether every key of sel has its value in labels (an empty selector
// selects everything).
func subset(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// selectingPolicies are the ingress policies of namespace ns whose podSelector selects pods
// with podLabels (matchLabels only: otelfleet renders no expressions).
func selectingPolicies(policies []map[string]any, ns string, podLabels map[string]string) []map[string]any {
	var out []map[string]any
	for _, p := range policies {
		if fmt.Sprint(get(p, "metadata", "namespace")) == ns && subset(strMap(get(p, "spec", "podSelector", "matchLabels")), podLabels) {
			out = append(out, p)
		}
	}
	return out
}

// admitted reports whether a pod in a namespace with nsLabels may reach port through any
// of the policies: a rule whose ports include it and whose peers include a namespace
// selector matching nsLabels (IP blocks are the load balancer's clients, not pods).
func admitted(policies []map[string]any, nsLabels map[string]string, port int) bool {
	for _, p := range policies {
		rules, _ := get(p, "spec", "ingress").([]any)
		for _, rule := range rules {
			rm, _ := rule.(map[string]any)
			portOK := false
			ports, _ := rm["ports"].([]any)
			for _, pp := range ports {
				if fmt.Sprint(get(pp.(map[string]any), "port")) == fmt.Sprint(port) {
					portOK = true
				}
			}
			if !portOK {
				continue
			}
			peers, _ := rm["from"].([]any)
			for _, peer := range peers {
				pm, _ := peer.(map[string]any)
				nsSel, ok := pm["namespaceSelector"].(map[string]any)
				if !ok {
					continue
				}
				if subset(strMap(nsSel["matchLabels"]), nsLabels) {
					return true
				}
			}
		}
	}
	return false
}

// get walks nested maps by keys.
func get(m map[string]any, path ...string) any {
	var v any = m
	for _, k := range path {
		mm, _ := v.(map[string]any)
		v = mm[k]
	}
	return v
}
