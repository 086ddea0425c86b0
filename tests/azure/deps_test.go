package azure

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCompilesNoAWSSDK: the azure stack and these tests build without the AWS SDKs (the
// program's main registers both clouds; tests and tools that need one compile only it).
func TestCompilesNoAWSSDK(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-test", "./tests/azure/", "./stacks/azure/", "./components/azure/...")
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go list listed only %d packages; the check would prove nothing", len(deps))
	}
	azure := false
	for _, dep := range deps {
		if strings.Contains(dep, "pulumi-aws") || strings.Contains(dep, "pulumi-eks") {
			t.Errorf("the azure stack compiles %s", dep)
		}
		azure = azure || strings.HasPrefix(dep, "github.com/pulumi/pulumi-azure-native-sdk/containerservice/")
	}
	if !azure {
		t.Error("the dependency list lacks the azure-native SDK: the check is not looking at the azure stack")
	}
}
