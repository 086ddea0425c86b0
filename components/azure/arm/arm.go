// Package arm registers azure-native resources through the core Pulumi SDK, for resource
// types whose generated SDK module this project does not use: containerinstance is not
// served by the module proxy at any version, and network is not among the pinned modules.
// The azure-native provider plugin knows these types; only the Go wrappers are missing.
//
// A caller declares a small typed args struct in the flattened shape the azure-native
// provider takes (fields tagged `pulumi:"..."`, Input-typed where a value comes from
// another resource or is secret) with an ElementType method returning its own type, and an
// outputs struct embedding pulumi.CustomResourceState with the outputs it reads.
package arm

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/v2/utilities"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Args is a typed args struct of one azure-native resource type.
type Args interface {
	pulumi.Input
}

// Register registers an azure-native resource of type token (e.g.
// "azure-native:containerinstance:ContainerGroup"). It pins the provider version of the
// core azure-native SDK in go.mod, exactly as the generated resources do, so the resource is
// served by the same plugin as the rest of the stack when no explicit provider is given.
func Register(ctx *pulumi.Context, token, name string, args Args, res pulumi.CustomResource, opts ...pulumi.ResourceOption) error {
	if !strings.HasPrefix(token, "azure-native:") {
		return fmt.Errorf("arm: %q is not an azure-native type token", token)
	}
	if t := reflect.TypeOf(args); t == nil || (t.Kind() != reflect.Struct && !(t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct)) {
		return fmt.Errorf("arm: %s %s: args must be a struct with pulumi tags, got %T", token, name, args)
	}
	return ctx.RegisterResource(token, name, args, res, utilities.PkgResourceDefaultOpts(opts)...)
}

// SubResource references another ARM resource by id.
type SubResource struct {
	ID pulumi.StringInput `pulumi:"id"`
}
