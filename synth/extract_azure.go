package synth

import (
	"encoding/base64"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func init() {
	RegisterExtractor("azure-native:containerinstance:ContainerGroup", containerGroupConfigs)
}

// containerGroupConfigs reads the collector configs an ACI container group ships in secret
// volumes: each file is base64 and the whole volume is a Pulumi secret, so the raw inputs
// are read (under the mock engine they keep the value inside the secret wrapper). The
// configs hold no secret themselves: secrets reach the collector as secure environment
// variables it reads with ${env:...}.
func containerGroupConfigs(r Resource) []CollectorConfig {
	var out []CollectorConfig
	volumes := unwrapProperty(r.RawInputs()["volumes"])
	if !volumes.IsArray() {
		return nil
	}
	for _, vol := range volumes.ArrayValue() {
		if !unwrapProperty(vol).IsObject() {
			continue
		}
		files := unwrapProperty(unwrapProperty(vol).ObjectValue()["secret"])
		if !files.IsObject() {
			continue
		}
		m := files.ObjectValue()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, string(k))
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := unwrapProperty(m[resource.PropertyKey(k)])
			if !v.IsString() || !strings.HasSuffix(k, ".yaml") {
				continue
			}
			text, err := base64.StdEncoding.DecodeString(v.StringValue())
			if err != nil || !strings.Contains(string(text), "service:") {
				continue
			}
			name := r.Name
			if len(keys) > 1 {
				name += "-" + strings.TrimSuffix(k, ".yaml")
			}
			out = append(out, CollectorConfig{Name: name, YAML: string(text)})
		}
	}
	return out
}

// unwrapProperty removes secret and (known) output wrappers from a property value.
func unwrapProperty(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput() && v.OutputValue().Known:
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}
