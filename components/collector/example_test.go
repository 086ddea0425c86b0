package collector_test

import (
	"fmt"
	"strings"

	"github.com/otelfleet/otelfleet/components/collector"
)

// The DaemonSet agent preset: OTLP in, memory_limiter first, node-local Kubernetes metadata,
// deployment.environment, batch, and OTLP out to the gateway with retry and a sending queue.
func ExampleAgentConfig() {
	c, err := collector.AgentConfig(collector.AgentOptions{
		Mode:            collector.AgentDaemonSet,
		Environment:     "production",
		GatewayEndpoint: "otel-gateway.observability.svc.cluster.local:4317",
		MemoryLimitMiB:  512, // the container's memory limit
		QueueSize:       1000,
		K8sAttributes:   true,
		NodeEnvVar:      "K8S_NODE_NAME",
	})
	if err != nil {
		panic(err)
	}
	traces := c.Service.Pipelines[collector.Traces]
	fmt.Println("traces:", strings.Join(traces.Processors, " → "), "→", strings.Join(traces.Exporters, ", "))

	text, err := c.YAML()
	if err != nil {
		panic(err)
	}
	// Keys render sorted: the exporters come first, the extensions next.
	exporters, _, _ := strings.Cut(text, "extensions:")
	fmt.Print(exporters)
	// Output:
	// traces: memory_limiter → k8s_attributes → resource → batch → otlp_grpc/gateway
	// exporters:
	//   otlp_grpc/gateway:
	//     compression: snappy
	//     endpoint: otel-gateway.observability.svc.cluster.local:4317
	//     retry_on_failure:
	//       enabled: true
	//       initial_interval: 1s
	//       max_elapsed_time: 300s
	//       max_interval: 30s
	//     sending_queue:
	//       enabled: true
	//       num_consumers: 4
	//       queue_size: 1000
	//     timeout: 10s
	//     tls:
	//       insecure: true
}

// With tail sampling, the agent routes spans by trace id to the gateway pods behind a
// headless Service, so every span of a trace reaches the pod that decides on it.
func ExampleAgentConfig_tailSampling() {
	c, err := collector.AgentConfig(collector.AgentOptions{
		Mode:              collector.AgentSidecar,
		Environment:       "production",
		GatewayEndpoint:   "otel-gateway.observability.svc.cluster.local:4317",
		LoadBalancingHost: "otel-gateway-headless.observability.svc.cluster.local",
		MemoryLimitMiB:    128,
		QueueSize:         500,
	})
	if err != nil {
		panic(err)
	}
	for _, signal := range []string{collector.Traces, collector.Metrics} {
		fmt.Println(signal, "→", c.Service.Pipelines[signal].Exporters)
	}
	// Output:
	// traces → [load_balancing/gateway]
	// metrics → [otlp_grpc/gateway]
}

// The gateway preset applies one queue policy (retry plus a sending queue) to every
// exporter it is given, and puts the sampler in the traces pipeline only.
func ExampleGatewayConfig() {
	c, err := collector.GatewayConfig(collector.GatewayOptions{
		MemoryLimitMiB: 4096,
		QueueSize:      5000,
		Sampling:       collector.Sampling{Mode: collector.SamplingTail, Percentage: 10, DecisionWait: "10s", LatencyThresholdMs: 500},
		Exporters: []collector.Exporter{{
			ID:      collector.ID(collector.TypeOTLPGRPC, "backend"),
			Config:  collector.OTLPExporter{Endpoint: "backend.example.com:4317"},
			Signals: []string{collector.Traces, collector.Metrics},
		}},
	})
	if err != nil {
		panic(err)
	}
	for _, signal := range []string{collector.Traces, collector.Metrics} {
		p := c.Service.Pipelines[signal]
		fmt.Println(signal+":", strings.Join(p.Processors, " → "), "→", strings.Join(p.Exporters, ", "))
	}
	text, err := c.YAML()
	if err != nil {
		panic(err)
	}
	exporters, _, _ := strings.Cut(text, "extensions:")
	fmt.Print(exporters)
	// Output:
	// traces: memory_limiter → tail_sampling → batch → otlp_grpc/backend
	// metrics: memory_limiter → batch → otlp_grpc/backend
	// exporters:
	//   otlp_grpc/backend:
	//     endpoint: backend.example.com:4317
	//     retry_on_failure:
	//       enabled: true
	//       initial_interval: 1s
	//       max_elapsed_time: 300s
	//       max_interval: 30s
	//     sending_queue:
	//       enabled: true
	//       num_consumers: 10
	//       queue_size: 5000
	//     tls: {}
}

