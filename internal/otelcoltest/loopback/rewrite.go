// Package loopback runs otelfleet's generated collector configurations on one machine:
// it rewrites a rendered config with one documented, minimal transform (Rewrite), derives
// the environment its workload would give it from the rendered manifests (Workloads),
// issues test certificates in the cert-manager secret layout (CA), reads a file-exporter
// sink (ReadSink) and scrapes a collector's own metrics (Scrape).
//
// The end-to-end tests in tests/collector and bench/dataplane.sh both use it, so the
// benchmark measures exactly the configs the tests prove.
package loopback

import (
	"fmt"
	"net"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// Role is what a collector config does in the fleet.
type Role string

const (
	// Agent configs (DaemonSet or sidecar) receive from applications and export to the gateway.
	Agent Role = "agent"
	// Gateway configs receive from agents and export to the cloud backends.
	Gateway Role = "gateway"
	// Cluster is the cluster collector: it reads the Kubernetes API and exports to the
	// gateway as agents do (rewritten like an agent).
	Cluster Role = "cluster"
)

// Ports are the loopback ports one collector listens on (every one must be set).
type Ports struct {
	OTLPGRPC, OTLPHTTP, Health, Metrics, Pprof, ZPages int
}

// Sink is where a gateway's exports go instead of its cloud backends: exactly one of File
// (a `file` exporter writing OTLP JSON lines) or OTLPEndpoint (an `otlp_grpc` exporter,
// plaintext, to a downstream collector the test controls).
type Sink struct {
	File         string
	OTLPEndpoint string
}

// Options says how to rewrite one config.
type Options struct {
	Role  Role
	Ports Ports
	// GatewayEndpoint (agents) is host:port of the test gateway's OTLP gRPC receiver.
	GatewayEndpoint string
	// Sink (gateways) replaces every exporter.
	Sink Sink
	// Upstream (gateways, instead of Sink) is host:port of another test gateway: the
	// config's upstream exporters (IDs ending in /upstream) are kept, TLS and all, and sent
	// there; every other exporter (a cloud backend) is removed.
	Upstream string
	// StandIn (gateways, instead of Sink and Upstream) is the URL of cloud stand-ins
	// (package standin): the cloud exporters stay, as rendered, and only their endpoint
	// moves there — awsxray, awsemf and awscloudwatchlogs `endpoint`; awss3
	// s3uploader.endpoint with s3_force_path_style and disable_ssl; azure_monitor is left
	// as it is (its endpoint comes from the connection string in the environment).
	StandIn string
	// TLSDir holds the test certificates in the cert-manager secret layout (ca.crt,
	// tls.crt, tls.key); every TLS file path of the config is pointed into it.
	TLSDir string
	// StorageDir replaces every file_storage extension's directory.
	StorageDir string
	// Kubeconfig, when set, keeps the components that read the Kubernetes API (the
	// prometheus receiver's pod discovery, k8s_cluster, k8sobjects) and points them at that kubeconfig's
	// API server; empty drops them. kubelet_stats is always dropped (no kubelet here).
	Kubeconfig string
	// HostRoot replaces host_metrics' root_path (the node's / mounted at /hostfs in the
	// pod); empty means this machine's /.
	HostRoot string
	// SelfMetrics, when set, keeps the own-metrics pipeline (see SelfMetrics); nil removes
	// it with its receiver, exporter and periodic reader.
	SelfMetrics *SelfMetrics
	// LogDir (agents), when set, keeps the file_log receiver and points it at LogDir
	// instead of /var/log/pods (the same <namespace>_<pod>_<uid>/<container>/N.log layout);
	// empty drops it.
	LogDir string
}

// Names of the components Rewrite adds.
const (
	FileSinkID = "file/sink"
	OTLPSinkID = "otlp_grpc/sink"
)

// Rewrite returns a generated collector config rewritten to run on loopback. It changes
// exactly these things and nothing else (every processor setting, batch size, queue,
// retry, compression, TLS requirement, resource attribute and pipeline order stays):
//
//  1. Listen addresses → 127.0.0.1:<o.Ports>: the OTLP receivers' grpc/http endpoints
//     (0.0.0.0:4317/4318), health_check (0.0.0.0:13133), the telemetry Prometheus reader
//     (host 0.0.0.0, port 8888) and, because several collectors share one network
//     namespace here, pprof and zpages (127.0.0.1:1777/55679).
//  2. Agents: the gateway endpoint → o.GatewayEndpoint: the `endpoint` of otlp_grpc
//     exporters and the dns resolver `hostname`/`port` of load_balancing exporters (their
//     TLS settings, including server_name_override, stay).
//  3. Gateways: the queue hops in front of exporters without a sending queue
//     (collector.PortQueueHops) get free loopback ports; with a sink or Upstream they
//     are removed with the backends they lead to. Every exporter → one sink exporter in every pipeline: FileSinkID (`file`,
//     path o.Sink.File) or OTLPSinkID (`otlp_grpc` to o.Sink.OTLPEndpoint, plaintext)
//     which keeps the replaced exporters' queue policy — sending_queue (with its storage),
//     retry_on_failure and timeout — so persistence and retries are the generated ones.
//     With o.Upstream instead: only the `*/upstream` exporters stay, their endpoint →
//     o.Upstream (TLS unchanged); the cloud exporters leave the config, and a pipeline
//     that forwards nothing upstream (a signal kept in the region) is removed. With
//     o.StandIn instead: every exporter stays and only its endpoint moves to the stand-in.
//  4. TLS files (ca_file, cert_file, key_file, client_ca_file) → the same file name in
//     o.TLSDir; mTLS stays on exactly where the config has it.
//  5. The k8s_attributes processor is dropped (it needs a Kubernetes API server) and the
//     file_log receiver is dropped (it tails the node's pod logs), with its checkpoint
//     storage extension, unless o.LogDir is set, which points it there instead;
//     kubelet_stats is dropped (no kubelet), journald too (the machine's journal); the prometheus receiver, k8s_cluster and
//     k8sobjects are dropped, or with o.Kubeconfig pointed at that API server (kubeconfig_file, auth_type
//     kubeConfig); host_metrics' root_path → o.HostRoot (default /); dropped
//     components leave their pipelines.
//  6. file_storage extensions' directory → o.StorageDir.
//  7. The own-metrics pipeline (metrics/self: its loopback receiver otlp/self, its
//     exporter, the periodic reader pushing to it) is removed, or with o.SelfMetrics kept
//     with its port → o.SelfMetrics.Port, the reader's interval → o.SelfMetrics.IntervalMs
//     and its awsemf exporter's output_destination → stdout (namespace, declarations,
//     dimensions and resource conversion stay).
func Rewrite(config string, o Options) (string, error) {
	var c map[string]any
	if err := yaml.Unmarshal([]byte(config), &c); err != nil {
		return "", fmt.Errorf("parse config: %w", err)
	}
	if err := o.check(); err != nil {
		return "", err
	}
	self := detachSelfMetrics(c)
	steps := []func(map[string]any, Options) error{
		rewriteListeners, rewriteExporters, rewriteTLSFiles, dropNodeOnlyComponents, rewriteStorage,
	}
	for _, step := range steps {
		if err := step(c, o); err != nil {
			return "", err
		}
	}
	if o.SelfMetrics != nil {
		if err := self.attach(c, *o.SelfMetrics); err != nil {
			return "", err
		}
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

func (o Options) check() error {
	p := o.Ports
	for name, v := range map[string]int{"OTLPGRPC": p.OTLPGRPC, "OTLPHTTP": p.OTLPHTTP, "Health": p.Health, "Metrics": p.Metrics, "Pprof": p.Pprof, "ZPages": p.ZPages} {
		if v <= 0 {
			return fmt.Errorf("loopback: Ports.%s is not set", name)
		}
	}
	switch o.Role {
	case Agent, Cluster:
		if o.GatewayEndpoint == "" {
			return fmt.Errorf("loopback: an agent needs GatewayEndpoint")
		}
	case Gateway:
		if n := countSet(o.Sink.File, o.Sink.OTLPEndpoint, o.Upstream, o.StandIn); n != 1 {
			return fmt.Errorf("loopback: a gateway needs exactly one of Sink.File, Sink.OTLPEndpoint, Upstream and StandIn")
		}
	default:
		return fmt.Errorf("loopback: unknown role %q", o.Role)
	}
	return nil
}

func local(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// componentType is the part of a component ID before "/".
func componentType(id string) string { t, _, _ := strings.Cut(id, "/"); return t }

func section(c map[string]any, key string) map[string]any {
	m, _ := c[key].(map[string]any)
	return m
}

func rewriteListeners(c map[string]any, o Options) error {
	if err := remapQueueHops(c); err != nil {
		return err
	}
	for id, v := range section(c, "receivers") {
		protocols := section(asMap(v), "protocols")
		if id != "otlp" || protocols == nil {
			continue
		}
		for proto, port := range map[string]int{"grpc": o.Ports.OTLPGRPC, "http": o.Ports.OTLPHTTP} {
			if _, on := protocols[proto]; !on {
				continue
			}
			settings := asMap(protocols[proto])
			if settings == nil { // `grpc:` with no settings
				settings = map[string]any{}
				protocols[proto] = settings
			}
			settings["endpoint"] = local(port)
		}
	}
	extensions := section(c, "extensions")
	for id, v := range extensions {
		ext := asMap(v)
		if ext == nil { // `health_check:` with no settings
			ext = map[string]any{}
			extensions[id] = ext
		}
		switch componentType(id) {
		case "health_check":
			ext["endpoint"] = local(o.Ports.Health)
		case "pprof":
			ext["endpoint"] = local(o.Ports.Pprof)
		case "zpages":
			ext["endpoint"] = local(o.Ports.ZPages)
		}
	}
	metrics := section(section(section(c, "service"), "telemetry"), "metrics")
	readers, _ := metrics["readers"].([]any)
	found := false
	for _, r := range readers {
		prom := section(section(section(asMap(r), "pull"), "exporter"), "prometheus")
		if prom != nil {
			prom["host"], prom["port"] = "127.0.0.1", o.Ports.Metrics
			found = true
		}
	}
	if !found {
		return fmt.Errorf("loopback: service.telemetry.metrics has no pull/prometheus reader")
	}
	return nil
}

// queueHops are the gateway's loopback queue hops (collector.PortQueueHops): front
// exporter id → the receiver it delivers to.
func queueHops(c map[string]any) map[string]string {
	out := map[string]string{}
	for id := range section(c, "exporters") {
		if componentType(id) == "otlp_grpc" && strings.HasSuffix(id, "-queue") {
			name := strings.TrimSuffix(strings.TrimPrefix(id, "otlp_grpc/"), "-queue")
			if _, ok := section(c, "receivers")["otlp/"+name]; ok {
				out[id] = "otlp/" + name
			}
		}
	}
	return out
}

// remapQueueHops gives every queue hop a free loopback port (several collectors share this
// machine's network), in its receiver and its front exporter alike.
func remapQueueHops(c map[string]any) error {
	for front, receiver := range queueHops(c) {
		port, err := FreePort()
		if err != nil {
			return err
		}
		section(section(section(section(c, "receivers"), receiver), "protocols"), "grpc")["endpoint"] = local(port)
		section(section(c, "exporters"), front)["endpoint"] = local(port)
	}
	return nil
}

// dropQueueHops removes the queue hops (their receivers, front exporters and pipelines):
// where a sink or an upstream gateway replaces the backends, the hops lead nowhere.
func dropQueueHops(c map[string]any) {
	pipelines := section(section(c, "service"), "pipelines")
	for front, receiver := range queueHops(c) {
		delete(section(c, "exporters"), front)
		delete(section(c, "receivers"), receiver)
		for name, p := range pipelines {
			list, _ := asMap(p)["receivers"].([]any)
			if len(list) == 1 && list[0] == receiver {
				delete(pipelines, name)
			}
		}
	}
}

func rewriteExporters(c map[string]any, o Options) error {
	exporters := section(c, "exporters")
	if len(exporters) == 0 {
		return fmt.Errorf("loopback: the config has no exporters")
	}
	if o.Role == Agent || o.Role == Cluster {
		return pointAtGateway(exporters, o.GatewayEndpoint)
	}
	if o.StandIn != "" {
		return pointAtStandIn(exporters, o.StandIn)
	}
	dropQueueHops(c)
	if o.Upstream != "" {
		return keepOnlyUpstream(c, exporters, o.Upstream)
	}
	return replaceWithSink(c, exporters, o.Sink)
}

func countSet(values ...string) int {
	n := 0
	for _, v := range values {
		if v != "" {
			n++
		}
	}
	return n
}

// keepOnlyUpstream keeps the upstream exporters, pointed at endpoint, and removes the rest.
func keepOnlyUpstream(c, exporters map[string]any, endpoint string) error {
	kept := map[string]any{}
	for id, v := range exporters {
		if strings.HasSuffix(id, "/upstream") {
			exp := asMap(v)
			if componentType(id) != "otlp_grpc" {
				return fmt.Errorf("loopback: upstream exporter %s (type %s): only otlp_grpc can be pointed at a test gateway", id, componentType(id))
			}
			exp["endpoint"] = endpoint
			kept[id] = exp
		}
	}
	if len(kept) == 0 {
		return fmt.Errorf("loopback: the gateway has no upstream exporter")
	}
	c["exporters"] = kept
	for name, p := range section(section(c, "service"), "pipelines") {
		pipeline := asMap(p)
		if pipeline == nil {
			return fmt.Errorf("loopback: pipeline %s is not a map", name)
		}
		list, _ := pipeline["exporters"].([]any)
		var out []any
		for _, e := range list {
			if _, ok := kept[fmt.Sprint(e)]; ok {
				out = append(out, e)
			}
		}
		if len(out) == 0 {
			// A signal kept in the region (dataResidency) goes to the cloud only: its
			// pipeline has nothing to run here.
			delete(section(c, "service")["pipelines"].(map[string]any), name)
			continue
		}
		pipeline["exporters"] = out
	}
	return nil
}

func pointAtGateway(exporters map[string]any, endpoint string) error {
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		return fmt.Errorf("loopback: GatewayEndpoint %q: %v", endpoint, err)
	}
	rewritten := 0
	for id, v := range exporters {
		exp := asMap(v)
		switch componentType(id) {
		case "otlp_grpc":
			exp["endpoint"] = endpoint
			rewritten++
		case "load_balancing":
			dns := section(section(exp, "resolver"), "dns")
			if dns == nil {
				return fmt.Errorf("loopback: exporter %s has no dns resolver to point at the gateway", id)
			}
			dns["hostname"], dns["port"] = host, port
			rewritten++
		default:
			return fmt.Errorf("loopback: agent exporter %s (type %s) is not an otlp_grpc or load_balancing gateway exporter", id, componentType(id))
		}
	}
	if rewritten == 0 {
		return fmt.Errorf("loopback: the agent has no gateway exporter")
	}
	return nil
}

// pointAtStandIn moves every cloud exporter's endpoint to url; nothing else changes.
func pointAtStandIn(exporters map[string]any, url string) error {
	for id, v := range exporters {
		exp := asMap(v)
		switch componentType(id) {
		case "awsxray", "awsemf", "awscloudwatchlogs":
			exp["endpoint"] = url
		case "awss3":
			up := section(exp, "s3uploader")
			up["endpoint"], up["s3_force_path_style"], up["disable_ssl"] = url, true, true
		case "otlp_grpc":
			if !strings.HasSuffix(id, "-queue") {
				return fmt.Errorf("loopback: exporter %s has no stand-in (point Upstream at a test gateway)", id)
			}
			// a queue hop: it delivers to this collector (remapQueueHops)
		case "azure_monitor":
			// Its endpoint is the connection string's IngestionEndpoint, which the test
			// puts in the collector's environment: nothing to rewrite.
		default:
			return fmt.Errorf("loopback: exporter %s (type %s) has no stand-in", id, componentType(id))
		}
	}
	return nil
}

// queuePolicyKeys are the exporterhelper settings an OTLP sink inherits.
var queuePolicyKeys = []string{"sending_queue", "retry_on_failure", "timeout"}

func replaceWithSink(c, exporters map[string]any, sink Sink) error {
	id, sinkCfg := FileSinkID, map[string]any{"path": sink.File}
	if sink.OTLPEndpoint != "" {
		id, sinkCfg = OTLPSinkID, map[string]any{"endpoint": sink.OTLPEndpoint, "tls": map[string]any{"insecure": true}}
		ids := make([]string, 0, len(exporters))
		for k := range exporters {
			ids = append(ids, k)
		}
		sort.Strings(ids)
		for _, key := range queuePolicyKeys {
			var from string
			for _, eid := range ids {
				v, ok := asMap(exporters[eid])[key]
				if !ok {
					continue
				}
				if prev, seen := sinkCfg[key]; seen && !reflect.DeepEqual(prev, v) {
					return fmt.Errorf("loopback: exporters %s and %s have different %s; the sink cannot keep both", from, eid, key)
				}
				sinkCfg[key], from = v, eid
			}
		}
	}
	c["exporters"] = map[string]any{id: sinkCfg}
	for name, p := range section(section(c, "service"), "pipelines") {
		pipeline := asMap(p)
		if pipeline == nil {
			return fmt.Errorf("loopback: pipeline %s is not a map", name)
		}
		pipeline["exporters"] = []any{id}
	}
	return nil
}

// tlsFileKeys are the configtls keys that name files.
var tlsFileKeys = map[string]bool{"ca_file": true, "cert_file": true, "key_file": true, "client_ca_file": true}

func rewriteTLSFiles(c map[string]any, o Options) error {
	var missing bool
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, child := range t {
				if s, ok := child.(string); ok && tlsFileKeys[k] {
					if o.TLSDir == "" {
						missing = true
					}
					t[k] = path.Join(o.TLSDir, path.Base(s))
					continue
				}
				walk(child)
			}
		case []any:
			for _, child := range t {
				walk(child)
			}
		}
	}
	walk(c["receivers"])
	walk(c["exporters"])
	if missing {
		return fmt.Errorf("loopback: the config uses TLS files but Options.TLSDir is empty")
	}
	return nil
}

func dropNodeOnlyComponents(c map[string]any, o Options) error {
	drop := func(sectionName, pipelineKey, typ string) {
		sec := section(c, sectionName)
		dropped := map[string]bool{}
		for id := range sec {
			if componentType(id) == typ {
				delete(sec, id)
				dropped[id] = true
			}
		}
		for _, p := range section(section(c, "service"), "pipelines") {
			pipeline := asMap(p)
			list, _ := pipeline[pipelineKey].([]any)
			kept := make([]any, 0, len(list))
			for _, id := range list {
				if s, _ := id.(string); !dropped[s] {
					kept = append(kept, id)
				}
			}
			if list != nil {
				pipeline[pipelineKey] = kept
			}
		}
	}
	drop("processors", "processors", "k8s_attributes")
	drop("receivers", "receivers", "kubelet_stats") // there is no kubelet here
	drop("receivers", "receivers", "journald")      // the host's journal is not the test's
	if o.Kubeconfig == "" {
		drop("receivers", "receivers", "prometheus") // its discovery needs an API server
		drop("receivers", "receivers", "k8s_cluster")
		drop("receivers", "receivers", "k8sobjects")
	} else if err := pointAtAPIServer(c, o.Kubeconfig); err != nil {
		return err
	}
	root := o.HostRoot
	if root == "" {
		root = "/"
	}
	for id, v := range section(c, "receivers") {
		if componentType(id) == "host_metrics" && asMap(v)["root_path"] != nil {
			asMap(v)["root_path"] = root
		}
	}
	if o.LogDir == "" {
		// The log receiver's checkpoint storage goes with it.
		for id, v := range section(c, "receivers") {
			if storage, ok := asMap(v)["storage"].(string); ok && componentType(id) == "file_log" {
				delete(section(c, "extensions"), storage)
				service := section(c, "service")
				list, _ := service["extensions"].([]any)
				kept := make([]any, 0, len(list))
				for _, e := range list {
					if e != storage {
						kept = append(kept, e)
					}
				}
				service["extensions"] = kept
			}
		}
		drop("receivers", "receivers", "file_log")
		return nil
	}
	for id, v := range section(c, "receivers") {
		if componentType(id) != "file_log" {
			continue
		}
		r := asMap(v)
		for _, key := range []string{"include", "exclude"} {
			list, _ := r[key].([]any)
			for i, p := range list {
				list[i] = strings.Replace(fmt.Sprint(p), "/var/log/pods", o.LogDir, 1)
			}
		}
	}
	return nil
}

// pointAtAPIServer makes the components that talk to the Kubernetes API use kubeconfig
// instead of the pod's service account: every kubernetes_sd_config of the prometheus
// receiver gets kubeconfig_file, and k8s_cluster and k8sobjects auth_type kubeConfig (they
// read the KUBECONFIG environment variable, which the test sets).
func pointAtAPIServer(c map[string]any, kubeconfig string) error {
	for id, v := range section(c, "receivers") {
		switch componentType(id) {
		case "prometheus":
			jobs, _ := section(asMap(v), "config")["scrape_configs"].([]any)
			for _, j := range jobs {
				sds, _ := asMap(j)["kubernetes_sd_configs"].([]any)
				for _, sd := range sds {
					asMap(sd)["kubeconfig_file"] = kubeconfig
				}
			}
		case "k8s_cluster", "k8sobjects":
			asMap(v)["auth_type"] = "kubeConfig"
		}
	}
	return nil
}

func rewriteStorage(c map[string]any, o Options) error {
	extensions := section(c, "extensions")
	for id, v := range extensions {
		if componentType(id) != "file_storage" {
			continue
		}
		if o.StorageDir == "" {
			return fmt.Errorf("loopback: extension %s needs Options.StorageDir", id)
		}
		ext := asMap(v)
		if ext == nil {
			ext = map[string]any{}
			extensions[id] = ext
		}
		ext["directory"] = o.StorageDir
	}
	return nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
