// Package config is the typed stack configuration of otelfleet: one struct for every
// `otelfleet:*` key of a stack file, its defaults (defaults.go, the one place they live),
// its loader (load.go) and its validation (validate.go).
//
// Every leaf field carries the Pulumi config key it is read from (`key`), a description
// (`desc`), and where the value is one of a fixed set, the allowed values (`enum`). The
// project file's `config:` block and docs/config.md are generated from these tags.
package config

import "strings"

import "github.com/otelfleet/otelfleet/components/fleet"

// Namespace is the Pulumi config namespace of every otelfleet key.
const Namespace = "otelfleet"

// Stack is the whole configuration of one otelfleet stack.
type Stack struct {
	Cloud       string            `key:"cloud" enum:"aws,azure,kubernetes" desc:"Which stack builder runs: aws (VPC, EKS, IRSA, S3, ECS Fargate, Lambda), azure (AKS, Azure Monitor, workload identity, ACI) or kubernetes (only the collector layer, on an existing cluster: kind, minikube, on-prem)."`
	Name        string            `key:"name" desc:"Prefix of every resource name (lowercase letters, digits and '-', at most 20 characters)."`
	Environment string            `key:"environment" desc:"Value of the deployment.environment resource attribute the agents upsert."`
	Tags        map[string]string `key:"tags" desc:"Tags (AWS) / tags (Azure) / labels added to every resource that takes them."`

	Collector  Collector
	Kubernetes Kubernetes
	Agent      Agent
	Gateway    Gateway
	Sampling   Sampling
	TLS        TLS
	Monitoring Monitoring
	Upstream   Upstream
	Hosts      Hosts
	Cluster    Cluster
	AWS        AWS
	Azure      Azure
}

// Hosts configures the agent for Linux hosts outside Kubernetes (VMs moving to the fleet).
type Hosts struct {
	Endpoint string   `key:"hostAgentEndpoint" desc:"host:port of the gateway ingest as Linux hosts outside Kubernetes reach it (a DNS name in the gateway's certificate, e.g. drRecordName:4317). Set, the stack outputs hostAgentConfig and hostAgentUnit (synth writes them to hosts/): the host agent's collector configuration (host metrics, journal or log files, OTLP on the host's loopback, mTLS to the ingest, persistent queue) and its systemd unit. Needs tlsEnabled and gatewayIngest."`
	Logs     string   `key:"hostAgentLogs" enum:"journald,files,none" desc:"What the host agent reads besides OTLP and host metrics: the systemd journal (journald), files (hostAgentLogPaths) or nothing."`
	LogPaths []string `key:"hostAgentLogPaths" desc:"Log files (globs) the host agent tails with hostAgentLogs: files."`
}

// Collector selects the collector distribution every agent and gateway runs.
type Collector struct {
	Image    string `key:"collectorImage" desc:"Collector container image repository (a contrib distribution, or your own build with the same components), optionally pinned by digest: repository@sha256:<64 hex> (the digest must be collectorVersion's image; Kubernetes, ECS and ACI then pull exactly it)."`
	Version  string `key:"collectorVersion" desc:"Collector image tag. The generated configs are validated against this release."`
	LogLevel string `key:"collectorLogLevel" enum:"debug,info,warn,error" desc:"Log level of the collectors' own logs."`
}

// Kubernetes holds the cluster-side names shared by agents and gateways.
type Kubernetes struct {
	Namespace      string `key:"namespace" desc:"Namespace of the gateway (Pod Security 'restricted' is enforced)."`
	AgentNamespace string `key:"agentNamespace" desc:"Namespace of the DaemonSet agent. It is separate because log collection needs a hostPath that only the 'privileged' Pod Security level admits; without log collection it is 'restricted' too."`
}

