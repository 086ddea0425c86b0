// Package ecscollector runs an OpenTelemetry collector on ECS Fargate behind an internal
// Network Load Balancer, so ECS tasks and Lambda functions in the VPC can send OTLP.
//
// The configuration is not baked into an image: it is an SSM parameter the ECS agent
// injects as the OTEL_CONFIG environment variable, and the collector reads it with
// --config=env:OTEL_CONFIG. The contrib image has no shell, so there is no container
// health check; the NLB target groups check the health_check extension over HTTP on 13133,
// and ECS replaces tasks the load balancer reports unhealthy.
package ecscollector

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Names the task and the config parameter use.
const (
	ContainerName = "otel-collector"
	// ConfigEnv is the variable the ECS agent fills from the config parameter.
	ConfigEnv = "OTEL_CONFIG"
	// ConfigTag marks the SSM parameter that holds a collector configuration; its value
	// names the tier (offline rendering finds configs by it).
	ConfigTag = "otelfleet.io/collector-config"
	// Tier is the ConfigTag value of this collector.
	Tier = "ecs-collector"
)

// Args describe the collector. Defaults (defaults()): CPU 1024, MemoryMiB 2048,
// DesiredCount 2, LogRetentionDays 30.
type Args struct {
	// Prefix names the cluster (<prefix>-collectors), service, load balancer and groups.
	Prefix  string             // required
	Region  string             // required
	Account pulumi.StringInput // required: trust conditions
	Image   string             // required, "repo:tag"
	// Config is the rendered collector YAML (no secrets: they come from the environment).
	Config string // required
	// Environment holds the values the config reads with ${env:NAME}.
	Environment map[string]pulumi.StringInput
	// SecretEnvironment holds the secret ones (e.g. a client certificate and key): each is
	// a SecureString SSM parameter the ECS agent injects at task start, readable by the
	// execution role only, never in the task definition.
	SecretEnvironment map[string]pulumi.StringInput
	// TaskPolicy is the task role's least-privilege policy JSON (what the exporters call).
	TaskPolicy pulumi.StringInput // required

	VpcID     pulumi.StringInput      // required
	VpcCIDR   pulumi.StringInput      // required: only the VPC may send OTLP
	SubnetIDs pulumi.StringArrayInput // required: private subnets of at least two zones

	CPU              int
	MemoryMiB        int
	DesiredCount     int
	LogRetentionDays int
	Tags             map[string]string
}

// Collector is the ECS service and its load balancer.
type Collector struct {
	pulumi.ResourceState
	ClusterName      pulumi.StringOutput `pulumi:"clusterName"`
	ServiceName      pulumi.StringOutput `pulumi:"serviceName"`
	TaskRoleArn      pulumi.StringOutput `pulumi:"taskRoleArn"`
	ExecutionRoleArn pulumi.StringOutput `pulumi:"executionRoleArn"`
	LogGroupName     pulumi.StringOutput `pulumi:"logGroupName"`
	ConfigParameter  pulumi.StringOutput `pulumi:"configParameter"`
	SecurityGroupID  pulumi.StringOutput `pulumi:"securityGroupId"`
	// LoadBalancerDNS is the internal NLB; GRPCEndpoint and HTTPEndpoint are OTLP URLs.
	LoadBalancerDNS pulumi.StringOutput `pulumi:"loadBalancerDns"`
	GRPCEndpoint    pulumi.StringOutput `pulumi:"grpcEndpoint"`
	HTTPEndpoint    pulumi.StringOutput `pulumi:"httpEndpoint"`
	// LoadBalancerArnSuffix and TargetGroupArnSuffix (of the OTLP gRPC target group) are
	// the dimensions of their AWS/NetworkELB metrics.
	LoadBalancerArnSuffix pulumi.StringOutput `pulumi:"loadBalancerArnSuffix"`
	TargetGroupArnSuffix  pulumi.StringOutput `pulumi:"targetGroupArnSuffix"`
}

func (a Args) defaults() Args {
	if a.CPU == 0 {
		a.CPU = 1024
	}
	if a.MemoryMiB == 0 {
		a.MemoryMiB = 2048
	}
	if a.DesiredCount == 0 {
		a.DesiredCount = 2
	}
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = 30
	}
	return a
}

