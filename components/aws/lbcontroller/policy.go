package lbcontroller

import "github.com/otelfleet/otelfleet/components/aws/policy"

// ClusterTag is the tag the controller puts on every AWS resource it creates, with the
// cluster's name as value; the policy lets it change only resources carrying it.
const ClusterTag = "elbv2.k8s.aws/cluster"

// describeActions are the read-only calls the pinned controller makes to discover
// subnets, security groups, ENIs and its own load balancers (the EC2 and Elastic Load
// Balancing calls of its pkg/aws/services at v3.5.0; the upstream policy's reads for
// Outposts pools, IPAM, peering, ALB trust stores and TLS policies are left out). Describe
// calls have no resource-level permissions.
var describeActions = []string{
	"ec2:DescribeAvailabilityZones", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces",
	"ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
	"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
	"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes",
	"elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups",
	"elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
	"elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeCapacityReservation",
}

// Scope is where the controller may act: one account and region, one VPC, one cluster.
type Scope struct {
	Partition, Region, Account string
	Cluster                    string
	VpcID                      string
}

func (s Scope) arn(service, resource string) string {
	return policy.ARN{Partition: s.Partition, Service: service, Region: s.Region, Account: s.Account, Resource: resource}.String()
}

// Policy is the controller's policy for Network Load Balancers of Services, narrowed from
// the upstream controller policy (docs/install/iam_policy.json of the pinned release):
//
//   - every ARN names this account and region (upstream: "*" or arn:aws:*:*:...);
//   - creating, tagging, changing and deleting load balancers, target groups and
//     security groups needs the elbv2.k8s.aws/cluster tag equal to this cluster's name
//     (upstream: any value), so the controller of another cluster in the account cannot
//     be used to change these, and this one cannot change theirs;
//   - security-group rules may only change on groups of this VPC (ec2:Vpc), and new
//     groups may only be made in it;
//   - registering targets is limited to this cluster's target groups;
//   - left out: everything for Application Load Balancers and TLS listeners — ACM and IAM
//     server certificates, Cognito, WAF, WAFv2, Shield, listener rules and listener
//     certificates. The Helm values turn WAF/Shield off and create no IngressClass, so
//     an Ingress asking for an ALB is not reconciled with this policy.
//
// Not narrowed (the controller needs them as upstream has them): the Describe calls
// (no resource-level permissions exist for them) and the service-linked role of Elastic
// Load Balancing (created once per account, limited to that service's role).
func Policy(s Scope) policy.Document {
	own := policy.Condition{"StringEquals": {"aws:ResourceTag/" + ClusterTag: {s.Cluster}}}
	creating := policy.Condition{"StringEquals": {"aws:RequestTag/" + ClusterTag: {s.Cluster}}}
	ownNotRetagged := policy.Condition{
		"StringEquals": {"aws:ResourceTag/" + ClusterTag: {s.Cluster}},
		"Null":         {"aws:RequestTag/" + ClusterTag: {"true"}},
	}
	securityGroups := s.arn("ec2", "security-group/*")
	loadBalancers := s.arn("elasticloadbalancing", "loadbalancer/net/*/*")
	targetGroups := s.arn("elasticloadbalancing", "targetgroup/*/*")
	listeners := s.arn("elasticloadbalancing", "listener/net/*/*/*")
	vpc := s.arn("ec2", "vpc/"+s.VpcID)
	return policy.New(
		policy.Statement{
			Sid: "ElasticLoadBalancingServiceLinkedRole", Effect: policy.Allow,
			Action: []string{"iam:CreateServiceLinkedRole"},
			Resource: []string{policy.ARN{Partition: s.Partition, Service: "iam", Account: s.Account,
				Resource: "role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"}.String()},
			Condition: policy.Condition{"StringEquals": {"iam:AWSServiceName": {"elasticloadbalancing.amazonaws.com"}}},
		},
		policy.Statement{Sid: "Describe", Effect: policy.Allow, Action: describeActions, Resource: []string{"*"}},
		policy.Statement{
			Sid: "SecurityGroupRulesInVpc", Effect: policy.Allow,
			Action:    []string{"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"},
			Resource:  []string{securityGroups},
			Condition: policy.Condition{"ArnEquals": {"ec2:Vpc": {vpc}}},
		},
		policy.Statement{Sid: "CreateSecurityGroupInVpc", Effect: policy.Allow, Action: []string{"ec2:CreateSecurityGroup"}, Resource: []string{vpc}},
		policy.Statement{Sid: "CreateTaggedSecurityGroup", Effect: policy.Allow, Action: []string{"ec2:CreateSecurityGroup"}, Resource: []string{securityGroups}, Condition: creating},
		policy.Statement{
			Sid: "TagSecurityGroupOnCreate", Effect: policy.Allow,
			Action: []string{"ec2:CreateTags"}, Resource: []string{securityGroups},
			Condition: policy.Condition{
				"StringEquals": {"ec2:CreateAction": {"CreateSecurityGroup"}, "aws:RequestTag/" + ClusterTag: {s.Cluster}},
			},
		},
		policy.Statement{Sid: "RetagOwnSecurityGroups", Effect: policy.Allow, Action: []string{"ec2:CreateTags", "ec2:DeleteTags"}, Resource: []string{securityGroups}, Condition: ownNotRetagged},
		policy.Statement{
			Sid: "ManageOwnSecurityGroups", Effect: policy.Allow,
			Action:    []string{"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"},
			Resource:  []string{securityGroups},
			Condition: own,
		},
		policy.Statement{
			Sid: "CreateTaggedLoadBalancers", Effect: policy.Allow,
			Action:   []string{"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"},
			Resource: []string{loadBalancers, targetGroups}, Condition: creating,
		},
		policy.Statement{
			Sid: "TagOnCreate", Effect: policy.Allow,
			Action: []string{"elasticloadbalancing:AddTags"}, Resource: []string{loadBalancers, targetGroups},
			Condition: policy.Condition{"StringEquals": {
				"elasticloadbalancing:CreateAction": {"CreateTargetGroup", "CreateLoadBalancer"},
				"aws:RequestTag/" + ClusterTag:      {s.Cluster},
			}},
		},
		policy.Statement{
			Sid: "RetagOwnLoadBalancers", Effect: policy.Allow,
			Action:   []string{"elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"},
			Resource: []string{loadBalancers, targetGroups}, Condition: ownNotRetagged,
		},
		// Listener calls are not tag-conditioned upstream either; they stay on NLBs of this
		// account and region.
		policy.Statement{
			Sid: "CreateListeners", Effect: policy.Allow,
			Action: []string{"elasticloadbalancing:CreateListener"}, Resource: []string{loadBalancers, listeners},
		},
		policy.Statement{
			Sid: "ChangeListeners", Effect: policy.Allow,
			Action: []string{
				"elasticloadbalancing:DeleteListener", "elasticloadbalancing:ModifyListener",
				"elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags",
			},
			Resource: []string{listeners},
		},
		policy.Statement{
			Sid: "ManageOwnLoadBalancers", Effect: policy.Allow,
			Action: []string{
				"elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
				"elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
				"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
				"elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
				"elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
				"elasticloadbalancing:ModifyIpPools",
			},
			Resource:  []string{loadBalancers, targetGroups, listeners},
			Condition: own,
		},
		policy.Statement{
			Sid: "RegisterPodTargets", Effect: policy.Allow,
			Action:   []string{"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"},
			Resource: []string{targetGroups}, Condition: own,
		},
	)
}
