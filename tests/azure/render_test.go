// Package azure tests the azure stack under Pulumi mocks: it renders Pulumi.azure-prod.yaml
// (and variants of it) with synth.Render, compiling only the azure stack builder, and checks
// the inputs every resource would be created with.
package azure

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/azure"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/otelfleet/otelfleet/synth/synthtest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Resource types the stack creates.
const (
	resourceGroupType  = "azure-native:resources:ResourceGroup"
	workspaceType      = "azure-native:operationalinsights:Workspace"
	appInsightsType    = "azure-native:insights:Component"
	dcrType            = "azure-native:insights:DataCollectionRule"
	dcrAssociationType = "azure-native:insights:DataCollectionRuleAssociation"
	clusterType        = "azure-native:containerservice:ManagedCluster"
	identityType       = "azure-native:managedidentity:UserAssignedIdentity"
	federationType     = "azure-native:managedidentity:FederatedIdentityCredential"
	roleAssignmentType = "azure-native:authorization:RoleAssignment"
	vnetType           = "azure-native:network:VirtualNetwork"
	natType            = "azure-native:network:NatGateway"
	publicIPType       = "azure-native:network:PublicIPAddress"
	containerGroupType = "azure-native:containerinstance:ContainerGroup"
	k8sProviderType    = "pulumi:providers:kubernetes"
	azureProviderType  = "pulumi:providers:azure-native"
)

// Role definition GUIDs of the Azure built-in roles (the same everywhere).
const (
	monitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb"
	aksRBACClusterAdmin        = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
)

// builders compiles the azure stack only.
var builders = map[string]stacks.Builder{"azure": azure.Build}

var program = stacks.ProgramWith(synth.Trust(), builders)

// prod is Pulumi.azure-prod.yaml, rendered once for all tests that only read it.
func prod(t *testing.T) *synth.Result { return synthtest.Committed(t, "azure", program, "azure-prod") }

// variant renders azure-prod with some keys changed ("otelfleet:key" → raw value); secret
// lists keys whose values are secrets.
func variant(t *testing.T, values map[string]string, secret ...string) *synth.Result {
	t.Helper()
	res, err := renderVariant(t, values, secret...)
	if err != nil {
		t.Fatalf("render azure-prod with %v: %v", slices.Sorted(maps.Keys(values)), err)
	}
	return res
}

func renderVariant(t *testing.T, values map[string]string, secret ...string) (*synth.Result, error) {
	t.Helper()
	return synthtest.StackErr(t, program, "azure-prod", values, secret...)
}

// one returns the single resource of a type (and, if given, name).
func one(t *testing.T, res *synth.Result, typ string, name ...string) synth.Resource {
	t.Helper()
	var found []synth.Resource
	for _, r := range res.Find(typ) {
		if len(name) == 0 || r.Name == name[0] {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s %v; found %d", typ, name, len(found))
	}
	return found[0]
}

// at reads a plain (secrets replaced) input by path: "a.b.0.c".
func at(t *testing.T, r synth.Resource, path string) any {
	t.Helper()
	var v any = r.Inputs
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				t.Fatalf("%s %s: no %q in %s", r.Type, r.Name, part, path)
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i >= len(x) {
				t.Fatalf("%s %s: bad index %q in %s", r.Type, r.Name, part, path)
			}
			v = x[i]
		default:
			t.Fatalf("%s %s: %s: %q is not inside an object or list", r.Type, r.Name, path, part)
		}
	}
	return v
}

// raw reads a raw input by path, unwrapping secrets and outputs on the way; secret reports
// whether any wrapper on the way was a secret.
func raw(t *testing.T, r synth.Resource, path string) (v resource.PropertyValue, secret bool) {
	t.Helper()
	v = resource.NewProperty(r.RawInputs())
	for _, part := range strings.Split(path, ".") {
		v, secret = unwrapped(v, secret)
		switch {
		case v.IsObject():
			var ok bool
			if v, ok = v.ObjectValue()[resource.PropertyKey(part)]; !ok {
				t.Fatalf("%s %s: no %q in %s", r.Type, r.Name, part, path)
			}
		case v.IsArray():
			i, err := strconv.Atoi(part)
			if err != nil || i >= len(v.ArrayValue()) {
				t.Fatalf("%s %s: bad index %q in %s", r.Type, r.Name, part, path)
			}
			v = v.ArrayValue()[i]
		default:
			t.Fatalf("%s %s: %s: %q is not inside an object or list", r.Type, r.Name, path, part)
		}
	}
	return unwrapped(v, secret)
}

func unwrapped(v resource.PropertyValue, secret bool) (resource.PropertyValue, bool) {
	for {
		switch {
		case v.IsSecret():
			v, secret = v.SecretValue().Element, true
		case v.IsOutput():
			secret = secret || v.OutputValue().Secret
			v = v.OutputValue().Element
		default:
			return v, secret
		}
	}
}

// equal fails unless got equals want.
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v; want %v", what, got, want)
	}
}

// rgName is the name of the stack's resource group.
func rgName(t *testing.T, res *synth.Result) string {
	t.Helper()
	return one(t, res, resourceGroupType).Name
}
