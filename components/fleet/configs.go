package fleet

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/quantity"
)

// Where collector containers find their TLS material (cert-manager writes ca.crt, tls.crt and
// tls.key into the certificate's secret) and their persistent sending queue.
const (
	TLSDir    = "/etc/otelcol-tls" // not under the read-only config volume: nested mounts there fail
	TLSCAFile = TLSDir + "/ca.crt"
	// TLSCertFile and TLSKeyFile are the collector's own certificate and key.
	TLSCertFile = TLSDir + "/tls.crt"
	TLSKeyFile  = TLSDir + "/tls.key"
	// Collectors outside Kubernetes (ECS Fargate, ACI), which cannot mount a rotating
	// secret, read their client certificate and key (ClientTLSEnv, one PEM holding both) and
	// the fleet CA (TrustEnv) from the environment; RenewByEnv says when the deployment that
	// replaces the certificate must have run (changing it restarts the tasks).
	ClientTLSEnv   = "OTELFLEET_TLS_CLIENT"
	TrustEnv       = "OTELFLEET_TLS_CA"
	RenewByEnv     = "OTELFLEET_TLS_RENEW_BY"
	QueueMountPath = "/var/lib/otelcol/queue"
	// LogCheckpointMountPath is where the DaemonSet agent keeps its log read offsets: a
	// hostPath per fleet (LogCheckpointHostPath), so a replaced agent pod on the node resumes.
	LogCheckpointMountPath = "/var/lib/otelcol/logs"
	// NodeNameEnv carries the node's name into agents (downward API).
	NodeNameEnv = "K8S_NODE_NAME"
	// NodeIPEnv carries the node's IP into agents: they reach their kubelet there.
	NodeIPEnv = "K8S_NODE_IP"
	// HostRootMountPath is where the agent mounts the node's root filesystem read-only
	// (AgentHostFilesystems).
	HostRootMountPath = "/hostfs"
	// ClusterCollectorMemoryLimitMiB sizes the cluster collector (one pod per cluster).
	ClusterCollectorMemoryLimitMiB = 512
)

// Certificate rotation defaults: cert-manager renews a certificate CertRenewBefore ahead of
// its expiry, in place on disk, and every collector re-reads it every TLSReloadInterval.
const (
	CertDuration      = "2160h" // 90 days, cert-manager's default
	CertRenewBefore   = "360h"  // 15 days
	TLSReloadInterval = "1h"
)

// ConfigSpec is everything the fleet's collector configurations depend on: plain values,
// from a stack's configuration or a library user's arguments.
type ConfigSpec struct {
	Names       Names
	Environment string // deployment.environment
	LogLevel    string
	TLS         bool // mutual TLS between agents and gateways
	// TLSReloadInterval is how often collectors re-read their certificates from disk
	// (cert-manager renews them in place), e.g. "1h".
	TLSReloadInterval string
	Sampling          collector.Sampling

	AgentModes          []string // collector.AgentDaemonSet and/or collector.AgentSidecar
	AgentMemoryLimitMiB int
	AgentQueueSize      int
	AgentK8sAttributes  bool
	AgentLogCollection  bool
	// AgentNodeMetrics adds the node, pod and container metrics (host_metrics,
	// kubelet_stats) to the DaemonSet agent; AgentHostFilesystems also the node's
	// filesystems (a read-only hostPath of /); KubeletCAFile verifies the kubelet ("" skips
	// verification: self-signed kubelet certificates, as on EKS and kind).
	AgentNodeMetrics     bool
	AgentHostFilesystems bool
	KubeletCAFile        string
	// AgentPrometheusScrape scrapes the annotated pods of each agent's node.
	AgentPrometheusScrape bool
	// ClusterMetrics and ClusterEvents run the cluster collector (one per cluster) with
	// k8s_cluster and k8sobjects (events) respectively.
	ClusterMetrics bool
	ClusterEvents  bool

	GatewayMemoryLimitMiB  int
	GatewayQueueSize       int
	GatewayPersistentQueue bool
	// GatewayQueueBytes is what the persistent queues may hold together (sizer bytes); 0
	// counts them in batches of GatewayQueueSize.
	GatewayQueueBytes         int64
	Exporters                 []collector.Exporter // the gateway's backends
	ExporterExtensions        map[string]collector.Component
	GatewayResourceAttributes []collector.AttributeAction
	// GatewayRedaction, when set, redacts traces and logs at the gateway.
	GatewayRedaction *collector.Redaction
	// GatewaySelfMetrics, when set, exports the gateways' own metrics (the cloud's alarms).
	GatewaySelfMetrics *collector.SelfMetricsExport
	// CanaryLogLevel, with Canary, is the canary track's log level ("" keeps LogLevel).
	Canary         bool
	CanaryLogLevel string
}

