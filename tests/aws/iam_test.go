package aws

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/components/aws/policy"
	"github.com/otelfleet/otelfleet/synth"
)

// issuerPattern is the issuer the faked OIDC provider of the cluster has.
var issuerPattern = regexp.MustCompile(`^oidc\.eks\.us-east-1\.amazonaws\.com/id/[0-9A-F]{32}$`)

// IRSA trust policies: the cluster's OIDC provider is the only principal, and both the
// subject (exactly the ServiceAccount) and the audience (sts.amazonaws.com) are pinned
// with StringEquals.
func TestIRSATrustPolicies(t *testing.T) {
	r := prod(t)
	for _, c := range []struct{ role, subject string }{
		{"otel-gateway", "system:serviceaccount:observability:otel-gateway"},
		{"otel-autoscaler", "system:serviceaccount:kube-system:cluster-autoscaler"},
		{"otel-lb-controller", "system:serviceaccount:kube-system:aws-load-balancer-controller"},
		{"otel-container-insights", "system:serviceaccount:amazon-cloudwatch:cloudwatch-agent"},
	} {
		t.Run(c.role, func(t *testing.T) { checkIRSATrust(t, r, c.role, c.subject) })
	}
}

// checkIRSATrust checks the trust policy of an IRSA role: one statement, the cluster's
// OIDC provider as the only principal, subject and audience pinned with StringEquals.
func checkIRSATrust(t *testing.T, r *synth.Result, role, subject string) {
	t.Helper()
	d := doc(t, one(t, r, "aws:iam/role:Role", role), "assumeRolePolicy")
	if len(d.Statement) != 1 {
		t.Fatalf("%d statements; want exactly one", len(d.Statement))
	}
	s := d.Statement[0]
	if s.Effect != policy.Allow || !slices.Equal(s.Action, []string{"sts:AssumeRoleWithWebIdentity"}) {
		t.Errorf("statement = %s %v; want Allow sts:AssumeRoleWithWebIdentity", s.Effect, s.Action)
	}
	if s.Principal == nil || len(s.Principal.Federated) != 1 || len(s.Principal.AWS)+len(s.Principal.Service) != 0 {
		t.Fatalf("principal = %+v; want only the OIDC provider", s.Principal)
	}
	issuer, ok := strings.CutPrefix(s.Principal.Federated[0], "arn:aws:iam::"+synth.FakeAccountID+":oidc-provider/")
	if !ok || !issuerPattern.MatchString(issuer) {
		t.Fatalf("federated principal %q is not the cluster's OIDC provider", s.Principal.Federated[0])
	}
	if len(s.Condition) != 1 {
		t.Errorf("condition operators = %v; want only StringEquals", s.Condition)
	}
	want := map[string][]string{issuer + ":sub": {subject}, issuer + ":aud": {"sts.amazonaws.com"}}
	got := s.Condition["StringEquals"]
	if len(got) != len(want) {
		t.Errorf("StringEquals = %v; want %v", got, want)
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			t.Errorf("StringEquals[%q] = %v; want %v", k, got[k], v)
		}
	}
}

// starAllowed are the actions AWS gives no resource-level permission: "*" is their only
// possible resource. Any other action with resource "*" fails the test.
var starAllowed = []string{
	"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
	"autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
	"autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
	"ec2:DescribeImages", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions",
	"ec2:GetInstanceTypesInfoFromInstanceRequirements", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
	"ecr:GetAuthorizationToken",
	// The load balancer controller's and the CloudWatch agent's reads: EC2 and Elastic Load
	// Balancing Describe calls have no resource-level permissions.
	"ec2:DescribeAvailabilityZones", "ec2:DescribeInstances", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups",
	"ec2:DescribeVpcs", "ec2:DescribeTags", "ec2:DescribeVolumes",
	"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
	"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes",
	"elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups",
	"elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
	"elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeCapacityReservation",
}

// policies returns every policy document the stack registers: trust policies, inline
// role policies and bucket policies.
func policies(t *testing.T, r *synth.Result) map[string]policy.Document {
	t.Helper()
	out := map[string]policy.Document{}
	for _, c := range []struct{ typ, key string }{
		{"aws:iam/role:Role", "assumeRolePolicy"},
		{"aws:iam/rolePolicy:RolePolicy", "policy"},
		{"aws:s3/bucketPolicy:BucketPolicy", "policy"},
	} {
		for _, res := range r.Find(c.typ) {
			out[c.typ+" "+res.Name] = doc(t, res, c.key)
		}
	}
	return out
}

