package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// The account, region and partition every faked AWS ARN names.
const (
	FakeAccountID = "123456789012"
	FakeRegion    = "us-east-1"
	// FakeExistingVpcCIDR is the block getVpc answers for an existing VPC (awsVpcId).
	FakeExistingVpcCIDR = "10.20.0.0/16"
	// FakeNLBZoneID is the canonical hosted zone of Network Load Balancers in FakeRegion.
	FakeNLBZoneID = "Z26RNL4JYFTOTI"
	// FakeAzureIngestAddress is the gatewayIngestHost output every stack reference answers
	// with (the azure stack's internal ingest load balancer address).
	FakeAzureIngestAddress = "10.50.1.10"
)

// fakeHex is a stable hex suffix for fake ids and generated names.
func awsHex(name string, n int) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])[:n]
}

func awsStr(inputs resource.PropertyMap, key string) (string, bool) {
	if v, ok := input(inputs, key); ok && v.IsString() {
		return v.StringValue(), true
	}
	return "", false
}

// named returns the resource's name input, or what Pulumi's auto-naming would generate
// (the resource name plus a random suffix).
func awsNamed(name string, inputs resource.PropertyMap, key string) string {
	if v, ok := awsStr(inputs, key); ok && v != "" {
		return v
	}
	return name + "-" + awsHex(name, 7)
}

func awsArn(service, region, resourcePart string) resource.PropertyValue {
	return resource.NewProperty(fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, FakeAccountID, resourcePart))
}

func awsProps(kv ...any) resource.PropertyMap {
	m := resource.PropertyMap{}
	for i := 0; i+1 < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case resource.PropertyValue:
			m[resource.PropertyKey(kv[i].(string))] = v
		default:
			m[resource.PropertyKey(kv[i].(string))] = resource.NewProperty(fmt.Sprint(v))
		}
	}
	return m
}

