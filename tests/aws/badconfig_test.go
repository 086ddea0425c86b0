package aws

import (
	"strings"
	"testing"
)

// Bad AWS settings fail the program before any resource is registered, with one line
// naming the key and what is allowed.
func TestBadAWSConfig(t *testing.T) {
	for _, c := range []struct {
		name      string
		overrides map[string]string
		key       string
		hint      string
	}{
		{"unknown region", map[string]string{"otelfleet:awsRegion": "us-east-7"}, "awsRegion", "give an AWS region"},
		{"region as a zone", map[string]string{"otelfleet:awsRegion": "us-east-1a"}, "awsRegion", "eu-west-1"},
		{"min above desired", map[string]string{"otelfleet:eksNodeMin": "4"}, "eksNodeMin", "must not exceed eksNodeDesired (3)"},
		{"desired above max", map[string]string{"otelfleet:eksNodeDesired": "12"}, "eksNodeDesired", "must not exceed eksNodeMax (10)"},
		{"max below min", map[string]string{"otelfleet:eksNodeMax": "1"}, "eksNodeDesired", "must not exceed eksNodeMax (1)"},
		{"empty instance type", map[string]string{"otelfleet:eksNodeInstanceType": ""}, "eksNodeInstanceType", "m5.xlarge"},
		{"instance type without size", map[string]string{"otelfleet:eksNodeInstanceType": "m5"}, "eksNodeInstanceType", "EC2 instance type"},
		{"IA before 30 days", map[string]string{"otelfleet:awsArchiveIaDays": "7"}, "awsArchiveIaDays", "at least 30"},
		{"Glacier before IA", map[string]string{"otelfleet:awsArchiveGlacierIrDays": "20"}, "awsArchiveGlacierIrDays", "awsArchiveIaDays + 30 (60)"},
		{"expiry before Glacier", map[string]string{"otelfleet:awsArchiveExpireDays": "90"}, "awsArchiveExpireDays", "greater than awsArchiveGlacierIrDays (90)"},
		{"CIDR not a CIDR", map[string]string{"otelfleet:awsVpcCidr": "10.0.0.0"}, "awsVpcCidr", "IPv4 CIDR block"},
		{"CIDR with a bad prefix", map[string]string{"otelfleet:awsVpcCidr": "10.0.0.0/33"}, "awsVpcCidr", "IPv4 CIDR block"},
		{"CIDR host address", map[string]string{"otelfleet:awsVpcCidr": "10.0.3.0/16"}, "awsVpcCidr", "10.0.0.0/16"},
		{"CIDR too large", map[string]string{"otelfleet:awsVpcCidr": "10.0.0.0/8"}, "awsVpcCidr", "/16 to /24"},
		{"CIDR IPv6", map[string]string{"otelfleet:awsVpcCidr": "fd00::/56"}, "awsVpcCidr", "IPv4"},
		{"block too small for the zones", map[string]string{"otelfleet:awsVpcCidr": "10.0.0.0/24", "otelfleet:awsAzCount": "6"}, "awsVpcCidr", "too small for 6"},
		{"one zone", map[string]string{"otelfleet:awsAzCount": "1"}, "awsAzCount", "at least two"},
		{"subnets without VPC", map[string]string{"otelfleet:awsPrivateSubnetIds": `["subnet-0aaaaaaaaaaaaaaa1","subnet-0aaaaaaaaaaaaaaa2"]`}, "awsPrivateSubnetIds", "awsVpcId"},
		{"VPC without private subnets", map[string]string{"otelfleet:awsVpcId": "vpc-0123456789abcdef0", "otelfleet:awsPublicSubnetIds": `["subnet-0aaaaaaaaaaaaaaa3","subnet-0aaaaaaaaaaaaaaa4"]`}, "awsPrivateSubnetIds", "at least two subnet ids"},
		{"bad VPC id", map[string]string{"otelfleet:awsVpcId": "my-vpc", "otelfleet:awsPrivateSubnetIds": `["subnet-0aaaaaaaaaaaaaaa1","subnet-0aaaaaaaaaaaaaaa2"]`, "otelfleet:awsPublicSubnetIds": `["subnet-0aaaaaaaaaaaaaaa3","subnet-0aaaaaaaaaaaaaaa4"]`}, "awsVpcId", "vpc-"},
		{"out-of-support EKS", map[string]string{"otelfleet:eksVersion": "1.28"}, "eksVersion", "standard support"},
		{"Fargate CPU", map[string]string{"otelfleet:ecsCpu": "1000"}, "ecsCpu", "Fargate CPU size"},
		{"Fargate memory", map[string]string{"otelfleet:ecsMemoryMiB": "1024"}, "ecsMemoryMiB", "2048 to 8192"},
		{"one ECS task", map[string]string{"otelfleet:ecsDesiredCount": "1"}, "ecsDesiredCount", "2 to 100"},
		{"log retention", map[string]string{"otelfleet:awsLogRetentionDays": "10"}, "awsLogRetentionDays", "14, 30"},
		{"reserved EMF namespace", map[string]string{"otelfleet:awsEmfNamespace": "AWS/EKS"}, "awsEmfNamespace", "reserved"},
		{"layer of another region", map[string]string{"otelfleet:lambdaCollectorLayerArn": "arn:aws:lambda:eu-west-1:123456789012:layer:otel-collector:3"}, "lambdaCollectorLayerArn", "us-east-1"},
		{"Lambda without ECS", map[string]string{"otelfleet:ecsCollector": "false"}, "lambdaExample", "ecsCollector"},
		{"bad node label", map[string]string{"otelfleet:eksNodeLabels": `{"role":"otel worker"}`}, "eksNodeLabels", "label"},
		{"DR without its record name", map[string]string{"otelfleet:drRecordName": ""}, "drRecordName", "global OTLP name"},
		{"DR without its zone", map[string]string{"otelfleet:drHostedZoneId": ""}, "drHostedZoneId", "hosted zone"},
		{"record name without DR", map[string]string{"otelfleet:drAzureStack": ""}, "drAzureStack", "clear drRecordName"},
		{"DR stack not fully qualified", map[string]string{"otelfleet:drAzureStack": "azure-prod"}, "drAzureStack", "org/project/stack"},
		{"zone id is a domain", map[string]string{"otelfleet:drHostedZoneId": "observability.example.com"}, "drHostedZoneId", "Route 53 hosted zone id"},
		{"zone id lowercase", map[string]string{"otelfleet:drHostedZoneId": "z0123456789abcdefghij"}, "drHostedZoneId", "uppercase"},
		{"zone without records", map[string]string{"otelfleet:drAzureStack": "", "otelfleet:drRecordName": "", "otelfleet:regionalRecordName": ""}, "drHostedZoneId", "only used by"},
		{"record name with a wildcard", map[string]string{"otelfleet:drRecordName": "*.observability.example.com"}, "drRecordName", "DNS name"},
		{"regional name equals the DR name", map[string]string{"otelfleet:regionalRecordName": "otlp.observability.example.com"}, "regionalRecordName", "must differ"},
		{"TTL too long", map[string]string{"otelfleet:drRecordTtl": "3600"}, "drRecordTtl", "10 to 300"},
		{"DR without the ingest", map[string]string{"otelfleet:gatewayIngest": "false", "otelfleet:hostAgentEndpoint": ""}, "gatewayIngest", "drAzureStack needs"},
		{"host agent without the ingest", map[string]string{"otelfleet:gatewayIngest": "false", "otelfleet:drAzureStack": "", "otelfleet:drRecordName": "", "otelfleet:regionalRecordName": "", "otelfleet:drHostedZoneId": ""}, "hostAgentEndpoint", "set tlsEnabled and gatewayIngest"},
		{"email malformed", map[string]string{"otelfleet:alarmEmail": "oncall@"}, "alarmEmail", "e-mail address"},
		{"email beside an existing topic", map[string]string{"otelfleet:alarmSnsTopicArn": "arn:aws:sns:us-east-1:123456789012:oncall"}, "alarmEmail", "only used for the topic otelfleet creates"},
		{"topic of another region", map[string]string{"otelfleet:alarmSnsTopicArn": "arn:aws:sns:eu-west-1:123456789012:oncall", "otelfleet:alarmEmail": ""}, "alarmSnsTopicArn", "region us-east-1"},
		{"topic not an ARN", map[string]string{"otelfleet:alarmSnsTopicArn": "oncall", "otelfleet:alarmEmail": ""}, "alarmSnsTopicArn", "SNS topic ARN"},
		{"controller chart version", map[string]string{"otelfleet:eksLoadBalancerControllerVersion": "latest"}, "eksLoadBalancerControllerVersion", "3.5.0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := render(t, c.overrides)
			if err == nil {
				t.Fatal("the stack rendered; want a configuration error")
			}
			var lines []string
			for _, l := range strings.Split(err.Error(), "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), "- otelfleet:") {
					lines = append(lines, strings.TrimSpace(l))
				}
			}
			if len(lines) != 1 {
				t.Fatalf("want exactly one problem, got %d:\n%v", len(lines), err)
			}
			if !strings.HasPrefix(lines[0], "- otelfleet:"+c.key+": ") || !strings.Contains(lines[0], c.hint) {
				t.Errorf("problem = %q; want it to name otelfleet:%s and say %q", lines[0], c.key, c.hint)
			}
		})
	}
}

