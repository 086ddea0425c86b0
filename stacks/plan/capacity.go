package plan

import (
	"fmt"
	"maps"
	"math"
	"strings"
	"time"

	"github.com/otelfleet/otelfleet/components/capacity"
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/quantity"
	"github.com/otelfleet/otelfleet/stacks/config"
	"sigs.k8s.io/yaml"
)

// Capacity is the stack's gateway capacity model (docs/config.md, "Capacity model").
type Capacity struct {
	Load   capacity.Load `json:"load"`
	Outage string        `json:"outage"`
	// Costs are the costs the model used: those measured for the stack's cloud, or the
	// stack's own (Calibrated names the signals whose cost the stack gives).
	Costs      capacity.Costs `json:"costs"`
	Calibrated []string       `json:"calibrated,omitempty"`
	// FixedReplicas, without the HPA, are the replicas checked against the load.
	FixedReplicas int `json:"fixedReplicas,omitempty"`
	capacity.Model
}

// gatewayBaselineMiB is a gateway's memory with no load (bench/gateway.sh: 150-160 MiB
// after start-up, rounded up).
const gatewayBaselineMiB = 200

// Item sizes in a persistent queue and held in memory: assumptions, not measurements (the
// bench's spans are smaller than instrumented ones). An instrumented span with 10-20
// attributes is 400-800 bytes of OTLP protobuf; pdata in memory about 2 KiB.
var (
	spanCost   = capacity.Cost{QueueBytes: 600, HeldBytes: 2048}
	recordCost = capacity.Cost{QueueBytes: 400}
	pointCost  = capacity.Cost{QueueBytes: 100}
)

// costs builds a cloud's cost table from its measured CPU-seconds per million items.
func costs(spans, records, points float64) capacity.Costs {
	c := capacity.Costs{capacity.Traces: spanCost, capacity.Logs: recordCost, capacity.Metrics: pointCost}
	for s, cpu := range map[string]float64{capacity.Traces: spans, capacity.Logs: records, capacity.Metrics: points} {
		v := c[s]
		v.CPUSecondsPerMillion = cpu
		c[s] = v
	}
	return c
}

// givenCosts are the stack's own costs per signal (gatewayCpuSecondsPerMillion*, 0: not
// given).
func givenCosts(g config.Gateway) map[string]float64 {
	return map[string]float64{capacity.Traces: g.CostSpans, capacity.Logs: g.CostLogRecords, capacity.Metrics: g.CostPoints}
}

// calibrated returns the cloud's measured costs with the stack's own in their place.
func calibrated(measured capacity.Costs, g config.Gateway) capacity.Costs {
	c := maps.Clone(measured)
	for s, cpu := range givenCosts(g) {
		if v := c[s]; cpu > 0 {
			v.CPUSecondsPerMillion = cpu
			c[s] = v
		}
	}
	return c
}

// calibratedSignals are the signals whose cost the stack gives, in capacity.Signals order.
func calibratedSignals(g config.Gateway) []string {
	var out []string
	for _, s := range capacity.Signals {
		if givenCosts(g)[s] > 0 {
			out = append(out, s)
		}
	}
	return out
}

// gatewayCapacity runs the model for the stack and applies it to the plan's HPA: the
// floor and the CPU target it derives replace the configured ones when they are stricter.
func gatewayCapacity(cfg config.Stack, p *Plan, gatewayMiB int) (*Capacity, error) {
	g := cfg.Gateway
	outage, err := time.ParseDuration(g.OutageToBuffer)
	if err != nil {
		return nil, fmt.Errorf("%s:gatewayOutageToBuffer: %w", config.Namespace, err)
	}
	request, errR := quantity.Parse(g.CPURequest)
	limit, errL := quantity.Parse(g.CPULimit)
	if errR != nil || errL != nil {
		return nil, fmt.Errorf("%s:gatewayCpuRequest/gatewayCpuLimit: %q, %q are not CPU quantities", config.Namespace, g.CPURequest, g.CPULimit)
	}
	ml := collector.MemoryLimiterFor(gatewayMiB)
	pod := capacity.Pod{
		CPURequestMillis: int64(math.Round(request * 1000)), CPULimitMillis: int64(math.Round(limit * 1000)),
		SoftLimitMiB: float64(ml.LimitMiB - ml.SpikeLimitMiB), BaselineMiB: gatewayBaselineMiB,
		QueueBytes: p.configSpec.GatewayQueueBytes,
	}
	if p.Sampling.Mode == collector.SamplingTail {
		if pod.DecisionWait, err = time.ParseDuration(p.Sampling.DecisionWait); err != nil {
			return nil, fmt.Errorf("%s:samplingDecisionWait: %w", config.Namespace, err)
		}
	}
	if pod.QueuedCopies, err = persistentlyQueued(p.Configs.Gateway); err != nil {
		return nil, err
	}
	in := capacity.Inputs{
		Load: capacity.Load{capacity.Traces: float64(g.ExpectedSpans), capacity.Logs: float64(g.ExpectedLogRecords),
			capacity.Metrics: float64(g.ExpectedPoints)},
		Costs: calibrated(clouds[cfg.Cloud].gatewayCosts, g), Pod: pod, PDBMaxUnavailable: g.PDBMaxUnavailable, Outage: outage,
		HPACPUPercent: g.HPACPUPercent, HPAMinReplicas: g.HPAMinReplicas, HPAMaxReplicas: g.HPAMaxReplicas,
	}
	maxKey := "gatewayHpaMaxReplicas"
	if !g.HPAEnabled {
		// Fixed replicas must carry the load themselves.
		in.HPACPUPercent, in.HPAMinReplicas, in.HPAMaxReplicas, maxKey = 100, g.Replicas, g.Replicas, "gatewayReplicas"
	}
	m, err := capacity.Derive(in)
	if err != nil {
		return nil, capacityError(err, map[capacity.Limit][2]any{
			capacity.LimitPod:         {"gatewayCpuLimit", g.CPULimit},
			capacity.LimitMaxReplicas: {maxKey, in.HPAMaxReplicas},
			capacity.LimitQueue:       {"gatewayQueueStorageSize", g.QueueStorageSize},
		})
	}
	if p.Gateway.HPA != nil {
		p.Gateway.HPA.Min, p.Gateway.HPA.CPUPercent = m.MinReplicas, m.CPUPercent
		p.Gateway.MinReplicas = m.MinReplicas // fewer is now a capacity incident
	}
	c := &Capacity{Load: in.Load, Outage: g.OutageToBuffer, Costs: in.Costs, Calibrated: calibratedSignals(g), Model: m}
	if !g.HPAEnabled {
		c.FixedReplicas = g.Replicas
	}
	return c, nil
}