func (a Args) validate() error {
	switch {
	case a.Prefix == "" || a.Region == "" || a.Image == "" || a.Config == "":
		return fmt.Errorf("Prefix, Region, Image and Config are required")
	case a.Account == nil || a.TaskPolicy == nil || a.VpcID == nil || a.VpcCIDR == nil || a.SubnetIDs == nil:
		return fmt.Errorf("Account, TaskPolicy, VpcID, VpcCIDR and SubnetIDs are required")
	case a.DesiredCount < 2:
		return fmt.Errorf("DesiredCount %d: run at least 2 tasks", a.DesiredCount)
	}
	return nil
}

// Ports the collector listens on and the load balancer forwards.
var otlpPorts = []struct {
	name string
	port int
}{{"otlp-grpc", collector.PortOTLPGRPC}, {"otlp-http", collector.PortOTLPHTTP}}

// New creates the collector.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Collector, error) {
	if args == nil {
		return nil, fmt.Errorf("ecs collector %s: args are required", name)
	}
	a := args.defaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("ecs collector %s: %w", name, err)
	}
	c := &Collector{}
	if err := ctx.RegisterComponentResource("otelfleet:aws:ECSCollector", name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, a: a, parent: pulumi.Parent(c), tags: pulumi.ToStringMap(a.Tags)}

	cluster, err := ecs.NewCluster(ctx, name, &ecs.ClusterArgs{
		Name:     pulumi.String(a.Prefix + "-collectors"),
		Settings: ecs.ClusterSettingArray{ecs.ClusterSettingArgs{Name: pulumi.String("containerInsights"), Value: pulumi.String("enabled")}},
		Tags:     b.tags,
	}, b.parent)
	if err != nil {
		return nil, err
	}
	logs, param, err := b.logsAndConfig()
	if err != nil {
		return nil, err
	}
	secrets, err := b.secretParameters()
	if err != nil {
		return nil, err
	}
	execRole, taskRole, err := b.roles(logs, param, secrets)
	if err != nil {
		return nil, err
	}
	task, err := b.taskDefinition(logs, param, secrets, execRole, taskRole)
	if err != nil {
		return nil, err
	}
	net, err := b.network()
	if err != nil {
		return nil, err
	}
	service, err := b.service(cluster, task, net)
	if err != nil {
		return nil, err
	}

	c.ClusterName, c.ServiceName = cluster.Name, service.Name
	c.TaskRoleArn, c.ExecutionRoleArn = taskRole.Arn, execRole.Arn
	c.LogGroupName, c.ConfigParameter, c.SecurityGroupID = logs.Name, param.Name, net.securityGroup.ID().ToStringOutput()
	c.LoadBalancerDNS = net.nlb.DnsName
	c.GRPCEndpoint = pulumi.Sprintf("http://%s:%d", net.nlb.DnsName, collector.PortOTLPGRPC)
	c.HTTPEndpoint = pulumi.Sprintf("http://%s:%d", net.nlb.DnsName, collector.PortOTLPHTTP)
	c.LoadBalancerArnSuffix, c.TargetGroupArnSuffix = net.nlb.ArnSuffix, net.grpcTargetGroup.ArnSuffix
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"loadBalancerArnSuffix": c.LoadBalancerArnSuffix, "targetGroupArnSuffix": c.TargetGroupArnSuffix,
		"clusterName": c.ClusterName, "serviceName": c.ServiceName, "taskRoleArn": c.TaskRoleArn,
		"executionRoleArn": c.ExecutionRoleArn, "logGroupName": c.LogGroupName, "configParameter": c.ConfigParameter,
		"securityGroupId": c.SecurityGroupID, "loadBalancerDns": c.LoadBalancerDNS, "grpcEndpoint": c.GRPCEndpoint, "httpEndpoint": c.HTTPEndpoint,
	})
}

// builder creates the collector's children, one concern per method.
type builder struct {
	ctx    *pulumi.Context
	name   string
	a      Args
	parent pulumi.ResourceOption
	tags   pulumi.StringMap
}

// logsAndConfig are the collector's log group and the SSM parameter its configuration is
// injected from (nothing is baked into an image).
func (b *builder) logsAndConfig() (*cloudwatch.LogGroup, *ssm.Parameter, error) {
	a := b.a
	logs, err := cloudwatch.NewLogGroup(b.ctx, b.name, &cloudwatch.LogGroupArgs{
		Name: pulumi.Sprintf("/otelfleet/%s/ecs-collector", a.Prefix), RetentionInDays: pulumi.Int(a.LogRetentionDays), Tags: b.tags,
	}, b.parent)
	if err != nil {
		return nil, nil, err
	}
	configTags := pulumi.StringMap{ConfigTag: pulumi.String(Tier)}
	for k, v := range b.tags {
		configTags[k] = v
	}
	param, err := ssm.NewParameter(b.ctx, b.name+"-config", &ssm.ParameterArgs{
		Name:        pulumi.Sprintf("/otelfleet/%s/ecs-collector/config", a.Prefix),
		Description: pulumi.String("OpenTelemetry collector configuration of the ECS collector (no secrets)"),
		Type:        pulumi.String("String"),
		// Advanced tier is chosen automatically once the config outgrows 4 KB.
		Tier:          pulumi.String("Intelligent-Tiering"),
		InsecureValue: pulumi.String(a.Config),
		Tags:          configTags,
	}, b.parent)
	return logs, param, err
}

