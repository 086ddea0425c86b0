package collector

import (
	"fmt"
	"net"
	"slices"
	"strings"
)

// Log sources of the host agent.
const (
	HostLogsJournald = "journald"
	HostLogsFiles    = "files"
	HostLogsNone     = "none"
	TypeJournald     = "journald"
	TypeResourceDet  = "resource_detection"
)

// Where the host agent keeps its files on a VM (the systemd unit creates the state
// directory; the operator installs the rest, see the README).
const (
	HostAgentConfigPath = "/etc/otelfleet/host-agent.yaml"
	HostAgentTLSDir     = "/etc/otelfleet/tls"
	HostAgentStateDir   = "/var/lib/otelfleet-agent"
	HostAgentBinary     = "/usr/local/bin/otelcol-otelfleet"
	HostAgentUser       = "otelfleet-agent"
	HostAgentMemoryMiB  = 256
)

// HostAgentOptions describe the agent for Linux hosts outside Kubernetes (VMs on premises or
// in a cloud, moving to the fleet): the host's own metrics, its journal or log files, and
// OTLP from local applications, sent to the gateway's ingest over mutual TLS with a
// persistent queue, so a link to the cloud that is down for a while loses nothing.
type HostAgentOptions struct {
	Environment string
	// Endpoint is host:port of the gateway ingest as the hosts reach it.
	Endpoint string
	// Logs is HostLogsJournald, HostLogsFiles (LogPaths) or HostLogsNone.
	Logs     string
	LogPaths []string
	// ReloadInterval is how often the agent re-reads its certificate files.
	ReloadInterval string
	QueueSize      int
}

// Validate checks the options.
func (o HostAgentOptions) Validate() error {
	if o.Environment == "" {
		return fmt.Errorf("host agent: Environment is required")
	}
	if _, port, err := net.SplitHostPort(o.Endpoint); err != nil || port == "" {
		return fmt.Errorf("host agent: endpoint %q: use host:port of the gateway ingest", o.Endpoint)
	}
	if !slices.Contains([]string{HostLogsJournald, HostLogsFiles, HostLogsNone}, o.Logs) {
		return fmt.Errorf("host agent: logs %q: use %s, %s or %s", o.Logs, HostLogsJournald, HostLogsFiles, HostLogsNone)
	}
	if o.Logs == HostLogsFiles && len(o.LogPaths) == 0 {
		return fmt.Errorf("host agent: logs %q needs log paths", o.Logs)
	}
	return requirePositive("host agent queue size", o.QueueSize)
}

// JournaldReceiver reads the systemd journal (through journalctl).
type JournaldReceiver struct {
	Directory string `json:"directory,omitempty"`
	StartAt   string `json:"start_at"`
	Priority  string `json:"priority,omitempty"`
	Storage   string `json:"storage,omitempty"`
}

func (JournaldReceiver) Type() string { return TypeJournald }

// Signals reports the pipelines the component can be part of.
func (JournaldReceiver) Signals() []string { return []string{Logs} }

// ResourceDetectionProcessor adds what the host knows about itself (host.name, os.type).
type ResourceDetectionProcessor struct {
	Detectors []string `json:"detectors"`
	Override  bool     `json:"override"`
}

func (ResourceDetectionProcessor) Type() string { return TypeResourceDet }

// Signals reports the pipelines the component can be part of.
func (ResourceDetectionProcessor) Signals() []string { return []string{Traces, Metrics, Logs} }

