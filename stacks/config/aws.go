package config

// AWS is the configuration of the aws stack (VPC, EKS, IRSA, S3 archive, ECS, Lambda).
type AWS struct {
	Region string `key:"awsRegion" desc:"AWS region of the stack."`
	VpcID  string `key:"awsVpcId" desc:"Use an existing VPC by id instead of creating one (then awsPrivateSubnetIds and awsPublicSubnetIds are required)."`

	VpcCIDR string `key:"awsVpcCidr" desc:"CIDR block of the VPC otelfleet creates."`
	AZCount int    `key:"awsAzCount" desc:"Availability zones the VPC spans (one public and one private subnet each)."`

	EKSVersion               string            `key:"eksVersion" desc:"Kubernetes version of the EKS cluster (a version in EKS standard support)."`
	NodeInstanceType         string            `key:"eksNodeInstanceType" desc:"Instance type of the managed node group."`
	NodeDesired              int               `key:"eksNodeDesired" desc:"Desired size of the managed node group."`
	NodeMin                  int               `key:"eksNodeMin" desc:"Minimum size of the managed node group."`
	NodeMax                  int               `key:"eksNodeMax" desc:"Maximum size of the managed node group (the cluster autoscaler scales up to it)."`
	NodeDiskGiB              int               `key:"eksNodeDiskGiB" desc:"Root volume size of each node, in GiB."`
	NodeLabels               map[string]string `key:"eksNodeLabels" desc:"Kubernetes labels on the managed nodes."`
	ClusterAutoscaler        bool              `key:"eksClusterAutoscaler" desc:"Deploy the cluster autoscaler (with its own IRSA role) so the node group scales between min and max."`
	ClusterAutoscalerVersion string            `key:"eksClusterAutoscalerVersion" desc:"cluster-autoscaler Helm chart version."`
}

// Validate checks the aws keys; it is called by Stack.Validate when cloud is aws.
func (a *AWS) validate(v *validator) {}
