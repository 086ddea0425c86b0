package loopback

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// collectorConfigAnnotation marks the ConfigMaps that hold a collector config (the value
// is the tier); synth names the config file "<namespace>-<tier>.yaml".
const collectorConfigAnnotation = "otelfleet.io/collector-config"

// Workload is the Kubernetes container that runs one rendered collector config.
type Workload struct {
	File      string // key in synth.Result.Collector
	Role      Role
	Kind      string // DaemonSet, Deployment, StatefulSet
	Namespace string
	Name      string
	Container string
	// Env is the container's environment as the kubelet would set it, with plausible
	// dummies for values only a cluster knows (fieldRef, secretKeyRef, configMapKeyRef).
	Env []string
	// TLSNames are the DNS names of the cert-manager Certificate behind the TLS secret the
	// container mounts (empty without one).
	TLSNames []string
	// Labels of the workload.
	Labels map[string]string
}

// Workloads maps every collector config of a render (ConfigMaps annotated
// otelfleet.io/collector-config) to the container that mounts it, from the manifests keyed
// by file name as synth.Result.Manifests holds them. A config no workload mounts is an
// error: nothing would run it.
func Workloads(manifests map[string]map[string]any) ([]Workload, error) {
	var out []Workload
	for _, cm := range sortedManifests(manifests) {
		if cm["kind"] != "ConfigMap" {
			continue
		}
		meta := asMap(cm["metadata"])
		tier, ok := asMap(meta["annotations"])[collectorConfigAnnotation].(string)
		if !ok {
			continue
		}
		ns, _ := meta["namespace"].(string)
		cmName, _ := meta["name"].(string)
		file := tier + ".yaml"
		if ns != "" {
			file = ns + "-" + tier + ".yaml"
		}
		found := false
		for _, w := range sortedManifests(manifests) {
			wl, ok, err := mounting(manifests, w, ns, cmName)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			if ok {
				wl.File = file
				out = append(out, wl)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("collector config %s (ConfigMap %s/%s) is mounted by no workload", file, ns, cmName)
		}
	}
	return out, nil
}

func sortedManifests(manifests map[string]map[string]any) []map[string]any {
	keys := make([]string, 0, len(manifests))
	for k := range manifests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]map[string]any, len(keys))
	for i, k := range keys {
		out[i] = manifests[k]
	}
	return out
}

// mounting returns the workload built from w when its pod template mounts ConfigMap
// cmName (in namespace ns).
func mounting(manifests map[string]map[string]any, w map[string]any, ns, cmName string) (Workload, bool, error) {
	kind, _ := w["kind"].(string)
	if kind != "DaemonSet" && kind != "Deployment" && kind != "StatefulSet" {
		return Workload{}, false, nil
	}
	meta := asMap(w["metadata"])
	if wns, _ := meta["namespace"].(string); wns != ns {
		return Workload{}, false, nil
	}
	pod := asMap(asMap(asMap(w["spec"])["template"])["spec"])
	volume := ""
	for _, v := range list(pod["volumes"]) {
		if name, _ := asMap(asMap(v)["configMap"])["name"].(string); name == cmName {
			volume, _ = asMap(v)["name"].(string)
		}
	}
	if volume == "" {
		return Workload{}, false, nil
	}
	name, _ := meta["name"].(string)
	labels := map[string]string{}
	for k, v := range asMap(meta["labels"]) {
		labels[k], _ = v.(string)
	}
	var containers []map[string]any
	for _, key := range []string{"initContainers", "containers"} {
		for _, c := range list(pod[key]) {
			containers = append(containers, asMap(c))
		}
	}
	for _, c := range containers {
		if !mounts(c, volume) {
			continue
		}
		cname, _ := c["name"].(string)
		wl := Workload{Kind: kind, Namespace: ns, Name: name, Container: cname, Labels: labels, Role: Agent}
		switch labels["app.kubernetes.io/component"] {
		case "gateway":
			wl.Role = Gateway
		case "cluster":
			wl.Role = Cluster
		}
		env, err := containerEnv(c, ns, name)
		if err != nil {
			return Workload{}, false, fmt.Errorf("%s %s/%s container %s: %w", kind, ns, name, cname, err)
		}
		wl.Env = env
		wl.TLSNames = tlsNames(manifests, pod, c, ns)
		return wl, true, nil
	}
	return Workload{}, false, fmt.Errorf("%s %s/%s has volume %s of ConfigMap %s but no container mounts it", kind, ns, name, volume, cmName)
}