// Agent configures the node-local (DaemonSet) and per-pod (sidecar) agents.
type Agent struct {
	Modes            []string `key:"agentModes" enum:"daemonset,sidecar" desc:"Agent deployment modes: daemonset (one agent per node behind a node-local Service) and/or sidecar (a helper that adds an agent container to workloads; an example workload is deployed)."`
	CPURequest       string   `key:"agentCpuRequest" desc:"CPU request of each agent container (Kubernetes quantity)."`
	CPULimit         string   `key:"agentCpuLimit" desc:"CPU limit of each agent container."`
	MemoryRequest    string   `key:"agentMemoryRequest" desc:"Memory request of each agent container."`
	MemoryLimit      string   `key:"agentMemoryLimit" desc:"Memory limit of each agent container; memory_limiter and GOMEMLIMIT are derived from it."`
	LogCollection    bool     `key:"agentLogCollection" desc:"Collect container logs from /var/log/pods with the filelog receiver (mounts /var/log read-only; the agent namespace then needs the 'privileged' Pod Security level and the agent runs as uid 0 with no capabilities)."`
	K8sAttributes    bool     `key:"agentK8sAttributes" desc:"Enrich telemetry with Kubernetes metadata (k8sattributes processor, node-scoped watch; adds the read-only RBAC it needs)."`
	QueueSize        int      `key:"agentQueueSize" desc:"Sending-queue size (batches) of the agent's exporter to the gateway."`
	NodeMetrics      bool     `key:"agentNodeMetrics" desc:"Node, pod and container metrics on the DaemonSet agent: host_metrics (cpu, load, memory, disk, paging: the node's own /proc, no host mount) and kubelet_stats against the agent's own node (https://<node IP>:10250, service-account token, RBAC nodes/stats; the kubelet's certificate is verified with the cluster CA on AKS, not on EKS and kubernetes where kubelets serve self-signed ones)."`
	HostFilesystems  bool     `key:"agentHostFilesystems" desc:"Also report the node's filesystems (host_metrics filesystem scraper): mounts the node's / read-only at /hostfs, so the agent namespace needs the 'privileged' Pod Security level (the agent itself stays unprivileged). Needs agentNodeMetrics."`
	PrometheusScrape bool     `key:"agentPrometheusScrape" desc:"Each DaemonSet agent scrapes the pods of its node annotated prometheus.io/scrape: \"true\" (prometheus.io/port, prometheus.io/path), the fleet's own collectors included (RBAC pods list/watch). Targets behind a NetworkPolicy must admit the agent namespace."`
	ClusterMetrics   bool     `key:"clusterMetrics" desc:"Run one cluster collector (a single-replica Deployment in the agent namespace) with k8s_cluster: node conditions and allocatable resources, pod phases, container restarts and limits, workload replicas, HPA, jobs, quotas; read-only RBAC on exactly those objects."`
	ClusterEvents    bool     `key:"clusterEvents" desc:"Kubernetes events as logs: the cluster collector (the same single-replica Deployment, run for either key) watches events.k8s.io Events with k8sobjects, one log record per Event added or updated (deletions are expiry, dropped), from the moment it starts; RBAC list/watch on events only."`
}

