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
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Build builds the aws stack. Every AWS resource goes through one explicit provider for
// otelfleet:awsRegion whose default tags are otelfleet:tags.
func Build(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan) error {
	if err := cfg.ValidateAWSIngest(); err != nil {
		return err
	}
	a := cfg.AWS
	provider, err := aws.NewProvider(ctx, cfg.Name+"-aws", &aws.ProviderArgs{
		Region:      pulumi.String(a.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(cfg.Tags)},
	})
	if err != nil {
		return err
	}
	inAWS := pulumi.Providers(provider)
	account := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, pulumi.Provider(provider)).AccountId()

	net, err := network.New(ctx, cfg.Name, &network.Args{
		CIDR: a.VpcCIDR, AZCount: a.AZCount, SingleNatGateway: a.SingleNatGateway,
		VpcID: a.VpcID, PrivateSubnetIDs: a.PrivateSubnetIDs, PublicSubnetIDs: a.PublicSubnetIDs,
	}, inAWS)
	if err != nil {
		return err
	}
	cluster, err := eks.New(ctx, cfg.Name, &eks.Args{
		Name: ClusterName(cfg), Version: a.EKSVersion, Region: a.Region,
		VpcID: net.VpcID, PrivateSubnetIDs: net.PrivateSubnetIDs, PublicSubnetIDs: net.PublicSubnetIDs,
		InstanceType: a.NodeInstanceType, DesiredSize: a.NodeDesired, MinSize: a.NodeMin, MaxSize: a.NodeMax,
		DiskGiB: a.NodeDiskGiB, Labels: a.NodeLabels, LogRetentionDays: a.LogRetentionDays,
	}, inAWS)
	if err != nil {
		return err
	}
	dest, err := destinations.New(ctx, cfg.Name, &destinations.Args{
		Prefix: cfg.Name, Region: a.Region, RetentionDays: a.LogRetentionDays, EMFNamespace: a.EMFNamespace,
		Archive:     archive.Args{IADays: a.ArchiveIADays, GlacierIRDays: a.ArchiveGlacierIRDays, ExpireDays: a.ArchiveExpireDays},
		ArchiveLogs: a.ArchiveLogs,
	}, inAWS)
	if err != nil {
		return err
	}
	gatewayRole, err := irsa.New(ctx, cfg.Name+"-gateway", &irsa.Args{
		OIDCProviderArn: cluster.OIDCProviderArn, OIDCIssuer: cluster.OIDCIssuer,
		Namespace: cfg.Kubernetes.Namespace, ServiceAccount: GatewayServiceAccount(cfg),
		Policy: dest.WriterPolicy(), Description: "otelfleet gateway on EKS: X-Ray, CloudWatch Logs/EMF, S3 archive",
	}, inAWS)
	if err != nil {
		return err
	}
	// Workloads need nodes to become ready; the ingest Service needs the controller that
	// provisions (and on deletion removes) its NLB.
	fleetDeps := []pulumi.Resource{cluster.NodeGroup}
	if cfg.Gateway.Kind == kube.KindStatefulSet {
		// The queue PVCs need a volume provisioner (see package ebscsi).
		driver, err := ebscsi.New(ctx, cfg.Name+"-ebs-csi", &ebscsi.Args{
			ClusterName: cluster.Name, Region: a.Region,
			OIDCProviderArn: cluster.OIDCProviderArn, OIDCIssuer: cluster.OIDCIssuer,
		}, inAWS, pulumi.DependsOn([]pulumi.Resource{cluster.NodeGroup}))
		if err != nil {
			return err
		}
		fleetDeps = append(fleetDeps, driver.Addon)
		ctx.Export("ebsCsiDriverRoleArn", driver.RoleArn)
	}
	if cfg.Gateway.Ingest && a.LoadBalancerController {
		lbc, err := installLoadBalancerController(ctx, cfg, cluster, net, account, provider)
		if err != nil {
			return err
		}
		fleetDeps = append(fleetDeps, lbc.Release)
		ctx.Export("loadBalancerControllerRoleArn", lbc.RoleArn)
	}
	fleet, k8s, err := deployGateway(ctx, cfg, p, cluster, dest, gatewayRole, fleetDeps)
	if err != nil {
		return err
	}
	if a.ContainerInsights {
		ci, err := containerinsights.New(ctx, cfg.Name+"-container-insights", &containerinsights.Args{
			ClusterName: ClusterName(cfg), Region: a.Region, Account: account,
			OIDCProviderArn: cluster.OIDCProviderArn, OIDCIssuer: cluster.OIDCIssuer, LogRetentionDays: a.LogRetentionDays,
		}, inAWS, pulumi.DependsOn([]pulumi.Resource{cluster.NodeGroup}))
		if err != nil {
			return err
		}
		ctx.Export("containerInsightsRoleArn", ci.RoleArn)
	}
	var autoscalerRole pulumi.StringOutput
	if a.ClusterAutoscaler {
		as, err := autoscaler.New(ctx, cfg.Name+"-autoscaler", &autoscaler.Args{
			ClusterName: cluster.ClusterName, Region: a.Region, Account: account,
			OIDCProviderArn: cluster.OIDCProviderArn, OIDCIssuer: cluster.OIDCIssuer, ChartVersion: a.ClusterAutoscalerVersion,
		}, pulumi.Providers(provider, k8s), pulumi.DependsOn([]pulumi.Resource{cluster.NodeGroup}))
		if err != nil {
			return err
		}
		autoscalerRole = as.RoleArn
		ctx.Export("autoscalerRoleArn", autoscalerRole)
	}
	logGroups := pulumi.StringMap{
		"logs": dest.LogsGroupName, "metrics": dest.MetricsGroupName, "controlPlane": cluster.ControlPlaneLogGroup,
	}
	watched := alarmSources{dest: dest}
	if a.ECSCollector {
		ecs, err := deployECS(ctx, cfg, p, net, dest, account, inAWS)
		if err != nil {
			return err
		}
		watched.ecs = ecs
		logGroups["ecsCollector"] = ecs.LogGroupName
		if a.LambdaExample {
			fn, err := deployLambda(ctx, cfg, net, ecs, account, inAWS)
			if err != nil {
				return err
			}
			logGroups["lambdaExample"] = fn.LogGroupName
		}
	}

	if cfg.Gateway.Ingest {
		nlb := lookupIngest(ctx, cfg, fleet.GatewayIngestHost, provider)
		watched.ingest = &nlb
		ctx.Export("gatewayIngestHost", fleet.GatewayIngestHost)
	}
	var topic pulumi.StringInput
	if a.Alarms {
		al, err := deployAlarms(ctx, cfg, watched, inAWS)
		if err != nil {
			return err
		}
		topic = al.TopicArn
	}
	if a.DRAzureStack != "" || a.RegionalRecordName != "" {
		// ValidateAWSIngest made sure the ingest (and so watched.ingest) exists.
		if err := deployIngestDNS(ctx, cfg, *watched.ingest, topic, inAWS); err != nil {
			return err
		}
	}

	ctx.Export("vpcId", net.VpcID)
	ctx.Export("clusterName", cluster.Name)
	ctx.Export("kubeconfig", cluster.Kubeconfig)
	ctx.Export("archiveBucket", dest.BucketName)
	ctx.Export("gatewayRoleArn", gatewayRole.Arn)
	ctx.Export("nodeRoleArn", cluster.NodeRoleArn)
	ctx.Export("logGroups", logGroups)
	return nil
}

// ClusterName is the EKS cluster's name: the stack's name prefix.
func ClusterName(cfg config.Stack) string { return cfg.Name }

// GatewayServiceAccount is the gateway's ServiceAccount, the identity IRSA trusts.
func GatewayServiceAccount(cfg config.Stack) string { return cfg.Names().Gateway() }
