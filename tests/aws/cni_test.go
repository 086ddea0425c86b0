package aws

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/synth"
)

// TestNetworkPoliciesAreEnforced: EKS accepts NetworkPolicies and enforces none unless the
// VPC CNI's network policy agent runs. The stack manages the CNI as an add-on with
// enableNetworkPolicy, acting through its own IRSA role (kube-system/aws-node) — the node
// role no longer carries the CNI policy — and the node group waits for it.
func TestNetworkPoliciesAreEnforced(t *testing.T) {
	r := prod(t)
	addon := one(t, r, addonType, "otel-vpc-cni").Inputs
	if addon["addonName"] != "vpc-cni" || addon["clusterName"] != "otel" {
		t.Fatalf("add-on %v on %v; want vpc-cni on the cluster", addon["addonName"], addon["clusterName"])
	}
	var config map[string]any
	if err := json.Unmarshal([]byte(str(addon["configurationValues"])), &config); err != nil || config["enableNetworkPolicy"] != "true" {
		t.Errorf("vpc-cni configuration %v (%v); want enableNetworkPolicy \"true\"", addon["configurationValues"], err)
	}
	attachment := one(t, r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "otel-vpc-cni-managed-0").Inputs
	if want := "arn:aws:iam::" + synth.FakeAccountID + ":role/" + str(attachment["role"]); addon["serviceAccountRoleArn"] != want {
		t.Errorf("vpc-cni role = %v; want its own IRSA role %s", addon["serviceAccountRoleArn"], want)
	}
	if got := str(attachment["policyArn"]); got != "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" {
		t.Errorf("vpc-cni policy = %s", got)
	}
	checkIRSATrust(t, r, "otel-vpc-cni", "system:serviceaccount:kube-system:aws-node")
	for _, a := range r.Find("aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
		if strings.HasPrefix(a.Name, "otel-node-") && strings.HasSuffix(str(a.Inputs["policyArn"]), "/AmazonEKS_CNI_Policy") {
			t.Errorf("the node role still carries the CNI policy (%s): any pod reaching the node's credentials could rewire the VPC", a.Name)
		}
	}
	ng := one(t, r, "aws:eks/nodeGroup:NodeGroup", "otel-workers")
	if !slices.Contains(ng.DependsOn, one(t, r, addonType, "otel-vpc-cni").URN) {
		t.Errorf("the node group does not wait for the CNI add-on (depends on %v)", ng.DependsOn)
	}
}