func mounts(c map[string]any, volume string) bool {
	for _, m := range list(c["volumeMounts"]) {
		if n, _ := asMap(m)["name"].(string); n == volume {
			return true
		}
	}
	return false
}

// Dummy values of the pod fields the collector containers read through fieldRef.
const (
	DummyNodeName = "node-1"
	DummyPodIP    = "10.0.0.10"
	DummyHostIP   = "10.0.0.1"
	DummyPodUID   = "00000000-0000-4000-8000-000000000001"
)

func containerEnv(c map[string]any, ns, workload string) ([]string, error) {
	var env []string
	for _, e := range list(c["env"]) {
		m := asMap(e)
		name, _ := m["name"].(string)
		if v, ok := m["value"].(string); ok {
			env = append(env, name+"="+v)
			continue
		}
		from := asMap(m["valueFrom"])
		var value string
		switch {
		case from["fieldRef"] != nil:
			path, _ := asMap(from["fieldRef"])["fieldPath"].(string)
			switch path {
			case "metadata.name":
				value = workload + "-0"
			case "metadata.namespace":
				value = ns
			case "metadata.uid":
				value = DummyPodUID
			case "spec.nodeName":
				value = DummyNodeName
			case "spec.serviceAccountName":
				value = workload
			case "status.podIP":
				value = DummyPodIP
			case "status.hostIP":
				value = DummyHostIP
			default:
				return nil, fmt.Errorf("env %s: no dummy for fieldRef %q", name, path)
			}
		case from["secretKeyRef"] != nil, from["configMapKeyRef"] != nil:
			value = DummyValue(name)
		case from["resourceFieldRef"] != nil:
			value = "1"
		default:
			return nil, fmt.Errorf("env %s has neither value nor a known valueFrom", name)
		}
		env = append(env, name+"="+value)
	}
	return env, nil
}

// DummyValue is a plausible stand-in for an environment variable only a deployment knows
// (a secret, a bucket name), chosen from its name.
func DummyValue(name string) string {
	switch {
	case strings.Contains(name, "CONNECTION_STRING"):
		return "InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=https://127.0.0.1:9/"
	case strings.HasSuffix(name, "_BUCKET"):
		return "otelfleet-test-bucket"
	case strings.HasSuffix(name, "_REGION"):
		return "us-east-1"
	case strings.HasSuffix(name, "_IP"):
		return DummyPodIP
	}
	return "otelfleet-test-" + strings.ToLower(strings.ReplaceAll(name, "_", "-"))
}

// envRef matches ${env:NAME} and ${env:NAME:-default} (and the bare ${NAME} form).
var envRef = regexp.MustCompile(`\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}`)

// EnvRefs returns the environment variables a config references, split into those without
// a default (required) and those with one, each sorted and unique.
func EnvRefs(config string) (required, defaulted []string) {
	req, def := map[string]bool{}, map[string]bool{}
	for _, m := range envRef.FindAllStringSubmatch(config, -1) {
		if m[2] == "" {
			req[m[1]] = true
		} else {
			def[m[1]] = true
		}
	}
	return sortedKeys(req), sortedKeys(def)
}

// ConfigEnv is the dummy environment for a config that runs outside Kubernetes (ECS, ACI):
// DummyValue for each variable it references without a default.
func ConfigEnv(config string) []string {
	required, _ := EnvRefs(config)
	env := make([]string, len(required))
	for i, n := range required {
		env[i] = n + "=" + DummyValue(n)
	}
	return env
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// tlsNames finds the secret volumes container c mounts and returns the dnsNames of the
// cert-manager Certificate that writes one of them.
func tlsNames(manifests map[string]map[string]any, pod, c map[string]any, ns string) []string {
	secretOf := map[string]string{}
	for _, v := range list(pod["volumes"]) {
		if s, ok := asMap(asMap(v)["secret"])["secretName"].(string); ok {
			n, _ := asMap(v)["name"].(string)
			secretOf[n] = s
		}
	}
	for _, m := range list(c["volumeMounts"]) {
		vol, _ := asMap(m)["name"].(string)
		secret, ok := secretOf[vol]
		if !ok {
			continue
		}
		for _, cert := range sortedManifests(manifests) {
			if cert["kind"] != "Certificate" {
				continue
			}
			spec := asMap(cert["spec"])
			certNS, _ := asMap(cert["metadata"])["namespace"].(string)
			if certNS != ns || spec["secretName"] != secret {
				continue
			}
			var names []string
			for _, n := range list(spec["dnsNames"]) {
				if s, ok := n.(string); ok {
					names = append(names, s)
				}
			}
			return names
		}
	}
	return nil
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
