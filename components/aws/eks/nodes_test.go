package eks

import "testing"

func TestAMIType(t *testing.T) {
	for typ, want := range map[string]string{
		"m5.xlarge": AMIx86, "m7g.xlarge": AMIArm64, "c7gn.2xlarge": AMIArm64, "x2gd.large": AMIArm64,
		"t4g.medium": AMIArm64, "g5.xlarge": AMIx86, "m5dn.large": AMIx86, "m7i-flex.large": AMIx86, "r8g.4xlarge": AMIArm64,
	} {
		if got := AMIType(typ); got != want {
			t.Errorf("AMIType(%s) = %s; want %s", typ, got, want)
		}
	}
}

func TestAutoscalerOwnerTag(t *testing.T) {
	if got := AutoscalerOwnerTag("otel"); got != "k8s.io/cluster-autoscaler/otel" {
		t.Errorf("owner tag = %q", got)
	}
}
