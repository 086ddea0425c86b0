// Package layering checks which cloud SDKs each layer compiles: the collector-config and
// Kubernetes layers none (so their tests stay fast), the azure stack no AWS SDK and the aws
// stack no Azure SDK.
package layering

import (
	"os/exec"
	"strings"
	"testing"
)

const (
	awsSDK   = "github.com/pulumi/pulumi-aws/"
	eksSDK   = "github.com/pulumi/pulumi-eks/"
	azureSDK = "github.com/pulumi/pulumi-azure-native-sdk/"
)

func TestLayersCompileOnlyTheirCloud(t *testing.T) {
	cases := []struct {
		pkg       string
		forbidden []string
	}{
		{"components/collector", []string{awsSDK, eksSDK, azureSDK, "github.com/pulumi/pulumi-kubernetes/"}},
		{"components/fleet", []string{awsSDK, eksSDK, azureSDK, "github.com/pulumi/"}},
		{"components/kube", []string{awsSDK, eksSDK, azureSDK}},
		{"stacks/config", []string{awsSDK, eksSDK, azureSDK, "github.com/pulumi/"}},
		{"stacks/plan", []string{awsSDK, eksSDK, azureSDK, "github.com/pulumi/"}},
		{"stacks/common", []string{awsSDK, eksSDK, azureSDK}},
		{"synth", []string{awsSDK, eksSDK, azureSDK, "github.com/pulumi/pulumi-kubernetes/"}},
		{"internal/enginetest", []string{awsSDK, eksSDK, azureSDK, "github.com/pulumi/pulumi-kubernetes/"}},
		{"tests/engine", []string{awsSDK, eksSDK, azureSDK}},
		{"stacks/azure", []string{awsSDK, eksSDK}},
		{"tests/azure", []string{awsSDK, eksSDK}},
		{"stacks/aws", []string{azureSDK}},
		{"tests/aws", []string{azureSDK}},
	}
	for _, c := range cases {
		t.Run(c.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-test", "-deps", "github.com/otelfleet/otelfleet/"+c.pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range c.forbidden {
					if strings.HasPrefix(dep, f) {
						t.Errorf("%s compiles %s", c.pkg, dep)
					}
				}
			}
		})
	}
}