// Configs are the collector configuration of every tier, as YAML; a tier the fleet does not
// run has none.
type Configs struct {
	Gateway string `json:"gateway"`
	Canary  string `json:"canary,omitempty"`
	Agent   string `json:"agent,omitempty"`
	Sidecar string `json:"sidecar,omitempty"`
	Cluster string `json:"cluster,omitempty"`
}

// NewConfigs renders the fleet's collector configurations.
func NewConfigs(s ConfigSpec) (Configs, error) {
	var c Configs
	gw := s.GatewayOptions()
	var err error
	if c.Gateway, err = render(collector.GatewayConfig(gw)); err != nil {
		return c, fmt.Errorf("gateway collector config: %w", err)
	}
	if s.Canary {
		gw.LogLevel = cmp.Or(s.CanaryLogLevel, s.LogLevel)
		if c.Canary, err = render(collector.GatewayConfig(gw)); err != nil {
			return c, fmt.Errorf("canary gateway collector config: %w", err)
		}
	}
	if slices.Contains(s.AgentModes, collector.AgentDaemonSet) {
		if c.Agent, err = render(collector.AgentConfig(s.AgentOptions(collector.AgentDaemonSet))); err != nil {
			return c, fmt.Errorf("agent collector config: %w", err)
		}
	}
	if slices.Contains(s.AgentModes, collector.AgentSidecar) {
		if c.Sidecar, err = render(collector.AgentConfig(s.AgentOptions(collector.AgentSidecar))); err != nil {
			return c, fmt.Errorf("sidecar collector config: %w", err)
		}
	}
	if s.ClusterMetrics || s.ClusterEvents {
		if c.Cluster, err = render(collector.ClusterCollectorConfig(s.ClusterCollectorOptions())); err != nil {
			return c, fmt.Errorf("cluster collector config: %w", err)
		}
	}
	return c, nil
}

// ClusterCollectorOptions are the cluster collector's options: it sends to the gateway as
// an agent does (same TLS, same queue size).
func (s ConfigSpec) ClusterCollectorOptions() collector.ClusterCollectorOptions {
	o := collector.ClusterCollectorOptions{
		Metrics: s.ClusterMetrics, Events: s.ClusterEvents,
		Environment: s.Environment, GatewayEndpoint: s.Names.GatewayEndpoint(),
		MemoryLimitMiB: ClusterCollectorMemoryLimitMiB, QueueSize: s.AgentQueueSize, LogLevel: s.LogLevel,
	}
	if s.TLS {
		o.TLS = s.ClientTLS()
	}
	return o
}

// LogCheckpointHostPath is the node directory of an agent's log offsets (agent: the
// agent's object name, so two fleets on a cluster keep theirs apart).
func LogCheckpointHostPath(agent string) string { return "/var/lib/otelfleet/" + agent + "/logs" }

// QueueVolumeShare is the part of the persistent queue's volume the queues may fill: the
// rest is the storage's own overhead (bbolt pages, free lists) and headroom.
const QueueVolumeShare = 0.75

// QueueBudget is the bytes the gateway's persistent queues share on a volume of size (a
// Kubernetes quantity); 0 without a persistent queue or with an unreadable size.
func QueueBudget(persistent bool, size string) int64 {
	if !persistent {
		return 0
	}
	bytes, err := quantity.Parse(size)
	if err != nil {
		return 0
	}
	return int64(bytes * QueueVolumeShare)
}

