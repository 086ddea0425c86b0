// Package aws builds the aws stack: network, EKS with the cluster autoscaler, the
// destinations (X-Ray, CloudWatch, S3 archive), the collector fleet on EKS with an IRSA
// role, a collector on ECS Fargate behind an internal NLB, and an instrumented Lambda;
// with gatewayIngest the AWS Load Balancer Controller and the gateway's ingest NLB, its
// Route 53 records (DR failover to the azure stack, regional latency routing), and the
// fleet's CloudWatch alarms with their SNS topic.
package aws

import (
	"github.com/otelfleet/otelfleet/components/aws/archive"
	"github.com/otelfleet/otelfleet/components/aws/autoscaler"
	"github.com/otelfleet/otelfleet/components/aws/containerinsights"
	"github.com/otelfleet/otelfleet/components/aws/destinations"
	"github.com/otelfleet/otelfleet/components/aws/ebscsi"
	"github.com/otelfleet/otelfleet/components/aws/eks"
	"github.com/otelfleet/otelfleet/components/aws/irsa"
	"github.com/otelfleet/otelfleet/components/aws/network"
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Build builds the aws stack. Every AWS resource goes through one explicit provider for
// otelfleet:awsRegion whose default tags are otelfleet:tags.
func Build(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan) error {
	if err := cfg.ValidateAWSIngest(); err != nil {
		return err
	}
	provider, err := aws.NewProvider(ctx, cfg.Name+"-aws", &aws.ProviderArgs{
		Region:      pulumi.String(cfg.AWS.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(cfg.Tags)},
	})
	if err != nil {
		return err
	}
	s := &stack{ctx: ctx, cfg: cfg, p: p, provider: provider, inAWS: pulumi.Providers(provider),
		account: aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, pulumi.Provider(provider)).AccountId()}
	for _, step := range []func() error{s.foundation, s.clusterAddons, s.collectorFleet, s.clusterOperations, s.outsideTheCluster, s.alerting} {
		if err := step(); err != nil {
			return err
		}
	}
	s.export()
	return nil
}

// stack is the aws stack while it is built: each step adds what the later ones use.
type stack struct {
	ctx      *pulumi.Context
	cfg      config.Stack
	p        *plan.Plan
	provider *aws.Provider
	inAWS    pulumi.ResourceOption
	account  pulumi.StringOutput

	net         *network.Network
	cluster     *eks.Cluster
	dest        *destinations.Destinations
	gatewayRole *irsa.Role
	fleetDeps   []pulumi.Resource // what the fleet's workloads wait for
	fleet       *kube.Fleet
	k8s         *kubernetes.Provider
	logGroups   pulumi.StringMap
	watched     alarmSources
}