// capacityError names the stack key behind the limit the model ran into.
func capacityError(err error, keys map[capacity.Limit][2]any) error {
	ce, ok := err.(*capacity.Error)
	if !ok {
		return err
	}
	k := keys[ce.Limit]
	return &config.Error{Problems: []string{fmt.Sprintf("%s:%s: %v is not allowed; %s", config.Namespace, k[0], k[1], ce.Msg)}}
}

// persistentlyQueued counts, per signal, the exporters of the gateway's ingest pipelines
// (those receiving from its otlp receiver) whose sending queue is on disk: in an outage of
// every backend each holds its own copy of the items.
func persistentlyQueued(gatewayYAML string) (map[string]int, error) {
	var c struct {
		Exporters map[string]struct {
			SendingQueue *struct {
				Enabled bool   `json:"enabled"`
				Storage string `json:"storage"`
			} `json:"sending_queue"`
		} `json:"exporters"`
		Service struct {
			Pipelines map[string]struct {
				Receivers []string `json:"receivers"`
				Exporters []string `json:"exporters"`
			} `json:"pipelines"`
		} `json:"service"`
	}
	if err := yaml.Unmarshal([]byte(gatewayYAML), &c); err != nil {
		return nil, fmt.Errorf("gateway config: %w", err)
	}
	out := map[string]int{}
	for id, pl := range c.Service.Pipelines {
		ingest := false
		for _, r := range pl.Receivers {
			ingest = ingest || r == collector.TypeOTLP
		}
		if !ingest {
			continue
		}
		for _, e := range pl.Exporters {
			if q := c.Exporters[e].SendingQueue; q != nil && q.Enabled && q.Storage != "" {
				out[collector.TypeOf(id)]++
			}
		}
	}
	return out, nil
}

// Summary is the model in one line, as `synth` prints it and the stack output
// gatewayCapacity holds it.
func (c *Capacity) Summary() string {
	source := "the development hosts' figures"
	if len(c.Calibrated) > 0 {
		source = "calibrated by the stack for " + strings.Join(c.Calibrated, ", ")
	}
	pod := fmt.Sprintf("one pod sustains %d spans/s, %d log records/s or %d metric points/s at its CPU limit (costs %.1f/%.1f/%.1f CPU-s per million, %s)",
		c.PodItemsPerSecond[capacity.Traces], c.PodItemsPerSecond[capacity.Logs], c.PodItemsPerSecond[capacity.Metrics],
		c.Costs[capacity.Traces].CPUSecondsPerMillion, c.Costs[capacity.Logs].CPUSecondsPerMillion, c.Costs[capacity.Metrics].CPUSecondsPerMillion, source)
	scale := fmt.Sprintf("HPA min %d at %d%% CPU", c.MinReplicas, c.CPUPercent)
	if c.FixedReplicas > 0 {
		scale = fmt.Sprintf("%d fixed replicas (no HPA)", c.FixedReplicas)
	}
	s := fmt.Sprintf("expected load %s (%.2f cores); %s; %s", c.Load, c.CoresAtLoad, pod, scale)
	switch {
	case c.QueueHoldsText != "":
		s += fmt.Sprintf("; the persistent queues hold %s of the load (%s needed per pod for gatewayOutageToBuffer %s)",
			c.QueueHoldsText, VolumeText(c.QueueBytesPerPod), c.Outage)
	case c.QueueBytesPerPod > 0:
		s += fmt.Sprintf("; a %s outage needs %s per pod (in-memory queues: turn on gatewayPersistentQueue)", c.Outage, VolumeText(c.QueueBytesPerPod))
	}
	return s
}

// VolumeText formats bytes as GiB with one decimal.
func VolumeText(bytes int64) string { return fmt.Sprintf("%.1f GiB", float64(bytes)/(1<<30)) }
