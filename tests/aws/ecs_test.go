package aws

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/synth"
)

func TestFargateTask(t *testing.T) {
	r := prod(t)
	task := one(t, r, "aws:ecs/taskDefinition:TaskDefinition", "otel-ecs")
	in := task.Inputs
	for k, want := range map[string]any{"cpu": "1024", "memory": "2048", "networkMode": "awsvpc", "family": "otel-collector"} {
		if in[k] != want {
			t.Errorf("%s = %v; want %v", k, in[k], want)
		}
	}
	if got := strs(in["requiresCompatibilities"]); !slices.Equal(got, []string{"FARGATE"}) {
		t.Errorf("requiresCompatibilities = %v", got)
	}
	execRole, taskRole := str(in["executionRoleArn"]), str(in["taskRoleArn"])
	if !strings.HasPrefix(execRole, "arn:aws:iam::") || !strings.HasPrefix(taskRole, "arn:aws:iam::") || execRole == taskRole {
		t.Errorf("execution role %q and task role %q: want two different roles", execRole, taskRole)
	}

	defs := containers(t, task)
	if len(defs) != 1 {
		t.Fatalf("%d containers; want 1", len(defs))
	}
	c := defs[0]
	if c["image"] != collector.ReleaseImage {
		t.Errorf("image = %v", c["image"])
	}
	if _, ok := c["healthCheck"]; ok {
		t.Error("the container has a healthCheck: the contrib image has no shell to run it (the NLB checks health_check instead)")
	}
	if got := strs(c["command"]); !slices.Equal(got, []string{"--config=env:OTEL_CONFIG"}) {
		t.Errorf("command = %v; want the config from the OTEL_CONFIG variable", got)
	}
	param := one(t, r, "aws:ssm/parameter:Parameter", "otel-ecs-config")
	paramArn := "arn:aws:ssm:us-east-1:" + synth.FakeAccountID + ":parameter" + str(param.Inputs["name"])
	if got := get(c, "secrets"); len(strs(got)) != 1 || str(get(got, 0, "name")) != "OTEL_CONFIG" || str(get(got, 0, "valueFrom")) != paramArn {
		t.Errorf("secrets = %v; want OTEL_CONFIG from %s", got, paramArn)
	}
	if str(param.Inputs["type"]) != "String" || !strings.Contains(str(param.Inputs["insecureValue"]), "awsxray") {
		t.Errorf("config parameter type %v holds %.60q; want the collector config as a String", param.Inputs["type"], param.Inputs["insecureValue"])
	}
	if c["readonlyRootFilesystem"] != true {
		t.Error("root filesystem is writable")
	}
	lc := get(c, "logConfiguration")
	ecsLogs := one(t, r, "aws:cloudwatch/logGroup:LogGroup", "otel-ecs")
	if str(get(lc, "logDriver")) != "awslogs" || str(get(lc, "options", "awslogs-group")) != str(ecsLogs.Inputs["name"]) || str(get(lc, "options", "awslogs-region")) != "us-east-1" {
		t.Errorf("logConfiguration = %v; want awslogs to %v", lc, ecsLogs.Inputs["name"])
	}
	if ecsLogs.Inputs["retentionInDays"] != int64(30) {
		t.Errorf("collector log group retention = %v; want 30", ecsLogs.Inputs["retentionInDays"])
	}
	var ports []int
	for _, p := range get(c, "portMappings").([]any) {
		ports = append(ports, int(get(p, "containerPort").(float64)))
	}
	sort.Ints(ports)
	if !slices.Equal(ports, []int{4317, 4318, 13133}) {
		t.Errorf("ports = %v", ports)
	}
	env := map[string]string{}
	for _, e := range get(c, "environment").([]any) {
		env[str(get(e, "name"))] = str(get(e, "value"))
	}
	if env["AWS_REGION"] != "us-east-1" || env["OTEL_ARCHIVE_BUCKET"] != str(one(t, r, "aws:s3/bucketPolicy:BucketPolicy", "otel-archive").Inputs["bucket"]) {
		t.Errorf("environment = %v; want AWS_REGION and the archive bucket", env)
	}
}