// foundation is the network, the EKS cluster, the destinations and the gateway's IRSA role.
func (s *stack) foundation() error {
	cfg, a := s.cfg, s.cfg.AWS
	var err error
	if s.net, err = network.New(s.ctx, cfg.Name, &network.Args{
		CIDR: a.VpcCIDR, AZCount: a.AZCount, SingleNatGateway: a.SingleNatGateway,
		VpcID: a.VpcID, PrivateSubnetIDs: a.PrivateSubnetIDs, PublicSubnetIDs: a.PublicSubnetIDs,
		Region: a.Region, Account: s.account,
		FlowLogs: a.FlowLogs, FlowLogRetentionDays: a.LogRetentionDays, Endpoints: a.Endpoints,
	}, s.inAWS); err != nil {
		return err
	}
	if s.cluster, err = eks.New(s.ctx, cfg.Name, &eks.Args{
		Name: ClusterName(cfg), Version: a.EKSVersion, Region: a.Region, PublicAccessCIDRs: cfg.Cluster.APIAllowedCIDRs,
		VpcID: s.net.VpcID, PrivateSubnetIDs: s.net.PrivateSubnetIDs, PublicSubnetIDs: s.net.PublicSubnetIDs,
		InstanceType: a.NodeInstanceType, DesiredSize: a.NodeDesired, MinSize: a.NodeMin, MaxSize: a.NodeMax,
		DiskGiB: a.NodeDiskGiB, Labels: a.NodeLabels, LogRetentionDays: a.LogRetentionDays,
	}, s.inAWS); err != nil {
		return err
	}
	if s.dest, err = destinations.New(s.ctx, cfg.Name, &destinations.Args{
		Prefix: cfg.Name, Region: a.Region, Account: s.account, RetentionDays: a.LogRetentionDays, EMFNamespace: a.EMFNamespace,
		Archive:     archive.Args{IADays: a.ArchiveIADays, GlacierIRDays: a.ArchiveGlacierIRDays, ExpireDays: a.ArchiveExpireDays},
		ArchiveLogs: a.ArchiveLogs,
	}, s.inAWS); err != nil {
		return err
	}
	s.gatewayRole, err = irsa.New(s.ctx, cfg.Name+"-gateway", &irsa.Args{
		OIDCProviderArn: s.cluster.OIDCProviderArn, OIDCIssuer: s.cluster.OIDCIssuer,
		Namespace: cfg.Kubernetes.Namespace, ServiceAccount: GatewayServiceAccount(cfg),
		Policy: s.dest.WriterPolicy(), Description: "otelfleet gateway on EKS: X-Ray, CloudWatch Logs/EMF, S3 archive",
	}, s.inAWS)
	return err
}

// clusterAddons are what the fleet's workloads need from the cluster besides nodes: a
// volume provisioner for a StatefulSet gateway's queue PVCs, the controller that provisions
// (and on deletion removes) the ingest Service's NLB.
func (s *stack) clusterAddons() error {
	cfg := s.cfg
	s.fleetDeps = []pulumi.Resource{s.cluster.NodeGroup}
	if cfg.Gateway.Kind == kube.KindStatefulSet {
		driver, err := ebscsi.New(s.ctx, cfg.Name+"-ebs-csi", &ebscsi.Args{
			ClusterName: s.cluster.Name, Region: cfg.AWS.Region,
			OIDCProviderArn: s.cluster.OIDCProviderArn, OIDCIssuer: s.cluster.OIDCIssuer,
		}, s.inAWS, pulumi.DependsOn([]pulumi.Resource{s.cluster.NodeGroup}))
		if err != nil {
			return err
		}
		s.fleetDeps = append(s.fleetDeps, driver.Addon)
		s.ctx.Export("ebsCsiDriverRoleArn", driver.RoleArn)
	}
	if cfg.Gateway.Ingest && cfg.AWS.LoadBalancerController {
		lbc, err := installLoadBalancerController(s.ctx, cfg, s.cluster, s.net, s.account, s.provider)
		if err != nil {
			return err
		}
		s.fleetDeps = append(s.fleetDeps, lbc.Release)
		s.ctx.Export("loadBalancerControllerRoleArn", lbc.RoleArn)
	}
	return nil
}

// collectorFleet is the collector layer on the cluster.
func (s *stack) collectorFleet() error {
	var err error
	s.fleet, s.k8s, err = deployGateway(s.ctx, s.cfg, s.p, s.cluster, s.dest, s.gatewayRole, s.fleetDeps)
	return err
}

