package aws

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/synth"
)

// TestVPCFlowLogsAndEndpoints: the VPC otelfleet creates records its traffic (VPC Flow
// Logs, every accepted and rejected connection, to a log group with the stack's retention,
// through a role only this account's flow logs can assume and that writes only that
// group), and reaches STS, X-Ray, CloudWatch Logs, CloudWatch (interface endpoints with
// private DNS in the private subnets, HTTPS from the VPC only) and S3 (a gateway endpoint on
// every private route table) without the NAT gateways. Both keys switch them off; an
// existing VPC gets neither.
func TestVPCFlowLogsAndEndpoints(t *testing.T) {
	r := prod(t)
	flow := one(t, r, "aws:ec2/flowLog:FlowLog", "otel-flow-logs").Inputs
	group := one(t, r, "aws:cloudwatch/logGroup:LogGroup", "otel-flow-logs").Inputs
	if flow["trafficType"] != "ALL" || flow["logDestinationType"] != "cloud-watch-logs" || flow["vpcId"] == nil {
		t.Errorf("flow log = %v; want ALL traffic of the VPC to CloudWatch Logs", flow)
	}
	if group["name"] != "/otelfleet/otel/vpc-flow-logs" || group["retentionInDays"] != int64(30) {
		t.Errorf("flow log group = %v", group)
	}
	trust := doc(t, one(t, r, "aws:iam/role:Role", "otel-flow-logs"), "assumeRolePolicy").Statement[0]
	if trust.Principal == nil || !slices.Equal(trust.Principal.Service, []string{"vpc-flow-logs.amazonaws.com"}) ||
		!slices.Equal(trust.Condition["StringEquals"]["aws:SourceAccount"], []string{synth.FakeAccountID}) ||
		!strings.HasSuffix(trust.Condition["ArnLike"]["aws:SourceArn"][0], ":"+synth.FakeAccountID+":vpc-flow-log/*") {
		t.Errorf("flow log role trust = %+v; want vpc-flow-logs of this account only", trust)
	}
	for _, s := range doc(t, one(t, r, "aws:iam/rolePolicy:RolePolicy", "otel-flow-logs"), "policy").Statement {
		for _, res := range s.Resource {
			if !strings.Contains(res, ":log-group:/otelfleet/otel/vpc-flow-logs") {
				t.Errorf("the flow log role may write %s; want its own group only", res)
			}
		}
	}

	privateSubnets := privateSubnets(t, r)
	var privateRoutes []string
	for _, a := range r.Find("aws:ec2/routeTableAssociation:RouteTableAssociation") {
		if slices.Contains(privateSubnets, str(a.Inputs["subnetId"])) {
			privateRoutes = append(privateRoutes, str(a.Inputs["routeTableId"]))
		}
	}
	sort.Strings(privateSubnets)
	sort.Strings(privateRoutes)
	var services []string
	for _, e := range r.Find("aws:ec2/vpcEndpoint:VpcEndpoint") {
		svc := strings.TrimPrefix(str(e.Inputs["serviceName"]), "com.amazonaws.us-east-1.")
		services = append(services, svc)
		ids := strs(e.Inputs["subnetIds"])
		sort.Strings(ids)
		switch e.Inputs["vpcEndpointType"] {
		case "Interface":
			if e.Inputs["privateDnsEnabled"] != true || !slices.Equal(ids, privateSubnets) || len(strs(e.Inputs["securityGroupIds"])) != 1 {
				t.Errorf("endpoint %s = %v; want private DNS in the private subnets %v behind one security group", svc, e.Inputs, privateSubnets)
			}
		case "Gateway":
			routes := strs(e.Inputs["routeTableIds"])
			sort.Strings(routes)
			if svc != "s3" || !slices.Equal(routes, privateRoutes) {
				t.Errorf("gateway endpoint %s on %v; want s3 on the private route tables %v", svc, routes, privateRoutes)
			}
		}
	}
	sort.Strings(services)
	if want := []string{"logs", "monitoring", "s3", "sts", "xray"}; !slices.Equal(services, want) {
		t.Errorf("VPC endpoints %v; want %v", services, want)
	}
	sg := one(t, r, "aws:ec2/securityGroup:SecurityGroup", "otel-endpoints").Inputs
	if in := get(sg, "ingress", 0); get(in, "fromPort") != int64(443) || get(in, "toPort") != int64(443) || len(strs(get(in, "cidrBlocks"))) != 1 {
		t.Errorf("endpoint security group ingress = %v; want HTTPS from the VPC's block only", in)
	}

	off, err := render(t, map[string]string{"otelfleet:awsVpcFlowLogs": "false", "otelfleet:awsVpcEndpoints": "false"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(off.Find("aws:ec2/flowLog:FlowLog")) + len(off.Find("aws:ec2/vpcEndpoint:VpcEndpoint")); n != 0 {
		t.Errorf("with both keys off: %d flow logs and endpoints", n)
	}
}
