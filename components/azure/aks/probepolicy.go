package aks

import (
	"fmt"

	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// LoadBalancerProbeSource is the address Azure Load Balancer health probes come from (the
// Azure platform's virtual IP, the AzureLoadBalancer service tag).
const LoadBalancerProbeSource = "168.63.129.16/32"

// ProbePolicyArgs select the pods behind an Azure load balancer and their probed port.
type ProbePolicyArgs struct {
	Namespace   string
	PodSelector map[string]string // the gateway pods' labels
	HealthPort  int               // the port every health probe asks (see IngestAnnotations)
}

// ProbePolicy is a NetworkPolicy admitting the Azure load balancer's health probes to the
// gateway pods. With externalTrafficPolicy Local the probes keep their source address,
// 168.63.129.16; the fleet's own NetworkPolicy admits the ingest's clients
// (gatewayIngestSourceRanges), which need not include it, and on an enforcing dataplane
// (Cilium) every backend would then look down. NetworkPolicies add up.
type ProbePolicy struct {
	pulumi.ResourceState
	Name pulumi.StringOutput `pulumi:"name"`
}

// NewProbePolicy creates the NetworkPolicy. Pass the cluster's Kubernetes provider in opts.
func NewProbePolicy(ctx *pulumi.Context, name string, args *ProbePolicyArgs, opts ...pulumi.ResourceOption) (*ProbePolicy, error) {
	if args == nil || args.Namespace == "" || len(args.PodSelector) == 0 || args.HealthPort <= 0 {
		return nil, fmt.Errorf("aks: ProbePolicy needs Namespace, PodSelector and HealthPort")
	}
	c := &ProbePolicy{}
	if err := ctx.RegisterComponentResource("otelfleet:aks:ProbePolicy", name, c, opts...); err != nil {
		return nil, err
	}
	np, err := networkingv1.NewNetworkPolicy(ctx, name, &networkingv1.NetworkPolicyArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:      pulumi.String(name),
			Namespace: pulumi.String(args.Namespace),
			Labels:    pulumi.StringMap{"app.kubernetes.io/managed-by": pulumi.String("otelfleet")},
		},
		Spec: networkingv1.NetworkPolicySpecArgs{
			PodSelector: metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(args.PodSelector)},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{
				From:  networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{IpBlock: &networkingv1.IPBlockArgs{Cidr: pulumi.String(LoadBalancerProbeSource)}}},
				Ports: networkingv1.NetworkPolicyPortArray{networkingv1.NetworkPolicyPortArgs{Port: pulumi.Int(args.HealthPort), Protocol: pulumi.String("TCP")}},
			}},
		},
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.Name = np.Metadata.Name().Elem()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"name": c.Name})
}
