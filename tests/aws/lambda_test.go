package aws

import (
	"regexp"
	"slices"
	"testing"
)

var nlbGRPC = regexp.MustCompile(`^http://otel-otlp-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com:4317$`)

func TestExampleLambda(t *testing.T) {
	r := prod(t)
	fn := one(t, r, "aws:lambda/function:Function", "otel-example").Inputs
	if get(fn, "tracingConfig", "mode") != "Active" {
		t.Errorf("tracing = %v; want X-Ray active tracing", fn["tracingConfig"])
	}
	env, _ := get(fn, "environment", "variables").(map[string]any)
	if !nlbGRPC.MatchString(str(env["OTEL_EXPORTER_OTLP_ENDPOINT"])) || env["OTELFLEET_GATEWAY_OTLP_ENDPOINT"] != env["OTEL_EXPORTER_OTLP_ENDPOINT"] {
		t.Errorf("OTLP endpoint = %v; want the ECS collector's NLB on 4317", env["OTEL_EXPORTER_OTLP_ENDPOINT"])
	}
	if env["OTEL_SERVICE_NAME"] != "otel-example" || env["OTEL_EXPORTER_OTLP_PROTOCOL"] != "grpc" {
		t.Errorf("environment = %v", env)
	}
	if layers := strs(fn["layers"]); len(layers) != 0 {
		t.Errorf("layers = %v; want none without lambdaCollectorLayerArn", layers)
	}
	if got := strs(get(fn, "vpcConfig", "subnetIds")); !slices.Equal(got, privateSubnets(t, r)) {
		t.Errorf("function subnets = %v; want the private subnets", got)
	}
	sg := one(t, r, "aws:ec2/securityGroup:SecurityGroup", "otel-example").Inputs
	if sg["ingress"] != nil {
		t.Errorf("the function's security group admits %v", sg["ingress"])
	}
	egress := get(sg, "egress", 0)
	if get(egress, "fromPort") != int64(4317) || get(egress, "toPort") != int64(4318) || !slices.Equal(strs(get(egress, "cidrBlocks")), []string{"10.0.0.0/16"}) {
		t.Errorf("egress = %v; want OTLP to the VPC only", sg["egress"])
	}
	lg := one(t, r, "aws:cloudwatch/logGroup:LogGroup", "otel-example").Inputs
	if lg["name"] != "/aws/lambda/otel-example" || get(fn, "loggingConfig", "logGroup") != lg["name"] {
		t.Errorf("function logs to %v; its log group is %v", get(fn, "loggingConfig", "logGroup"), lg["name"])
	}
}

func TestLambdaCollectorLayer(t *testing.T) {
	const layer = "arn:aws:lambda:us-east-1:184161586896:layer:opentelemetry-collector-amd64-0_17_0:1"
	r, err := render(t, map[string]string{"otelfleet:lambdaCollectorLayerArn": layer})
	if err != nil {
		t.Fatal(err)
	}
	fn := one(t, r, "aws:lambda/function:Function", "otel-example").Inputs
	if got := strs(fn["layers"]); !slices.Equal(got, []string{layer}) {
		t.Errorf("layers = %v", got)
	}
	env, _ := get(fn, "environment", "variables").(map[string]any)
	if env["OTEL_EXPORTER_OTLP_ENDPOINT"] != "http://localhost:4317" || !nlbGRPC.MatchString(str(env["OTELFLEET_GATEWAY_OTLP_ENDPOINT"])) ||
		env["OPENTELEMETRY_COLLECTOR_CONFIG_URI"] != "/var/task/collector.yaml" {
		t.Errorf("with a layer the SDK sends to the layer, which forwards to the NLB: %v", env)
	}
}