// secretParameter is one SecretEnvironment variable and the SSM parameter holding it.
type secretParameter struct {
	env   string
	param *ssm.Parameter
}

// secretParameters are the SecureString parameters of SecretEnvironment, by variable name.
func (b *builder) secretParameters() ([]secretParameter, error) {
	keys := make([]string, 0, len(b.a.SecretEnvironment))
	for k := range b.a.SecretEnvironment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]secretParameter, 0, len(keys))
	for _, k := range keys {
		param, err := ssm.NewParameter(b.ctx, b.name+"-secret-"+strings.ToLower(k), &ssm.ParameterArgs{
			Name:        pulumi.Sprintf("/otelfleet/%s/ecs-collector/secret/%s", b.a.Prefix, k),
			Description: pulumi.Sprintf("%s of the ECS collector, injected at task start", k),
			Type:        pulumi.String("SecureString"),
			Value:       pulumi.ToSecret(b.a.SecretEnvironment[k]).(pulumi.StringOutput),
			Tags:        b.tags,
		}, b.parent)
		if err != nil {
			return nil, err
		}
		out = append(out, secretParameter{env: k, param: param})
	}
	return out, nil
}

// roles are the task's identities: the execution role starts it (logs, the config and
// secret parameters, the image), the task role is what its exporters act as.
func (b *builder) roles(logs *cloudwatch.LogGroup, param *ssm.Parameter, secrets []secretParameter) (exec, task *iam.Role, err error) {
	a := b.a
	trust := a.Account.ToStringOutput().ApplyT(func(account string) (string, error) {
		return TaskTrustPolicy(a.Region, account).JSON()
	}).(pulumi.StringOutput)
	arns := pulumi.StringArray{param.Arn}
	for _, s := range secrets {
		arns = append(arns, s.param.Arn)
	}
	execPolicy := pulumi.All(logs.Arn, arns).ApplyT(func(v []any) (string, error) {
		return ExecutionPolicy(v[0].(string), v[1].([]string), ecrRepositoryArn(a.Image)).JSON()
	}).(pulumi.StringOutput)
	if exec, err = roleWithPolicy(b.ctx, b.name+"-execution", "Starts the ECS collector: logs, config parameter, image pull", trust, execPolicy, b.tags, b.parent); err != nil {
		return nil, nil, err
	}
	task, err = roleWithPolicy(b.ctx, b.name+"-task", "The ECS collector's exporters: X-Ray, CloudWatch Logs, S3 archive", trust, a.TaskPolicy, b.tags, b.parent)
	return exec, task, err
}

