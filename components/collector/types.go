package collector

// Component type names as the pinned collector release (v0.161) spells them: its current
// names, not the deprecated aliases (otlp exporter → otlp_grpc, k8sattributes →
// k8s_attributes, ...), which still load but warn. They live in one place so a rename
// upstream is a one-line change here; tools/otelcol/components.txt is the release's list.
const (
	TypeOTLP                 = "otlp" // the receiver
	TypeOTLPGRPC             = "otlp_grpc"
	TypeFileLog              = "file_log"
	TypeMemoryLimiter        = "memory_limiter"
	TypeBatch                = "batch"
	TypeResource             = "resource"
	TypeK8sAttributes        = "k8s_attributes"
	TypeProbabilisticSampler = "probabilistic_sampler"
	TypeTailSampling         = "tail_sampling"
	TypeOTLPHTTP             = "otlp_http"
	TypeLoadBalancing        = "load_balancing"
	TypeDebug                = "debug"
	TypeFile                 = "file"
	TypeHealthCheck          = "health_check"
	TypePProf                = "pprof"
	TypeZPages               = "zpages"
	TypeFileStorage          = "file_storage"
)

// Signals of telemetry, as pipeline ids name them.
const (
	Traces  = "traces"
	Metrics = "metrics"
	Logs    = "logs"
)

// Well-known ports of the collectors otelfleet deploys.
const (
	PortOTLPGRPC    = 4317
	PortOTLPHTTP    = 4318
	PortMetrics     = 8888
	PortHealthCheck = 13133
	PortPProf       = 1777
	PortZPages      = 55679
)
