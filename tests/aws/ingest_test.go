package aws

import (
	"slices"
	"testing"
)

// The gateway's ingest Service is an NLB of the AWS Load Balancer Controller: pod targets,
// the scheme from otelfleet:gatewayIngestInternal, every target checked over HTTP on the
// collector's health_check port, and a fixed name the stack finds it by.
func TestIngestServiceAnnotations(t *testing.T) {
	svc, ok := prod(t).Manifests["service-observability-otel-gateway-ingest.yaml"]
	if !ok {
		t.Fatal("no ingest Service manifest")
	}
	if get(svc, "spec", "type") != "LoadBalancer" {
		t.Errorf("ingest Service type = %v", get(svc, "spec", "type"))
	}
	want := map[string]string{
		"service.beta.kubernetes.io/aws-load-balancer-type":                            "external",
		"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":                 "ip",
		"service.beta.kubernetes.io/aws-load-balancer-scheme":                          "internal",
		"service.beta.kubernetes.io/aws-load-balancer-name":                            "otel-gw-ingest",
		"service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol":            "http",
		"service.beta.kubernetes.io/aws-load-balancer-healthcheck-port":                "13133",
		"service.beta.kubernetes.io/aws-load-balancer-healthcheck-path":                "/",
		"service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval":            "10",
		"service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold": "2",
	}
	for k, v := range want {
		if got := get(svc, "metadata", "annotations", k); got != v {
			t.Errorf("annotation %s = %v; want %s", k, got, v)
		}
	}
	ports := map[string]any{}
	for _, p := range get(svc, "spec", "ports").([]any) {
		ports[str(get(p, "name"))] = get(p, "port")
	}
	if ports["otlp-grpc"] != int64(4317) || ports["otlp-http"] != int64(4318) || ports["health"] != int64(13133) {
		t.Errorf("ingest ports = %v", ports)
	}
}

// The controller: a pinned chart, its own IRSA role with a policy scoped to this cluster
// and VPC, for Services only (no WAF/Shield, no IngressClass, no default-owner webhook).
func TestLoadBalancerController(t *testing.T) {
	r := prod(t)
	rel := one(t, r, "kubernetes:helm.sh/v3:Release", "otel-lb-controller").Inputs
	if rel["chart"] != "aws-load-balancer-controller" || rel["version"] != "3.5.0" || get(rel, "repositoryOpts", "repo") != "https://aws.github.io/eks-charts" ||
		rel["namespace"] != "kube-system" {
		t.Errorf("release = %v", rel)
	}
	values := rel["values"]
	role := str(one(t, r, "aws:iam/rolePolicy:RolePolicy", "otel-lb-controller").Inputs["role"])
	for k, want := range map[string]any{
		"clusterName": "otel", "region": "us-east-1", "enableServiceMutatorWebhook": false, "createIngressClassResource": false,
		"enableWaf": false, "enableWafv2": false, "enableShield": false,
	} {
		if got := get(values, k); got != want {
			t.Errorf("values.%s = %v; want %v", k, got, want)
		}
	}
	vpcID := str(get(values, "vpcId"))
	if len(vpcID) < 5 || vpcID[:4] != "vpc-" {
		t.Errorf("values.vpcId = %q; want the stack's VPC", vpcID)
	}
	if got := get(values, "serviceAccount", "annotations", "eks.amazonaws.com/role-arn"); got != "arn:aws:iam::123456789012:role/"+role {
		t.Errorf("controller ServiceAccount role = %v; want its IRSA role %s", got, role)
	}
	d := doc(t, one(t, r, "aws:iam/rolePolicy:RolePolicy", "otel-lb-controller"), "policy")
	var vpcScoped, clusterScoped bool
	for _, s := range d.Statement {
		if slices.Equal(s.Condition["ArnEquals"]["ec2:Vpc"], []string{"arn:aws:ec2:us-east-1:123456789012:vpc/" + vpcID}) {
			vpcScoped = true
		}
		if slices.Equal(s.Condition["StringEquals"]["aws:ResourceTag/elbv2.k8s.aws/cluster"], []string{"otel"}) {
			clusterScoped = true
		}
		for _, a := range s.Action {
			if a == "elasticloadbalancing:CreateRule" || a == "wafv2:AssociateWebACL" || a == "acm:DescribeCertificate" {
				t.Errorf("statement %s grants %s (ALB/TLS only)", s.Sid, a)
			}
		}
	}
	if !vpcScoped || !clusterScoped {
		t.Errorf("controller policy scoped to the VPC: %v, to the cluster's tag: %v", vpcScoped, clusterScoped)
	}
	// Off without the ingest.
	r2, err := render(t, map[string]string{"otelfleet:gatewayIngest": "false", "otelfleet:drAzureStack": "", "otelfleet:drRecordName": "", "otelfleet:hostAgentEndpoint": "",
		"otelfleet:regionalRecordName": "", "otelfleet:drHostedZoneId": ""})
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range r2.Find("kubernetes:helm.sh/v3:Release") {
		if rel.Name == "otel-lb-controller" {
			t.Error("the controller is installed without gatewayIngest")
		}
	}
	if _, ok := r2.Manifests["service-observability-otel-gateway-ingest.yaml"]; ok {
		t.Error("an ingest Service without gatewayIngest")
	}
}

// Container Insights: the add-on with its own role (logs of this cluster only, no
// PutMetricData) and its performance log group created first with the stack's retention.
func TestContainerInsights(t *testing.T) {
	r := prod(t)
	addon := one(t, r, "aws:eks/addon:Addon", "otel-container-insights").Inputs
	role := str(one(t, r, "aws:iam/rolePolicy:RolePolicy", "otel-container-insights").Inputs["role"])
	if addon["addonName"] != "amazon-cloudwatch-observability" || addon["clusterName"] != "otel" || addon["serviceAccountRoleArn"] != "arn:aws:iam::123456789012:role/"+role {
		t.Errorf("add-on = %v", addon)
	}
	if cfg := str(addon["configurationValues"]); cfg != `{"agent":{"config":{"logs":{"metrics_collected":{"kubernetes":{"enhanced_container_insights":false}}}}},"containerLogs":{"enabled":false}}` {
		t.Errorf("add-on configuration = %s", cfg)
	}
	group := one(t, r, "aws:cloudwatch/logGroup:LogGroup", "otel-container-insights").Inputs
	if group["name"] != "/aws/containerinsights/otel/performance" || group["retentionInDays"] != int64(30) {
		t.Errorf("performance log group = %v", group)
	}
	d := doc(t, one(t, r, "aws:iam/rolePolicy:RolePolicy", "otel-container-insights"), "policy")
	for _, s := range d.Statement {
		for _, a := range s.Action {
			if a == "cloudwatch:PutMetricData" {
				t.Errorf("%s grants PutMetricData (Container Insights writes EMF logs)", s.Sid)
			}
		}
		if s.Sid == "WriteContainerInsightsLogs" && !slices.Contains(s.Resource, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/containerinsights/otel/*") {
			t.Errorf("log writes reach %v", s.Resource)
		}
	}
}