// With QueueDir the sending queues are persistent: a file_storage extension is added and
// every queued exporter stores its queue there, so a restart loses nothing.
func ExampleGatewayConfig_persistentQueue() {
	c, err := collector.GatewayConfig(collector.GatewayOptions{
		MemoryLimitMiB: 2048,
		QueueSize:      10000,
		QueueDir:       "/var/lib/otelcol/queue",
		Exporters: []collector.Exporter{{
			ID:      collector.ID(collector.TypeOTLPHTTP, "backend"),
			Config:  collector.OTLPHTTPExporter{Endpoint: "https://otlp.example.com"},
			Signals: []string{collector.Logs},
		}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("extensions:", c.Service.Extensions)
	text, err := c.YAML()
	if err != nil {
		panic(err)
	}
	_, queue, _ := strings.Cut(text, "    sending_queue:\n")
	queue, _, _ = strings.Cut(queue, "    tls:")
	fmt.Print(queue)
	// Output:
	// extensions: [health_check pprof zpages file_storage/queue]
	//       enabled: true
	//       num_consumers: 10
	//       queue_size: 10000
	//       storage: file_storage/queue
}

// A configuration can be written by hand with the typed components; YAML validates it and
// renders collector YAML with sorted keys (equal configs give equal text and checksums).
func ExampleConfig_YAML() {
	c := &collector.Config{
		Receivers: map[string]collector.Component{
			"otlp": collector.OTLPReceiver{Protocols: collector.OTLPProtocols{
				GRPC: &collector.GRPCServer{Endpoint: "0.0.0.0:4317"},
			}},
		},
		Exporters: map[string]collector.Component{
			"debug": collector.DebugExporter{Verbosity: "basic"},
		},
		Service: collector.Service{
			Pipelines: map[string]collector.Pipeline{
				collector.Traces: {Receivers: []string{"otlp"}, Exporters: []string{"debug"}},
			},
			// Own logs at info, own metrics for Prometheus on :8888.
			Telemetry: collector.SelfMetrics("info", "0.0.0.0", collector.PortMetrics),
		},
	}
	text, err := c.YAML()
	if err != nil {
		panic(err)
	}
	fmt.Print(text)
	// Output:
	// exporters:
	//   debug:
	//     verbosity: basic
	// receivers:
	//   otlp:
	//     protocols:
	//       grpc:
	//         endpoint: 0.0.0.0:4317
	// service:
	//   pipelines:
	//     traces:
	//       exporters:
	//       - debug
	//       receivers:
	//       - otlp
	//   telemetry:
	//     logs:
	//       encoding: json
	//       level: info
	//     metrics:
	//       level: normal
	//       readers:
	//       - pull:
	//           exporter:
	//             prometheus:
	//               host: 0.0.0.0
	//               port: 8888
}

// Validate reports every problem the collector would refuse to start with, one per line.
func ExampleConfig_Validate() {
	c := &collector.Config{
		Receivers: map[string]collector.Component{
			"otlp": collector.OTLPReceiver{Protocols: collector.OTLPProtocols{GRPC: &collector.GRPCServer{Endpoint: "0.0.0.0:4317"}}},
		},
		Processors: map[string]collector.Component{
			"batch":          collector.BatchProcessor{Timeout: "1s", SendBatchSize: 1024},
			"memory_limiter": collector.MemoryLimiterFor(512),
		},
		Exporters: map[string]collector.Component{"debug": collector.DebugExporter{Verbosity: "basic"}},
		Service: collector.Service{Pipelines: map[string]collector.Pipeline{
			collector.Traces: {Receivers: []string{"otlp"}, Processors: []string{"batch", "memory_limiter"}, Exporters: []string{"debug", "otlp_grpc/backend"}},
		}},
	}
	fmt.Println(c.Validate())
	// Output:
	// invalid collector configuration:
	//   - pipeline "traces" uses exporter "otlp_grpc/backend", which is not defined under exporters
	//   - pipeline "traces": processor "memory_limiter" must come first (it is number 2), so data is refused before other processors spend memory on it
}

// MemoryLimiterFor sizes memory_limiter from the container limit: refusing starts at 60 %,
// the hard limit is 80 % (the pods set GOMEMLIMIT to 55 %, below the soft limit).
func ExampleMemoryLimiterFor() {
	m := collector.MemoryLimiterFor(1024)
	fmt.Printf("limit %d MiB, spike %d MiB, refusing from %d MiB\n", m.LimitMiB, m.SpikeLimitMiB, m.LimitMiB-m.SpikeLimitMiB)
	// Output:
	// limit 819 MiB, spike 204 MiB, refusing from 615 MiB
}

// KubernetesContainerLogs tails every container log on the node except the collectors' own.
func ExampleKubernetesContainerLogs() {
	r := collector.KubernetesContainerLogs("observability", "observability-agent")
	fmt.Println(r.Type(), r.Include)
	fmt.Println("exclude:", r.Exclude)
	// Output:
	// file_log [/var/log/pods/*/*/*.log]
	// exclude: [/var/log/pods/observability_*/*/*.log /var/log/pods/observability-agent_*/*/*.log]
}

// NodeLocalK8sAttributes watches only the pods of the agent's node.
func ExampleNodeLocalK8sAttributes() {
	p := collector.NodeLocalK8sAttributes("K8S_NODE_NAME")
	fmt.Println(p.Type(), "filter node from $"+p.Filter.NodeFromEnvVar)
	// Output:
	// k8s_attributes filter node from $K8S_NODE_NAME
}

// The Azure Monitor exporter reads its connection string from the environment (a
// Kubernetes Secret or an ACI secure variable): the rendered config holds no secret.
func ExampleAzureMonitorFromEnv() {
	c, err := collector.GatewayConfig(collector.GatewayOptions{
		MemoryLimitMiB: 2048,
		QueueSize:      1000,
		Exporters: []collector.Exporter{{
			ID:      collector.TypeAzureMonitor,
			Config:  collector.AzureMonitorFromEnv(""),
			Signals: []string{collector.Traces, collector.Metrics, collector.Logs},
		}},
	})
	if err != nil {
		panic(err)
	}
	text, err := c.YAML()
	if err != nil {
		panic(err)
	}
	exporters, _, _ := strings.Cut(text, "extensions:")
	fmt.Print(exporters)
	// Output:
	// exporters:
	//   azure_monitor:
	//     connection_string: ${env:APPLICATIONINSIGHTS_CONNECTION_STRING}
	//     maxbatchsize: 8192
	//     sending_queue:
	//       enabled: true
	//       num_consumers: 10
	//       queue_size: 1000
}

// The S3 archive exporter: objects keyed by signal prefix and hour, gzip-compressed, with the
// gateway's queue policy.
func ExampleAWSS3Exporter() {
	c, err := collector.GatewayConfig(collector.GatewayOptions{
		MemoryLimitMiB: 2048,
		QueueSize:      1000,
		Exporters: []collector.Exporter{{
			ID: collector.ID(collector.TypeAWSS3, "traces"),
			Config: collector.AWSS3Exporter{S3Uploader: collector.S3Uploader{
				Region: "us-east-1", S3Bucket: "otel-archive", S3Prefix: "traces",
				S3PartitionFormat: collector.HourlyPartition, Compression: "gzip",
			}},
			Signals: []string{collector.Traces},
		}},
	})
	if err != nil {
		panic(err)
	}
	text, err := c.YAML()
	if err != nil {
		panic(err)
	}
	_, uploader, _ := strings.Cut(text, "    s3uploader:\n")
	uploader, _, _ = strings.Cut(uploader, "    sending_queue:")
	fmt.Print(uploader)
	// Output:
	//       compression: gzip
	//       region: us-east-1
	//       s3_bucket: otel-archive
	//       s3_partition_format: year=%Y/month=%m/day=%d/hour=%H
	//       s3_prefix: traces
}

// X-Ray has no queue or retry settings of its own at the pinned release: the gateway preset
// puts a queued otlp_grpc hop in front of it (traces → otlp_grpc/awsxray-queue →
// 127.0.0.1:4330 → traces/awsxray → awsxray), so an X-Ray outage fills a queue instead of
// dropping spans.
func ExampleAWSXRayExporter() {
	c, err := collector.GatewayConfig(collector.GatewayOptions{
		MemoryLimitMiB: 2048,
		QueueSize:      1000,
		Exporters: []collector.Exporter{{
			ID:      collector.TypeAWSXRay,
			Config:  collector.AWSXRayExporter{Region: "us-east-1", IndexedAttributes: []string{"http.route"}},
			Signals: []string{collector.Traces},
		}},
	})
	if err != nil {
		panic(err)
	}
	text, err := c.YAML()
	if err != nil {
		panic(err)
	}
	exporters, _, _ := strings.Cut(text, "extensions:")
	fmt.Print(exporters)
	fmt.Println("pipelines:", len(c.Service.Pipelines))
	// Output:
	// exporters:
	//   awsxray:
	//     indexed_attributes:
	//     - http.route
	//     region: us-east-1
	//   otlp_grpc/awsxray-queue:
	//     compression: none
	//     endpoint: 127.0.0.1:4330
	//     retry_on_failure:
	//       enabled: true
	//       initial_interval: 1s
	//       max_elapsed_time: 300s
	//       max_interval: 30s
	//     sending_queue:
	//       enabled: true
	//       num_consumers: 10
	//       queue_size: 1000
	//     timeout: 60s
	//     tls:
	//       insecure: true
	// pipelines: 2
}