// GatewayOptions are the gateway preset's options.
func (s ConfigSpec) GatewayOptions() collector.GatewayOptions {
	o := collector.GatewayOptions{
		MemoryLimitMiB: s.GatewayMemoryLimitMiB, Sampling: s.Sampling, QueueSize: s.GatewayQueueSize,
		Exporters: s.Exporters, Extensions: s.ExporterExtensions,
		ResourceAttributes: s.GatewayResourceAttributes, LogLevel: s.LogLevel, SelfMetrics: s.GatewaySelfMetrics,
		Redaction: s.GatewayRedaction,
	}
	if s.GatewayPersistentQueue {
		o.QueueDir, o.QueueBytes = QueueMountPath, s.GatewayQueueBytes
	}
	if s.TLS {
		o.TLS = &collector.ServerTLS{CertFile: TLSCertFile, KeyFile: TLSKeyFile, ClientCAFile: TLSCAFile,
			ReloadInterval: s.TLSReloadInterval, ClientCAFileReload: true}
	}
	return o
}

// AgentOptions are the agent preset's options for one mode: the DaemonSet agent enriches
// with its node's Kubernetes metadata and may read container logs; a sidecar takes its pod's
// identity from the downward API.
func (s ConfigSpec) AgentOptions(mode string) collector.AgentOptions {
	o := collector.AgentOptions{
		Mode: mode, Environment: s.Environment, GatewayEndpoint: s.Names.GatewayEndpoint(),
		MemoryLimitMiB: s.AgentMemoryLimitMiB, QueueSize: s.AgentQueueSize, LogLevel: s.LogLevel,
	}
	if s.Sampling.Mode == collector.SamplingTail {
		o.LoadBalancingHost = s.Names.GatewayHeadlessHost() // every span of a trace to one gateway
	}
	if s.TLS {
		o.TLS = s.ClientTLS()
	}
	switch mode {
	case collector.AgentDaemonSet:
		o.K8sAttributes, o.NodeEnvVar = s.AgentK8sAttributes, NodeNameEnv
		o.LogCollection = s.AgentLogCollection
		o.ExcludeLogNamespaces = []string{s.Names.AgentNamespace, s.Names.Namespace}
		if s.AgentNodeMetrics {
			o.NodeMetrics = &collector.NodeMetrics{
				KubeletEndpoint: "https://${env:" + NodeIPEnv + "}:10250", KubeletCAFile: s.KubeletCAFile,
			}
			if s.AgentHostFilesystems {
				o.NodeMetrics.HostRoot = HostRootMountPath
			}
		}
		if s.AgentPrometheusScrape {
			o.PrometheusScrape = &collector.PrometheusScrape{NodeEnvVar: NodeNameEnv}
		}
		if s.AgentLogCollection {
			o.LogCheckpointDir = LogCheckpointMountPath
		}
	case collector.AgentSidecar:
		o.ResourceAttributes = []collector.AttributeAction{
			{Key: "k8s.pod.name", Value: "${env:K8S_POD_NAME}", Action: "upsert"},
			{Key: "k8s.namespace.name", Value: "${env:K8S_POD_NAMESPACE}", Action: "upsert"},
			{Key: "k8s.pod.uid", Value: "${env:K8S_POD_UID}", Action: "upsert"},
			{Key: "k8s.node.name", Value: "${env:" + NodeNameEnv + "}", Action: "upsert"},
		}
	}
	return o
}

// ClientTLS is how a collector of the fleet presents its certificate to another and
// verifies it: the fleet's CA, its own certificate, both re-read every TLSReloadInterval.
func (s ConfigSpec) ClientTLS() *collector.ClientTLS {
	return &collector.ClientTLS{CAFile: TLSCAFile, CertFile: TLSCertFile, KeyFile: TLSKeyFile, ReloadInterval: s.TLSReloadInterval}
}

func render(c *collector.Config, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return c.YAML()
}
