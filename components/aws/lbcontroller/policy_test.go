package lbcontroller

import (
	"slices"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/components/aws/policy"
)

var scope = Scope{Partition: "aws", Region: "eu-west-1", Account: "123456789012", Cluster: "otel", VpcID: "vpc-0123456789abcdef0"}

func statement(t *testing.T, d policy.Document, sid string) policy.Statement {
	t.Helper()
	for _, s := range d.Statement {
		if s.Sid == sid {
			return s
		}
	}
	t.Fatalf("no statement %s", sid)
	return policy.Statement{}
}

func TestPolicyScopesWritesToThisClusterAccountAndRegion(t *testing.T) {
	d := Policy(scope)
	if _, err := d.JSON(); err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Statement {
		if s.Sid == "Describe" {
			continue
		}
		for _, r := range s.Resource {
			if r == "*" || strings.Contains(r, ":*:") {
				t.Errorf("%s writes to %s; want this account and region only", s.Sid, r)
			}
		}
		for _, a := range s.Action {
			if strings.HasPrefix(a, "acm:") || strings.HasPrefix(a, "waf") || strings.HasPrefix(a, "shield:") || strings.HasPrefix(a, "cognito") ||
				strings.Contains(a, "Rule") || strings.Contains(a, "ListenerCertificates") || strings.HasSuffix(a, ":*") {
				t.Errorf("%s grants %s, which NLBs of Services do not need", s.Sid, a)
			}
		}
	}
	for _, sid := range []string{"ManageOwnSecurityGroups", "ManageOwnLoadBalancers", "RegisterPodTargets"} {
		got := statement(t, d, sid).Condition["StringEquals"]["aws:ResourceTag/"+ClusterTag]
		if !slices.Equal(got, []string{"otel"}) {
			t.Errorf("%s condition on the cluster tag = %v; want [otel]", sid, got)
		}
	}
	for _, sid := range []string{"CreateTaggedLoadBalancers", "CreateTaggedSecurityGroup", "TagOnCreate", "TagSecurityGroupOnCreate"} {
		if got := statement(t, d, sid).Condition["StringEquals"]["aws:RequestTag/"+ClusterTag]; !slices.Equal(got, []string{"otel"}) {
			t.Errorf("%s must tag new resources with this cluster, got %v", sid, got)
		}
	}
	rules := statement(t, d, "SecurityGroupRulesInVpc")
	if got := rules.Condition["ArnEquals"]["ec2:Vpc"]; !slices.Equal(got, []string{"arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0123456789abcdef0"}) {
		t.Errorf("security-group rule changes are not limited to the VPC: %v", got)
	}
	if got := statement(t, d, "CreateSecurityGroupInVpc").Resource; !slices.Equal(got, []string{"arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0123456789abcdef0"}) {
		t.Errorf("CreateSecurityGroup VPC resource = %v", got)
	}
	if got := statement(t, d, "ChangeListeners").Resource; !slices.Equal(got, []string{"arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/*/*/*"}) {
		t.Errorf("listener changes reach %v; want this region's NLB listeners only", got)
	}
}

func TestServiceAnnotations(t *testing.T) {
	a, err := ServiceAnnotations(NLB{Name: "otel-gw-ingest", Internal: true, HealthCheckPort: 13133, HealthCheckPath: "/",
		Tags: map[string]string{"owner": "platform", "bad": "a,b"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"service.beta.kubernetes.io/aws-load-balancer-type":                     "external",
		"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":          "ip",
		"service.beta.kubernetes.io/aws-load-balancer-scheme":                   "internal",
		"service.beta.kubernetes.io/aws-load-balancer-name":                     "otel-gw-ingest",
		"service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol":     "http",
		"service.beta.kubernetes.io/aws-load-balancer-healthcheck-port":         "13133",
		"service.beta.kubernetes.io/aws-load-balancer-healthcheck-path":         "/",
		"service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags": "owner=platform",
	}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("%s = %q; want %q", k, a[k], v)
		}
	}
	public, _ := ServiceAnnotations(NLB{Name: "x", HealthCheckPort: 13133, HealthCheckPath: "/"})
	if public[AnnotationScheme] != "internet-facing" {
		t.Errorf("scheme = %q", public[AnnotationScheme])
	}
	if _, err := ServiceAnnotations(NLB{Name: strings.Repeat("n", 33), HealthCheckPort: 1, HealthCheckPath: "/"}); err == nil {
		t.Error("a 33-character NLB name was accepted")
	}
}
