// Package plan turns a validated stack configuration into the fleet it describes, as plain
// values and with no Pulumi: the names and namespaces, ports, the agent and gateway specs,
// every collector configuration, the alert catalogue and the stack outputs the fleet
// defines. The stack builders turn a plan into resources; tests read it without compiling a
// cloud SDK (go test ./stacks/plan runs in about a second).
package plan

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"
	"github.com/otelfleet/otelfleet/components/fleetca"
	"github.com/otelfleet/otelfleet/internal/quantity"
	"github.com/otelfleet/otelfleet/stacks/config"
)

// Plan is one stack's fleet.
type Plan struct {
	Cloud    string             `json:"cloud"`
	Image    string             `json:"image"` // repository:tag of every collector
	Names    fleet.Names        `json:"names"`
	Ports    map[string]int     `json:"ports"`
	Agent    Agent              `json:"agent"`
	Gateway  Gateway            `json:"gateway"`
	TLS      *TLS               `json:"tls,omitempty"`
	Sampling collector.Sampling `json:"sampling"`
	Configs  fleet.Configs      `json:"configs"` // collector configuration per tier, YAML
	// CloudCollectors are the configurations of the cloud's collectors outside the cluster
	// (CollectorECS, CollectorACI).
	CloudCollectors map[string]string `json:"cloudCollectors,omitempty"`
	// HostAgent is the agent for Linux hosts outside Kubernetes (otelfleet:hostAgentEndpoint).
	HostAgent *HostAgent `json:"hostAgent,omitempty"`
	// Capacity is the gateway tier's capacity model; it has set the HPA's floor and target.
	Capacity *Capacity     `json:"capacity"`
	Alerts   []fleet.Alert `json:"alerts"`
	Outputs  []Output      `json:"outputs"`
	// Trust is the clock and entropy the stack's certificates are made with (stacks.Program
	// sets it: the real ones for a deployment, fixed ones for offline rendering).
	Trust      fleetca.Source `json:"-"`
	configSpec fleet.ConfigSpec
}

// Resources are a container's requests and limits (Kubernetes quantities).
type Resources struct {
	CPURequest    string `json:"cpuRequest"`
	CPULimit      string `json:"cpuLimit"`
	MemoryRequest string `json:"memoryRequest"`
	MemoryLimit   string `json:"memoryLimit"`
}

// Agent is the agent tier.
type Agent struct {
	Modes         []string  `json:"modes"`
	Resources     Resources `json:"resources"`
	QueueSize     int       `json:"queueSize"`
	LogCollection bool      `json:"logCollection"`
	K8sAttributes bool      `json:"k8sAttributes"`
	// PodSecurity is the Pod Security level its namespace enforces: restricted, or
	// privileged when it reads container logs from a hostPath.
	PodSecurity string `json:"podSecurity"`
}

// Gateway is the gateway tier.
type Gateway struct {
	Kind        string    `json:"kind"`
	Replicas    int       `json:"replicas,omitempty"` // without the HPA
	HPA         *HPA      `json:"hpa,omitempty"`
	MinReplicas int       `json:"minReplicas"` // fewer is an incident
	Resources   Resources `json:"resources"`
	PDBMax      int       `json:"pdbMaxUnavailable"`
	QueueSize   int       `json:"queueSize"`
	// QueueStorage is the persistent queue's volume size ("" without one).
	QueueStorage       string                      `json:"queueStorage,omitempty"`
	AllowedNamespaces  []string                    `json:"allowedNamespaces,omitempty"` // nil: every namespace
	Canary             *Canary                     `json:"canary,omitempty"`
	ResourceAttributes []collector.AttributeAction `json:"resourceAttributes"`
}

// HPA is the gateway's autoscaler.
type HPA struct {
	Min           int `json:"min"`
	Max           int `json:"max"`
	CPUPercent    int `json:"cpuPercent"`
	MemoryPercent int `json:"memoryPercent"`
}

// Canary is the gateway's canary track.
type Canary struct {
	Image    string `json:"image"`
	Replicas int    `json:"replicas"`
	LogLevel string `json:"logLevel"`
}

// TLS is the fleet's mutual TLS.
type TLS struct {
	Issuer             string   `json:"issuer"` // the ClusterIssuer that signs every certificate
	CertDuration       string   `json:"certDuration"`
	CertRenewBefore    string   `json:"certRenewBefore"`
	ReloadInterval     string   `json:"reloadInterval"` // how often collectors re-read them
	InstallCertManager bool     `json:"installCertManager"`
	GatewayDNSNames    []string `json:"gatewayDnsNames"`
	AgentDNSNames      []string `json:"agentDnsNames"`
}

