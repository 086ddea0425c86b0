package engine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"

	"github.com/otelfleet/otelfleet/internal/kubetest"
	"github.com/otelfleet/otelfleet/internal/quantity"
	"github.com/otelfleet/otelfleet/stacks/config"
)

// object is a Kubernetes object as plain JSON values.
type object = map[string]any

// ident returns an object's apiVersion, kind, namespace and name.
func ident(o object) (apiVersion, kind, namespace, name string) {
	meta, _ := o["metadata"].(map[string]any)
	apiVersion, _ = o["apiVersion"].(string)
	kind, _ = o["kind"].(string)
	namespace, _ = meta["namespace"].(string)
	name, _ = meta["name"].(string)
	return
}

// live reads the object the manifest describes from the apiserver.
func live(ctx context.Context, c *kubetest.Cluster, manifest object) (object, error) {
	apiVersion, kind, ns, name := ident(manifest)
	body, err := c.Get(ctx, apiVersion, kind, ns, name)
	if err != nil {
		return nil, err
	}
	var o object
	return o, json.Unmarshal(body, &o)
}

// mismatches lists where the live object differs from the rendered manifest: every field
// synth rendered must be in the live object with the same value. The apiserver may add
// defaults, status and metadata; it writes quantities canonically ("1000m" is "1"), leaves
// out fields that hold their zero value, and turns a Secret's stringData into base64 data.
// Values synth redacts match any value.
func mismatches(rendered, live object) []string {
	want := normalize(rendered)
	if kind, _ := want["kind"].(string); kind == "Secret" {
		want = secretData(want)
	}
	var out []string
	compare("", want, normalize(live), &out)
	sort.Strings(out)
	return out
}

func compare(path string, want, got any, out *[]string) {
	if want == config.SecretPlaceholder {
		if got == nil {
			*out = append(*out, path+": missing (a redacted value)")
		}
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: rendered an object, live has %T", path, got))
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok && isZero(wv) {
				continue // the apiserver omits false, 0 and "" (omitempty): the same value
			}
			if !ok {
				*out = append(*out, fmt.Sprintf("%s.%s: rendered %v, live has no such field", path, k, short(wv)))
				continue
			}
			compare(path+"."+k, wv, gv, out)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			*out = append(*out, fmt.Sprintf("%s: rendered %d items, live has %v", path, len(w), short(got)))
			return
		}
		for i := range w {
			compare(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], out)
		}
	case string:
		if g, ok := got.(string); ok && (g == w || sameQuantity(w, g)) {
			return
		}
		*out = append(*out, fmt.Sprintf("%s: rendered %q, live %v", path, w, short(got)))
	default:
		if !reflect.DeepEqual(want, got) {
			*out = append(*out, fmt.Sprintf("%s: rendered %v, live %v", path, short(want), short(got)))
		}
	}
}

func isZero(v any) bool { return v == false || v == float64(0) || v == "" }

func sameQuantity(a, b string) bool {
	x, errA := quantity.Parse(a)
	y, errB := quantity.Parse(b)
	return errA == nil && errB == nil && x == y
}

// normalize round-trips a value through JSON, so rendered int64s and live float64s compare.
func normalize(o object) object {
	b, err := json.Marshal(o)
	if err != nil {
		panic(err)
	}
	var out object
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// secretData moves a rendered Secret's stringData into data, base64-encoded as the
// apiserver stores it.
func secretData(o object) object {
	sd, ok := o["stringData"].(map[string]any)
	if !ok {
		return o
	}
	data, _ := o["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range sd {
		if s, ok := v.(string); ok && s != config.SecretPlaceholder {
			data[k] = base64.StdEncoding.EncodeToString([]byte(s))
		} else {
			data[k] = v
		}
	}
	delete(o, "stringData")
	o["data"] = data
	return o
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 120 {
		return string(b[:120]) + "…"
	}
	return string(b)
}
