package config

import (
	"fmt"
	"math/bits"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// AWS is the configuration of the aws stack (VPC, EKS, IRSA, S3 archive, ECS, Lambda).
type AWS struct {
	Region string `key:"awsRegion" desc:"AWS region of the stack (the explicit AWS provider of every resource uses it; aws:region is not read)."`

	VpcID            string   `key:"awsVpcId" desc:"Use an existing VPC by id instead of creating one (then awsPrivateSubnetIds and awsPublicSubnetIds are required)."`
	PrivateSubnetIDs []string `key:"awsPrivateSubnetIds" desc:"Private subnets of the existing VPC (awsVpcId), at least two in different availability zones: nodes, ECS tasks, the internal NLB and the Lambda run in them."`
	PublicSubnetIDs  []string `key:"awsPublicSubnetIds" desc:"Public subnets of the existing VPC (awsVpcId), at least two: EKS places internet-facing load balancers in them."`
	VpcCIDR          string   `key:"awsVpcCidr" desc:"IPv4 CIDR block (/16 to /24) of the VPC otelfleet creates."`
	AZCount          int      `key:"awsAzCount" desc:"Availability zones the VPC spans, 2 to 6 (one public and one private subnet each)."`
	FlowLogs         bool     `key:"awsVpcFlowLogs" desc:"Record every accepted and rejected connection of the VPC otelfleet creates (VPC Flow Logs to the log group /otelfleet/<name>/vpc-flow-logs, kept logRetentionDays)."`
	Endpoints        bool     `key:"awsVpcEndpoints" desc:"Give the VPC otelfleet creates interface endpoints for STS, X-Ray, CloudWatch Logs and CloudWatch (about 7 USD a month per endpoint and zone, plus traffic) and a free S3 gateway endpoint, so telemetry and IRSA logins stay off the NAT gateways and the internet."`
	SingleNatGateway bool     `key:"awsSingleNatGateway" desc:"One NAT gateway for all private subnets (cheaper; an outage of its zone cuts the others' egress). Off: one NAT gateway per availability zone."`

	EKSVersion               string            `key:"eksVersion" desc:"Kubernetes version of the EKS cluster (a version in EKS standard support)."`
	NodeInstanceType         string            `key:"eksNodeInstanceType" desc:"Instance type of the managed node group (Graviton types such as m7g.xlarge get the arm64 AMI)."`
	NodeDesired              int               `key:"eksNodeDesired" desc:"Desired size of the managed node group when it is created (the cluster autoscaler owns it afterwards)."`
	NodeMin                  int               `key:"eksNodeMin" desc:"Minimum size of the managed node group."`
	NodeMax                  int               `key:"eksNodeMax" desc:"Maximum size of the managed node group (the cluster autoscaler scales up to it)."`
	NodeDiskGiB              int               `key:"eksNodeDiskGiB" desc:"Root volume size of each node, in GiB (gp3, encrypted)."`
	NodeLabels               map[string]string `key:"eksNodeLabels" desc:"Kubernetes labels on the managed nodes."`
	ClusterAutoscaler        bool              `key:"eksClusterAutoscaler" desc:"Deploy the cluster autoscaler (with its own IRSA role) so the node group scales between min and max."`
	ClusterAutoscalerVersion string            `key:"eksClusterAutoscalerVersion" desc:"cluster-autoscaler Helm chart version."`

	LogRetentionDays int    `key:"awsLogRetentionDays" desc:"Retention of every CloudWatch log group the stack creates (collector logs, EMF metrics, exported logs, Lambda), in days; one of the values CloudWatch Logs accepts."`
	EMFNamespace     string `key:"awsEmfNamespace" desc:"CloudWatch metric namespace the awsemf exporter writes to (the metrics policy is not needed: EMF metrics are extracted from the log group)."`

	ArchiveIADays        int  `key:"awsArchiveIaDays" desc:"Age in days at which archived objects move from S3 STANDARD to STANDARD_IA (at least 30)."`
	ArchiveGlacierIRDays int  `key:"awsArchiveGlacierIrDays" desc:"Age in days at which archived objects move to GLACIER_IR (at least 30 days after awsArchiveIaDays)."`
	ArchiveExpireDays    int  `key:"awsArchiveExpireDays" desc:"Age in days at which archived objects are deleted (after awsArchiveGlacierIrDays)."`
	ArchiveLogs          bool `key:"awsArchiveLogs" desc:"Archive logs to S3 as well as traces (both under their own prefix, partitioned by hour)."`

	ECSCollector    bool `key:"ecsCollector" desc:"Run a collector on ECS Fargate behind an internal NLB, for ECS and Lambda workloads."`
	ECSCPU          int  `key:"ecsCpu" desc:"CPU units of the ECS collector task (a Fargate size: 256, 512, 1024, 2048, 4096, 8192, 16384)."`
	ECSMemoryMiB    int  `key:"ecsMemoryMiB" desc:"Memory of the ECS collector task in MiB (a size Fargate allows for ecsCpu); memory_limiter and GOMEMLIMIT are derived from it."`
	ECSDesiredCount int  `key:"ecsDesiredCount" desc:"Number of ECS collector tasks (at least 2, spread over the private subnets' zones)."`

	LambdaExample  bool   `key:"lambdaExample" desc:"Deploy the example Go Lambda function (examples/lambda) wired to send OTLP to the ECS collector's NLB; needs ecsCollector."`
	LambdaLayerArn string `key:"lambdaCollectorLayerArn" desc:"ARN of a collector Lambda layer (e.g. the OpenTelemetry Lambda collector layer) added to instrumented functions; empty adds none and the function's SDK sends OTLP straight to the NLB."`

	LoadBalancerController        bool   `key:"eksLoadBalancerController" desc:"With gatewayIngest on, install the AWS Load Balancer Controller (pinned Helm release with its own IRSA role, NLB for Services only) that provisions the ingest NLB. Turn off when the cluster already runs one."`
	LoadBalancerControllerVersion string `key:"eksLoadBalancerControllerVersion" desc:"aws-load-balancer-controller Helm chart version (https://aws.github.io/eks-charts)."`
	ContainerInsights             bool   `key:"eksContainerInsights" desc:"Install the amazon-cloudwatch-observability EKS add-on (its own IRSA role, container logs off) so pod metrics reach the ContainerInsights CloudWatch namespace; the gateway's pod alarms read them."`

	DRAzureStack       string `key:"drAzureStack" desc:"Fully qualified name (org/project/stack) of the azure stack that takes OTLP ingest when this stack's gateway is down: a Route 53 failover pair publishes drRecordName, PRIMARY to this stack's ingest NLB, SECONDARY to that stack's gatewayIngestHost output. Empty: no DR."`
	DRHostedZoneID     string `key:"drHostedZoneId" desc:"Route 53 hosted zone (id such as Z0123456789ABCDEFGHIJ) of the ingest DNS records: the DR failover pair (drRecordName) and the regional latency record (regionalRecordName). Use a private zone when the ingest load balancers are internal."`
	DRRecordName       string `key:"drRecordName" desc:"Global OTLP ingest name of the DR failover pair (a name inside the drHostedZoneId zone, not its apex), e.g. otlp.observability.example.com; agents and SDKs send to it on 4317/4318."`
	DRRecordTTL        int    `key:"drRecordTtl" desc:"TTL in seconds of the failover and latency records that are not aliases (alias records to the NLB answer with its 60 s TTL); part of the failover data-loss window."`
	RegionalRecordName string `key:"regionalRecordName" desc:"Latency-routed regional ingest name in drHostedZoneId (e.g. ingest.observability.example.com): every regional stack publishes its ingest NLB under it with its region, health-checked like the DR primary. Empty: none."`

	Alarms        bool   `key:"awsAlarms" desc:"Create CloudWatch alarms for the fleet (gateway pods, ingest NLB, ECS collector, exporter failures from the collectors' logs) that notify an SNS topic."`
	AlarmTopicArn string `key:"alarmSnsTopicArn" desc:"Existing SNS topic (in awsRegion) the alarms notify; empty creates one."`
	AlarmEmail    string `key:"alarmEmail" desc:"E-mail address subscribed to the topic otelfleet creates (the recipient confirms the subscription); only used without alarmSnsTopicArn."`
}

// Kubernetes minor versions in EKS standard support (14 months from each EKS release),
// checked against the EKS release calendar in November 2026.
const (
	eksMinMinor = 34
	eksMaxMinor = 37
)

// awsRegions are the AWS regions (commercial, China, GovCloud and the European Sovereign
// Cloud), as the APIs name them.
var awsRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1",
	"cn-north-1", "cn-northwest-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
	"eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "eusc-de-east-1", "il-central-1",
	"me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
	"us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
}

