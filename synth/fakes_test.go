package synth

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestFakesFollowTheStacksCloud: a stack gets its cloud's fakes and no other's — an AWS
// resource has an ARN only on aws, a function without an offline answer fails naming where
// answers are declared.
func TestFakesFollowTheStacksCloud(t *testing.T) {
	lb := resource.PropertyMap{"spec": resource.NewProperty(resource.PropertyMap{"type": resource.NewProperty("LoadBalancer")})}
	for cloud, want := range map[string]string{"aws": "hostname", "azure": "hostname", "kubernetes": "hostname"} {
		fakes := FakesFor(cloud).forType(serviceType)
		if len(fakes) != 1 {
			t.Fatalf("%s: %d Service fakes", cloud, len(fakes))
		}
		status := fakes[0]("gw", lb)["status"].ObjectValue()["loadBalancer"].ObjectValue()["ingress"].ArrayValue()[0].ObjectValue()
		if _, ok := status[resource.PropertyKey(want)]; !ok {
			t.Errorf("%s: a plain LoadBalancer Service gets %v, want a %s", cloud, status, want)
		}
	}
	if n := len(FakesFor("aws").forType("aws:iam/role:Role")); n != 2 {
		t.Errorf("aws: an IAM role gets %d fakes, want the aws:* one and its own", n)
	}
	if n := len(FakesFor("azure").forType("aws:iam/role:Role")); n != 0 {
		t.Errorf("azure: an AWS role gets %d fakes", n)
	}
	sc := &StackConfig{Project: "p", Stack: "s", Values: map[string]string{}}
	_, err := Render(sc, func(ctx *pulumi.Context) error {
		var out map[string]any
		return ctx.Invoke("aws:index/getCallerIdentity:getCallerIdentity", nil, &out)
	})
	if err == nil || !strings.Contains(err.Error(), "synth/fakes_") {
		t.Errorf("an unanswered function: err = %v", err)
	}
}
