package network

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/aws/policy"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// InterfaceEndpoints are the AWS services the collectors (and the nodes' IRSA logins) call,
// reached through interface endpoints in the private subnets, so telemetry and credentials
// stay off the NAT gateways and the internet: STS (IRSA), X-Ray, CloudWatch Logs (logs and
// EMF metrics) and CloudWatch (alarms' metrics, Container Insights). S3 (the archive) gets
// a gateway endpoint on the private route tables.
var InterfaceEndpoints = []string{"sts", "xray", "logs", "monitoring"}

// FlowLogTrust lets VPC Flow Logs of this account and region, and nothing else, assume
// the delivery role (the confused-deputy conditions AWS documents).
func FlowLogTrust(region, account string) policy.Document {
	return policy.New(policy.Statement{
		Sid: "VPCFlowLogsOfThisAccount", Effect: policy.Allow,
		Principal: &policy.Principal{Service: []string{"vpc-flow-logs.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
		Condition: policy.Condition{
			"StringEquals": {"aws:SourceAccount": {account}},
			"ArnLike": {"aws:SourceArn": {policy.ARN{Partition: policy.Partition(region), Service: "ec2", Region: region, Account: account,
				Resource: "vpc-flow-log/*"}.String()}},
		},
	})
}

// FlowLogDelivery writes the flow log's group and nothing else.
func FlowLogDelivery(logGroupArn string) policy.Document {
	return policy.New(policy.Statement{
		Sid: "DeliverToItsLogGroup", Effect: policy.Allow,
		Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
		Resource: []string{logGroupArn, logGroupArn + ":log-stream:*"},
	})
}

// flowLogs records every accepted and rejected connection of the VPC into a CloudWatch log
// group with the stack's retention.
func (n *Network) flowLogs(ctx *pulumi.Context, name string, a Args, vpc *ec2.Vpc, tags pulumi.StringMap, parent pulumi.ResourceOption) error {
	group, err := cloudwatch.NewLogGroup(ctx, name+"-flow-logs", &cloudwatch.LogGroupArgs{
		Name: pulumi.Sprintf("/otelfleet/%s/vpc-flow-logs", name), RetentionInDays: pulumi.Int(a.FlowLogRetentionDays), Tags: tags,
	}, parent)
	if err != nil {
		return err
	}
	trust := a.Account.ToStringOutput().ApplyT(func(account string) (string, error) {
		return FlowLogTrust(a.Region, account).JSON()
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, name+"-flow-logs", &iam.RoleArgs{
		Description: pulumi.Sprintf("Delivers the flow logs of VPC %s", name), AssumeRolePolicy: trust, Tags: tags,
	}, parent)
	if err != nil {
		return err
	}
	delivery := group.Arn.ApplyT(func(arn string) (string, error) { return FlowLogDelivery(arn).JSON() }).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, name+"-flow-logs", &iam.RolePolicyArgs{Role: role.Name, Policy: delivery}, parent); err != nil {
		return err
	}
	_, err = ec2.NewFlowLog(ctx, name+"-flow-logs", &ec2.FlowLogArgs{
		VpcId: vpc.ID(), TrafficType: pulumi.String("ALL"),
		LogDestinationType: pulumi.String("cloud-watch-logs"), LogDestination: group.Arn, IamRoleArn: role.Arn,
		MaxAggregationInterval: pulumi.Int(60),
		Tags:                   tags,
	}, parent)
	return err
}

// endpoints are the interface endpoints (private DNS, HTTPS from the VPC only) and the S3
// gateway endpoint on the private route tables.
func (n *Network) endpoints(ctx *pulumi.Context, name string, a Args, vpc *ec2.Vpc, privateSubnets, privateRoutes pulumi.StringArray, tags pulumi.StringMap, parent pulumi.ResourceOption) error {
	sg, err := ec2.NewSecurityGroup(ctx, name+"-endpoints", &ec2.SecurityGroupArgs{
		VpcId: vpc.ID(), Description: pulumi.String("HTTPS to the VPC's AWS service endpoints, from the VPC only"),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443), CidrBlocks: pulumi.StringArray{vpc.CidrBlock},
		}},
		Tags: tags,
	}, parent)
	if err != nil {
		return err
	}
	for _, svc := range InterfaceEndpoints {
		if _, err := ec2.NewVpcEndpoint(ctx, name+"-"+svc, &ec2.VpcEndpointArgs{
			VpcId: vpc.ID(), ServiceName: pulumi.String(fmt.Sprintf("com.amazonaws.%s.%s", a.Region, svc)),
			VpcEndpointType: pulumi.String("Interface"), PrivateDnsEnabled: pulumi.Bool(true),
			SubnetIds: privateSubnets, SecurityGroupIds: pulumi.StringArray{sg.ID().ToStringOutput()},
			Tags: tags,
		}, parent); err != nil {
			return err
		}
	}
	_, err = ec2.NewVpcEndpoint(ctx, name+"-s3", &ec2.VpcEndpointArgs{
		VpcId: vpc.ID(), ServiceName: pulumi.String(fmt.Sprintf("com.amazonaws.%s.s3", a.Region)),
		VpcEndpointType: pulumi.String("Gateway"), RouteTableIds: privateRoutes, Tags: tags,
	}, parent)
	return err
}
