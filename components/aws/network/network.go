// Package network is the VPC otelfleet runs in: public and private subnets in each
// availability zone (tagged for EKS load balancers), an internet gateway and NAT gateways,
// so nodes, tasks and functions run in private subnets. It can also adopt an existing VPC.
package network

import (
	"fmt"
	"net/netip"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Subnet tags the AWS Load Balancer Controller and the in-tree service controller use to
// place internet-facing and internal load balancers.
const (
	PublicELBTag   = "kubernetes.io/role/elb"
	InternalELBTag = "kubernetes.io/role/internal-elb"
)

// Args describe the network. Defaults (applied in one place, defaults()): CIDR
// 10.0.0.0/16, AZCount 3, one NAT gateway per zone. With VpcID set, nothing is created:
// the existing VPC and subnets are used and CIDR/AZCount are ignored.
type Args struct {
	CIDR             string
	AZCount          int
	SingleNatGateway bool

	VpcID            string
	PrivateSubnetIDs []string
	PublicSubnetIDs  []string

	// Tags go on every resource (on top of the provider's default tags).
	Tags map[string]string

	// Region and Account place the endpoints and condition the flow log role's trust
	// (required with FlowLogs or Endpoints).
	Region  string
	Account pulumi.StringInput
	// FlowLogs records the VPC's traffic in a log group kept FlowLogRetentionDays (default
	// 30); Endpoints adds the AWS service endpoints (InterfaceEndpoints and S3). Both only
	// for a VPC this component creates.
	FlowLogs             bool
	FlowLogRetentionDays int
	Endpoints            bool
}

// Network is the VPC and its subnets.
type Network struct {
	pulumi.ResourceState
	VpcID            pulumi.StringOutput      `pulumi:"vpcId"`
	CIDR             pulumi.StringOutput      `pulumi:"cidr"`
	PrivateSubnetIDs pulumi.StringArrayOutput `pulumi:"privateSubnetIds"`
	PublicSubnetIDs  pulumi.StringArrayOutput `pulumi:"publicSubnetIds"`
}

func (a Args) defaults() Args {
	if a.CIDR == "" {
		a.CIDR = "10.0.0.0/16"
	}
	if a.AZCount == 0 {
		a.AZCount = 3
	}
	if a.FlowLogRetentionDays == 0 {
		a.FlowLogRetentionDays = 30
	}
	return a
}

// New creates the network (or adopts an existing VPC).
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Network, error) {
	if args == nil {
		args = &Args{}
	}
	a := args.defaults()
	var private, public []netip.Prefix
	if a.VpcID == "" {
		vpc, err := netip.ParsePrefix(a.CIDR)
		if err != nil {
			return nil, fmt.Errorf("network %s: CIDR %q: %w", name, a.CIDR, err)
		}
		if private, public, err = SubnetPlan(vpc, a.AZCount); err != nil {
			return nil, fmt.Errorf("network %s: %w", name, err)
		}
	} else if len(a.PrivateSubnetIDs) < 2 || len(a.PublicSubnetIDs) < 2 {
		return nil, fmt.Errorf("network %s: an existing VPC needs at least two private and two public subnet ids", name)
	}
	if (a.FlowLogs || a.Endpoints) && a.VpcID == "" && (a.Region == "" || a.Account == nil) {
		return nil, fmt.Errorf("network %s: FlowLogs and Endpoints need Region and Account", name)
	}

	n := &Network{}
	if err := ctx.RegisterComponentResource("otelfleet:aws:Network", name, n, opts...); err != nil {
		return nil, err
	}
	if a.VpcID != "" {
		vpc := ec2.LookupVpcOutput(ctx, ec2.LookupVpcOutputArgs{Id: pulumi.String(a.VpcID)}, pulumi.Parent(n))
		n.VpcID = pulumi.String(a.VpcID).ToStringOutput()
		n.CIDR = vpc.CidrBlock()
		n.PrivateSubnetIDs = pulumi.ToStringArray(a.PrivateSubnetIDs).ToStringArrayOutput()
		n.PublicSubnetIDs = pulumi.ToStringArray(a.PublicSubnetIDs).ToStringArrayOutput()
	} else if err := n.create(ctx, name, a, private, public); err != nil {
		return nil, err
	}
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{
		"vpcId": n.VpcID, "cidr": n.CIDR, "privateSubnetIds": n.PrivateSubnetIDs, "publicSubnetIds": n.PublicSubnetIDs,
	})
}