// awsFakes are what AWS computes: ARNs, ids and generated names of every AWS resource
// the stacks create, and the answers of the AWS functions they call.
func awsFakes() Fakes {
	f := newFakes()
	// pulumi-eks v2 is a remote component: under mocks its outputs are whatever the mock
	// returns for eks:index:Cluster.
	f.Resources.set("eks:index:Cluster", func(name string, _ resource.PropertyMap) resource.PropertyMap {
		kc := fakeKubeconfig(name)
		return resource.PropertyMap{
			"kubeconfigJson": resource.MakeSecret(resource.NewProperty(kc)),
			"kubeconfig":     resource.MakeSecret(resource.NewProperty(kc)),
			"eksCluster": resource.NewProperty(resource.PropertyMap{
				"name": resource.NewProperty(name),
				"arn":  resource.NewProperty("arn:aws:eks:us-east-1:123456789012:cluster/" + name),
			}),
		}
	})
	// Every AWS resource gets an ARN unless a type below fakes a more exact one.
	f.Resources.set("aws:*", func(name string, _ resource.PropertyMap) resource.PropertyMap {
		return awsProps("arn", awsArn("generic", FakeRegion, name))
	})
	f.Resources.set("aws:iam/role:Role", func(name string, in resource.PropertyMap) resource.PropertyMap {
		n := awsNamed(name, in, "name")
		return awsProps("name", n, "id", n, "arn", resource.NewProperty("arn:aws:iam::"+FakeAccountID+":role/"+n), "uniqueId", "AROA"+strings.ToUpper(awsHex(name, 17)))
	})
	f.Resources.set("aws:s3/bucketV2:BucketV2", func(name string, in resource.PropertyMap) resource.PropertyMap {
		n := awsNamed(name, in, "bucket")
		return awsProps("bucket", n, "id", n, "arn", resource.NewProperty("arn:aws:s3:::"+n), "bucketRegionalDomainName", n+".s3."+FakeRegion+".amazonaws.com")
	})
	f.Resources.set("aws:cloudwatch/logGroup:LogGroup", func(name string, in resource.PropertyMap) resource.PropertyMap {
		n := awsNamed(name, in, "name")
		return awsProps("name", n, "id", n, "arn", awsArn("logs", FakeRegion, "log-group:"+n))
	})
	f.Resources.set("aws:kms/key:Key", func(name string, _ resource.PropertyMap) resource.PropertyMap {
		id := awsUUID(name)
		return awsProps("keyId", id, "id", id, "arn", awsArn("kms", FakeRegion, "key/"+id))
	})
	f.Resources.set("aws:ssm/parameter:Parameter", func(name string, in resource.PropertyMap) resource.PropertyMap {
		n := awsNamed(name, in, "name")
		return awsProps("name", n, "id", n, "arn", awsArn("ssm", FakeRegion, "parameter"+n))
	})
	for typ, prefix := range map[string]string{
		"aws:ec2/vpc:Vpc": "vpc", "aws:ec2/subnet:Subnet": "subnet", "aws:ec2/securityGroup:SecurityGroup": "sg",
		"aws:ec2/internetGateway:InternetGateway": "igw", "aws:ec2/natGateway:NatGateway": "nat", "aws:ec2/eip:Eip": "eipalloc",
		"aws:ec2/routeTable:RouteTable": "rtb", "aws:ec2/launchTemplate:LaunchTemplate": "lt",
	} {
		prefix := prefix
		f.Resources.set(typ, func(name string, _ resource.PropertyMap) resource.PropertyMap {
			id := prefix + "-" + awsHex(name, 17)
			out := awsProps("id", id, "arn", awsArn("ec2", FakeRegion, prefix+"/"+id))
			if prefix == "lt" {
				out["latestVersion"] = resource.NewProperty(1.0)
			}
			return out
		})
	}
	f.Resources.set("aws:lb/loadBalancer:LoadBalancer", func(name string, in resource.PropertyMap) resource.PropertyMap {
		return awsLoadBalancer(awsNamed(name, in, "name"))
	})
	f.Resources.set("aws:lb/targetGroup:TargetGroup", func(name string, in resource.PropertyMap) resource.PropertyMap {
		return awsTargetGroup(awsNamed(name, in, "name"))
	})
	f.Resources.set("aws:sns/topic:Topic", func(name string, in resource.PropertyMap) resource.PropertyMap {
		n := awsNamed(name, in, "name")
		return awsProps("name", n, "id", awsArn("sns", FakeRegion, n), "arn", awsArn("sns", FakeRegion, n))
	})
	f.Resources.set("aws:cloudwatch/metricAlarm:MetricAlarm", func(name string, in resource.PropertyMap) resource.PropertyMap {
		n := awsNamed(name, in, "name")
		return awsProps("name", n, "id", n, "arn", awsArn("cloudwatch", FakeRegion, "alarm:"+n))
	})
	f.Resources.set("aws:route53/healthCheck:HealthCheck", func(name string, _ resource.PropertyMap) resource.PropertyMap {
		id := awsUUID(name)
		return awsProps("id", id, "arn", resource.NewProperty("arn:aws:route53:::healthcheck/"+id))
	})
	f.Resources.set("aws:route53/record:Record", func(name string, in resource.PropertyMap) resource.PropertyMap {
		n, _ := awsStr(in, "name")
		return awsProps("fqdn", n)
	})
	f.Resources.set("aws:ecs/cluster:Cluster", func(name string, in resource.PropertyMap) resource.PropertyMap {
		n := awsNamed(name, in, "name")
		return awsProps("name", n, "arn", awsArn("ecs", FakeRegion, "cluster/"+n))
	})
	f.Resources.set("aws:ecs/taskDefinition:TaskDefinition", func(name string, in resource.PropertyMap) resource.PropertyMap {
		family := awsNamed(name, in, "family")
		return awsProps("arn", awsArn("ecs", FakeRegion, "task-definition/"+family+":1"), "revision", resource.NewProperty(1.0))
	})
	f.Resources.set("aws:lambda/function:Function", func(name string, in resource.PropertyMap) resource.PropertyMap {
		n := awsNamed(name, in, "name")
		return awsProps("name", n, "arn", awsArn("lambda", FakeRegion, "function:"+n))
	})
	f.Resources.set("aws:eks/nodeGroup:NodeGroup", func(name string, in resource.PropertyMap) resource.PropertyMap {
		cluster, _ := awsStr(in, "clusterName")
		n := awsNamed(name, in, "nodeGroupName")
		return awsProps("arn", awsArn("eks", FakeRegion, "nodegroup/"+cluster+"/"+n+"/"+awsUUID(name)))
	})

	// pulumi-eks v2 has no OIDC outputs of its own: IRSA reads cluster.Core.OidcProvider,
	// a resource reference. Under mocks a reference only resolves to a resource the mock
	// engine has registered, and the provider the real component creates is never
	// registered. So the reference points at the cluster component itself (registered
	// before its outputs are read), typed as an OpenIdConnectProvider, and the cluster's
	// faked state carries the provider's arn and url. The cluster's URN is derived from
	// its serviceRole input (a sibling resource), so the fake needs that input.
	f.Resources.set("eks:index:Cluster*", func(name string, in resource.PropertyMap) resource.PropertyMap {
		role, ok := in["serviceRole"]
		if !ok || !role.IsResourceReference() {
			return nil
		}
		sibling := role.ResourceReferenceValue().URN
		chain := string(sibling.QualifiedType())
		parent := ""
		if i := strings.LastIndex(chain, "$"); i >= 0 {
			parent = chain[:i]
		}
		self := resource.NewURN(sibling.Stack(), sibling.Project(), tokens.Type(parent), "eks:index:Cluster", name)
		cluster := name
		if v, ok := awsStr(in, "name"); ok {
			cluster = v
		}
		issuer := fmt.Sprintf("oidc.eks.%s.amazonaws.com/id/%s", FakeRegion, strings.ToUpper(awsHex(cluster, 32)))
		return resource.PropertyMap{
			"arn": resource.NewProperty("arn:aws:iam::" + FakeAccountID + ":oidc-provider/" + issuer),
			"url": resource.NewProperty(issuer),
			"core": resource.NewProperty(resource.PropertyMap{
				"oidcProvider": resource.NewProperty(resource.ResourceReference{
					URN: self, Type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", Name: name + "-oidcProvider",
					ID: resource.NewProperty("arn:aws:iam::" + FakeAccountID + ":oidc-provider/" + issuer),
				}),
				"endpoint": resource.NewProperty("https://" + strings.ToUpper(awsHex(cluster, 32)) + ".gr7." + FakeRegion + ".eks.amazonaws.com"),
			}),
		}
	})

	f.Calls.set("aws:index/getCallerIdentity:getCallerIdentity", func(resource.PropertyMap) resource.PropertyMap {
		return awsProps("accountId", FakeAccountID, "arn", "arn:aws:iam::"+FakeAccountID+":user/offline-render", "userId", "AIDAOFFLINERENDER", "id", FakeAccountID)
	})
	f.Calls.set("aws:index/getAvailabilityZones:getAvailabilityZones", func(resource.PropertyMap) resource.PropertyMap {
		var names, ids []resource.PropertyValue
		for i, z := range "abcdef" {
			names = append(names, resource.NewProperty(FakeRegion+string(z)))
			ids = append(ids, resource.NewProperty(fmt.Sprintf("use1-az%d", i+1)))
		}
		return resource.PropertyMap{"names": resource.NewProperty(names), "zoneIds": resource.NewProperty(ids), "id": resource.NewProperty(FakeRegion)}
	})
	// Load balancers and target groups a controller in the cluster created, found by name
	// or tags.
	f.Calls.set("aws:lb/getLoadBalancer:getLoadBalancer", func(args resource.PropertyMap) resource.PropertyMap {
		n, _ := awsStr(args, "name")
		return awsLoadBalancer(n)
	})
	// A target group is found only by the tags the load balancer controller gives it: its
	// cluster and its Service port (anything else finds nothing, an empty answer).
	f.Calls.set("aws:lb/getTargetGroup:getTargetGroup", func(args resource.PropertyMap) resource.PropertyMap {
		tags, ok := args["tags"]
		if !ok || !tags.IsObject() {
			return resource.PropertyMap{}
		}
		cluster, _ := awsStr(tags.ObjectValue(), "elbv2.k8s.aws/cluster")
		port, _ := awsStr(tags.ObjectValue(), "service.k8s.aws/resource")
		if cluster == "" || port == "" {
			return resource.PropertyMap{}
		}
		out := awsTargetGroup(FakeControllerTargetGroupName(port))
		out["tags"] = tags
		return out
	})
	f.Calls.set("aws:ec2/getVpc:getVpc", func(args resource.PropertyMap) resource.PropertyMap {
		id, _ := awsStr(args, "id")
		return awsProps("id", id, "cidrBlock", FakeExistingVpcCIDR, "arn", awsArn("ec2", FakeRegion, "vpc/"+id))
	})
	return f
}

