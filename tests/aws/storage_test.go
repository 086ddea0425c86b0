package aws

import (
	"testing"

	"github.com/otelfleet/otelfleet/synth"
)

const (
	addonType      = "aws:eks/addon:Addon"
	statefulGW     = "statefulset-observability-otel-gateway.yaml"
	queueClassFile = "storageclass-otelfleet-gp3.yaml"
)

// TestStatefulSetGatewayGetsEBSVolumes: a StatefulSet gateway's queue PVCs need a volume
// provisioner, which an EKS cluster does not have by itself. The stack installs the EBS
// CSI add-on with its own IRSA role (the AWS-managed driver policy, nothing inline) and an
// encrypted gp3 StorageClass that the PVCs use, unless the operator names a class; a
// Deployment gateway gets neither.
func TestStatefulSetGatewayGetsEBSVolumes(t *testing.T) {
	for _, a := range prod(t).Find(addonType) {
		if a.Inputs["addonName"] == "aws-ebs-csi-driver" {
			t.Errorf("a Deployment gateway installs the EBS CSI add-on (%s)", a.Name)
		}
	}
	if _, ok := prod(t).Manifests[queueClassFile]; ok {
		t.Errorf("a Deployment gateway creates %s", queueClassFile)
	}

	r, err := render(t, map[string]string{"otelfleet:gatewayKind": "statefulset"})
	if err != nil {
		t.Fatal(err)
	}
	addon := one(t, r, addonType, "otel-ebs-csi").Inputs
	attachment := one(t, r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "otel-ebs-csi-managed-0").Inputs
	if addon["addonName"] != "aws-ebs-csi-driver" || addon["clusterName"] != "otel" {
		t.Errorf("add-on = %v on cluster %v", addon["addonName"], addon["clusterName"])
	}
	if want := "arn:aws:iam::" + synth.FakeAccountID + ":role/" + str(attachment["role"]); addon["serviceAccountRoleArn"] != want || attachment["role"] == nil {
		t.Errorf("add-on role = %v; want %s", addon["serviceAccountRoleArn"], want)
	}
	checkIRSATrust(t, r, "otel-ebs-csi", "system:serviceaccount:kube-system:ebs-csi-controller-sa")
	if got := str(attachment["policyArn"]); got != "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy" {
		t.Errorf("driver policy = %s", got)
	}
	for _, p := range r.Find("aws:iam/rolePolicy:RolePolicy") {
		if p.Name == "otel-ebs-csi" {
			t.Errorf("the driver's role has an inline policy too: %v", p.Inputs["policy"])
		}
	}

	sc, ok := r.Manifests[queueClassFile]
	if !ok {
		t.Fatalf("no %s among the manifests", queueClassFile)
	}
	for path, want := range map[string]any{"provisioner": "ebs.csi.aws.com", "volumeBindingMode": "WaitForFirstConsumer", "reclaimPolicy": "Delete"} {
		if got := get(sc, path); got != want {
			t.Errorf("StorageClass %s = %v; want %v", path, got, want)
		}
	}
	if get(sc, "parameters", "type") != "gp3" || get(sc, "parameters", "encrypted") != "true" {
		t.Errorf("StorageClass parameters = %v; want encrypted gp3", get(sc, "parameters"))
	}
	if got := get(r.Manifests[statefulGW], "spec", "volumeClaimTemplates", 0, "spec", "storageClassName"); got != "otelfleet-gp3" {
		t.Errorf("queue PVC storageClassName = %v; want otelfleet-gp3", got)
	}

	// A class the operator names is used as is; the driver is still installed (the class
	// may well be an EBS one).
	named, err := render(t, map[string]string{"otelfleet:gatewayKind": "statefulset", "otelfleet:gatewayStorageClass": "io2-fast"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := named.Manifests[queueClassFile]; ok {
		t.Errorf("%s created although gatewayStorageClass names a class", queueClassFile)
	}
	if got := get(named.Manifests[statefulGW], "spec", "volumeClaimTemplates", 0, "spec", "storageClassName"); got != "io2-fast" {
		t.Errorf("queue PVC storageClassName = %v; want io2-fast", got)
	}
	one(t, named, addonType, "otel-ebs-csi")
}