// The good variants of the same keys render (so the table above tests the values, not
// a broken stack).
func TestGoodAWSConfigVariants(t *testing.T) {
	for _, o := range []map[string]string{
		{"otelfleet:awsRegion": "eu-central-1", "otelfleet:lambdaCollectorLayerArn": "arn:aws:lambda:eu-central-1:184161586896:layer:opentelemetry-collector-amd64-0_17_0:1"},
		{"otelfleet:awsVpcCidr": "10.1.0.0/24", "otelfleet:awsAzCount": "2", "otelfleet:awsSingleNatGateway": "true"},
		{"otelfleet:eksNodeMin": "1", "otelfleet:eksNodeDesired": "1", "otelfleet:eksNodeMax": "1"},
		{"otelfleet:ecsCpu": "256", "otelfleet:ecsMemoryMiB": "512"},
		{"otelfleet:ecsCollector": "false", "otelfleet:lambdaExample": "false"},
		existingVPC,
		{"otelfleet:alarmSnsTopicArn": "arn:aws:sns:us-east-1:123456789012:oncall", "otelfleet:alarmEmail": ""},
		{"otelfleet:alarmEmail": "", "otelfleet:drRecordTtl": "30", "otelfleet:regionalRecordName": ""},
	} {
		r, err := render(t, o)
		if err != nil {
			t.Errorf("%v: %v", o, err)
			continue
		}
		if len(r.Resources) < 50 {
			t.Errorf("%v rendered only %d resources", o, len(r.Resources))
		}
	}
}
