package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestUsesOnlyTheComponents proves the example is a library user: the program compiles
// otelfleet's components and nothing of its stacks or the cloud SDKs, and its tests add no
// cloud SDK either. (The tests' mock renderer, synth, reads stacks/config, so stacks are
// checked in the program's build only. Internal packages the components use themselves are
// fine; the example cannot import one — the compiler refuses.)
func TestUsesOnlyTheComponents(t *testing.T) {
	program := deps(t, ".")
	for _, want := range []string{
		"github.com/otelfleet/otelfleet/components/collector",
		"github.com/otelfleet/otelfleet/components/kube",
	} {
		if !slices.Contains(program, want) {
			t.Errorf("%s is not a dependency: the checks below would prove nothing", want)
		}
	}
	clouds := []string{
		"github.com/pulumi/pulumi-aws/",
		"github.com/pulumi/pulumi-eks/",
		"github.com/pulumi/pulumi-azure-native-sdk/",
	}
	forbid(t, "the program", program, append(clouds, "github.com/otelfleet/otelfleet/stacks"))
	forbid(t, "the tests", deps(t, "-test", "."), clouds)
}

func deps(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-deps"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

func forbid(t *testing.T, what string, deps, prefixes []string) {
	t.Helper()
	for _, dep := range deps {
		for _, f := range prefixes {
			if strings.HasPrefix(dep, f) {
				t.Errorf("%s depends on %s", what, dep)
			}
		}
	}
}
