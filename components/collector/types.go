package collector

// Component type names as the pinned collector release (v0.161) spells them. They live in
// one place so a rename upstream is a one-line change here.
const (
	TypeOTLP                 = "otlp"
	TypeFileLog              = "filelog"
	TypeMemoryLimiter        = "memory_limiter"
	TypeBatch                = "batch"
	TypeResource             = "resource"
	TypeK8sAttributes        = "k8sattributes"
	TypeProbabilisticSampler = "probabilistic_sampler"
	TypeTailSampling         = "tail_sampling"
	TypeOTLPHTTP             = "otlphttp"
	TypeLoadBalancing        = "loadbalancing"
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