// Gateway configures the central gateway tier.
type Gateway struct {
	Kind               string   `key:"gatewayKind" enum:"deployment,statefulset" desc:"Workload kind of the gateway: deployment, or statefulset (one PersistentVolumeClaim per pod for the persistent sending queue)."`
	Replicas           int      `key:"gatewayReplicas" desc:"Replicas of the gateway when the HPA is off. With the HPA on, the HPA owns the replica count and the workload does not pin it."`
	CPURequest         string   `key:"gatewayCpuRequest" desc:"CPU request of each gateway pod."`
	CPULimit           string   `key:"gatewayCpuLimit" desc:"CPU limit of each gateway pod."`
	MemoryRequest      string   `key:"gatewayMemoryRequest" desc:"Memory request of each gateway pod."`
	MemoryLimit        string   `key:"gatewayMemoryLimit" desc:"Memory limit of each gateway pod; memory_limiter and GOMEMLIMIT are derived from it."`
	HPAEnabled         bool     `key:"gatewayHpaEnabled" desc:"Scale the gateway with a HorizontalPodAutoscaler (autoscaling/v2) on CPU and memory."`
	HPAMinReplicas     int      `key:"gatewayHpaMinReplicas" desc:"HPA minimum replicas."`
	HPAMaxReplicas     int      `key:"gatewayHpaMaxReplicas" desc:"HPA maximum replicas."`
	HPACPUPercent      int      `key:"gatewayHpaCpuPercent" desc:"HPA target average CPU utilisation (% of request)."`
	HPAMemoryPercent   int      `key:"gatewayHpaMemoryPercent" desc:"HPA target average memory utilisation (% of request)."`
	PDBMaxUnavailable  int      `key:"gatewayPdbMaxUnavailable" desc:"PodDisruptionBudget maxUnavailable for the gateway."`
	PersistentQueue    bool     `key:"gatewayPersistentQueue" desc:"Back the gateway's sending queues with the file_storage extension, so queued data survives a restart: a PVC per pod with statefulset (survives rescheduling too), an emptyDir with deployment (survives container restarts, not rescheduling; the pod requests its size as ephemeral storage). The queues then share 3/4 of gatewayQueueStorageSize in bytes, so they never outgrow their volume."`
	QueueSize          int      `key:"gatewayQueueSize" desc:"Sending-queue size (batches) of each gateway exporter, for in-memory queues (a persistent queue is sized in bytes from gatewayQueueStorageSize)."`
	QueueStorageSize   string   `key:"gatewayQueueStorageSize" desc:"Size of each gateway pod's queue volume (at least 1Gi with gatewayPersistentQueue)."`
	StorageClass       string   `key:"gatewayStorageClass" desc:"StorageClass of the queue PVCs (statefulset); empty uses the cluster default."`
	VPAEnabled         bool     `key:"gatewayVpaEnabled" desc:"Create a VerticalPodAutoscaler in recommendation mode (updateMode Off) for the gateway; needs the VPA CRDs in the cluster."`
	CanaryEnabled      bool     `key:"gatewayCanaryEnabled" desc:"Run a canary gateway track beside the stable one, behind the same Services: it takes about gatewayCanaryReplicas/(stable+canary) of the agents' connections. Promote by setting collectorVersion to gatewayCanaryVersion and turning the canary off; roll back by turning it off."`
	CanaryVersion      string   `key:"gatewayCanaryVersion" desc:"Collector image tag of the canary track; empty uses collectorVersion (for a config-only canary)."`
	CanaryReplicas     int      `key:"gatewayCanaryReplicas" desc:"Replicas of the canary track (not scaled by the HPA)."`
	CanaryLogLevel     string   `key:"gatewayCanaryLogLevel" enum:"debug,info,warn,error" desc:"Log level of the canary track's collectors (a config override for the canary only)."`
	Ingest             bool     `key:"gatewayIngest" desc:"Expose the gateway outside the cluster through a LoadBalancer Service (OTLP 4317/4318 and health_check 13133): for workloads outside the cluster, other regions' gateways, and DNS failover."`
	IngestInternal     bool     `key:"gatewayIngestInternal" desc:"Make the ingest load balancer internal (private network only) rather than internet-facing."`
	IngestSourceRanges []string `key:"gatewayIngestSourceRanges" desc:"CIDR ranges allowed to reach the ingest load balancer; empty allows every client the load balancer can reach."`
	OutsidePlaintext   bool     `key:"outsideCollectorsPlaintext" desc:"Accept plain-text OTLP on the collectors outside Kubernetes — the ECS Fargate collector's internal NLB (from the VPC) and the ACI container group (from its VNet) — for Lambda and ECS workloads that send without certificates. Required while ecsCollector or aciEnabled is on: their receivers have no TLS yet, and this key records that decision."`
	AllowAllNamespaces bool     `key:"gatewayAllowAllNamespaces" desc:"Allow OTLP into the gateway from every namespace of the cluster (true), or only from namespaces labelled otelfleet.io/telemetry=enabled and the agents' namespace (false)."`
	Redaction          bool     `key:"gatewayRedaction" desc:"Remove and mask personal data and credentials in traces and logs at the gateways (and the ECS/ACI collectors) before they leave: credential headers (authorization, cookie, x-api-key, set-cookie) removed; query strings of url.full/http.url/http.target replaced by ?REDACTED and url.query removed; SQL literals in db.statement/db.query.text replaced by ?; e-mail addresses, payment-card numbers and bearer tokens masked in every string attribute and log body; values of keys naming a password, secret, token or api key masked. Identity keys (service.*, telemetry.sdk.*, deployment.environment, the agents' k8s metadata, the gateway's own cloud.* and k8s.cluster.name) are left alone: backends index them."`
	ExpectedSpans      int      `key:"gatewayExpectedSpansPerSecond" desc:"Spans per second the gateway tier is expected to take at peak (over all pods; 0: not stated). With the other gatewayExpected* keys it feeds the capacity model (the Capacity model section of docs/config.md): the HPA's minimum replicas and CPU target are derived from it, and the persistent queue must hold gatewayOutageToBuffer of it."`
	ExpectedLogRecords int      `key:"gatewayExpectedLogRecordsPerSecond" desc:"Log records per second the gateway tier is expected to take at peak (0: not stated); see gatewayExpectedSpansPerSecond."`
	ExpectedPoints     int      `key:"gatewayExpectedMetricPointsPerSecond" desc:"Metric data points per second the gateway tier is expected to take at peak (0: not stated); see gatewayExpectedSpansPerSecond."`
	CostSpans          float64  `key:"gatewayCpuSecondsPerMillionSpans" desc:"The capacity model's cost of a span on your gateway nodes: CPU-seconds per million spans, every span kept (bench/gateway.sh --stack <stack> --error-percent 100 prints it as the calibration line). 0 uses the figure measured for the stack's cloud (docs/config.md, Capacity model); give 1 to 10000."`
	CostLogRecords     float64  `key:"gatewayCpuSecondsPerMillionLogRecords" desc:"The same for log records (bench/gateway.sh --signal logs); 0 uses the measured figure."`
	CostPoints         float64  `key:"gatewayCpuSecondsPerMillionMetricPoints" desc:"The same for metric data points (bench/gateway.sh --signal metrics); 0 uses the measured figure."`
	OutageToBuffer     string   `key:"gatewayOutageToBuffer" desc:"How long every cloud backend may be unreachable without losing data at the expected load: with gatewayPersistentQueue, gatewayQueueStorageSize must hold that much of it (the capacity model says how much is needed). A duration such as 15m, at most 168h."`
	RedactionAllow     []string `key:"gatewayRedactionAllow" desc:"Attribute keys the redaction leaves untouched (e.g. url.full where query strings are needed and known to be clean)."`
}

