package kube

import (
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MetricsNamespaceLabel marks namespaces whose pods may scrape the collectors' own
// metrics (port 8888): label your Prometheus' namespace otelfleet.io/metrics=enabled.
const MetricsNamespaceLabel = fleet.LabelMetrics

func tcpPort(p int) networkingv1.NetworkPolicyPortArgs {
	return networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("TCP"), Port: pulumi.Int(p)}
}

// labelledOr selects the namespaces labelled label=enabled plus the named ones.
func labelledOr(label string, names []string) networkingv1.NetworkPolicyPeerArray {
	peers := networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
		NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{label: pulumi.String("enabled")}},
	}}
	for _, n := range names {
		peers = append(peers, networkingv1.NetworkPolicyPeerArgs{
			NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String(n)}},
		})
	}
	return peers
}

// otlpPeers are who may send OTLP: every namespace (allowed nil), or the namespaces
// labelled TelemetryNamespaceLabel=enabled plus allowed.
func otlpPeers(allowed []string) networkingv1.NetworkPolicyPeerArray {
	if allowed == nil {
		return networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{NamespaceSelector: &metav1.LabelSelectorArgs{}}}
	}
	return labelledOr(TelemetryNamespaceLabel, allowed)
}

// collectorIngress are the rules every collector's NetworkPolicy starts with: OTLP from
// otlpFrom, and its own metrics only from namespaces labelled MetricsNamespaceLabel and
// metricsNamespaces (the fleet's). Everything else inbound is dropped.
func collectorIngress(otlpFrom networkingv1.NetworkPolicyPeerArray, metricsNamespaces []string) networkingv1.NetworkPolicyIngressRuleArray {
	return networkingv1.NetworkPolicyIngressRuleArray{
		networkingv1.NetworkPolicyIngressRuleArgs{From: otlpFrom, Ports: networkingv1.NetworkPolicyPortArray{tcpPort(collector.PortOTLPGRPC), tcpPort(collector.PortOTLPHTTP)}},
		networkingv1.NetworkPolicyIngressRuleArgs{From: labelledOr(MetricsNamespaceLabel, metricsNamespaces), Ports: networkingv1.NetworkPolicyPortArray{tcpPort(collector.PortMetrics)}},
	}
}

func newCollectorNetworkPolicy(ctx *pulumi.Context, name string, meta *metav1.ObjectMetaArgs, pods pulumi.StringMap, rules networkingv1.NetworkPolicyIngressRuleArray, opts ...pulumi.ResourceOption) (*networkingv1.NetworkPolicy, error) {
	return networkingv1.NewNetworkPolicy(ctx, name+"-netpol", &networkingv1.NetworkPolicyArgs{
		Metadata: meta,
		Spec: networkingv1.NetworkPolicySpecArgs{
			PodSelector: metav1.LabelSelectorArgs{MatchLabels: pods},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
			Ingress:     rules,
		},
	}, opts...)
}
