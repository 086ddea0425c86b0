package synth

import (
	"cmp"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Resource is one resource the program registered.
type Resource struct {
	Type   string `json:"type"`
	Name   string `json:"name"`
	Parent string `json:"parent"`
	// URN is the resource's identity in the stack's state: a change of it (type, name or
	// parent chain) without an alias to the old one replaces the resource.
	URN string `json:"urn"`
	// Aliases are the URNs the resource answers to besides its own (pulumi.Aliases).
	Aliases []string `json:"aliases,omitempty"`
	// Provider is the provider resource that manages it ("urn::id"); empty for components
	// and for resources of a default provider.
	Provider string         `json:"provider,omitempty"`
	Inputs   map[string]any `json:"inputs"`

	inputs resource.PropertyMap // raw, secrets kept, for extractors
	// DependsOn are the URNs of the resources it was registered to wait for (explicit
	// pulumi.DependsOn), for tests of creation order; not written out.
	DependsOn []string `json:"-"`
}

// RawInputs are the inputs as the engine saw them (secrets still wrapped).
func (r Resource) RawInputs() resource.PropertyMap { return r.inputs }

// recorder is the mock engine: it records every registration and answers with inputs plus
// the registered fakes.
type recorder struct {
	project, stack string
	fakes          Fakes
	mu             sync.Mutex
	resources      []Resource
	calls          []string
}

// urn is the URN the engine gives a resource, as the mock monitor computes it: children of
// the stack itself carry no parent type.
func (r *recorder) urn(parentURN, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parentURN); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(r.stack), tokens.PackageName(r.project), parentType, tokens.Type(typ), name))
}

// aliasURNs resolves a registration's aliases to URNs: an alias spec's empty fields take the
// resource's own name, type and parent.
func (r *recorder) aliasURNs(rpc *pulumirpc.RegisterResourceRequest, parentURN, typ, name string) []string {
	var out []string
	for _, a := range rpc.GetAliases() {
		if u := a.GetUrn(); u != "" {
			out = append(out, u)
			continue
		}
		spec := a.GetSpec()
		if spec == nil {
			continue
		}
		p := parentURN
		if spec.GetNoParent() {
			p = ""
		} else if u := spec.GetParentUrn(); u != "" {
			p = u
		}
		out = append(out, r.urn(p, cmp.Or(spec.GetType(), typ), cmp.Or(spec.GetName(), name)))
	}
	return out
}

var _ pulumi.MockResourceMonitor = (*recorder)(nil)

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	parent, parentURN := "", ""
	var aliases, deps []string
	if rpc := args.RegisterRPC; rpc != nil {
		deps = rpc.GetDependencies()
		if parentURN = rpc.GetParent(); parentURN != "" {
			parent = parentURN[strings.LastIndex(parentURN, "::")+2:]
		}
		aliases = r.aliasURNs(rpc, parentURN, args.TypeToken, args.Name)
	}
	res := Resource{Type: args.TypeToken, Name: args.Name, Parent: parent, URN: r.urn(parentURN, args.TypeToken, args.Name),
		Aliases: aliases, Provider: args.Provider, Inputs: plainMap(args.Inputs), inputs: args.Inputs, DependsOn: deps}
	r.mu.Lock()
	r.resources = append(r.resources, res)
	r.mu.Unlock()

	state := args.Inputs.Copy()
	for _, f := range r.fakes.forType(args.TypeToken) {
		for k, v := range f(args.Name, args.Inputs) {
			state[k] = v
		}
	}
	id := args.ID
	if id == "" {
		id = args.Name + "-id"
		if v, ok := state["id"]; ok && v.IsString() {
			id = v.StringValue()
		}
	}
	return id, state, nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	r.mu.Lock()
	r.calls = append(r.calls, args.Token)
	r.mu.Unlock()
	f, ok := r.fakes.Calls[args.Token]
	if !ok {
		return nil, fmt.Errorf("synth: no offline answer for provider function %s; add one to the provider's Fakes (synth/fakes_*.go)", args.Token)
	}
	return f(args.Args), nil
}

// plainMap converts engine properties to plain JSON values, replacing every secret with
// the placeholder so nothing synth writes contains a secret.
func plainMap(m resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if pv, keep := plain(v); keep {
			out[string(k)] = pv
		}
	}
	return out
}

func plain(v resource.PropertyValue) (any, bool) {
	switch {
	case v.IsSecret():
		return redacted(v.SecretValue().Element), true
	case v.IsComputed(), v.IsOutput() && !v.OutputValue().Known:
		return "[unknown]", true
	case v.IsOutput():
		if v.OutputValue().Secret {
			return redacted(v.OutputValue().Element), true
		}
		return plain(v.OutputValue().Element)
	case v.IsNull():
		return nil, false
	case v.IsBool():
		return v.BoolValue(), true
	case v.IsNumber():
		n := v.NumberValue()
		if n == float64(int64(n)) {
			return int64(n), true
		}
		return n, true
	case v.IsString():
		return v.StringValue(), true
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, 0, len(arr))
		for _, e := range arr {
			if pe, keep := plain(e); keep {
				out = append(out, pe)
			} else {
				out = append(out, nil)
			}
		}
		return out, true
	case v.IsObject():
		return plainMap(v.ObjectValue()), true
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN), true
	case v.IsAsset(), v.IsArchive():
		return "[asset]", true
	}
	return fmt.Sprint(v.V), true
}

// redacted replaces a secret's values with the placeholder but keeps its shape: a secret
// map (a Secret's stringData) stays a map of keys to "[secret]", so rendered manifests are
// still valid objects.
func redacted(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return redacted(v.SecretValue().Element)
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = redacted(e)
		}
		return out
	case v.IsArray():
		out := make([]any, 0, len(v.ArrayValue()))
		for _, e := range v.ArrayValue() {
			out = append(out, redacted(e))
		}
		return out
	}
	return secretPlaceholder
}
