package collector

import (
	"fmt"
	"reflect"
	"slices"
	"time"
)

// Sampling modes of the gateway.
const (
	SamplingNone          = "none"
	SamplingProbabilistic = "probabilistic"
	SamplingTail          = "tail"
)

// Exporter is one backend the gateway sends to, and the signals routed to it.
type Exporter struct {
	ID      string
	Config  Component
	Signals []string
}

// Sampling configures trace sampling at the gateway.
type Sampling struct {
	Mode         string
	Percentage   float64
	DecisionWait string
	// DecisionWaitAfterRoot, when set (and not 0s), decides a trace that long after its root
	// span arrived if that is before DecisionWait.
	DecisionWaitAfterRoot string
	LatencyThresholdMs    int
}

// GatewayOptions describe the gateway tier.
type GatewayOptions struct {
	MemoryLimitMiB int
	// TLS on the OTLP receiver; with ClientCAFile set, agents must present a certificate.
	TLS      *ServerTLS
	Sampling Sampling
	// QueueSize and QueueDir set every queued exporter's sending queue; QueueDir makes it
	// persistent (file_storage). With QueueBytes too, the persistent queues share that
	// many bytes equally (sizer bytes): together they never outgrow their volume.
	QueueSize  int
	QueueDir   string
	QueueBytes int64
	// Exporters are the backends, supplied by the cloud stack.
	Exporters []Exporter
	// Extensions are extra extensions the exporters need (e.g. an authenticator).
	Extensions map[string]Component
	// ResourceAttributes are upserted on everything passing through (e.g. cloud.region).
	ResourceAttributes []AttributeAction
	LogLevel           string
	// Redaction, when set, removes and masks personal data and credentials in traces and
	// logs before they leave (see Redaction).
	Redaction *Redaction
	// SelfMetrics, when set, sends the gateway's own metrics to an exporter of their own
	// (the cloud's alarm metrics) through PipelineSelfMetrics.
	SelfMetrics *SelfMetricsExport
}

