// Package lambdaotel adds to a Lambda function what it needs to send OTLP to an otelfleet
// collector inside the VPC: VPC placement in private subnets with a security group that
// may only reach the collector's OTLP ports, the OTLP endpoint and service name in the
// environment, X-Ray active tracing, an optional collector extension layer, a log group
// with retention, and a least-privilege execution role.
package lambdaotel

import (
	"fmt"
	"sort"

	"github.com/otelfleet/otelfleet/components/aws/policy"
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Environment variables the component sets.
const (
	EndpointEnv = "OTEL_EXPORTER_OTLP_ENDPOINT"
	ProtocolEnv = "OTEL_EXPORTER_OTLP_PROTOCOL"
	ServiceEnv  = "OTEL_SERVICE_NAME"
	// GatewayEnv always holds the collector's OTLP endpoint; with a collector layer the
	// SDK sends to the layer (localhost) and the layer's config forwards to GatewayEnv.
	GatewayEnv = "OTELFLEET_GATEWAY_OTLP_ENDPOINT"
	// LayerConfigEnv points the collector layer at the config shipped in the package.
	LayerConfigEnv = "OPENTELEMETRY_COLLECTOR_CONFIG_URI"
	// LayerConfigPath is where that config lives in the function package.
	LayerConfigPath = "/var/task/collector.yaml"
)

// Args describe the function. Defaults (defaults()): Handler bootstrap, Runtime
// provided.al2023, Architecture arm64, MemoryMiB 256, TimeoutSeconds 10,
// LogRetentionDays 30.
type Args struct {
	FunctionName string              // required (also the service name)
	Region       string              // required
	Account      pulumi.StringInput  // required: ARNs of the VPC permissions
	Code         pulumi.ArchiveInput // required
	// OTLPEndpoint is the collector's OTLP/gRPC URL (http://host:4317).
	OTLPEndpoint pulumi.StringInput      // required
	VpcID        pulumi.StringInput      // required
	VpcCIDR      pulumi.StringInput      // required: the only destination the function may reach
	SubnetIDs    pulumi.StringArrayInput // required: private subnets
	// LayerArns are collector extension layers; with one, the SDK exports to the layer.
	LayerArns []string
	// Environment is added to the function's environment (it cannot override the OTLP
	// variables).
	Environment      map[string]string
	Handler          string
	Runtime          string
	Architecture     string
	MemoryMiB        int
	TimeoutSeconds   int
	LogRetentionDays int
	Tags             map[string]string
}

// Function is the instrumented function.
type Function struct {
	pulumi.ResourceState
	Arn          pulumi.StringOutput `pulumi:"arn"`
	Name         pulumi.StringOutput `pulumi:"name"`
	RoleArn      pulumi.StringOutput `pulumi:"roleArn"`
	LogGroupName pulumi.StringOutput `pulumi:"logGroupName"`
}

func (a Args) defaults() Args {
	if a.Handler == "" {
		a.Handler = "bootstrap"
	}
	if a.Runtime == "" {
		a.Runtime = "provided.al2023"
	}
	if a.Architecture == "" {
		a.Architecture = "arm64"
	}
	if a.MemoryMiB == 0 {
		a.MemoryMiB = 256
	}
	if a.TimeoutSeconds == 0 {
		a.TimeoutSeconds = 10
	}
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = 30
	}
	return a
}

// ExecutionPolicy is the function's least-privilege role policy: its own log group, X-Ray
// active tracing (no resource-level permissions), and the network interfaces Lambda
// manages for VPC access — describe calls need "*", the others are limited to network
// interfaces, the given subnets and security group of this account and region.
func ExecutionPolicy(region, account, logGroupArn string, subnetIDs []string, securityGroupID string) policy.Document {
	ec2ARN := func(resource string) string {
		return policy.ARN{Partition: policy.Partition(region), Service: "ec2", Region: region, Account: account, Resource: resource}.String()
	}
	create := []string{ec2ARN("network-interface/*"), ec2ARN("security-group/" + securityGroupID)}
	for _, s := range subnetIDs {
		create = append(create, ec2ARN("subnet/"+s))
	}
	return policy.New(
		policy.Statement{
			Sid: "OwnLogGroup", Effect: policy.Allow,
			Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: []string{logGroupArn, logGroupArn + ":log-stream:*"},
		},
		policy.Statement{
			Sid: "XRayActiveTracing", Effect: policy.Allow,
			Action:   []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"},
			Resource: []string{"*"},
		},
		policy.Statement{
			Sid: "VpcDescribe", Effect: policy.Allow,
			Action:   []string{"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"},
			Resource: []string{"*"},
		},
		policy.Statement{
			Sid: "VpcCreateInterface", Effect: policy.Allow,
			Action:   []string{"ec2:CreateNetworkInterface"},
			Resource: create,
		},
		policy.Statement{
			Sid: "VpcManageInterfaces", Effect: policy.Allow,
			Action:   []string{"ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"},
			Resource: []string{ec2ARN("network-interface/*")},
		},
	)
}

