package kube

import (
	"github.com/otelfleet/otelfleet/synth"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// fillTLSSecrets puts the program's own values back into the kubernetes.io/tls Secrets
// (the fleet CA) that synth redacts, so the apiserver checks the PEM the stack would
// store, not a placeholder.
func fillTLSSecrets(res *synth.Result) {
	for _, r := range res.Find("kubernetes:core/v1:Secret") {
		if r.Inputs["type"] != "kubernetes.io/tls" {
			continue
		}
		raw, ok := r.RawInputs()["stringData"]
		if !ok {
			continue
		}
		plain := map[string]any{}
		for k, v := range unwrap(raw).ObjectValue() {
			plain[string(k)] = unwrap(v).StringValue()
		}
		r.Inputs["stringData"] = plain
	}
}

// unwrap removes the secret and known-output wrappers of a property value.
func unwrap(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput():
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}