// ImageRef is the stable collector image: repository:collectorVersion, plus @digest when
// collectorImage pins one (the tag names the release, the digest pins the bytes).
func (c Collector) ImageRef() string {
	repo, digest, pinned := strings.Cut(c.Image, "@")
	if !pinned {
		return c.Image + ":" + c.Version
	}
	return repo + ":" + c.Version + "@" + digest
}

// ImageAt is the repository at another tag (a canary's version): a digest pins
// collectorVersion's image only, so it is dropped.
func (c Collector) ImageAt(tag string) string {
	repo, _, _ := strings.Cut(c.Image, "@")
	return repo + ":" + tag
}

// Sampling configures trace sampling at the gateway.
type Sampling struct {
	Mode               string  `key:"samplingMode" enum:"none,probabilistic,tail" desc:"Trace sampling at the gateway: none, probabilistic (head, per trace id) or tail (keeps errors and slow traces plus a percentage; agents then route by trace id to the gateway pods through the headless Service)."`
	Percentage         float64 `key:"samplingPercentage" desc:"Percentage of traces kept by probabilistic sampling, or by the tail policy's probabilistic branch (0 < p <= 100)."`
	DecisionWait       string  `key:"samplingDecisionWait" desc:"Tail sampling: how long a trace is held before the decision (Go duration)."`
	DecisionWaitRoot   string  `key:"samplingDecisionWaitAfterRoot" desc:"Tail sampling: decide this long after a trace's root span arrived, when that comes before samplingDecisionWait (Go duration; 0s: only samplingDecisionWait). The root span ends last, so the trace is complete by then but for spans other agents still batch (up to 1s); deciding early holds a third of the memory and cut the aws gateway's CPU per span by a sixth (bench/gateway.sh). Spans arriving after the decision follow it."`
	LatencyThresholdMs int     `key:"samplingLatencyThresholdMs" desc:"Tail sampling: traces slower than this are always kept."`
}

