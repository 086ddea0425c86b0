package collector

import (
	"fmt"
	"time"
)

// ClusterCollectorOptions describe the cluster collector: one per cluster (a
// single-replica Deployment, never one per node, so every object is reported once) that
// exports to the gateway like an agent. Metrics runs k8s_cluster — node conditions and
// allocatable resources, pod phases, container restarts and limits, workload replica
// counts, HPA, job and quota state; Events runs k8sobjects watching events.k8s.io Events
// (the Helm chart's kubernetesEvents preset): one log record per Event added or updated.
type ClusterCollectorOptions struct {
	Metrics         bool
	Events          bool
	Environment     string
	GatewayEndpoint string
	TLS             *ClientTLS // nil sends plaintext inside the cluster
	MemoryLimitMiB  int
	QueueSize       int
	// Interval between collections; default 30s.
	Interval string
	LogLevel string
}

// Validate checks the options.
func (o ClusterCollectorOptions) Validate() error {
	if !o.Metrics && !o.Events {
		return fmt.Errorf("cluster collector config needs Metrics or Events (or both)")
	}
	if o.GatewayEndpoint == "" || o.Environment == "" {
		return fmt.Errorf("cluster collector config needs a gateway endpoint and an environment")
	}
	if err := requirePositive("cluster collector memory limit (MiB)", o.MemoryLimitMiB); err != nil {
		return err
	}
	if err := requirePositive("cluster collector queue size", o.QueueSize); err != nil {
		return err
	}
	if _, err := time.ParseDuration(orDefault(o.Interval, "30s")); err != nil {
		return fmt.Errorf("cluster collector: Interval %q: %v", o.Interval, err)
	}
	return nil
}

// K8sClusterReceiver reports the cluster's objects' state as metrics.
type K8sClusterReceiver struct {
	AuthType                 string   `json:"auth_type"`
	CollectionInterval       string   `json:"collection_interval"`
	NodeConditionsToReport   []string `json:"node_conditions_to_report"`
	AllocatableTypesToReport []string `json:"allocatable_types_to_report"`
}

func (K8sClusterReceiver) Type() string { return TypeK8sCluster }

// Signals reports the pipelines the component can be part of.
func (K8sClusterReceiver) Signals() []string { return []string{Metrics, Logs} }

// K8sObjectsReceiver reports Kubernetes objects as log records.
type K8sObjectsReceiver struct {
	AuthType string          `json:"auth_type"`
	Objects  []K8sObjectsSet `json:"objects"`
}

// K8sObjectsSet is one kind of object k8sobjects pulls or watches.
type K8sObjectsSet struct {
	Name  string `json:"name"`
	Group string `json:"group,omitempty"`
	Mode  string `json:"mode"`
	// ExcludeWatchTypes drops these watch notifications (ADDED, MODIFIED, DELETED).
	ExcludeWatchTypes []string `json:"exclude_watch_type,omitempty"`
}

func (K8sObjectsReceiver) Type() string { return TypeK8sObjects }

// Signals reports the pipelines the component can be part of.
func (K8sObjectsReceiver) Signals() []string { return []string{Logs} }

// EventsReceiver watches events.k8s.io Events from the moment it starts (watch mode lists
// only to learn where to start, so a restart does not resend history). A deleted Event is
// only the API server expiring it (after its TTL, one hour by default): not news.
func EventsReceiver() K8sObjectsReceiver {
	return K8sObjectsReceiver{AuthType: "serviceAccount", Objects: []K8sObjectsSet{{
		Name: "events", Group: "events.k8s.io", Mode: "watch", ExcludeWatchTypes: []string{"DELETED"},
	}}}
}

// ClusterCollectorConfig builds the cluster collector's configuration.
func ClusterCollectorConfig(o ClusterCollectorOptions) (*Config, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	ext, extIDs := operability(false)
	gatewayID := TypeOTLPGRPC + "/gateway"
	processors := []string{idMemoryLimiter, idResource, idBatch}
	c := &Config{
		Receivers: map[string]Component{},
		Processors: map[string]Component{
			idMemoryLimiter: MemoryLimiterFor(o.MemoryLimitMiB),
			idResource:      ResourceProcessor{Attributes: []AttributeAction{{Key: "deployment.environment", Value: o.Environment, Action: "upsert"}}},
			idBatch:         BatchProcessor{Timeout: agentBatchTimeout, SendBatchSize: agentBatchMaxSpans, SendBatchMaxSize: agentBatchMaxSpans},
		},
		Exporters:  map[string]Component{gatewayID: toGateway(o.GatewayEndpoint, o.TLS, o.QueueSize, "")},
		Extensions: ext,
		Service:    Service{Extensions: extIDs, Telemetry: SelfMetrics(orDefault(o.LogLevel, "info"), "0.0.0.0", PortMetrics), Pipelines: map[string]Pipeline{}},
	}
	if o.Metrics {
		c.Receivers[TypeK8sCluster] = K8sClusterReceiver{
			AuthType: "serviceAccount", CollectionInterval: orDefault(o.Interval, "30s"),
			NodeConditionsToReport:   []string{"Ready", "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"},
			AllocatableTypesToReport: []string{"cpu", "memory", "ephemeral-storage", "pods"},
		}
		c.Service.Pipelines[Metrics] = Pipeline{Receivers: []string{TypeK8sCluster}, Processors: processors, Exporters: []string{gatewayID}}
	}
	if o.Events {
		c.Receivers[TypeK8sObjects] = EventsReceiver()
		c.Service.Pipelines[Logs] = Pipeline{Receivers: []string{TypeK8sObjects}, Processors: processors, Exporters: []string{gatewayID}}
	}
	return c, c.Validate()
}