// logRetentionDays are the retention periods CloudWatch Logs accepts.
var logRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// fargateMemory lists, per Fargate CPU size, the memory range and step in MiB.
var fargateMemory = map[int][3]int{
	256:   {512, 2048, 512}, // only 512, 1024 and 2048: checked apart
	512:   {1024, 4096, 1024},
	1024:  {2048, 8192, 1024},
	2048:  {4096, 16384, 1024},
	4096:  {8192, 30720, 1024},
	8192:  {16384, 61440, 4096},
	16384: {32768, 122880, 8192},
}

var (
	vpcIDPattern        = regexp.MustCompile(`^vpc-[0-9a-f]{8}([0-9a-f]{9})?$`)
	subnetIDPattern     = regexp.MustCompile(`^subnet-[0-9a-f]{8}([0-9a-f]{9})?$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9-]+$`)
	chartVersionPattern = regexp.MustCompile(`^\d+\.\d+\.\d+$`)
	emfNamespacePattern = regexp.MustCompile(`^[A-Za-z0-9.\-_/#:]{1,255}$`)
	labelKeyPattern     = regexp.MustCompile(`^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)
	labelValuePattern   = regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$`)
	layerArnPattern     = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:layer:[A-Za-z0-9_-]+:\d+$`)
	hostedZonePattern   = regexp.MustCompile(`^Z[0-9A-Z]{1,31}$`)
	stackNamePattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	dnsNamePattern      = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
	topicArnPattern     = regexp.MustCompile(`^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$`)
	awsEmailPattern     = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$`)
)