// taskDefinition is the Fargate task: one read-only collector container whose config comes
// from the parameter.
func (b *builder) taskDefinition(logs *cloudwatch.LogGroup, param *ssm.Parameter, secretParams []secretParameter, execRole, taskRole *iam.Role) (*ecs.TaskDefinition, error) {
	a := b.a
	secretArns := pulumi.StringArray{}
	for _, s := range secretParams {
		secretArns = append(secretArns, s.param.Arn)
	}
	containers := pulumi.All(logs.Name, param.Arn, environment(a.Environment), secretArns).ApplyT(func(v []any) (string, error) {
		secrets := []secret{{Name: ConfigEnv, ValueFrom: v[1].(string)}}
		for i, arn := range v[3].([]string) {
			secrets = append(secrets, secret{Name: secretParams[i].env, ValueFrom: arn})
		}
		env := []keyValue{
			{Name: "AWS_REGION", Value: a.Region},
			{Name: "GOMEMLIMIT", Value: fmt.Sprintf("%dMiB", a.MemoryMiB*80/100)},
		}
		extra := v[2].(map[string]string)
		keys := make([]string, 0, len(extra))
		for k := range extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			env = append(env, keyValue{Name: k, Value: extra[k]})
		}
		ports := []portMapping{{Name: "health", ContainerPort: collector.PortHealthCheck, Protocol: "tcp"}}
		for _, p := range otlpPorts {
			ports = append(ports, portMapping{Name: p.name, ContainerPort: p.port, Protocol: "tcp"})
		}
		return marshalContainers(containerDefinition{
			Name: ContainerName, Image: a.Image, Essential: true,
			Command:      []string{"--config=env:" + ConfigEnv},
			PortMappings: ports,
			Environment:  env,
			Secrets:      secrets,
			LogConfiguration: logConfiguration{LogDriver: "awslogs", Options: map[string]string{
				"awslogs-group": v[0].(string), "awslogs-region": a.Region, "awslogs-stream-prefix": "collector",
			}},
			ReadonlyRootFilesystem: true,
			StopTimeout:            30, // time to flush the sending queues after SIGTERM
		})
	}).(pulumi.StringOutput)
	return ecs.NewTaskDefinition(b.ctx, b.name, &ecs.TaskDefinitionArgs{
		Family:                  pulumi.String(a.Prefix + "-collector"),
		Cpu:                     pulumi.String(strconv.Itoa(a.CPU)),
		Memory:                  pulumi.String(strconv.Itoa(a.MemoryMiB)),
		NetworkMode:             pulumi.String("awsvpc"),
		RequiresCompatibilities: pulumi.StringArray{pulumi.String("FARGATE")},
		RuntimePlatform: &ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"), CpuArchitecture: pulumi.String("X86_64"),
		},
		ExecutionRoleArn:     execRole.Arn,
		TaskRoleArn:          taskRole.Arn,
		ContainerDefinitions: containers,
		Tags:                 b.tags,
	}, b.parent)
}

// network is how senders reach the tasks: a security group admitting OTLP and health checks
// from the VPC only, and an internal NLB with a target group and listener per OTLP port.
type network struct {
	securityGroup   *ec2.SecurityGroup
	nlb             *lb.LoadBalancer
	grpcTargetGroup *lb.TargetGroup
	balancers       ecs.ServiceLoadBalancerArray
	listeners       []pulumi.Resource
}

func (b *builder) network() (*network, error) {
	a, n := b.a, &network{}
	var err error
	n.securityGroup, err = ec2.NewSecurityGroup(b.ctx, b.name, &ec2.SecurityGroupArgs{
		Description: pulumi.String("ECS collector: OTLP and health checks from the VPC only"),
		VpcId:       a.VpcID,
		Ingress:     ingressRules(a.VpcCIDR),
		Egress: ec2.SecurityGroupEgressArray{ec2.SecurityGroupEgressArgs{
			Description: pulumi.String("AWS APIs (X-Ray, CloudWatch, S3, SSM) and the image registry, over TLS"),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
			CidrBlocks: pulumi.StringArray{pulumi.String("0.0.0.0/0")},
		}},
		Tags: b.tags,
	}, b.parent)
	if err != nil {
		return nil, err
	}
	n.nlb, err = lb.NewLoadBalancer(b.ctx, b.name, &lb.LoadBalancerArgs{
		Name:                         pulumi.String(a.Prefix + "-otlp"),
		LoadBalancerType:             pulumi.String("network"),
		Internal:                     pulumi.Bool(true),
		Subnets:                      a.SubnetIDs,
		EnableCrossZoneLoadBalancing: pulumi.Bool(true),
		Tags:                         b.tags,
	}, b.parent)
	if err != nil {
		return nil, err
	}
	for _, p := range otlpPorts {
		tg, err := lb.NewTargetGroup(b.ctx, b.name+"-"+p.name, &lb.TargetGroupArgs{
			Name:                pulumi.String(a.Prefix + "-" + p.name),
			Port:                pulumi.Int(p.port),
			Protocol:            pulumi.String("TCP"),
			TargetType:          pulumi.String("ip"),
			VpcId:               a.VpcID,
			DeregistrationDelay: pulumi.Int(30),
			HealthCheck: &lb.TargetGroupHealthCheckArgs{
				Enabled: pulumi.Bool(true), Protocol: pulumi.String("HTTP"),
				Port: pulumi.String(strconv.Itoa(collector.PortHealthCheck)), Path: pulumi.String("/"), Matcher: pulumi.String("200"),
				Interval: pulumi.Int(10), HealthyThreshold: pulumi.Int(2), UnhealthyThreshold: pulumi.Int(2),
			},
			Tags: b.tags,
		}, b.parent, pulumi.DeleteBeforeReplace(true)) // fixed names cannot coexist
		if err != nil {
			return nil, err
		}
		l, err := lb.NewListener(b.ctx, b.name+"-"+p.name, &lb.ListenerArgs{
			LoadBalancerArn: n.nlb.Arn, Port: pulumi.Int(p.port), Protocol: pulumi.String("TCP"),
			DefaultActions: lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{Type: pulumi.String("forward"), TargetGroupArn: tg.Arn}},
			Tags:           b.tags,
		}, b.parent)
		if err != nil {
			return nil, err
		}
		n.listeners = append(n.listeners, l)
		if p.port == collector.PortOTLPGRPC {
			n.grpcTargetGroup = tg
		}
		n.balancers = append(n.balancers, ecs.ServiceLoadBalancerArgs{TargetGroupArn: tg.Arn, ContainerName: pulumi.String(ContainerName), ContainerPort: pulumi.Int(p.port)})
	}
	return n, nil
}