// Output is a stack output the fleet defines.
type Output struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// New plans the stack. cfg must be valid (config.LoadValid); a configuration the collector
// presets reject is an error naming the tier.
func New(cfg config.Stack) (*Plan, error) {
	names := cfg.Names()
	p := &Plan{
		Cloud: cfg.Cloud, Image: cfg.Collector.ImageRef(), Names: names,
		Ports: map[string]int{
			"otlpGrpc": collector.PortOTLPGRPC, "otlpHttp": collector.PortOTLPHTTP,
			"metrics": collector.PortMetrics, "healthCheck": collector.PortHealthCheck,
		},
		Agent:    agent(cfg),
		Gateway:  gateway(cfg),
		Sampling: sampling(cfg),
	}
	if cfg.TLS.Enabled {
		p.TLS = &TLS{Issuer: cfg.TLS.Issuer, InstallCertManager: cfg.TLS.InstallCertManager,
			CertDuration: cfg.TLS.CertDuration, CertRenewBefore: cfg.TLS.CertRenewBefore, ReloadInterval: cfg.TLS.ReloadInterval,
			GatewayDNSNames: names.GatewayDNSNames(), AgentDNSNames: []string{names.AgentHost()}}
		if p.TLS.Issuer == "" {
			p.TLS.Issuer = names.CAIssuer()
		}
	}
	agentMiB, err := quantity.MiB(cfg.Agent.MemoryLimit)
	if err != nil {
		return nil, fmt.Errorf("otelfleet:agentMemoryLimit: %w", err)
	}
	gatewayMiB, err := quantity.MiB(cfg.Gateway.MemoryLimit)
	if err != nil {
		return nil, fmt.Errorf("otelfleet:gatewayMemoryLimit: %w", err)
	}
	p.configSpec = fleet.ConfigSpec{
		Names: names, Environment: cfg.Environment, LogLevel: cfg.Collector.LogLevel, TLS: cfg.TLS.Enabled, Sampling: p.Sampling,
		TLSReloadInterval: tlsReloadInterval(cfg),
		AgentModes:        cfg.Agent.Modes, AgentMemoryLimitMiB: agentMiB, AgentQueueSize: cfg.Agent.QueueSize,
		AgentK8sAttributes: cfg.Agent.K8sAttributes, AgentLogCollection: cfg.Agent.LogCollection,
		AgentNodeMetrics: cfg.Agent.NodeMetrics, AgentHostFilesystems: cfg.Agent.HostFilesystems, KubeletCAFile: KubeletCAFile(cfg),
		AgentPrometheusScrape: cfg.Agent.PrometheusScrape, ClusterMetrics: cfg.Agent.ClusterMetrics, ClusterEvents: cfg.Agent.ClusterEvents,
		GatewayMemoryLimitMiB: gatewayMiB, GatewayQueueSize: cfg.Gateway.QueueSize, GatewayPersistentQueue: cfg.Gateway.PersistentQueue,
		GatewayQueueBytes: fleet.QueueBudget(cfg.Gateway.PersistentQueue, cfg.Gateway.QueueStorageSize),
		Exporters:         GatewayExporters(cfg), GatewayResourceAttributes: p.Gateway.ResourceAttributes,
		GatewaySelfMetrics: clouds[cfg.Cloud].selfMetricsOf(cfg, TierGateway, gatewayStream()),
		GatewayRedaction:   Redaction(cfg),
		Canary:             cfg.Gateway.CanaryEnabled, CanaryLogLevel: cfg.Gateway.CanaryLogLevel,
	}
	if p.Configs, err = fleet.NewConfigs(p.configSpec); err != nil {
		return nil, err
	}
	if p.CloudCollectors, err = cloudCollectors(cfg); err != nil {
		return nil, err
	}
	if p.HostAgent, err = hostAgent(cfg); err != nil {
		return nil, err
	}
	if p.Capacity, err = gatewayCapacity(cfg, p, gatewayMiB); err != nil {
		return nil, err
	}
	traces := 0
	if p.Sampling.Mode == collector.SamplingTail {
		traces = collector.TailSamplingTraces
	}
	p.Alerts = fleet.Alerts(fleet.AlertOptions{MinReplicas: p.Gateway.MinReplicas, TailSamplingTraces: traces})
	p.Outputs = outputs(cfg, p)
	return p, nil
}

// Redaction is the stack's PII preset (otelfleet:gatewayRedaction), nil when off.
func Redaction(cfg config.Stack) *collector.Redaction {
	if !cfg.Gateway.Redaction {
		return nil
	}
	return &collector.Redaction{Allow: cfg.Gateway.RedactionAllow}
}

// KubeletCAFile is how the agents verify their kubelet's serving certificate: with the
// cluster CA on AKS (kubelet serving certificates signed by it), not at all on EKS and on
// other clusters, whose kubelets serve self-signed certificates by default.
func KubeletCAFile(cfg config.Stack) string {
	if cfg.Cloud == "azure" {
		return collector.ServiceAccountCAFile
	}
	return ""
}

// ConfigSpec is what the plan's collector configurations were rendered from.
func (p *Plan) ConfigSpec() fleet.ConfigSpec { return p.configSpec }

func agent(cfg config.Stack) Agent {
	a := cfg.Agent
	level := "restricted"
	if a.LogCollection || a.HostFilesystems {
		level = "privileged" // hostPaths /var/log, /
	}
	return Agent{Modes: a.Modes, QueueSize: a.QueueSize, LogCollection: a.LogCollection, K8sAttributes: a.K8sAttributes, PodSecurity: level,
		Resources: Resources{CPURequest: a.CPURequest, CPULimit: a.CPULimit, MemoryRequest: a.MemoryRequest, MemoryLimit: a.MemoryLimit}}
}