// TLS configures agent→gateway mutual TLS with cert-manager.
type TLS struct {
	Enabled            bool   `key:"tlsEnabled" desc:"Mutual TLS between agents and the gateway, with certificates issued by cert-manager."`
	Issuer             string `key:"tlsIssuer" desc:"Name of an existing cert-manager ClusterIssuer that signs the certificates (one your PKI shares across clusters); empty signs with the fleet CA (see tlsCaStack)."`
	CAStack            string `key:"tlsCaStack" desc:"Fully qualified name (org/project/stack) of the stack that owns the fleet CA: this stack signs with the same CA, read from that stack's tlsCaCertificate and (secret) tlsCaKey outputs, so its collectors and that stack's trust each other. Empty: this stack owns a fleet CA (created on the first up, then kept) and exports it for others."`
	InstallCertManager bool   `key:"certManagerInstall" desc:"Install cert-manager as a pinned Helm release (turn off when the cluster already has it)."`
	CertManagerVersion string `key:"certManagerVersion" desc:"cert-manager Helm chart version installed when certManagerInstall is on."`
	CertDuration       string `key:"tlsCertDuration" desc:"Lifetime of every collector certificate (Go duration; cert-manager's minimum is 1h)."`
	CertRenewBefore    string `key:"tlsCertRenewBefore" desc:"How long before expiry cert-manager renews a certificate, in place on disk."`
	ReloadInterval     string `key:"tlsReloadInterval" desc:"How often every collector re-reads its certificate and key from disk (the CA bundle a gateway trusts is watched). The renewal window (tlsCertRenewBefore) must hold at least two reloads, so a renewed certificate is in use long before the old one expires."`
}

// Upstream is an OTLP endpoint the gateway forwards to: a global gateway, a vendor, or
// (for the kubernetes stack) any OTLP backend.
type Upstream struct {
	Endpoint string `key:"upstreamOtlpEndpoint" desc:"OTLP endpoint the gateway also forwards every signal to (host:port for grpc, a URL for http); empty forwards nowhere (the kubernetes stack then prints to the debug exporter)."`
	Protocol string `key:"upstreamOtlpProtocol" enum:"grpc,http" desc:"Protocol of upstreamOtlpEndpoint."`
	Insecure bool   `key:"upstreamOtlpInsecure" desc:"Send to upstreamOtlpEndpoint without TLS (only for endpoints inside a trusted network)."`
	Only     bool   `key:"upstreamOnly" desc:"Forward only to upstreamOtlpEndpoint, instead of also to the cloud's own backends."`
	// Data residency: which signals leave the region, which must not.
	Signals   []string `key:"upstreamSignals" enum:"traces,metrics,logs" desc:"Signals forwarded to upstreamOtlpEndpoint; the others stay in this stack's own backends only."`
	Residency []string `key:"dataResidency" desc:"Signals that must stay in this stack's region (any of traces, metrics, logs): validation refuses forwarding them (upstreamSignals) or forwarding only (upstreamOnly). Empty: no residency rule."`
}

// Cluster configures the kubernetes stack, which deploys only the collector layer onto an
// existing cluster.
type Cluster struct {
	KubeContext string `key:"kubeContext" desc:"kubeconfig context of the existing cluster (kubernetes stack); empty uses the current context."`
	// The managed clusters' API endpoint (aws, azure): never open to the whole internet.
	APIAllowedCIDRs []string `key:"clusterApiAllowedCidrs" desc:"CIDR ranges allowed to reach the EKS/AKS API endpoint (EKS publicAccessCidrs, AKS authorizedIPRanges): the egress of whatever runs pulumi up and kubectl (CI runners, VPN). Required for the aws and azure stacks unless clusterApiPrivate; 0.0.0.0/0 is refused."`
	APIPrivate      bool     `key:"clusterApiPrivate" desc:"aws: the EKS API endpoint is reachable from the VPC only (pulumi up must then run inside it, e.g. a self-hosted runner); clusterApiAllowedCidrs must be empty."`
}

// Monitoring configures the fleet's self-monitoring.
type Monitoring struct {
	PrometheusOperator bool `key:"monitoringPrometheusOperator" desc:"Create ServiceMonitor, PodMonitor and PrometheusRule objects (the cluster must run the Prometheus operator); off, Prometheus discovers the collectors by their prometheus.io annotations."`
	Dashboard          bool `key:"monitoringDashboard" desc:"Create a ConfigMap holding the fleet's Grafana dashboard, labelled grafana_dashboard=1 for Grafana's dashboard sidecar."`
}

// GatewayMinReplicas is the fewest gateway replicas that is not an incident.
func (s Stack) GatewayMinReplicas() int {
	return fleet.MinReplicas(s.Gateway.HPAEnabled, s.Gateway.HPAMinReplicas, s.Gateway.Replicas)
}

// Names are the fleet's object names and hosts for this stack.
func (s Stack) Names() fleet.Names {
	return fleet.Names{Prefix: s.Name, Namespace: s.Kubernetes.Namespace, AgentNamespace: s.Kubernetes.AgentNamespace}
}