// fakeUUID is a stable UUID-shaped id.
func awsUUID(name string) string {
	h := awsHex(name, 32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// awsLoadBalancer is the state of a Network Load Balancer named n.
func awsLoadBalancer(n string) resource.PropertyMap {
	suffix := FakeLoadBalancerArnSuffix(n)
	return awsProps("name", n, "id", awsArn("elasticloadbalancing", FakeRegion, "loadbalancer/"+suffix),
		"arn", awsArn("elasticloadbalancing", FakeRegion, "loadbalancer/"+suffix), "arnSuffix", suffix,
		"dnsName", n+"-"+awsHex(n, 16)+".elb."+FakeRegion+".amazonaws.com", "zoneId", FakeNLBZoneID)
}

// FakeControllerTargetGroupName is the name of the target group the load balancer
// controller made for a Service port ("namespace/service:port", its
// service.k8s.aws/resource tag), shaped like the controller's k8s-<ns>-<svc>-<hash>.
func FakeControllerTargetGroupName(servicePort string) string {
	ns, rest, _ := strings.Cut(servicePort, "/")
	svc, _, _ := strings.Cut(rest, ":")
	short := func(s string) string {
		if len(s) > 8 {
			return s[:8]
		}
		return s
	}
	return "k8s-" + short(ns) + "-" + short(svc) + "-" + awsHex(servicePort, 10)
}

// FakeTargetGroupArnSuffix is the ARN suffix (targetgroup/<name>/<id>) of a faked target
// group named n.
func FakeTargetGroupArnSuffix(n string) string { return "targetgroup/" + n + "/" + awsHex(n, 16) }

// FakeLoadBalancerArnSuffix is the ARN suffix (net/<name>/<id>) of a faked NLB named n.
func FakeLoadBalancerArnSuffix(n string) string { return "net/" + n + "/" + awsHex(n, 16) }

// awsTargetGroup is the state of a target group named n.
func awsTargetGroup(n string) resource.PropertyMap {
	suffix := FakeTargetGroupArnSuffix(n)
	return awsProps("name", n, "id", awsArn("elasticloadbalancing", FakeRegion, suffix),
		"arn", awsArn("elasticloadbalancing", FakeRegion, suffix), "arnSuffix", suffix)
}
