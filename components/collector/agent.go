package collector

import (
	"fmt"
	"strings"
)

// Agent modes.
const (
	AgentDaemonSet = "daemonset"
	AgentSidecar   = "sidecar"
)

// AgentOptions describe one agent tier. The zero value is not usable: Mode, Environment,
// GatewayEndpoint, MemoryLimitMiB and QueueSize are required.
type AgentOptions struct {
	Mode        string // AgentDaemonSet or AgentSidecar
	Environment string // value of deployment.environment
	// GatewayEndpoint is host:port of the gateway's OTLP gRPC Service.
	GatewayEndpoint string
	// LoadBalancingHost, when set, is the gateway's headless Service name: traces are then
	// routed by trace id to individual gateway pods (needed by tail sampling).
	LoadBalancingHost string
	// TLS to the gateway; nil sends plaintext inside the cluster.
	TLS *ClientTLS
	// MemoryLimitMiB is the container's memory limit; memory_limiter is sized from it.
	MemoryLimitMiB int
	// K8sAttributes adds pod metadata (DaemonSet only: it needs RBAC and the node name).
	K8sAttributes bool
	// NodeEnvVar holds the node name for the node-scoped Kubernetes watch.
	NodeEnvVar string
	// LogCollection tails /var/log/pods (DaemonSet only), skipping ExcludeLogNamespaces.
	LogCollection        bool
	ExcludeLogNamespaces []string
	// LogCheckpointDir keeps the log receiver's read offsets (file_storage) across restarts:
	// a restarted agent resumes every file where it stopped, and reads files that appeared
	// while it was down from their beginning. Empty: no checkpoints (new files from the end).
	LogCheckpointDir string
	QueueSize        int
	// QueueDir enables a persistent sending queue in this directory; empty keeps it in memory.
	QueueDir string
	LogLevel string
	// ResourceAttributes are upserted after deployment.environment (e.g. from pod env).
	ResourceAttributes []AttributeAction
	// NodeMetrics and PrometheusScrape (DaemonSet only; nil: off) add the node's, its pods'
	// and containers' metrics, and the annotated pods' Prometheus metrics, to the metrics
	// pipeline.
	NodeMetrics      *NodeMetrics
	PrometheusScrape *PrometheusScrape
}

// idLogCheckpoints is the file_storage extension holding the log receiver's offsets.
const idLogCheckpoints = "file_storage/logs"

// How agents batch and compress towards the gateway, measured with bench/dataplane.sh
// (README, "Capacity model"). Per request the agent pays a marshal, a compression pass and
// a TLS record stream, so large batches make it cheap per span: agentBatchMaxSpans spans or
// agentBatchTimeout, whichever comes first (the timeout is the latency added at low rates).
// The gateway's gRPC message limit (gatewayMaxRecvMsgMiB) is sized for such a batch.
// snappy rather than gzip: the hop stays inside the cluster, where gzip's better ratio is
// not worth ~40 % of the agent's CPU (snappy still shrinks OTLP several-fold).
const (
	agentBatchMaxSpans = 8192
	agentBatchTimeout  = "1s"
	agentCompression   = "snappy"
)

