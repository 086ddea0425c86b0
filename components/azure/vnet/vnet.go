// Package vnet creates the network the ACI collector runs in: a VNet with one subnet
// delegated to Microsoft.ContainerInstance/containerGroups, and a NAT gateway with a static
// public IP for the subnet's egress (the collector exports to Azure Monitor over the
// internet) — so the collector itself needs no public IP, and its egress does not depend on
// the retired "default outbound access" of subnets.
//
// The network module of the azure-native SDK is not among the pinned modules: the three
// resources are registered through the arm package with typed args.
package vnet

import (
	"fmt"
	"net/netip"
	"reflect"

	"github.com/otelfleet/otelfleet/components/azure/arm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ContainerGroupsDelegation is the service a subnet is delegated to so container groups can
// join it.
const ContainerGroupsDelegation = "Microsoft.ContainerInstance/containerGroups"

// Args describe the network. Defaults: SubnetName "aci", Delegation
// ContainerGroupsDelegation.
type Args struct {
	ResourceGroupName pulumi.StringInput
	Location          string
	Tags              map[string]string
	// AddressSpace is the VNet CIDR; SubnetPrefix the delegated subnet inside it.
	AddressSpace string
	SubnetPrefix string
	SubnetName   string
	Delegation   string
}

// DelegatedSubnet is a VNet with one delegated subnet and a NAT gateway for its egress.
type DelegatedSubnet struct {
	pulumi.ResourceState
	VNetID   pulumi.StringOutput `pulumi:"vnetId"`
	SubnetID pulumi.StringOutput `pulumi:"subnetId"`
	// EgressIP is the public IP the subnet's outbound traffic leaves from (allow-list it at
	// the destination if needed).
	EgressIP pulumi.StringOutput `pulumi:"egressIp"`
}

// Resource holds the outputs otelfleet reads from a network resource.
type Resource struct {
	pulumi.CustomResourceState
	Name      pulumi.StringOutput `pulumi:"name"`
	IPAddress pulumi.StringOutput `pulumi:"ipAddress"`
}

func (a *Args) withDefaults() (Args, error) {
	if a == nil || a.ResourceGroupName == nil || a.Location == "" {
		return Args{}, fmt.Errorf("vnet: ResourceGroupName and Location are required")
	}
	out := *a
	if out.SubnetName == "" {
		out.SubnetName = "aci"
	}
	if out.Delegation == "" {
		out.Delegation = ContainerGroupsDelegation
	}
	space, err := netip.ParsePrefix(out.AddressSpace)
	if err != nil {
		return Args{}, fmt.Errorf("vnet: address space %q: %v", out.AddressSpace, err)
	}
	sub, err := netip.ParsePrefix(out.SubnetPrefix)
	if err != nil || sub.Bits() < space.Bits() || !space.Contains(sub.Addr()) {
		return Args{}, fmt.Errorf("vnet: subnet %q is not a prefix inside %s", out.SubnetPrefix, out.AddressSpace)
	}
	return out, nil
}

// NewDelegatedSubnet creates the VNet, its delegated subnet and the NAT gateway.
func NewDelegatedSubnet(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*DelegatedSubnet, error) {
	a, err := args.withDefaults()
	if err != nil {
		return nil, err
	}
	d := &DelegatedSubnet{}
	if err := ctx.RegisterComponentResource("otelfleet:vnet:DelegatedSubnet", name, d, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(d)

	var ip Resource
	if err := arm.Register(ctx, "azure-native:network:PublicIPAddress", name+"-egress-ip", &publicIPArgs{
		ResourceGroupName: a.ResourceGroupName, Location: a.Location, Tags: a.Tags,
		Sku:                      sku{Name: "Standard", Tier: "Regional"},
		PublicIPAllocationMethod: "Static", PublicIPAddressVersion: "IPv4",
	}, &ip, parent); err != nil {
		return nil, err
	}
	var nat Resource
	if err := arm.Register(ctx, "azure-native:network:NatGateway", name+"-nat", &natGatewayArgs{
		ResourceGroupName: a.ResourceGroupName, Location: a.Location, Tags: a.Tags,
		Sku: natSku{Name: "Standard"}, IdleTimeoutInMinutes: 4,
		PublicIPAddresses: []arm.SubResource{{ID: ip.ID().ToStringOutput()}},
	}, &nat, parent); err != nil {
		return nil, err
	}
	// The subnet is declared inside the VNet: a separate Subnet resource and a VNet without
	// it would fight over the VNet's subnet list on every update.
	var vnet Resource
	if err := arm.Register(ctx, "azure-native:network:VirtualNetwork", name+"-vnet", &virtualNetworkArgs{
		ResourceGroupName: a.ResourceGroupName, Location: a.Location, Tags: a.Tags,
		AddressSpace: addressSpace{AddressPrefixes: []string{a.AddressSpace}},
		Subnets: []subnet{{
			Name: a.SubnetName, AddressPrefix: a.SubnetPrefix,
			Delegations: []delegation{{Name: "containerGroups", ServiceName: a.Delegation}},
			NatGateway:  &arm.SubResource{ID: nat.ID().ToStringOutput()},
		}},
	}, &vnet, parent); err != nil {
		return nil, err
	}

	d.VNetID = vnet.ID().ToStringOutput()
	d.SubnetID = pulumi.Sprintf("%s/subnets/%s", vnet.ID(), a.SubnetName)
	d.EgressIP = ip.IPAddress
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{"vnetId": d.VNetID, "subnetId": d.SubnetID, "egressIp": d.EgressIP})
}

// Typed args of the network resources, in the azure-native provider's flattened shape.

type sku struct {
	Name string `pulumi:"name"`
	Tier string `pulumi:"tier"`
}

type publicIPArgs struct {
	ResourceGroupName        pulumi.StringInput `pulumi:"resourceGroupName"`
	Location                 string             `pulumi:"location"`
	Tags                     map[string]string  `pulumi:"tags"`
	Sku                      sku                `pulumi:"sku"`
	PublicIPAllocationMethod string             `pulumi:"publicIPAllocationMethod"`
	PublicIPAddressVersion   string             `pulumi:"publicIPAddressVersion"`
}

func (publicIPArgs) ElementType() reflect.Type { return reflect.TypeOf(publicIPArgs{}) }

type natSku struct {
	Name string `pulumi:"name"`
}

type natGatewayArgs struct {
	ResourceGroupName    pulumi.StringInput `pulumi:"resourceGroupName"`
	Location             string             `pulumi:"location"`
	Tags                 map[string]string  `pulumi:"tags"`
	Sku                  natSku             `pulumi:"sku"`
	IdleTimeoutInMinutes int                `pulumi:"idleTimeoutInMinutes"`
	PublicIPAddresses    []arm.SubResource  `pulumi:"publicIpAddresses"`
}

func (natGatewayArgs) ElementType() reflect.Type { return reflect.TypeOf(natGatewayArgs{}) }

type addressSpace struct {
	AddressPrefixes []string `pulumi:"addressPrefixes"`
}

type delegation struct {
	Name        string `pulumi:"name"`
	ServiceName string `pulumi:"serviceName"`
}

type subnet struct {
	Name          string           `pulumi:"name"`
	AddressPrefix string           `pulumi:"addressPrefix"`
	Delegations   []delegation     `pulumi:"delegations"`
	NatGateway    *arm.SubResource `pulumi:"natGateway"`
}

type virtualNetworkArgs struct {
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	Location          string             `pulumi:"location"`
	Tags              map[string]string  `pulumi:"tags"`
	AddressSpace      addressSpace       `pulumi:"addressSpace"`
	Subnets           []subnet           `pulumi:"subnets"`
}

func (virtualNetworkArgs) ElementType() reflect.Type { return reflect.TypeOf(virtualNetworkArgs{}) }