// validate checks the aws keys; it is called by Stack.Validate when cloud is aws.
func (a *AWS) validate(v *validator) {
	if !slices.Contains(awsRegions, a.Region) {
		v.bad("awsRegion", a.Region, "give an AWS region: %s", strings.Join(awsRegions, ", "))
	}
	a.validateNetwork(v)
	a.validateEKS(v)
	a.validateTelemetry(v)
	a.validateECS(v)
	if m := layerArnPattern.FindStringSubmatch(a.LambdaLayerArn); a.LambdaLayerArn != "" && m == nil {
		v.bad("lambdaCollectorLayerArn", a.LambdaLayerArn, "give a Lambda layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION) or leave it empty")
	} else if m != nil && m[1] != a.Region {
		v.bad("lambdaCollectorLayerArn", a.LambdaLayerArn, "give a layer of the stack's region %s (layers are regional)", a.Region)
	}
	if a.LambdaExample && !a.ECSCollector {
		v.bad("lambdaExample", a.LambdaExample, "the example function sends OTLP to the ECS collector's NLB: turn ecsCollector on, or set lambdaExample to false")
	}
	if a.LoadBalancerController && !chartVersionPattern.MatchString(a.LoadBalancerControllerVersion) {
		v.bad("eksLoadBalancerControllerVersion", a.LoadBalancerControllerVersion, "give a chart version such as 3.5.0")
	}
	a.validateIngestDNS(v)
	a.validateAlarms(v)
}