// AgentConfig builds the agent preset: OTLP in on 0.0.0.0,
// memory_limiter first, Kubernetes metadata, deployment.environment, batch, and OTLP out to
// the gateway with retry and a sending queue.
func AgentConfig(o AgentOptions) (*Config, error) {
	if o.Mode != AgentDaemonSet && o.Mode != AgentSidecar {
		return nil, fmt.Errorf("agent mode %q: use %q or %q", o.Mode, AgentDaemonSet, AgentSidecar)
	}
	if o.GatewayEndpoint == "" || o.Environment == "" {
		return nil, fmt.Errorf("agent config needs a gateway endpoint and an environment")
	}
	if err := requirePositive("agent memory limit (MiB)", o.MemoryLimitMiB); err != nil {
		return nil, err
	}
	if err := requirePositive("agent queue size", o.QueueSize); err != nil {
		return nil, err
	}
	if o.Mode == AgentSidecar && (o.K8sAttributes || o.LogCollection || o.NodeMetrics != nil || o.PrometheusScrape != nil) {
		return nil, fmt.Errorf("sidecar agents cannot use Kubernetes attributes, log collection, node metrics or Prometheus scraping (they run with the workload's service account and no host mounts)")
	}
	if o.NodeMetrics != nil {
		if err := o.NodeMetrics.Validate(); err != nil {
			return nil, err
		}
	}
	if o.PrometheusScrape != nil {
		if err := o.PrometheusScrape.Validate(); err != nil {
			return nil, err
		}
	}

	// Sidecars share the pod's network: listen on all interfaces anyway so the kubelet's
	// probes and the pod's own containers can reach them; the pod IP is not exposed by a Service.
	ext, extIDs := operability(o.Mode == AgentDaemonSet)
	c := &Config{
		Receivers:  map[string]Component{idOTLP: otlpReceiver("0.0.0.0", nil, agentMaxRecvMsgMiB)},
		Processors: map[string]Component{},
		Exporters:  map[string]Component{},
		Extensions: ext,
		Service:    Service{Extensions: extIDs, Pipelines: map[string]Pipeline{}, Telemetry: SelfMetrics(orDefault(o.LogLevel, "info"), "0.0.0.0", PortMetrics)},
	}
	storage := addQueueStorage(c, o.QueueDir)

	processors := []string{idMemoryLimiter}
	c.Processors[idMemoryLimiter] = MemoryLimiterFor(o.MemoryLimitMiB)
	if o.K8sAttributes {
		c.Processors[idK8s] = NodeLocalK8sAttributes(orDefault(o.NodeEnvVar, "K8S_NODE_NAME"))
		processors = append(processors, idK8s)
	}
	c.Processors[idResource] = ResourceProcessor{Attributes: append(
		[]AttributeAction{{Key: "deployment.environment", Value: o.Environment, Action: "upsert"}},
		o.ResourceAttributes...)}
	processors = append(processors, idResource, idBatch)
	c.Processors[idBatch] = BatchProcessor{Timeout: agentBatchTimeout, SendBatchSize: agentBatchMaxSpans, SendBatchMaxSize: agentBatchMaxSpans}

	gateway := toGateway(o.GatewayEndpoint, o.TLS, o.QueueSize, storage)
	tls, helper := gateway.TLS, gateway.ExporterHelper
	gatewayID := TypeOTLPGRPC + "/gateway"
	c.Exporters[gatewayID] = gateway

	traceExporter := gatewayID
	if o.LoadBalancingHost != "" {
		traceExporter = TypeLoadBalancing + "/gateway"
		lbTLS := tls
		if !lbTLS.Insecure && lbTLS.ServerName == "" {
			// The resolver yields pod IPs; verify them against the Service name the gateway
			// certificate is issued for.
			host, _, _ := strings.Cut(o.GatewayEndpoint, ":")
			lbTLS.ServerName = host
		}
		c.Exporters[traceExporter] = LoadBalancingExporter{
			RoutingKey: "traceID",
			Protocol: LoadBalancingProtocol{OTLP: OTLPExporter{TLS: lbTLS, Compression: agentCompression, ExporterHelper: ExporterHelper{
				Timeout:        helper.Timeout,
				RetryOnFailure: &RetrySettings{Enabled: false},
				SendingQueue:   &SendingQueue{Enabled: false},
			}}},
			Resolver:       LoadBalancingResolver{DNS: &DNSResolver{Hostname: o.LoadBalancingHost, Port: fmt.Sprint(PortOTLPGRPC), Interval: "5s"}},
			ExporterHelper: helper,
		}

	}

	c.Service.Pipelines[Traces] = Pipeline{Receivers: []string{idOTLP}, Processors: processors, Exporters: []string{traceExporter}}
	metricReceivers := []string{idOTLP}
	if o.NodeMetrics != nil {
		for id, r := range o.NodeMetrics.receivers() {
			c.Receivers[id] = r
		}
		metricReceivers = append(metricReceivers, TypeHostMetrics, TypeKubeletStats)
	}
	if o.PrometheusScrape != nil {
		c.Receivers[TypePrometheus] = o.PrometheusScrape.receiver()
		metricReceivers = append(metricReceivers, TypePrometheus)
	}
	c.Service.Pipelines[Metrics] = Pipeline{Receivers: metricReceivers, Processors: processors, Exporters: []string{gatewayID}}
	logReceivers := []string{idOTLP}
	if o.LogCollection {
		logs := KubernetesContainerLogs(o.ExcludeLogNamespaces...)
		if o.LogCheckpointDir != "" {
			c.Extensions[idLogCheckpoints] = FileStorageExtension{Directory: o.LogCheckpointDir, Timeout: "10s", CreateDirectory: true}
			c.Service.Extensions = append(c.Service.Extensions, idLogCheckpoints)
			logs.Storage, logs.StartAt = idLogCheckpoints, "beginning"
		}
		c.Receivers[TypeFileLog] = logs
		logReceivers = append(logReceivers, TypeFileLog)
	}
	c.Service.Pipelines[Logs] = Pipeline{Receivers: logReceivers, Processors: processors, Exporters: []string{gatewayID}}
	return c, c.Validate()
}

// toGateway is an agent's OTLP exporter to the gateway: TLS (plaintext when nil), snappy,
// retry and a sending queue of queueSize batches (persistent in storage when set).
func toGateway(endpoint string, tls *ClientTLS, queueSize int, storage string) OTLPExporter {
	t := ClientTLS{Insecure: true}
	if tls != nil {
		t = *tls
	}
	return OTLPExporter{Endpoint: endpoint, TLS: t, Compression: agentCompression, ExporterHelper: ExporterHelper{
		Timeout:        "10s",
		RetryOnFailure: DefaultRetry(),
		SendingQueue:   &SendingQueue{Enabled: true, NumConsumers: 4, QueueSize: int64(queueSize), Storage: storage},
	}}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
