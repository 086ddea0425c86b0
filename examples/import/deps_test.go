package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestUsesOnlyTheComponents proves the example is a library user: it compiles otelfleet's
// components and nothing of its stacks or the cloud SDKs. (Internal packages the components
// use themselves are fine; the example cannot import one — the compiler refuses.)
func TestUsesOnlyTheComponents(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	for _, want := range []string{
		"github.com/otelfleet/otelfleet/components/collector",
		"github.com/otelfleet/otelfleet/components/kube",
	} {
		if !slices.Contains(deps, want) {
			t.Errorf("%s is not a dependency: the check below would prove nothing", want)
		}
	}
	forbidden := []string{
		"github.com/otelfleet/otelfleet/stacks",
		"github.com/pulumi/pulumi-aws/",
		"github.com/pulumi/pulumi-eks/",
		"github.com/pulumi/pulumi-azure-native-sdk/",
	}
	for _, dep := range deps {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("the example depends on %s", dep)
			}
		}
	}
}
