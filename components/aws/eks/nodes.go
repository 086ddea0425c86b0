package eks

import (
	"regexp"
	"strings"
)

// Autoscaler discovery tags: the cluster autoscaler's auto-discovery finds node groups
// whose Auto Scaling group carries both (EKS copies them from a managed node group).
const (
	AutoscalerEnabledTag = "k8s.io/cluster-autoscaler/enabled"
	autoscalerOwnerTag   = "k8s.io/cluster-autoscaler/"
)

// AutoscalerOwnerTag is the per-cluster discovery tag key.
func AutoscalerOwnerTag(cluster string) string { return autoscalerOwnerTag + cluster }

// Managed node group AMI types (Amazon Linux 2023, the EKS-optimized default).
const (
	AMIx86   = "AL2023_x86_64_STANDARD"
	AMIArm64 = "AL2023_ARM_64_STANDARD"
)

// instanceFamily splits "m7gd.2xlarge" into prefix "m", generation "7", attributes "gd".
var instanceFamily = regexp.MustCompile(`^([a-z]+)(\d+)([a-z-]*)\.`)

// AMIType picks the AMI architecture from the instance type: Graviton families carry a
// "g" in the attributes after the generation (m7g, c7gn, r8g, x2gd, t4g), while a "g" as
// the family prefix (g5, g6) is an x86 GPU type.
func AMIType(instanceType string) string {
	m := instanceFamily.FindStringSubmatch(instanceType)
	if m != nil && strings.Contains(m[3], "g") {
		return AMIArm64
	}
	return AMIx86
}