// clusterOperations are Container Insights and the cluster autoscaler.
func (s *stack) clusterOperations() error {
	cfg, a := s.cfg, s.cfg.AWS
	if a.ContainerInsights {
		ci, err := containerinsights.New(s.ctx, cfg.Name+"-container-insights", &containerinsights.Args{
			ClusterName: ClusterName(cfg), Region: a.Region, Account: s.account,
			OIDCProviderArn: s.cluster.OIDCProviderArn, OIDCIssuer: s.cluster.OIDCIssuer, LogRetentionDays: a.LogRetentionDays,
		}, s.inAWS, pulumi.DependsOn([]pulumi.Resource{s.cluster.NodeGroup}))
		if err != nil {
			return err
		}
		s.ctx.Export("containerInsightsRoleArn", ci.RoleArn)
	}
	if a.ClusterAutoscaler {
		as, err := autoscaler.New(s.ctx, cfg.Name+"-autoscaler", &autoscaler.Args{
			ClusterName: s.cluster.ClusterName, Region: a.Region, Account: s.account,
			OIDCProviderArn: s.cluster.OIDCProviderArn, OIDCIssuer: s.cluster.OIDCIssuer, ChartVersion: a.ClusterAutoscalerVersion,
		}, pulumi.Providers(s.provider, s.k8s), pulumi.DependsOn([]pulumi.Resource{s.cluster.NodeGroup}))
		if err != nil {
			return err
		}
		s.ctx.Export("autoscalerRoleArn", as.RoleArn)
	}
	return nil
}

// outsideTheCluster are the ECS collector and the instrumented Lambda.
func (s *stack) outsideTheCluster() error {
	cfg, a := s.cfg, s.cfg.AWS
	s.logGroups = pulumi.StringMap{
		"logs": s.dest.LogsGroupName, "metrics": s.dest.MetricsGroupName, "collectorMetrics": s.dest.SelfMetricsGroupName,
		"controlPlane": s.cluster.ControlPlaneLogGroup,
	}
	if !a.ECSCollector {
		return nil
	}
	ecs, err := deployECS(s.ctx, cfg, s.p, s.fleet, s.net, s.dest, s.account, s.inAWS)
	if err != nil {
		return err
	}
	s.watched.ecs = ecs
	s.logGroups["ecsCollector"] = ecs.LogGroupName
	if a.LambdaExample {
		fn, err := deployLambda(s.ctx, cfg, s.net, ecs, s.account, s.inAWS)
		if err != nil {
			return err
		}
		s.logGroups["lambdaExample"] = fn.LogGroupName
	}
	return nil
}

// alerting are the CloudWatch alarms and, with ingest, the Route 53 records that fail over
// on them.
func (s *stack) alerting() error {
	cfg, a := s.cfg, s.cfg.AWS
	if cfg.Gateway.Ingest {
		nlb := lookupIngest(s.ctx, cfg, s.fleet.GatewayIngestHost, s.provider)
		s.watched.ingest = &nlb
		s.ctx.Export("gatewayIngestHost", s.fleet.GatewayIngestHost)
	}
	var topic pulumi.StringInput
	if a.Alarms {
		s.watched.gatewayMinReplicas = s.p.Gateway.MinReplicas
		al, err := deployAlarms(s.ctx, cfg, s.watched, s.inAWS)
		if err != nil {
			return err
		}
		topic = al.TopicArn
	}
	if a.DRAzureStack != "" || a.RegionalRecordName != "" {
		// ValidateAWSIngest made sure the ingest (and so watched.ingest) exists.
		return deployIngestDNS(s.ctx, cfg, *s.watched.ingest, topic, s.inAWS)
	}
	return nil
}

// export are the outputs only AWS computes (the plan's are exported by the program).
func (s *stack) export() {
	s.ctx.Export("vpcId", s.net.VpcID)
	s.ctx.Export("clusterName", s.cluster.Name)
	s.ctx.Export("kubeconfig", s.cluster.Kubeconfig)
	s.ctx.Export("archiveBucket", s.dest.BucketName)
	s.ctx.Export("gatewayRoleArn", s.gatewayRole.Arn)
	s.ctx.Export("nodeRoleArn", s.cluster.NodeRoleArn)
	s.ctx.Export("logGroups", s.logGroups)
}

// ClusterName is the EKS cluster's name: the stack's name prefix.
func ClusterName(cfg config.Stack) string { return cfg.Name }

// GatewayServiceAccount is the gateway's ServiceAccount, the identity IRSA trusts.
func GatewayServiceAccount(cfg config.Stack) string { return cfg.Names().Gateway() }