// GatewayConfig builds the gateway preset: OTLP in, memory_limiter first, optional
// sampling, batch, and the cloud's exporters with retry and a (persistent) sending queue.
func GatewayConfig(o GatewayOptions) (*Config, error) {
	if err := requirePositive("gateway memory limit (MiB)", o.MemoryLimitMiB); err != nil {
		return nil, err
	}
	if err := requirePositive("gateway queue size", o.QueueSize); err != nil {
		return nil, err
	}
	if len(o.Exporters) == 0 {
		return nil, fmt.Errorf("gateway config needs at least one exporter")
	}
	ext, extIDs := operability(true)
	c := &Config{
		Receivers:  map[string]Component{idOTLP: gatewayReceiver(o.TLS)},
		Processors: map[string]Component{idMemoryLimiter: MemoryLimiterFor(o.MemoryLimitMiB), idBatch: BatchProcessor{Timeout: "1s", SendBatchSize: gatewayBatchMaxSpans, SendBatchMaxSize: gatewayBatchMaxSpans}},
		Exporters:  map[string]Component{},
		Extensions: ext,
		Service:    Service{Extensions: extIDs, Pipelines: map[string]Pipeline{}, Telemetry: SelfMetrics(orDefault(o.LogLevel, "info"), "0.0.0.0", PortMetrics)},
	}
	for id, e := range o.Extensions {
		c.Extensions[id] = e
		c.Service.Extensions = append(c.Service.Extensions, id)
	}
	slices.Sort(c.Service.Extensions[len(extIDs):])
	storage := addQueueStorage(c, o.QueueDir)

	common := []string{idMemoryLimiter}
	if len(o.ResourceAttributes) > 0 {
		c.Processors[idResource] = ResourceProcessor{Attributes: o.ResourceAttributes}
		common = append(common, idResource)
	}
	traceProcessors := slices.Clone(common)
	switch o.Sampling.Mode {
	case "", SamplingNone:
	case SamplingProbabilistic:
		c.Processors[TypeProbabilisticSampler] = ProbabilisticSamplerProcessor{SamplingPercentage: o.Sampling.Percentage}
		traceProcessors = append(traceProcessors, TypeProbabilisticSampler)
	case SamplingTail:
		c.Processors[TypeTailSampling] = TailSamplingProcessor{
			DecisionWait: o.Sampling.DecisionWait, DecisionWaitAfterRoot: nonZeroDuration(o.Sampling.DecisionWaitAfterRoot),
			NumTraces: TailSamplingTraces, ExpectedNewTracesPerSec: 10000,
			Policies: []SamplingPolicy{
				{Name: "errors", Type: "status_code", StatusCode: &StatusCodePolicy{StatusCodes: []string{"ERROR"}}},
				{Name: "slow", Type: "latency", Latency: &LatencyPolicy{ThresholdMs: o.Sampling.LatencyThresholdMs}},
				{Name: "baseline", Type: "probabilistic", Probabilistic: &ProbabilisticPolicy{SamplingPercentage: o.Sampling.Percentage}},
			},
		}
		traceProcessors = append(traceProcessors, TypeTailSampling)
	default:
		return nil, fmt.Errorf("sampling mode %q: use none, probabilistic or tail", o.Sampling.Mode)
	}
	logProcessors := slices.Clone(common)
	if o.Redaction != nil {
		if err := o.Redaction.Validate(); err != nil {
			return nil, err
		}
		var fleetKeys []string
		for _, a := range o.ResourceAttributes {
			fleetKeys = append(fleetKeys, a.Key)
		}
		procs, traces, logs := o.Redaction.processors(fleetKeys)
		for id, p := range procs {
			c.Processors[id] = p
		}
		traceProcessors = append(traceProcessors, traces...)
		logProcessors = append(logProcessors, logs...)
	}
	traceProcessors = append(traceProcessors, idBatch)
	logProcessors = append(logProcessors, idBatch)
	common = append(common, idBatch)

	exporters, hops := queueHops(o.Exporters)
	queue := SendingQueue{Enabled: true, NumConsumers: 10, QueueSize: int64(o.QueueSize), Storage: storage}
	if storage != "" && o.QueueBytes > 0 {
		queued := 0
		for _, e := range exporters {
			withHelper(e.Config, func(h *ExporterHelper) {
				if h.SendingQueue == nil {
					queued++
				}
			})
		}
		queue.Sizer, queue.QueueSize = SizerBytes, o.QueueBytes/int64(max(queued, 1))
	}
	bySignal := map[string][]string{}
	for _, e := range exporters {
		if _, dup := c.Exporters[e.ID]; dup {
			return nil, fmt.Errorf("gateway exporter %q is listed twice", e.ID)
		}
		if e.Config == nil || reflect.ValueOf(e.Config).Kind() == reflect.Pointer && reflect.ValueOf(e.Config).IsNil() {
			return nil, fmt.Errorf("gateway exporter %q has no configuration", e.ID)
		}
		for _, s := range e.Signals {
			if !slices.Contains([]string{Traces, Metrics, Logs}, s) {
				return nil, fmt.Errorf("gateway exporter %q: signal %q: use traces, metrics or logs", e.ID, s)
			}
		}
		c.Exporters[e.ID] = withHelper(e.Config, func(h *ExporterHelper) {
			if h.RetryOnFailure == nil {
				h.RetryOnFailure = DefaultRetry()
			}
			if h.SendingQueue == nil {
				q := queue
				h.SendingQueue = &q
			}
		})
		for _, s := range e.Signals {
			bySignal[s] = append(bySignal[s], e.ID)
		}
	}
	for _, signal := range []string{Traces, Metrics, Logs} {
		if len(bySignal[signal]) == 0 {
			continue
		}
		processors := common
		switch signal {
		case Traces:
			processors = traceProcessors
		case Logs:
			processors = logProcessors
		}
		c.Service.Pipelines[signal] = Pipeline{Receivers: []string{idOTLP}, Processors: processors, Exporters: bySignal[signal]}
	}
	for _, h := range hops {
		if _, dup := c.Exporters[h.backend.ID]; dup {
			return nil, fmt.Errorf("gateway exporter %q is listed twice", h.backend.ID)
		}
		h.add(c)
	}
	if o.SelfMetrics != nil {
		if err := c.addSelfMetrics(*o.SelfMetrics); err != nil {
			return nil, err
		}
	}
	return c, c.Validate()
}

// gatewayBatchMaxSpans bounds the gateway's batches, which a regional gateway forwards
// upstream to another gateway: the same message budget as an agent's (see
// gatewayMaxRecvMsgMiB).
const gatewayBatchMaxSpans = 8192

// TailSamplingTraces is how many traces the tail sampler holds while it waits for their
// decisions; beyond it the oldest are evicted undecided, i.e. lost. A burst an agent
// releases after a gateway outage (its whole queue, ~200 000 spans in the overload test)
// must fit; at ~1.6 KB per buffered span that is ~500 MB of a 4 GiB gateway.
const TailSamplingTraces = 300000

// nonZeroDuration is d, or empty for a zero duration ("0s", "0"): the key is then left out.
func nonZeroDuration(d string) string {
	if v, err := time.ParseDuration(d); err == nil && v == 0 {
		return ""
	}
	return d
}