// validateIngestDNS checks the DR failover pair and the regional latency record: both
// live in drHostedZoneId, and the pair needs all three of its keys.
func (a *AWS) validateIngestDNS(v *validator) {
	switch {
	case a.DRAzureStack != "" && !stackNamePattern.MatchString(a.DRAzureStack):
		v.bad("drAzureStack", a.DRAzureStack, "give the azure stack's fully qualified name org/project/stack (e.g. acme/otelfleet/azure-prod), or leave it empty for no DR")
	case a.DRAzureStack == "" && a.DRRecordName != "":
		v.bad("drAzureStack", a.DRAzureStack, "drRecordName is set: name the azure stack that takes over (org/project/stack), or clear drRecordName")
	}
	if a.DRAzureStack != "" && a.DRRecordName == "" {
		v.bad("drRecordName", a.DRRecordName, "drAzureStack is set: give the global OTLP name the failover pair publishes, such as otlp.observability.example.com")
	}
	needZone := a.DRAzureStack != "" || a.RegionalRecordName != ""
	switch {
	case a.DRHostedZoneID == "" && needZone:
		v.bad("drHostedZoneId", a.DRHostedZoneID, "the ingest DNS records (drAzureStack/regionalRecordName) need a Route 53 hosted zone: give its id, such as Z0123456789ABCDEFGHIJ")
	case a.DRHostedZoneID != "" && !hostedZonePattern.MatchString(a.DRHostedZoneID):
		v.bad("drHostedZoneId", a.DRHostedZoneID, "give a Route 53 hosted zone id: Z followed by up to 31 uppercase letters and digits, such as Z0123456789ABCDEFGHIJ (not the zone's domain name)")
	case a.DRHostedZoneID != "" && !needZone:
		v.bad("drHostedZoneId", a.DRHostedZoneID, "the zone is only used by drAzureStack or regionalRecordName: set one of them, or leave it empty")
	}
	for _, r := range []struct{ key, name string }{{"drRecordName", a.DRRecordName}, {"regionalRecordName", a.RegionalRecordName}} {
		if r.name != "" && (len(r.name) > 253 || !dnsNamePattern.MatchString(r.name)) {
			v.bad(r.key, r.name, "give a lowercase DNS name inside the hosted zone, such as otlp.observability.example.com (no trailing dot, no wildcard)")
		}
	}
	if a.RegionalRecordName != "" && a.RegionalRecordName == a.DRRecordName {
		v.bad("regionalRecordName", a.RegionalRecordName, "must differ from drRecordName (a name has one routing policy: failover or latency)")
	}
	if a.DRRecordTTL < 10 || a.DRRecordTTL > 300 {
		v.bad("drRecordTtl", a.DRRecordTTL, "give 10 to 300 seconds (the TTL adds to the failover window)")
	}
}

func (a *AWS) validateAlarms(v *validator) {
	if a.AlarmTopicArn != "" {
		if m := topicArnPattern.FindStringSubmatch(a.AlarmTopicArn); m == nil {
			v.bad("alarmSnsTopicArn", a.AlarmTopicArn, "give an SNS topic ARN such as arn:aws:sns:%s:123456789012:otel-alarms, or leave it empty to create a topic", a.Region)
		} else if m[1] != a.Region {
			v.bad("alarmSnsTopicArn", a.AlarmTopicArn, "give a topic in the stack's region %s (CloudWatch alarms notify topics of their own region)", a.Region)
		}
		if a.AlarmEmail != "" {
			v.bad("alarmEmail", a.AlarmEmail, "is only used for the topic otelfleet creates: subscribe the address to alarmSnsTopicArn yourself, or clear alarmSnsTopicArn")
		}
		return
	}
	if a.AlarmEmail != "" && !awsEmailPattern.MatchString(a.AlarmEmail) {
		v.bad("alarmEmail", a.AlarmEmail, "give one e-mail address such as oncall@example.com, or leave it empty")
	}
}

// ValidateAWSIngest checks the aws keys that depend on another section of the stack: the
// ingest DNS records point at the gateway's ingest load balancer, so they need
// gatewayIngest. Stack.Validate checks each section on its own; the aws stack calls this
// before it registers any resource. It returns an *Error, like Validate.
func (s *Stack) ValidateAWSIngest() error {
	v := &validator{}
	if !s.Gateway.Ingest {
		switch {
		case s.AWS.DRAzureStack != "":
			v.bad("gatewayIngest", s.Gateway.Ingest, "drAzureStack needs the gateway's ingest load balancer (the failover PRIMARY): turn gatewayIngest on, or clear the dr* keys")
		case s.AWS.RegionalRecordName != "":
			v.bad("gatewayIngest", s.Gateway.Ingest, "regionalRecordName needs the gateway's ingest load balancer: turn gatewayIngest on, or clear regionalRecordName")
		}
	}
	if len(v.problems) > 0 {
		return &Error{Problems: v.problems}
	}
	return nil
}

