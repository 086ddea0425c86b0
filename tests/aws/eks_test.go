package aws

import (
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/otelfleet/otelfleet/synth"
)

var existingVPC = map[string]string{
	"otelfleet:awsVpcId":            "vpc-0123456789abcdef0",
	"otelfleet:awsPrivateSubnetIds": `["subnet-0aaaaaaaaaaaaaaa1","subnet-0aaaaaaaaaaaaaaa2"]`,
	"otelfleet:awsPublicSubnetIds":  `["subnet-0bbbbbbbbbbbbbbb1","subnet-0bbbbbbbbbbbbbbb2"]`,
}

// privateSubnets are the ids the mock gives the private subnets the stack creates, in
// zone order (the node group, the tasks and the NLB must use exactly these).
func privateSubnets(t *testing.T, r *synth.Result) []string {
	t.Helper()
	ng := one(t, r, "aws:eks/nodeGroup:NodeGroup", "otel-workers")
	ids := strs(ng.Inputs["subnetIds"])
	if len(ids) == 0 {
		t.Fatal("the node group has no subnets")
	}
	return ids
}

func TestNetwork(t *testing.T) {
	r := prod(t)
	subnets := r.Find("aws:ec2/subnet:Subnet")
	var public, private []string
	for _, s := range subnets {
		tags, _ := s.Inputs["tags"].(map[string]any)
		switch {
		case tags["kubernetes.io/role/elb"] == "1" && tags["kubernetes.io/role/internal-elb"] == nil:
			public = append(public, str(s.Inputs["cidrBlock"]))
		case tags["kubernetes.io/role/internal-elb"] == "1" && tags["kubernetes.io/role/elb"] == nil:
			private = append(private, str(s.Inputs["cidrBlock"]))
		default:
			t.Errorf("subnet %s has no load balancer role tag: %v", s.Name, tags)
		}
		if s.Inputs["mapPublicIpOnLaunch"] == true {
			t.Errorf("subnet %s gives instances public IPs", s.Name)
		}
	}
	sort.Strings(public)
	sort.Strings(private)
	if want := []string{"10.0.0.0/18", "10.0.128.0/18", "10.0.64.0/18"}; !slices.Equal(private, want) {
		t.Errorf("private subnets = %v; want %v", private, want)
	}
	if want := []string{"10.0.192.0/20", "10.0.208.0/20", "10.0.224.0/20"}; !slices.Equal(public, want) {
		t.Errorf("public subnets = %v; want %v", public, want)
	}
	if n := len(r.Find("aws:ec2/natGateway:NatGateway")); n != 3 {
		t.Errorf("%d NAT gateways; want one per zone", n)
	}
	for _, rt := range r.Find("aws:ec2/routeTable:RouteTable") {
		route := get(rt.Inputs, "routes", 0)
		if rt.Name == "otel-public" {
			if get(route, "gatewayId") == nil {
				t.Errorf("public route table has no internet gateway route")
			}
		} else if get(route, "natGatewayId") == nil || get(route, "gatewayId") != nil {
			t.Errorf("private route table %s routes %v; want the NAT gateway", rt.Name, route)
		}
	}
}

func TestExistingVPCCreatesNoNetwork(t *testing.T) {
	r, err := render(t, existingVPC)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway"} {
		if n := len(r.Find(typ)); n != 0 {
			t.Errorf("%d %s created with an existing VPC", n, typ)
		}
	}
	want := []string{"subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"}
	if got := privateSubnets(t, r); !slices.Equal(got, want) {
		t.Errorf("node group subnets = %v; want %v", got, want)
	}
	if got := strs(one(t, r, "eks:index:Cluster", "otel").Inputs["publicSubnetIds"]); !slices.Equal(got, []string{"subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"}) {
		t.Errorf("cluster public subnets = %v", got)
	}
	if got := str(one(t, r, "eks:index:Cluster", "otel").Inputs["vpcId"]); got != "vpc-0123456789abcdef0" {
		t.Errorf("cluster VPC = %q", got)
	}
}

func TestControlPlane(t *testing.T) {
	r := prod(t)
	c := one(t, r, "eks:index:Cluster", "otel").Inputs
	if c["version"] != "1.35" || c["name"] != "otel" {
		t.Errorf("version %v, name %v", c["version"], c["name"])
	}
	if got := strs(c["enabledClusterLogTypes"]); !slices.Equal(got, []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}) {
		t.Errorf("control-plane logs = %v; want all five", got)
	}
	if key := str(c["encryptionConfigKeyArn"]); !hasPrefixAny(key, "arn:aws:kms:") {
		t.Errorf("secrets encryption key = %q; want a KMS key ARN", key)
	}
	if c["createOidcProvider"] != true || c["authenticationMode"] != "API" || c["skipDefaultNodeGroup"] != true {
		t.Errorf("createOidcProvider %v, authenticationMode %v, skipDefaultNodeGroup %v", c["createOidcProvider"], c["authenticationMode"], c["skipDefaultNodeGroup"])
	}
	if got := strs(c["privateSubnetIds"]); !slices.Equal(got, privateSubnets(t, r)) {
		t.Errorf("cluster private subnets = %v", got)
	}
	// The API endpoint: public only for the stack's ranges; with clusterApiPrivate, the VPC only.
	if c["endpointPublicAccess"] != true || !slices.Equal(strs(c["publicAccessCidrs"]), []string{"203.0.113.0/24"}) || c["endpointPrivateAccess"] != true {
		t.Errorf("API endpoint public %v for %v, private %v; want public only for clusterApiAllowedCidrs", c["endpointPublicAccess"], c["publicAccessCidrs"], c["endpointPrivateAccess"])
	}
	private, err := render(t, map[string]string{"otelfleet:clusterApiPrivate": "true", "otelfleet:clusterApiAllowedCidrs": "[]"})
	if err != nil {
		t.Fatal(err)
	}
	if pc := one(t, private, "eks:index:Cluster", "otel").Inputs; pc["endpointPublicAccess"] != false || pc["endpointPrivateAccess"] != true {
		t.Errorf("with clusterApiPrivate: endpoint public %v, private %v; want the VPC only", pc["endpointPublicAccess"], pc["endpointPrivateAccess"])
	}
	lg := one(t, r, "aws:cloudwatch/logGroup:LogGroup", "otel-control-plane").Inputs
	if lg["name"] != "/aws/eks/otel/cluster" || lg["retentionInDays"] != int64(30) {
		t.Errorf("control-plane log group = %v", lg)
	}
}

