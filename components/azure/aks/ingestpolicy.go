package aks

import (
	"fmt"
	"net/netip"
	"slices"

	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// LoadBalancerProbeSource is the address Azure Load Balancer health probes come from (the
// Azure platform's virtual IP, the AzureLoadBalancer service tag).
const LoadBalancerProbeSource = "168.63.129.16/32"

// IngestPolicyArgs describe the traffic an Azure load balancer brings to the gateway pods.
type IngestPolicyArgs struct {
	Namespace   string
	PodSelector map[string]string // the gateway pods' labels
	Ports       []int             // OTLP ports clients reach through the load balancer
	HealthPort  int               // the health_check port the probes ask
	// SourceRanges are the clients' CIDRs; empty admits any address outside the cluster
	// (what the load balancer can reach: the private network when it is internal).
	SourceRanges []string
	// PodCIDR is excluded from the default "any address" block, so that pods never pass by
	// it on a dataplane where CIDR rules also match pod addresses.
	PodCIDR string
}

// IngestPolicy is a NetworkPolicy admitting the ingest load balancer's traffic to the
// gateway pods. NetworkPolicies add up: the fleet's own policy admits OTLP only from
// labelled namespaces, which leaves out clients outside the cluster (their addresses are
// kept by externalTrafficPolicy Local) and the load balancer's health probes, so on an
// enforcing dataplane (Cilium) every backend would look down. CIDR rules do not select
// pods of the cluster, so in-cluster isolation is unchanged.
type IngestPolicy struct {
	pulumi.ResourceState
	Name pulumi.StringOutput `pulumi:"name"`
}

// NewIngestPolicy creates the NetworkPolicy. Pass the cluster's Kubernetes provider in opts.
func NewIngestPolicy(ctx *pulumi.Context, name string, args *IngestPolicyArgs, opts ...pulumi.ResourceOption) (*IngestPolicy, error) {
	if args == nil || args.Namespace == "" || len(args.PodSelector) == 0 || len(args.Ports) == 0 || args.HealthPort <= 0 {
		return nil, fmt.Errorf("aks: IngestPolicy needs Namespace, PodSelector, Ports and HealthPort")
	}
	clients, except := args.SourceRanges, []string(nil)
	if len(clients) == 0 {
		clients = []string{"0.0.0.0/0"}
		if args.PodCIDR != "" {
			except = []string{args.PodCIDR}
		}
	}
	for _, c := range append(slices.Clone(clients), except...) {
		if _, err := netip.ParsePrefix(c); err != nil {
			return nil, fmt.Errorf("aks: IngestPolicy range %q: %v", c, err)
		}
	}
	c := &IngestPolicy{}
	if err := ctx.RegisterComponentResource("otelfleet:aks:IngestPolicy", name, c, opts...); err != nil {
		return nil, err
	}
	peers := func(cidrs, except []string) networkingv1.NetworkPolicyPeerArray {
		var out networkingv1.NetworkPolicyPeerArray
		for _, cidr := range cidrs {
			block := &networkingv1.IPBlockArgs{Cidr: pulumi.String(cidr)}
			if len(except) > 0 {
				block.Except = pulumi.ToStringArray(except)
			}
			out = append(out, networkingv1.NetworkPolicyPeerArgs{IpBlock: block})
		}
		return out
	}
	ports := func(ps []int) networkingv1.NetworkPolicyPortArray {
		var out networkingv1.NetworkPolicyPortArray
		for _, p := range ps {
			out = append(out, networkingv1.NetworkPolicyPortArgs{Port: pulumi.Int(p), Protocol: pulumi.String("TCP")})
		}
		return out
	}
	// Clients may also ask the health port (DNS failover health checks do).
	clientPorts := append(slices.Clone(args.Ports), args.HealthPort)
	np, err := networkingv1.NewNetworkPolicy(ctx, name, &networkingv1.NetworkPolicyArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:      pulumi.String(name),
			Namespace: pulumi.String(args.Namespace),
			Labels:    pulumi.StringMap{"app.kubernetes.io/managed-by": pulumi.String("otelfleet")},
		},
		Spec: networkingv1.NetworkPolicySpecArgs{
			PodSelector: metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(args.PodSelector)},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{
				networkingv1.NetworkPolicyIngressRuleArgs{From: peers(clients, except), Ports: ports(clientPorts)},
				networkingv1.NetworkPolicyIngressRuleArgs{From: peers([]string{LoadBalancerProbeSource}, nil), Ports: ports([]int{args.HealthPort})},
			},
		},
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.Name = np.Metadata.Name().Elem()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"name": c.Name})
}