// service runs the tasks behind the load balancer, rolling back a deployment that does not
// become healthy.
func (b *builder) service(cluster *ecs.Cluster, task *ecs.TaskDefinition, n *network) (*ecs.Service, error) {
	a := b.a
	return ecs.NewService(b.ctx, b.name, &ecs.ServiceArgs{
		Name:            pulumi.String(a.Prefix + "-collector"),
		Cluster:         cluster.Arn,
		TaskDefinition:  task.Arn,
		DesiredCount:    pulumi.Int(a.DesiredCount),
		LaunchType:      pulumi.String("FARGATE"),
		PlatformVersion: pulumi.String("LATEST"),
		NetworkConfiguration: &ecs.ServiceNetworkConfigurationArgs{
			Subnets: a.SubnetIDs, SecurityGroups: pulumi.StringArray{n.securityGroup.ID()}, AssignPublicIp: pulumi.Bool(false),
		},
		LoadBalancers:                   n.balancers,
		HealthCheckGracePeriodSeconds:   pulumi.Int(60),
		DeploymentCircuitBreaker:        &ecs.ServiceDeploymentCircuitBreakerArgs{Enable: pulumi.Bool(true), Rollback: pulumi.Bool(true)},
		DeploymentMinimumHealthyPercent: pulumi.Int(100),
		DeploymentMaximumPercent:        pulumi.Int(200),
		AvailabilityZoneRebalancing:     pulumi.String("ENABLED"),
		EnableExecuteCommand:            pulumi.Bool(false),
		EnableEcsManagedTags:            pulumi.Bool(true),
		PropagateTags:                   pulumi.String("SERVICE"),
		Tags:                            b.tags,
	}, b.parent, pulumi.DependsOn(n.listeners)) // a target group must belong to a load balancer first
}

// ingressRules admit OTLP (4317, 4318) and the load balancer's health checks (13133)
// from the VPC's own block, nothing else.
func ingressRules(vpcCIDR pulumi.StringInput) ec2.SecurityGroupIngressArray {
	var rules ec2.SecurityGroupIngressArray
	for _, r := range []struct {
		port int
		why  string
	}{
		{collector.PortOTLPGRPC, "OTLP gRPC from the VPC"},
		{collector.PortOTLPHTTP, "OTLP HTTP from the VPC"},
		{collector.PortHealthCheck, "NLB health checks (health_check extension)"},
	} {
		rules = append(rules, ec2.SecurityGroupIngressArgs{
			Description: pulumi.String(r.why), Protocol: pulumi.String("tcp"),
			FromPort: pulumi.Int(r.port), ToPort: pulumi.Int(r.port), CidrBlocks: pulumi.StringArray{vpcCIDR},
		})
	}
	return rules
}

// environment resolves the extra environment to one output of a plain map.
func environment(env map[string]pulumi.StringInput) pulumi.StringMapOutput {
	m := pulumi.StringMap{}
	for k, v := range env {
		m[k] = v
	}
	return m.ToStringMapOutput()
}

func roleWithPolicy(ctx *pulumi.Context, name, description string, trust, doc pulumi.StringInput, tags pulumi.StringMap, opts ...pulumi.ResourceOption) (*iam.Role, error) {
	role, err := iam.NewRole(ctx, name, &iam.RoleArgs{Description: pulumi.String(description), AssumeRolePolicy: trust, Tags: tags}, opts...)
	if err != nil {
		return nil, err
	}
	_, err = iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: role.Name, Policy: doc}, opts...)
	return role, err
}