func gateway(cfg config.Stack) Gateway {
	g := cfg.Gateway
	out := Gateway{Kind: g.Kind, MinReplicas: cfg.GatewayMinReplicas(), PDBMax: g.PDBMaxUnavailable, QueueSize: g.QueueSize,
		Resources:          Resources{CPURequest: g.CPURequest, CPULimit: g.CPULimit, MemoryRequest: g.MemoryRequest, MemoryLimit: g.MemoryLimit},
		ResourceAttributes: ResourceAttributes(cfg, clouds[cfg.Cloud].platform, clouds[cfg.Cloud].clusterOf(cfg))}
	if cfg.Cloud == "azure" {
		// What reaches a gateway through another stack's ACI collector is this gateway's
		// export now: the ingestion-loss alert counts it on the gateways' side.
		out.ResourceAttributes = append(out.ResourceAttributes, collector.AttributeAction{Key: collector.ExportedByAttribute, Action: "delete"})
	}
	if g.HPAEnabled {
		out.HPA = &HPA{Min: g.HPAMinReplicas, Max: g.HPAMaxReplicas, CPUPercent: g.HPACPUPercent, MemoryPercent: g.HPAMemoryPercent}
	} else {
		out.Replicas = g.Replicas
	}
	if g.PersistentQueue {
		out.QueueStorage = g.QueueStorageSize
	}
	if !g.AllowAllNamespaces {
		out.AllowedNamespaces = []string{cfg.Kubernetes.Namespace, cfg.Kubernetes.AgentNamespace}
	}
	if g.CanaryEnabled {
		image := cfg.Collector.ImageRef()
		if g.CanaryVersion != "" {
			image = cfg.Collector.ImageAt(g.CanaryVersion)
		}
		level := g.CanaryLogLevel
		if level == "" {
			level = cfg.Collector.LogLevel
		}
		out.Canary = &Canary{Image: image, Replicas: g.CanaryReplicas, LogLevel: level}
	}
	return out
}

func sampling(cfg config.Stack) collector.Sampling {
	s := cfg.Sampling
	return collector.Sampling{Mode: s.Mode, Percentage: s.Percentage, DecisionWait: s.DecisionWait,
		DecisionWaitAfterRoot: s.DecisionWaitRoot, LatencyThresholdMs: s.LatencyThresholdMs}
}

// outputs are the outputs the fleet defines, in the order the README lists them; the
// clouds add their own (ARNs, kubeconfigs) at deploy time.
func outputs(cfg config.Stack, p *Plan) []Output {
	agentEndpoint := p.Names.GatewayEndpoint()
	for _, m := range cfg.Agent.Modes {
		if m == collector.AgentDaemonSet {
			agentEndpoint = fmt.Sprintf("%s:%d", p.Names.AgentHost(), collector.PortOTLPGRPC)
		}
	}
	out := []Output{
		{"gatewayEndpoint", p.Names.GatewayEndpoint()},
		{"agentEndpoint", agentEndpoint},
		{"gatewayNamespace", p.Names.Namespace},
		{"agentNamespace", p.Names.AgentNamespace},
	}
	if p.TLS != nil {
		out = append(out, Output{"tlsIssuer", p.TLS.Issuer})
	}
	if p.HostAgent != nil {
		out = append(out, Output{"hostAgentConfig", p.HostAgent.Config}, Output{"hostAgentUnit", p.HostAgent.Unit})
	}
	if p.Capacity != nil {
		out = append(out, Output{"gatewayCapacity", p.Capacity.Summary()})
	}
	return out
}

// HostAgent is the agent for Linux hosts outside Kubernetes: its collector configuration
// and its systemd unit.
type HostAgent struct {
	Config, Unit string
}

// hostAgent renders the host agent of otelfleet:hostAgentEndpoint (nil when unset).
func hostAgent(cfg config.Stack) (*HostAgent, error) {
	h := cfg.Hosts
	if h.Endpoint == "" {
		return nil, nil
	}
	c, err := collector.HostAgentConfig(collector.HostAgentOptions{
		Environment: cfg.Environment, Endpoint: h.Endpoint, Logs: h.Logs, LogPaths: h.LogPaths,
		ReloadInterval: cfg.TLS.ReloadInterval, QueueSize: cfg.Agent.QueueSize,
	})
	if err != nil {
		return nil, fmt.Errorf("host agent config: %w", err)
	}
	text, err := c.YAML()
	if err != nil {
		return nil, err
	}
	return &HostAgent{Config: text, Unit: collector.HostAgentUnit()}, nil
}

// tlsReloadInterval is how often the fleet's collectors re-read their certificates ("" without TLS).
func tlsReloadInterval(cfg config.Stack) string {
	if !cfg.TLS.Enabled {
		return ""
	}
	return cfg.TLS.ReloadInterval
}