func (a *AWS) validateNetwork(v *validator) {
	if a.VpcID != "" {
		if !vpcIDPattern.MatchString(a.VpcID) {
			v.bad("awsVpcId", a.VpcID, "give a VPC id such as vpc-0123456789abcdef0, or leave it empty to create a VPC")
		}
		awsSubnets(v, "awsPrivateSubnetIds", a.PrivateSubnetIDs)
		awsSubnets(v, "awsPublicSubnetIds", a.PublicSubnetIDs)
		return
	}
	if len(a.PrivateSubnetIDs) > 0 {
		v.bad("awsPrivateSubnetIds", a.PrivateSubnetIDs, "subnet ids are only used with an existing VPC: set awsVpcId too, or leave them empty")
	}
	if len(a.PublicSubnetIDs) > 0 {
		v.bad("awsPublicSubnetIds", a.PublicSubnetIDs, "subnet ids are only used with an existing VPC: set awsVpcId too, or leave them empty")
	}
	p, err := netip.ParsePrefix(a.VpcCIDR)
	switch {
	case err != nil || !p.Addr().Is4():
		v.bad("awsVpcCidr", a.VpcCIDR, "give an IPv4 CIDR block such as 10.0.0.0/16")
	case p.Masked() != p:
		v.bad("awsVpcCidr", a.VpcCIDR, "give the network address of the block (%s), not a host inside it", p.Masked())
	case p.Bits() < 16 || p.Bits() > 24:
		v.bad("awsVpcCidr", a.VpcCIDR, "give a prefix from /16 to /24 (AWS allows at most /16; smaller than /24 leaves no room for the subnets)")
	}
	if a.AZCount < 2 || a.AZCount > 6 {
		v.bad("awsAzCount", a.AZCount, "give 2 to 6 (EKS needs subnets in at least two availability zones)")
	} else if err == nil && p.Addr().Is4() && p.Masked() == p && p.Bits() >= 16 && p.Bits()+awsSubnetBits(a.AZCount+1)+awsSubnetBits(a.AZCount) > 28 {
		// The split of components/aws/network.SubnetPlan: azCount+1 blocks, the last cut
		// into azCount public subnets, none smaller than /28.
		v.bad("awsVpcCidr", a.VpcCIDR, "the block is too small for %d zones (public subnets would be smaller than /28): give a larger block or fewer zones", a.AZCount)
	}
}

// awsSubnetBits is the number of prefix bits that give at least n subnets.
func awsSubnetBits(n int) int { return bits.Len(uint(n - 1)) }

func awsSubnets(v *validator, key string, ids []string) {
	if len(ids) < 2 {
		v.bad(key, ids, "with awsVpcId, give at least two subnet ids in different availability zones")
		return
	}
	for _, id := range ids {
		if !subnetIDPattern.MatchString(id) {
			v.bad(key, ids, "%q is not a subnet id such as subnet-0123456789abcdef0", id)
			return
		}
	}
}