func TestEveryStatementNamesSpecificActions(t *testing.T) {
	docs := policies(t, prod(t))
	if len(docs) < 13 {
		t.Fatalf("found %d policy documents; want the trust and inline policies of the 7 roles (EKS control plane and nodes, gateway, autoscaler, ECS execution and task, Lambda) and the bucket policy", len(docs))
	}
	for name, d := range docs {
		for _, s := range d.Statement {
			if s.Effect == policy.Deny {
				continue // deny statements may be broad (the bucket's TLS-only s3:*)
			}
			for _, a := range s.Action {
				if strings.Contains(a, "*") || !strings.Contains(a, ":") {
					t.Errorf("%s: statement %q allows %q; name specific actions", name, s.Sid, a)
				}
			}
			if slices.Contains(s.Resource, "*") {
				for _, a := range s.Action {
					if !slices.Contains(starAllowed, a) {
						t.Errorf("%s: statement %q gives %q on resource \"*\"; the service allows scoping it", name, s.Sid, a)
					}
				}
			}
			if s.Principal != nil && slices.Contains(s.Principal.AWS, "*") {
				t.Errorf("%s: statement %q allows every principal", name, s.Sid)
			}
		}
	}
}

// The collectors' writer policy (gateway IRSA role and ECS task role) reaches only the
// stack's log groups, the archive prefixes and the archive key through S3, and never
// CloudWatch PutMetricData (awsemf writes EMF log events).
func TestWriterPolicyIsScoped(t *testing.T) {
	r := prod(t)
	logGroups := map[string]bool{}
	for _, lg := range r.Find("aws:cloudwatch/logGroup:LogGroup") {
		logGroups[str(lg.Inputs["name"])] = true
	}
	for _, name := range []string{"otel-gateway", "otel-ecs-task"} {
		t.Run(name, func(t *testing.T) {
			d := doc(t, one(t, r, "aws:iam/rolePolicy:RolePolicy", name), "policy")
			bySid := map[string]policy.Statement{}
			for _, s := range d.Statement {
				bySid[s.Sid] = s
				if slices.Contains(s.Action, "cloudwatch:PutMetricData") {
					t.Errorf("statement %q grants cloudwatch:PutMetricData, which awsemf never calls", s.Sid)
				}
			}
			logs := bySid["CloudWatchLogsWrite"]
			if !slices.Equal(logs.Action, []string{"logs:CreateLogStream", "logs:PutLogEvents"}) {
				t.Errorf("logs actions = %v", logs.Action)
			}
			var groups []string
			for _, res := range logs.Resource {
				group, ok := strings.CutPrefix(res, "arn:aws:logs:us-east-1:"+synth.FakeAccountID+":log-group:")
				group = strings.TrimSuffix(group, ":log-stream:*")
				if !ok || !logGroups[group] {
					t.Errorf("logs resource %q is not one of the stack's log groups", res)
				}
				groups = append(groups, group)
			}
			slices.Sort(groups)
			if want := []string{"/otelfleet/otel/collector-metrics", "/otelfleet/otel/collector-metrics", "/otelfleet/otel/logs", "/otelfleet/otel/logs", "/otelfleet/otel/metrics", "/otelfleet/otel/metrics"}; !slices.Equal(groups, want) {
				t.Errorf("logs resources name groups %v; want %v", groups, want)
			}
			archive := bySid["ArchiveWrite"]
			if !slices.Equal(archive.Action, []string{"s3:PutObject", "s3:AbortMultipartUpload"}) {
				t.Errorf("archive actions = %v", archive.Action)
			}
			bucket := str(one(t, r, "aws:s3/bucketPolicy:BucketPolicy", "otel-archive").Inputs["bucket"])
			want := []string{"arn:aws:s3:::" + bucket + "/traces/*", "arn:aws:s3:::" + bucket + "/logs/*"}
			if !slices.Equal(archive.Resource, want) {
				t.Errorf("archive resources = %v; want only the prefixes %v", archive.Resource, want)
			}
			key := bySid["ArchiveKeyThroughS3"]
			if got := key.Condition["StringEquals"]["kms:ViaService"]; !slices.Equal(got, []string{"s3.us-east-1.amazonaws.com"}) {
				t.Errorf("archive key usable outside S3: kms:ViaService = %v", got)
			}
			if len(key.Resource) != 1 || !strings.HasPrefix(key.Resource[0], "arn:aws:kms:") {
				t.Errorf("archive key resource = %v; want the one key ARN", key.Resource)
			}
		})
	}
}

// Roles AWS services assume carry confused-deputy conditions tying them to this account.
func TestServiceTrustPoliciesPinTheAccount(t *testing.T) {
	r := prod(t)
	for _, name := range []string{"otel-ecs-execution", "otel-ecs-task", "otel-example"} {
		d := doc(t, one(t, r, "aws:iam/role:Role", name), "assumeRolePolicy")
		s := d.Statement[0]
		if got := s.Condition["StringEquals"]["aws:SourceAccount"]; !slices.Equal(got, []string{synth.FakeAccountID}) {
			t.Errorf("%s: aws:SourceAccount = %v; want %s", name, got, synth.FakeAccountID)
		}
	}
}
