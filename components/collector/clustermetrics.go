package collector

import (
	"fmt"
	"time"
)

// ClusterCollectorOptions describe the cluster collector: one per cluster (a
// single-replica Deployment, never one per node, so every object is reported once),
// running k8s_cluster — node conditions and allocatable resources, pod phases, container
// restarts and limits, workload replica counts, HPA, job and quota state — and exporting to
// the gateway like an agent.
//
// Kubernetes events (the Helm chart's kubernetesEvents preset, k8sobjects in watch mode)
// are not included: the module proxy otelfleet builds from serves no k8sobjectsreceiver
// that builds with the pinned release (its internal/k8sinventory dependency is not served
// at any version).
type ClusterCollectorOptions struct {
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

// ClusterCollectorConfig builds the cluster collector's configuration.
func ClusterCollectorConfig(o ClusterCollectorOptions) (*Config, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	ext, extIDs := operability(false)
	gatewayID := TypeOTLPGRPC + "/gateway"
	c := &Config{
		Receivers: map[string]Component{TypeK8sCluster: K8sClusterReceiver{
			AuthType: "serviceAccount", CollectionInterval: orDefault(o.Interval, "30s"),
			NodeConditionsToReport:   []string{"Ready", "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"},
			AllocatableTypesToReport: []string{"cpu", "memory", "ephemeral-storage", "pods"},
		}},
		Processors: map[string]Component{
			idMemoryLimiter: MemoryLimiterFor(o.MemoryLimitMiB),
			idResource:      ResourceProcessor{Attributes: []AttributeAction{{Key: "deployment.environment", Value: o.Environment, Action: "upsert"}}},
			idBatch:         BatchProcessor{Timeout: agentBatchTimeout, SendBatchSize: agentBatchMaxSpans, SendBatchMaxSize: agentBatchMaxSpans},
		},
		Exporters:  map[string]Component{gatewayID: toGateway(o.GatewayEndpoint, o.TLS, o.QueueSize, "")},
		Extensions: ext,
		Service: Service{Extensions: extIDs, Telemetry: SelfMetrics(orDefault(o.LogLevel, "info"), "0.0.0.0", PortMetrics), Pipelines: map[string]Pipeline{
			Metrics: {Receivers: []string{TypeK8sCluster}, Processors: []string{idMemoryLimiter, idResource, idBatch}, Exporters: []string{gatewayID}},
		}},
	}
	return c, c.Validate()
}