func (a *AWS) validateEKS(v *validator) {
	kubernetesVersion(v, "eksVersion", a.EKSVersion, eksMinMinor, eksMaxMinor)
	if !instanceTypePattern.MatchString(a.NodeInstanceType) {
		v.bad("eksNodeInstanceType", a.NodeInstanceType, "give an EC2 instance type such as m5.xlarge")
	}
	if a.NodeMin < 1 {
		// The node group runs the system pods (CoreDNS, the CNI, the load balancer controller,
		// cert-manager): none may be scaled away, or the cluster stops working.
		v.bad("eksNodeMin", a.NodeMin, "give at least 1: the node group runs the cluster's system pods (CoreDNS, cert-manager, the load balancer controller)")
	}
	if a.NodeDesired < 1 {
		v.bad("eksNodeDesired", a.NodeDesired, "give at least 1: the node group runs the cluster's system pods")
	}
	if a.NodeMax < 1 || a.NodeMax > 1000 {
		v.bad("eksNodeMax", a.NodeMax, "give 1 to 1000")
	}
	if a.NodeMin > a.NodeDesired {
		v.bad("eksNodeMin", a.NodeMin, "must not exceed eksNodeDesired (%d)", a.NodeDesired)
	}
	if a.NodeDesired > a.NodeMax {
		v.bad("eksNodeDesired", a.NodeDesired, "must not exceed eksNodeMax (%d)", a.NodeMax)
	}
	if a.NodeDiskGiB < 20 || a.NodeDiskGiB > 16384 {
		v.bad("eksNodeDiskGiB", a.NodeDiskGiB, "give 20 to 16384 GiB")
	}
	for _, k := range awsSortedKeys(a.NodeLabels) {
		if !labelKeyPattern.MatchString(k) || !labelValuePattern.MatchString(a.NodeLabels[k]) {
			v.bad("eksNodeLabels", fmt.Sprintf("%s=%s", k, a.NodeLabels[k]), "give Kubernetes label keys and values (at most 63 characters of letters, digits, '-', '_', '.')")
		}
	}
	if a.ClusterAutoscaler && !chartVersionPattern.MatchString(a.ClusterAutoscalerVersion) {
		v.bad("eksClusterAutoscalerVersion", a.ClusterAutoscalerVersion, "give a chart version such as 9.52.1")
	}
}

func (a *AWS) validateTelemetry(v *validator) {
	if !slices.Contains(logRetentionDays, a.LogRetentionDays) {
		v.bad("awsLogRetentionDays", a.LogRetentionDays, "give one of %s", awsJoinInts(logRetentionDays))
	}
	if !emfNamespacePattern.MatchString(a.EMFNamespace) || strings.HasPrefix(a.EMFNamespace, "AWS/") {
		v.bad("awsEmfNamespace", a.EMFNamespace, "give 1-255 letters, digits or . - _ / # : not starting with AWS/ (reserved), such as OTLP/Metrics")
	}
	if a.ArchiveIADays < 30 {
		v.bad("awsArchiveIaDays", a.ArchiveIADays, "give at least 30 (S3 moves objects to STANDARD_IA no earlier)")
	}
	if a.ArchiveGlacierIRDays < a.ArchiveIADays+30 {
		v.bad("awsArchiveGlacierIrDays", a.ArchiveGlacierIRDays, "give at least awsArchiveIaDays + 30 (%d): objects stay in STANDARD_IA 30 days before the next transition", a.ArchiveIADays+30)
	}
	if a.ArchiveExpireDays <= a.ArchiveGlacierIRDays {
		v.bad("awsArchiveExpireDays", a.ArchiveExpireDays, "must be greater than awsArchiveGlacierIrDays (%d)", a.ArchiveGlacierIRDays)
	}
}

func (a *AWS) validateECS(v *validator) {
	if !a.ECSCollector {
		return
	}
	mem, ok := fargateMemory[a.ECSCPU]
	if !ok {
		v.bad("ecsCpu", a.ECSCPU, "give a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192 or 16384")
	} else if a.ECSCPU == 256 && !slices.Contains([]int{512, 1024, 2048}, a.ECSMemoryMiB) {
		v.bad("ecsMemoryMiB", a.ECSMemoryMiB, "with ecsCpu 256, Fargate allows 512, 1024 or 2048 MiB")
	} else if a.ECSMemoryMiB < mem[0] || a.ECSMemoryMiB > mem[1] || (a.ECSMemoryMiB-mem[0])%mem[2] != 0 {
		v.bad("ecsMemoryMiB", a.ECSMemoryMiB, "with ecsCpu %d, Fargate allows %d to %d MiB in steps of %d", a.ECSCPU, mem[0], mem[1], mem[2])
	}
	if a.ECSDesiredCount < 2 || a.ECSDesiredCount > 100 {
		v.bad("ecsDesiredCount", a.ECSDesiredCount, "give 2 to 100 (two tasks at least, so one zone or one deployment never takes OTLP intake down)")
	}
}

func awsJoinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func awsSortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
