package aws

import (
	"github.com/otelfleet/otelfleet/components/aws/destinations"
	"github.com/otelfleet/otelfleet/components/aws/ebscsi"
	"github.com/otelfleet/otelfleet/components/aws/ecscollector"
	"github.com/otelfleet/otelfleet/components/aws/eks"
	"github.com/otelfleet/otelfleet/components/aws/irsa"
	"github.com/otelfleet/otelfleet/components/aws/lambdaotel"
	"github.com/otelfleet/otelfleet/components/aws/network"
	"github.com/otelfleet/otelfleet/components/fleet"
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/stacks/common"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// PodNameEnv names each gateway pod's log streams, so replicas never share one.
const PodNameEnv = plan.PodNameEnv

// QueueStorageClass is the StorageClass (EBS gp3, encrypted) the aws stack creates for a
// StatefulSet gateway's queue volumes when otelfleet:gatewayStorageClass is empty.
const QueueStorageClass = "otelfleet-gp3"

// LambdaExampleCode is the directory holding the example function's build
// (examples/lambda: bootstrap and collector.yaml; see its README).
const LambdaExampleCode = "examples/lambda/build"

// deployGateway puts the collector fleet on the cluster: the gateway exports to the AWS
// destinations (and otelfleet:upstreamOtlpEndpoint) as its IRSA role (ServiceAccount
// annotation), with the region and the archive bucket in its environment; with
// gatewayIngest its LoadBalancer Service gets the AWS Load Balancer Controller's
// annotations. It returns the fleet and the cluster's Kubernetes provider; dependsOn are
// waited for (nodes, the load balancer controller).
func deployGateway(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan, cluster *eks.Cluster, dest *destinations.Destinations, role *irsa.Role, dependsOn []pulumi.Resource) (*kube.Fleet, *kubernetes.Provider, error) {
	a := cfg.AWS
	ingest, err := ingestAnnotations(cfg)
	if err != nil {
		return nil, nil, err
	}
	return common.DeployFleet(ctx, cfg, p, cluster.Kubeconfig, func(f *kube.FleetArgs) {
		if f.GatewayIngest != nil {
			for k, v := range ingest {
				f.GatewayIngest.Annotations[k] = v
			}
		}
		// Senders outside the cluster reach the gateway by its global and regional names.
		for _, n := range []string{a.DRRecordName, a.RegionalRecordName} {
			if n != "" {
				f.GatewayDNSNames = append(f.GatewayDNSNames, n)
			}
		}
		if f.Gateway.Kind == kube.KindStatefulSet && f.Gateway.StorageClass == "" {
			f.Gateway.StorageClass = QueueStorageClass
			f.Gateway.NewStorageClass = &kube.StorageClassArgs{Provisioner: ebscsi.Provisioner, Parameters: ebscsi.StorageClassParameters}
		}
		f.GatewayServiceAccountAnnotations = pulumi.StringMap{irsa.RoleArnAnnotation: role.Arn}
		f.GatewayEnv = append(f.GatewayEnv,
			corev1.EnvVarArgs{Name: pulumi.String("AWS_REGION"), Value: pulumi.String(a.Region)},
			corev1.EnvVarArgs{Name: pulumi.String(destinations.BucketEnv), Value: dest.BucketName},
			corev1.EnvVarArgs{Name: pulumi.String(PodNameEnv), ValueFrom: &corev1.EnvVarSourceArgs{
				FieldRef: &corev1.ObjectFieldSelectorArgs{FieldPath: pulumi.String("metadata.name")},
			}},
		)
	}, pulumi.DependsOn(dependsOn))
}

func deployECS(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan, f *kube.Fleet, net *network.Network, dest *destinations.Destinations, account pulumi.StringInput, opts ...pulumi.ResourceOption) (*ecscollector.Collector, error) {
	a := cfg.AWS
	yaml := p.CloudCollectors[plan.CollectorECS]
	env := map[string]pulumi.StringInput{destinations.BucketEnv: dest.BucketName}
	secretEnv := map[string]pulumi.StringInput{}
	if plan.OutsideCollectorsPresentCertificates(cfg) {
		// Fargate mounts no rotating secret: the certificate is issued at deploy time and
		// injected at task start; a new one restarts the tasks (README, trust).
		tls, err := common.ClientCertificate(cfg, p, f, p.Names.Prefix+"-ecs-collector")
		if err != nil {
			return nil, err
		}
		env[fleet.TrustEnv], env[fleet.RenewByEnv], secretEnv[fleet.ClientTLSEnv] = tls.CA, pulumi.String(tls.RenewBy), tls.Client
	}
	ecs, err := ecscollector.New(ctx, cfg.Name+"-ecs", &ecscollector.Args{
		Prefix: cfg.Name, Region: a.Region, Account: account,
		Image: cfg.Collector.ImageRef(), Config: yaml,
		Environment: env, SecretEnvironment: secretEnv,
		TaskPolicy: dest.WriterPolicy(),
		VpcID:      net.VpcID, VpcCIDR: net.CIDR, SubnetIDs: net.PrivateSubnetIDs,
		CPU: a.ECSCPU, MemoryMiB: a.ECSMemoryMiB, DesiredCount: a.ECSDesiredCount, LogRetentionDays: a.LogRetentionDays,
	}, opts...)
	if err != nil {
		return nil, err
	}
	ctx.Export("ecsCollectorGrpcEndpoint", ecs.GRPCEndpoint)
	ctx.Export("ecsCollectorHttpEndpoint", ecs.HTTPEndpoint)
	ctx.Export("ecsTaskRoleArn", ecs.TaskRoleArn)
	ctx.Export("ecsExecutionRoleArn", ecs.ExecutionRoleArn)
	return ecs, nil
}

func deployLambda(ctx *pulumi.Context, cfg config.Stack, net *network.Network, ecs *ecscollector.Collector, account pulumi.StringInput, opts ...pulumi.ResourceOption) (*lambdaotel.Function, error) {
	a := cfg.AWS
	var layers []string
	if a.LambdaLayerArn != "" {
		layers = []string{a.LambdaLayerArn}
	}
	fn, err := lambdaotel.New(ctx, cfg.Name+"-example", &lambdaotel.Args{
		FunctionName: cfg.Name + "-example", Region: a.Region, Account: account,
		Code:         pulumi.NewFileArchive(LambdaExampleCode),
		OTLPEndpoint: ecs.GRPCEndpoint,
		VpcID:        net.VpcID, VpcCIDR: net.CIDR, SubnetIDs: net.PrivateSubnetIDs,
		LayerArns:        layers,
		Environment:      map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=" + cfg.Environment},
		LogRetentionDays: a.LogRetentionDays,
	}, opts...)
	if err != nil {
		return nil, err
	}
	ctx.Export("lambdaFunctionName", fn.Name)
	ctx.Export("lambdaRoleArn", fn.RoleArn)
	return fn, nil
}