// HostAgentConfig builds the host agent's configuration.
func HostAgentConfig(o HostAgentOptions) (*Config, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	ext, extIDs := operability(false)
	c := &Config{
		// Local applications only: the host's loopback.
		Receivers: map[string]Component{idOTLP: otlpReceiver("127.0.0.1", nil, agentMaxRecvMsgMiB)},
		Processors: map[string]Component{
			idMemoryLimiter: MemoryLimiterFor(HostAgentMemoryMiB),
			TypeResourceDet: ResourceDetectionProcessor{Detectors: []string{"env", "system"}},
			idResource:      ResourceProcessor{Attributes: []AttributeAction{{Key: "deployment.environment", Value: o.Environment, Action: "upsert"}}},
			idBatch:         BatchProcessor{Timeout: agentBatchTimeout, SendBatchSize: agentBatchMaxSpans, SendBatchMaxSize: agentBatchMaxSpans},
		},
		Exporters:  map[string]Component{},
		Extensions: ext,
		Service:    Service{Extensions: extIDs, Pipelines: map[string]Pipeline{}, Telemetry: SelfMetrics("info", "127.0.0.1", PortMetrics)},
	}
	// The health check answers systemd-independent probes on loopback only.
	c.Extensions[idHealth] = HealthCheckExtension{Endpoint: hostPort("127.0.0.1", PortHealthCheck)}
	storage := addQueueStorage(c, HostAgentStateDir+"/queue")
	tls := &ClientTLS{CAFile: HostAgentTLSDir + "/ca.crt", CertFile: HostAgentTLSDir + "/tls.crt", KeyFile: HostAgentTLSDir + "/tls.key", ReloadInterval: o.ReloadInterval}
	gateway := toGateway(o.Endpoint, tls, o.QueueSize, storage)
	gateway.Compression = "gzip" // the hop crosses the WAN
	gatewayID := TypeOTLPGRPC + "/gateway"
	c.Exporters[gatewayID] = gateway

	c.Receivers[TypeHostMetrics] = HostMetricsReceiver{CollectionInterval: "30s", Scrapers: map[string]any{
		"cpu": map[string]any{}, "load": map[string]any{}, "memory": map[string]any{}, "disk": map[string]any{},
		"filesystem": NodeMetrics{HostRoot: "/"}.receivers()[TypeHostMetrics].(HostMetricsReceiver).Scrapers["filesystem"],
		"network":    map[string]any{}, "paging": map[string]any{}, "processes": map[string]any{},
	}}
	processors := []string{idMemoryLimiter, TypeResourceDet, idResource, idBatch}
	c.Service.Pipelines[Traces] = Pipeline{Receivers: []string{idOTLP}, Processors: processors, Exporters: []string{gatewayID}}
	c.Service.Pipelines[Metrics] = Pipeline{Receivers: []string{idOTLP, TypeHostMetrics}, Processors: processors, Exporters: []string{gatewayID}}
	logs := []string{idOTLP}
	switch o.Logs {
	case HostLogsJournald:
		c.Extensions[idLogCheckpoints] = FileStorageExtension{Directory: HostAgentStateDir + "/logs", Timeout: "10s", CreateDirectory: true}
		c.Service.Extensions = append(c.Service.Extensions, idLogCheckpoints)
		c.Receivers[TypeJournald] = JournaldReceiver{StartAt: "end", Priority: "info", Storage: idLogCheckpoints}
		logs = append(logs, TypeJournald)
	case HostLogsFiles:
		c.Extensions[idLogCheckpoints] = FileStorageExtension{Directory: HostAgentStateDir + "/logs", Timeout: "10s", CreateDirectory: true}
		c.Service.Extensions = append(c.Service.Extensions, idLogCheckpoints)
		c.Receivers[TypeFileLog] = FileLogReceiver{Include: o.LogPaths, StartAt: "beginning", IncludeFilePath: true, Storage: idLogCheckpoints}
		logs = append(logs, TypeFileLog)
	}
	c.Service.Pipelines[Logs] = Pipeline{Receivers: logs, Processors: processors, Exporters: []string{gatewayID}}
	return c, c.Validate()
}

// HostAgentUnit is the systemd unit that runs the host agent: as its own unprivileged user
// (reading the journal through the systemd-journal group), restarted on failure, with the
// filesystem read-only but for its state directory, no capabilities, and memory bounded
// above the agent's memory_limiter.
func HostAgentUnit() string {
	sections := []struct {
		name string
		keys [][2]string
	}{
		{"Unit", [][2]string{
			{"Description", "otelfleet host agent (OpenTelemetry Collector)"},
			{"Documentation", "https://github.com/otelfleet/otelfleet#hosts-outside-kubernetes"},
			{"After", "network-online.target"}, {"Wants", "network-online.target"},
		}},
		{"Service", [][2]string{
			{"Type", "simple"},
			{"ExecStart", HostAgentBinary + " --config=" + HostAgentConfigPath},
			{"User", HostAgentUser}, {"Group", HostAgentUser}, {"SupplementaryGroups", "systemd-journal"},
			{"StateDirectory", strings.TrimPrefix(HostAgentStateDir, "/var/lib/")}, {"StateDirectoryMode", "0700"},
			{"Restart", "always"}, {"RestartSec", "5s"},
			{"MemoryMax", fmt.Sprintf("%dM", HostAgentMemoryMiB*2)},
			{"NoNewPrivileges", "yes"}, {"CapabilityBoundingSet", ""}, {"AmbientCapabilities", ""},
			{"ProtectSystem", "strict"}, {"ProtectHome", "read-only"}, {"PrivateTmp", "yes"}, {"PrivateDevices", "yes"},
			{"ProtectKernelTunables", "yes"}, {"ProtectKernelModules", "yes"}, {"ProtectControlGroups", "yes"},
			{"RestrictSUIDSGID", "yes"}, {"LockPersonality", "yes"},
		}},
		{"Install", [][2]string{{"WantedBy", "multi-user.target"}}},
	}
	var b strings.Builder
	b.WriteString("# Rendered by otelfleet: the host agent (see README, \"Hosts outside Kubernetes\").\n")
	for i, s := range sections {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%s]\n", s.name)
		for _, kv := range s.keys {
			fmt.Fprintf(&b, "%s=%s\n", kv[0], kv[1])
		}
	}
	return b.String()
}
