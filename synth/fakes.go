package synth

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// fakeKubeconfig is what a managed cluster would hand out: a kubeconfig for an endpoint that
// does not exist. It is only ever wrapped as a secret and passed to the provider.
func fakeKubeconfig(cluster string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster: {server: "https://%[1]s.cluster.invalid"}
contexts:
- name: %[1]s
  context: {cluster: %[1]s, user: %[1]s}
current-context: %[1]s
users:
- name: %[1]s
  user: {token: offline-render}
`, cluster)
}

// Fake computes the outputs a cloud would add to a resource (ids, ARNs, endpoints,
// kubeconfigs) from its name and inputs. Only computed fields are faked: inputs pass
// through as outputs unchanged.
type Fake func(name string, inputs resource.PropertyMap) resource.PropertyMap

// CallFake answers a provider function call (an invoke such as getAvailabilityZones).
type CallFake func(args resource.PropertyMap) resource.PropertyMap

// Fakes are one provider's computed behaviour, as data: the fake of each resource type
// token (or of every token with a prefix, keyed "aws:*"), and the answer of each function.
// Each cloud declares its own beside its helpers (fakes_aws.go, fakes_azure.go,
// fakes_kubernetes.go); FakesFor composes a stack's.
type Fakes struct {
	Resources resourceFakes
	Calls     callFakes
}

type (
	resourceFakes map[string]Fake
	callFakes     map[string]CallFake
)

func (m resourceFakes) set(token string, f Fake) { m[token] = f }
func (m callFakes) set(token string, f CallFake) { m[token] = f }

func newFakes() Fakes { return Fakes{Resources: resourceFakes{}, Calls: callFakes{}} }

// with returns the union of f and others; a later one's fake of the same token wins.
func (f Fakes) with(others ...Fakes) Fakes {
	out := newFakes()
	for _, x := range append([]Fakes{f}, others...) {
		for k, v := range x.Resources {
			out.Resources[k] = v
		}
		for k, v := range x.Calls {
			out.Calls[k] = v
		}
	}
	return out
}

// forType are the fakes that apply to a type token: prefix fakes first, then the exact
// one, whose fields win.
func (f Fakes) forType(token string) []Fake {
	var out []Fake
	for p, fake := range f.Resources {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(token, prefix) {
			out = append(out, fake)
		}
	}
	if fake, ok := f.Resources[token]; ok {
		out = append(out, fake)
	}
	return out
}

// FakesFor are the fakes of a stack whose otelfleet:cloud is cloud: its cloud's, over the
// Kubernetes ones every stack shares.
func FakesFor(cloud string) Fakes {
	base := kubernetesFakes().with(stackReferenceFakes())
	switch cloud {
	case "aws":
		return base.with(awsFakes())
	case "azure":
		return base.with(azureFakes())
	default:
		return base
	}
}

// input is an input value unwrapped from secrets and known outputs; false when it is absent
// or not known yet.
func input(m resource.PropertyMap, key string) (resource.PropertyValue, bool) {
	v, ok := m[resource.PropertyKey(key)]
	for ok && (v.IsSecret() || v.IsOutput()) {
		if v.IsSecret() {
			v = v.SecretValue().Element
			continue
		}
		if !v.OutputValue().Known {
			return v, false
		}
		v = v.OutputValue().Element
	}
	return v, ok
}
