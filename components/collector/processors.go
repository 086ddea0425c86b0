package collector

import "slices"

// MemoryLimiterProcessor refuses data when the collector nears its memory limit, which
// pushes back on senders instead of letting the process be OOM-killed. It must be the first
// processor of every pipeline.
type MemoryLimiterProcessor struct {
	CheckInterval string `json:"check_interval"`
	LimitMiB      int    `json:"limit_mib"`
	SpikeLimitMiB int    `json:"spike_limit_mib"`
}

func (MemoryLimiterProcessor) Type() string { return TypeMemoryLimiter }

// MemoryLimiterFor sizes the memory limiter from a container memory limit: the hard limit
// at 80 % of it and the spike allowance at 20 %, so refusing starts at 60 %.
func MemoryLimiterFor(containerLimitMiB int) MemoryLimiterProcessor {
	return MemoryLimiterProcessor{CheckInterval: "1s", LimitMiB: containerLimitMiB * 80 / 100, SpikeLimitMiB: containerLimitMiB * 20 / 100}
}

// BatchProcessor batches data before export.
type BatchProcessor struct {
	Timeout          string `json:"timeout"`
	SendBatchSize    int    `json:"send_batch_size"`
	SendBatchMaxSize int    `json:"send_batch_max_size,omitempty"`
}

func (BatchProcessor) Type() string { return TypeBatch }

// ResourceProcessor changes resource attributes.
type ResourceProcessor struct {
	Attributes []AttributeAction `json:"attributes"`
}

// AttributeAction is one change of an attribute.
type AttributeAction struct {
	Key           string `json:"key"`
	Value         any    `json:"value,omitempty"`
	FromAttribute string `json:"from_attribute,omitempty"`
	Action        string `json:"action"`
}

func (ResourceProcessor) Type() string { return TypeResource }

// K8sAttributesProcessor adds Kubernetes metadata to telemetry by pod association.
type K8sAttributesProcessor struct {
	AuthType       string           `json:"auth_type"`
	Passthrough    bool             `json:"passthrough"`
	Filter         *K8sFilter       `json:"filter,omitempty"`
	Extract        K8sExtract       `json:"extract"`
	PodAssociation []PodAssociation `json:"pod_association"`
}

// K8sFilter narrows the processor's watch, e.g. to the pods of one node.
type K8sFilter struct {
	NodeFromEnvVar string `json:"node_from_env_var,omitempty"`
}

// K8sExtract selects the metadata to add.
type K8sExtract struct {
	Metadata []string `json:"metadata"`
}

// PodAssociation is one rule that finds the pod telemetry came from.
type PodAssociation struct {
	Sources []PodAssociationSource `json:"sources"`
}

// PodAssociationSource is a resource attribute or the connection's peer address.
type PodAssociationSource struct {
	From string `json:"from"`
	Name string `json:"name,omitempty"`
}

func (K8sAttributesProcessor) Type() string { return TypeK8sAttributes }

// k8sMetadata are the resource attributes the agents' k8sattributes processor sets.
var k8sMetadata = []string{
	"k8s.namespace.name", "k8s.pod.name", "k8s.pod.uid", "k8s.pod.start_time",
	"k8s.deployment.name", "k8s.statefulset.name", "k8s.daemonset.name", "k8s.cronjob.name", "k8s.job.name",
	"k8s.node.name", "container.image.name", "container.image.tag",
}

// NodeLocalK8sAttributes watches only the pods of the agent's own node (K8S_NODE_NAME),
// which keeps each agent's memory and API-server load proportional to its node.
func NodeLocalK8sAttributes(nodeEnvVar string) K8sAttributesProcessor {
	return K8sAttributesProcessor{
		AuthType: "serviceAccount",
		Filter:   &K8sFilter{NodeFromEnvVar: nodeEnvVar},
		Extract:  K8sExtract{Metadata: slices.Clone(k8sMetadata)},
		PodAssociation: []PodAssociation{
			{Sources: []PodAssociationSource{{From: "resource_attribute", Name: "k8s.pod.ip"}}},
			{Sources: []PodAssociationSource{{From: "resource_attribute", Name: "k8s.pod.uid"}}},
			{Sources: []PodAssociationSource{{From: "connection"}}},
		},
	}
}

// ProbabilisticSamplerProcessor keeps a fixed share of traces, decided by trace id so every
// collector keeps or drops the same traces.
type ProbabilisticSamplerProcessor struct {
	SamplingPercentage float64 `json:"sampling_percentage"`
}

func (ProbabilisticSamplerProcessor) Type() string { return TypeProbabilisticSampler }

// Signals reports the pipelines the component can be part of.
func (ProbabilisticSamplerProcessor) Signals() []string { return []string{Traces, Logs} }

// TailSamplingProcessor decides per whole trace after DecisionWait.
type TailSamplingProcessor struct {
	DecisionWait            string           `json:"decision_wait"`
	DecisionWaitAfterRoot   string           `json:"decision_wait_after_root_received,omitempty"`
	NumTraces               int              `json:"num_traces"`
	ExpectedNewTracesPerSec int              `json:"expected_new_traces_per_sec"`
	Policies                []SamplingPolicy `json:"policies"`
}

// SamplingPolicy is one tail sampling policy; a trace is kept when any policy samples it.
type SamplingPolicy struct {
	Name          string               `json:"name"`
	Type          string               `json:"type"`
	StatusCode    *StatusCodePolicy    `json:"status_code,omitempty"`
	Latency       *LatencyPolicy       `json:"latency,omitempty"`
	Probabilistic *ProbabilisticPolicy `json:"probabilistic,omitempty"`
}

// StatusCodePolicy keeps traces with a span of the given status codes.
type StatusCodePolicy struct {
	StatusCodes []string `json:"status_codes"`
}

// LatencyPolicy keeps traces longer than the threshold.
type LatencyPolicy struct {
	ThresholdMs int `json:"threshold_ms"`
}

// ProbabilisticPolicy keeps a share of the remaining traces.
type ProbabilisticPolicy struct {
	SamplingPercentage float64 `json:"sampling_percentage"`
}

func (TailSamplingProcessor) Type() string { return TypeTailSampling }

// Signals reports the pipelines the component can be part of.
func (TailSamplingProcessor) Signals() []string { return []string{Traces} }