func (n *Network) create(ctx *pulumi.Context, name string, a Args, private, public []netip.Prefix) error {
	parent := pulumi.Parent(n)
	tags := func(extra map[string]string, resourceName string) pulumi.StringMap {
		m := pulumi.StringMap{"Name": pulumi.String(resourceName)}
		for k, v := range a.Tags {
			m[k] = pulumi.String(v)
		}
		for k, v := range extra {
			m[k] = pulumi.String(v)
		}
		return m
	}
	zones := aws.GetAvailabilityZonesOutput(ctx, aws.GetAvailabilityZonesOutputArgs{
		State:   pulumi.String("available"),
		Filters: aws.GetAvailabilityZonesFilterArray{aws.GetAvailabilityZonesFilterArgs{Name: pulumi.String("opt-in-status"), Values: pulumi.StringArray{pulumi.String("opt-in-not-required")}}},
	}, parent)
	zone := func(i int) pulumi.StringOutput {
		return zones.Names().ApplyT(func(names []string) (string, error) {
			if i >= len(names) {
				return "", fmt.Errorf("network %s: the region has %d availability zones without opt-in; %d were asked for", name, len(names), len(private))
			}
			return names[i], nil
		}).(pulumi.StringOutput)
	}

	vpc, err := ec2.NewVpc(ctx, name+"-vpc", &ec2.VpcArgs{
		CidrBlock:          pulumi.String(a.CIDR),
		EnableDnsHostnames: pulumi.Bool(true), // EKS private endpoints and interface endpoints need both
		EnableDnsSupport:   pulumi.Bool(true),
		Tags:               tags(nil, name),
	}, parent)
	if err != nil {
		return err
	}
	igw, err := ec2.NewInternetGateway(ctx, name+"-igw", &ec2.InternetGatewayArgs{VpcId: vpc.ID(), Tags: tags(nil, name)}, parent)
	if err != nil {
		return err
	}
	publicRT, err := ec2.NewRouteTable(ctx, name+"-public", &ec2.RouteTableArgs{
		VpcId:  vpc.ID(),
		Routes: ec2.RouteTableRouteArray{ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), GatewayId: igw.ID()}},
		Tags:   tags(nil, name+"-public"),
	}, parent)
	if err != nil {
		return err
	}

	var publicIDs, privateIDs, privateRoutes pulumi.StringArray
	var nats []*ec2.NatGateway
	for i := range public {
		subnetName := fmt.Sprintf("%s-public-%d", name, i+1)
		s, err := ec2.NewSubnet(ctx, subnetName, &ec2.SubnetArgs{
			VpcId: vpc.ID(), CidrBlock: pulumi.String(public[i].String()), AvailabilityZone: zone(i),
			MapPublicIpOnLaunch: pulumi.Bool(false), // only NAT gateways and load balancers live here
			Tags:                tags(map[string]string{PublicELBTag: "1"}, subnetName),
		}, parent)
		if err != nil {
			return err
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, subnetName, &ec2.RouteTableAssociationArgs{SubnetId: s.ID(), RouteTableId: publicRT.ID()}, parent); err != nil {
			return err
		}
		publicIDs = append(publicIDs, s.ID())
		if i == 0 || !a.SingleNatGateway {
			natName := fmt.Sprintf("%s-nat-%d", name, i+1)
			eip, err := ec2.NewEip(ctx, natName, &ec2.EipArgs{Domain: pulumi.String("vpc"), Tags: tags(nil, natName)}, parent)
			if err != nil {
				return err
			}
			nat, err := ec2.NewNatGateway(ctx, natName, &ec2.NatGatewayArgs{AllocationId: eip.ID(), SubnetId: s.ID(), Tags: tags(nil, natName)}, parent, pulumi.DependsOn([]pulumi.Resource{igw}))
			if err != nil {
				return err
			}
			nats = append(nats, nat)
		}
	}
	for i := range private {
		subnetName := fmt.Sprintf("%s-private-%d", name, i+1)
		s, err := ec2.NewSubnet(ctx, subnetName, &ec2.SubnetArgs{
			VpcId: vpc.ID(), CidrBlock: pulumi.String(private[i].String()), AvailabilityZone: zone(i),
			Tags: tags(map[string]string{InternalELBTag: "1"}, subnetName),
		}, parent)
		if err != nil {
			return err
		}
		nat := nats[min(i, len(nats)-1)] // the zone's own NAT gateway, or the single one
		rt, err := ec2.NewRouteTable(ctx, subnetName, &ec2.RouteTableArgs{
			VpcId:  vpc.ID(),
			Routes: ec2.RouteTableRouteArray{ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), NatGatewayId: nat.ID()}},
			Tags:   tags(nil, subnetName),
		}, parent)
		if err != nil {
			return err
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, subnetName, &ec2.RouteTableAssociationArgs{SubnetId: s.ID(), RouteTableId: rt.ID()}, parent); err != nil {
			return err
		}
		privateIDs = append(privateIDs, s.ID())
		privateRoutes = append(privateRoutes, rt.ID().ToStringOutput())
	}
	if a.FlowLogs {
		if err := n.flowLogs(ctx, name, a, vpc, tags(nil, name), parent); err != nil {
			return err
		}
	}
	if a.Endpoints {
		if err := n.endpoints(ctx, name, a, vpc, privateIDs, privateRoutes, tags(nil, name), parent); err != nil {
			return err
		}
	}
	n.VpcID = vpc.ID().ToStringOutput()
	n.CIDR = vpc.CidrBlock
	n.PrivateSubnetIDs = privateIDs.ToStringArrayOutput()
	n.PublicSubnetIDs = publicIDs.ToStringArrayOutput()
	return nil
}