// TrustPolicy lets the Lambda service assume the role for functions of this account.
func TrustPolicy(account string) policy.Document {
	return policy.New(policy.Statement{
		Sid: "LambdaOfThisAccount", Effect: policy.Allow,
		Principal: &policy.Principal{Service: []string{"lambda.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
		Condition: policy.Condition{"StringEquals": {"aws:SourceAccount": {account}}},
	})
}

// New creates the function.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Function, error) {
	if args == nil || args.FunctionName == "" || args.Region == "" || args.Account == nil || args.Code == nil ||
		args.OTLPEndpoint == nil || args.VpcID == nil || args.VpcCIDR == nil || args.SubnetIDs == nil {
		return nil, fmt.Errorf("lambda %s: FunctionName, Region, Account, Code, OTLPEndpoint, VpcID, VpcCIDR and SubnetIDs are required", name)
	}
	a := args.defaults()
	f := &Function{}
	if err := ctx.RegisterComponentResource("otelfleet:aws:InstrumentedFunction", name, f, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(f)
	tags := pulumi.ToStringMap(a.Tags)

	logs, err := cloudwatch.NewLogGroup(ctx, name, &cloudwatch.LogGroupArgs{
		Name: pulumi.String("/aws/lambda/" + a.FunctionName), RetentionInDays: pulumi.Int(a.LogRetentionDays), Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	sg, err := ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
		Description: pulumi.Sprintf("Lambda %s: OTLP to the collector in the VPC only", a.FunctionName),
		VpcId:       a.VpcID,
		Egress: ec2.SecurityGroupEgressArray{ec2.SecurityGroupEgressArgs{
			Description: pulumi.String("OTLP gRPC and HTTP to the collector"),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(collector.PortOTLPGRPC), ToPort: pulumi.Int(collector.PortOTLPHTTP),
			CidrBlocks: pulumi.StringArray{a.VpcCIDR},
		}},
		Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	trust := a.Account.ToStringOutput().ApplyT(func(acct string) (string, error) { return TrustPolicy(acct).JSON() }).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, name, &iam.RoleArgs{
		Description: pulumi.Sprintf("Execution role of Lambda %s", a.FunctionName), AssumeRolePolicy: trust, Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	doc := pulumi.All(a.Account, logs.Arn, a.SubnetIDs, sg.ID()).ApplyT(func(v []any) (string, error) {
		return ExecutionPolicy(a.Region, v[0].(string), v[1].(string), v[2].([]string), string(v[3].(pulumi.ID))).JSON()
	}).(pulumi.StringOutput)
	rolePolicy, err := iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: role.Name, Policy: doc}, parent)
	if err != nil {
		return nil, err
	}

	env := pulumi.StringMap{}
	keys := make([]string, 0, len(a.Environment))
	for k := range a.Environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env[k] = pulumi.String(a.Environment[k])
	}
	env[ServiceEnv] = pulumi.String(a.FunctionName)
	env[ProtocolEnv] = pulumi.String("grpc")
	env[GatewayEnv] = a.OTLPEndpoint
	env[EndpointEnv] = a.OTLPEndpoint
	if len(a.LayerArns) > 0 {
		env[EndpointEnv] = pulumi.Sprintf("http://localhost:%d", collector.PortOTLPGRPC)
		env[LayerConfigEnv] = pulumi.String(LayerConfigPath)
	}
	fn, err := lambda.NewFunction(ctx, name, &lambda.FunctionArgs{
		Name:          pulumi.String(a.FunctionName),
		Code:          a.Code,
		Handler:       pulumi.String(a.Handler),
		Runtime:       pulumi.String(a.Runtime),
		Architectures: pulumi.StringArray{pulumi.String(a.Architecture)},
		MemorySize:    pulumi.Int(a.MemoryMiB),
		Timeout:       pulumi.Int(a.TimeoutSeconds),
		Role:          role.Arn,
		Layers:        pulumi.ToStringArray(a.LayerArns),
		Environment:   &lambda.FunctionEnvironmentArgs{Variables: env},
		TracingConfig: &lambda.FunctionTracingConfigArgs{Mode: pulumi.String("Active")},
		VpcConfig: &lambda.FunctionVpcConfigArgs{
			SubnetIds: a.SubnetIDs, SecurityGroupIds: pulumi.StringArray{sg.ID()},
		},
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{LogFormat: pulumi.String("JSON"), LogGroup: logs.Name},
		Tags:          tags,
	}, parent, pulumi.DependsOn([]pulumi.Resource{rolePolicy})) // Lambda checks the VPC permissions on create
	if err != nil {
		return nil, err
	}
	f.Arn, f.Name, f.RoleArn, f.LogGroupName = fn.Arn, fn.Name, role.Arn, logs.Name
	return f, ctx.RegisterResourceOutputs(f, pulumi.Map{"arn": f.Arn, "name": f.Name, "roleArn": f.RoleArn, "logGroupName": f.LogGroupName})
}
