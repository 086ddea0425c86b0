package aws

import (
	"github.com/otelfleet/otelfleet/components/aws/eks"
	"github.com/otelfleet/otelfleet/components/aws/lbcontroller"
	"github.com/otelfleet/otelfleet/components/aws/network"
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// IngestLoadBalancerName is the name of the gateway's ingest NLB (fixed by annotation, so
// the stack can find it and its metrics).
func IngestLoadBalancerName(cfg config.Stack) string { return cfg.Name + "-gw-ingest" }

// IngestServiceName is the gateway's LoadBalancer Service (kube.NewFleet names it so).
func IngestServiceName(cfg config.Stack) string { return GatewayServiceAccount(cfg) + "-ingest" }

// ingestAnnotations make the AWS Load Balancer Controller give the gateway's ingest Service
// an NLB with pod targets, health-checked on the collector's health_check endpoint; the
// scheme follows otelfleet:gatewayIngestInternal.
func ingestAnnotations(cfg config.Stack) (map[string]string, error) {
	return lbcontroller.ServiceAnnotations(lbcontroller.NLB{
		Name: IngestLoadBalancerName(cfg), Internal: cfg.Gateway.IngestInternal,
		HealthCheckPort: collector.PortHealthCheck, HealthCheckPath: "/", Tags: cfg.Tags,
	})
}

// installLoadBalancerController puts the controller on the cluster through a provider of
// its own, so the fleet can depend on it: its ingest Service is then deleted while the
// controller still runs to remove the NLB (and the Service's finalizer).
func installLoadBalancerController(ctx *pulumi.Context, cfg config.Stack, cluster *eks.Cluster, net *network.Network, account pulumi.StringInput, provider *aws.Provider) (*lbcontroller.Controller, error) {
	k8s, err := kubernetes.NewProvider(ctx, cfg.Name+"-k8s-addons", &kubernetes.ProviderArgs{
		Kubeconfig: cluster.Kubeconfig, EnableServerSideApply: pulumi.Bool(true), DeleteUnreachable: pulumi.Bool(false),
	})
	if err != nil {
		return nil, err
	}
	return lbcontroller.New(ctx, cfg.Name+"-lb-controller", &lbcontroller.Args{
		ClusterName: ClusterName(cfg), Region: cfg.AWS.Region, Account: account, VpcID: net.VpcID,
		OIDCProviderArn: cluster.OIDCProviderArn, OIDCIssuer: cluster.OIDCIssuer, ChartVersion: cfg.AWS.LoadBalancerControllerVersion,
	}, pulumi.Providers(provider, k8s), pulumi.DependsOn([]pulumi.Resource{cluster.NodeGroup}))
}

// ingestNLB is the gateway's ingest NLB as the controller created it.
type ingestNLB struct {
	Host pulumi.StringOutput
	// ZoneID, LoadBalancer and TargetGroup (ARN suffixes of the NLB and of the OTLP gRPC
	// target group) come from lookups.
	ZoneID, LoadBalancer, TargetGroup pulumi.StringOutput
}

// lookupIngest finds the NLB by its name and the gRPC port's target group by the tags the
// controller gives it. The lookups wait for the Service's address: once it has one, the
// controller has created both (on a first preview they are unknown).
func lookupIngest(ctx *pulumi.Context, cfg config.Stack, host pulumi.StringOutput, provider *aws.Provider) ingestNLB {
	name := host.ApplyT(func(string) string { return IngestLoadBalancerName(cfg) }).(pulumi.StringOutput)
	tags := host.ApplyT(func(string) map[string]string {
		return map[string]string{
			lbcontroller.ClusterTag:             ClusterName(cfg),
			lbcontroller.TargetGroupResourceTag: lbcontroller.TargetGroupResource(cfg.Kubernetes.Namespace, IngestServiceName(cfg), collector.PortOTLPGRPC),
		}
	}).(pulumi.StringMapOutput)
	nlb := lb.LookupLoadBalancerOutput(ctx, lb.LookupLoadBalancerOutputArgs{Name: name}, pulumi.Provider(provider))
	tg := lb.LookupTargetGroupOutput(ctx, lb.LookupTargetGroupOutputArgs{Tags: tags}, pulumi.Provider(provider))
	return ingestNLB{Host: host, ZoneID: nlb.ZoneId(), LoadBalancer: nlb.ArnSuffix(), TargetGroup: tg.ArnSuffix()}
}