func TestManagedNodeGroup(t *testing.T) {
	r := prod(t)
	ng := one(t, r, "aws:eks/nodeGroup:NodeGroup", "otel-workers").Inputs
	if got := strs(ng["instanceTypes"]); !slices.Equal(got, []string{"m5.xlarge"}) || ng["amiType"] != "AL2023_x86_64_STANDARD" {
		t.Errorf("instances %v (%v)", got, ng["amiType"])
	}
	if want := map[string]any{"desiredSize": int64(3), "minSize": int64(2), "maxSize": int64(10)}; !reflect.DeepEqual(ng["scalingConfig"], want) {
		t.Errorf("scaling = %v; want %v", ng["scalingConfig"], want)
	}
	if !reflect.DeepEqual(ng["labels"], map[string]any{"role": "otel-worker"}) {
		t.Errorf("labels = %v", ng["labels"])
	}
	tags, _ := ng["tags"].(map[string]any)
	if tags["k8s.io/cluster-autoscaler/enabled"] != "true" || tags["k8s.io/cluster-autoscaler/otel"] != "owned" {
		t.Errorf("tags = %v; want the autoscaler discovery tags", tags)
	}
	lt := one(t, r, "aws:ec2/launchTemplate:LaunchTemplate", "otel-nodes").Inputs
	ebs := get(lt, "blockDeviceMappings", 0, "ebs")
	if get(ebs, "volumeSize") != int64(100) || get(ebs, "volumeType") != "gp3" || get(ebs, "encrypted") != "true" {
		t.Errorf("root volume = %v; want 100 GiB gp3, encrypted", ebs)
	}
	if get(lt, "metadataOptions", "httpTokens") != "required" || get(lt, "metadataOptions", "httpPutResponseHopLimit") != int64(1) {
		t.Errorf("metadata options = %v; want IMDSv2 with hop limit 1 (pods use IRSA, not the node role)", lt["metadataOptions"])
	}
}

func TestGravitonNodesGetArmAMI(t *testing.T) {
	r, err := render(t, map[string]string{"otelfleet:eksNodeInstanceType": "m7g.xlarge"})
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, r, "aws:eks/nodeGroup:NodeGroup", "otel-workers").Inputs["amiType"]; got != "AL2023_ARM_64_STANDARD" {
		t.Errorf("amiType = %v; want the arm64 AMI", got)
	}
}

func TestClusterAutoscaler(t *testing.T) {
	r := prod(t)
	rel := one(t, r, "kubernetes:helm.sh/v3:Release", "otel-autoscaler").Inputs
	if rel["chart"] != "cluster-autoscaler" || rel["version"] != "9.52.1" || get(rel, "repositoryOpts", "repo") != "https://kubernetes.github.io/autoscaler" {
		t.Errorf("release = %v %v %v; want the pinned chart", rel["chart"], rel["version"], rel["repositoryOpts"])
	}
	if get(rel, "values", "autoDiscovery", "clusterName") != "otel" || get(rel, "values", "awsRegion") != "us-east-1" {
		t.Errorf("values = %v", rel["values"])
	}
	role := str(one(t, r, "aws:iam/rolePolicy:RolePolicy", "otel-autoscaler").Inputs["role"])
	want := "arn:aws:iam::" + synth.FakeAccountID + ":role/" + role
	if got := get(rel, "values", "rbac", "serviceAccount", "annotations", "eks.amazonaws.com/role-arn"); got != want || role == "" {
		t.Errorf("autoscaler ServiceAccount role = %v; want its own role %s", got, want)
	}
	if get(rel, "values", "rbac", "serviceAccount", "name") != "cluster-autoscaler" {
		t.Errorf("autoscaler ServiceAccount = %v; the trust policy names cluster-autoscaler", get(rel, "values", "rbac", "serviceAccount", "name"))
	}

	off, err := render(t, map[string]string{"otelfleet:eksClusterAutoscaler": "false"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(off.Find("kubernetes:helm.sh/v3:Release")) - len(r.Find("kubernetes:helm.sh/v3:Release")); n != -1 {
		t.Errorf("turning the autoscaler off changed the Helm releases by %d; want -1", n)
	}
}