func TestECSServiceAndLoadBalancer(t *testing.T) {
	r := prod(t)
	svc := one(t, r, "aws:ecs/service:Service", "otel-ecs").Inputs
	if svc["launchType"] != "FARGATE" || svc["desiredCount"] != int64(2) {
		t.Errorf("launchType %v, desiredCount %v; want FARGATE, 2", svc["launchType"], svc["desiredCount"])
	}
	if get(svc, "deploymentCircuitBreaker", "enable") != true || get(svc, "deploymentCircuitBreaker", "rollback") != true {
		t.Errorf("circuit breaker = %v; want enabled with rollback", svc["deploymentCircuitBreaker"])
	}
	if get(svc, "networkConfiguration", "assignPublicIp") != false {
		t.Error("tasks get public IPs")
	}
	private := privateSubnets(t, r)
	if got := strs(get(svc, "networkConfiguration", "subnets")); !slices.Equal(got, private) {
		t.Errorf("service subnets = %v; want the private subnets %v", got, private)
	}
	var lbPorts []int64
	for _, l := range svc["loadBalancers"].([]any) {
		lbPorts = append(lbPorts, get(l, "containerPort").(int64))
		if str(get(l, "containerName")) != "otel-collector" {
			t.Errorf("load balancer targets container %v", get(l, "containerName"))
		}
	}
	if !slices.Equal(lbPorts, []int64{4317, 4318}) {
		t.Errorf("load-balanced ports = %v; want 4317, 4318", lbPorts)
	}
	cluster := one(t, r, "aws:ecs/cluster:Cluster", "otel-ecs").Inputs
	if str(get(cluster, "settings", 0, "name")) != "containerInsights" || str(get(cluster, "settings", 0, "value")) != "enabled" {
		t.Errorf("cluster settings = %v; want Container Insights", cluster["settings"])
	}

	nlb := one(t, r, "aws:lb/loadBalancer:LoadBalancer", "otel-ecs").Inputs
	if nlb["internal"] != true || nlb["loadBalancerType"] != "network" || !slices.Equal(strs(nlb["subnets"]), private) {
		t.Errorf("load balancer = %v; want an internal NLB in the private subnets", nlb)
	}
	for _, tg := range []string{"otel-ecs-otlp-grpc", "otel-ecs-otlp-http"} {
		hc := get(one(t, r, "aws:lb/targetGroup:TargetGroup", tg).Inputs, "healthCheck")
		if str(get(hc, "protocol")) != "HTTP" || str(get(hc, "port")) != "13133" || str(get(hc, "path")) != "/" {
			t.Errorf("%s health check = %v; want HTTP on the health_check extension (13133)", tg, hc)
		}
	}
}

// The ECS collector accepts OTLP and health checks from the VPC's block only, and no
// security group of the stack is open to the internet.
func TestSecurityGroupIngress(t *testing.T) {
	for _, c := range []struct {
		name      string
		overrides map[string]string
		cidr      string
	}{
		{"created VPC", nil, "10.0.0.0/16"},
		{"created VPC, other block", map[string]string{"otelfleet:awsVpcCidr": "172.20.0.0/20"}, "172.20.0.0/20"},
		{"existing VPC", existingVPC, synth.FakeExistingVpcCIDR},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := render(t, c.overrides)
			if err != nil {
				t.Fatal(err)
			}
			var ports []int64
			for _, rule := range one(t, r, "aws:ec2/securityGroup:SecurityGroup", "otel-ecs").Inputs["ingress"].([]any) {
				if got := strs(get(rule, "cidrBlocks")); !slices.Equal(got, []string{c.cidr}) {
					t.Errorf("ingress %v from %v; want only %s", get(rule, "fromPort"), got, c.cidr)
				}
				if get(rule, "fromPort") != get(rule, "toPort") || get(rule, "ipv6CidrBlocks") != nil || get(rule, "securityGroups") != nil {
					t.Errorf("ingress rule %v is wider than one port from the VPC", rule)
				}
				ports = append(ports, get(rule, "fromPort").(int64))
			}
			if !slices.Equal(ports, []int64{4317, 4318, 13133}) {
				t.Errorf("ingress ports = %v; want 4317, 4318 and the health check 13133", ports)
			}
			for _, sg := range r.Find("aws:ec2/securityGroup:SecurityGroup") {
				rules, _ := sg.Inputs["ingress"].([]any)
				for _, rule := range rules {
					if slices.Contains(strs(get(rule, "cidrBlocks")), "0.0.0.0/0") {
						t.Errorf("security group %s admits %v from the internet", sg.Name, get(rule, "fromPort"))
					}
				}
			}
		})
	}
}

// The ECS collector's configuration carries the same four AWS exporters.
func TestECSCollectorConfig(t *testing.T) {
	cfg := collectorConfig(t, prod(t), "ecs-collector.yaml")
	assertAWSPipelines(t, cfg)
	if got := str(get(cfg, "exporters", "awscloudwatchlogs", "log_stream_name")); got != "ecs-${env:HOSTNAME:-collector}" {
		t.Errorf("log stream = %q", got)
	}
	if got := str(get(cfg, "extensions", "health_check", "endpoint")); got != "0.0.0.0:13133" {
		t.Errorf("health_check endpoint = %q; the NLB checks 13133 from outside the task", got)
	}
}
