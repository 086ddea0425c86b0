// Package capacity is the gateway tier's capacity model: from the CPU each signal's items
// cost a gateway with its real exporters (measured by bench/gateway.sh), the pod's CPU and
// memory, and a stack's expected load, it derives the HPA's CPU target and replica floor
// and what the persistent queue must hold to ride out a backend outage of a stated length.
// It is plain arithmetic on plain values (no Pulumi, no cloud SDK).
package capacity

import (
	"fmt"
	"math"
	"time"
)

// Signals, as the collector names its pipelines.
const (
	Traces  = "traces"
	Logs    = "logs"
	Metrics = "metrics"
)

// Signals lists them in a fixed order.
var Signals = []string{Traces, Logs, Metrics}

// Cost is what one item of a signal costs a gateway pod.
type Cost struct {
	// CPUSecondsPerMillion is the CPU a gateway spends per million items, from receipt to
	// its cloud backends (bench/gateway.sh, "CPU-s/1M" of the generated gateway).
	CPUSecondsPerMillion float64 `json:"cpuSecondsPerMillion"`
	// QueueBytes is an item's size in a persistent queue (OTLP protobuf).
	QueueBytes float64 `json:"queueBytes"`
	// HeldBytes is the memory an item takes while the gateway holds it (tail sampling's
	// decision wait holds every span for DecisionWait).
	HeldBytes float64 `json:"heldBytes,omitempty"`
}

// Costs are a gateway's costs per signal.
type Costs map[string]Cost

// Load is a stack's expected load, items per second per signal, over the whole tier.
type Load map[string]float64

// Total is the load's items per second over every signal.
func (l Load) Total() float64 {
	var t float64
	for _, v := range l {
		t += v
	}
	return t
}

// Pod is one gateway pod's resources and settings the model needs.
type Pod struct {
	CPURequestMillis, CPULimitMillis int64
	// SoftLimitMiB is where memory_limiter starts refusing data; BaselineMiB what a pod
	// uses with no load (bench/gateway.sh and the idle bench).
	SoftLimitMiB, BaselineMiB float64
	// DecisionWait is how long tail sampling holds spans (0 without tail sampling).
	DecisionWait time.Duration
	// QueueBytes is what the persistent queues of one pod may hold together (0: in-memory
	// queues), and QueuedCopies how many queued exporters each signal's items go to.
	QueueBytes   int64
	QueuedCopies map[string]int
}

// Inputs are everything the model derives from.
type Inputs struct {
	Load  Load
	Costs Costs
	Pod   Pod
	// HPA as configured: the model never raises the CPU target or lowers the floor.
	HPACPUPercent, HPAMinReplicas, HPAMaxReplicas int
	// PDBMaxUnavailable pods may be down at once (a drain, a rollout): the floor covers the
	// load without them.
	PDBMaxUnavailable int
	// Outage is how long every backend may be unreachable without losing data.
	Outage time.Duration
}

// Model is what the inputs imply.
type Model struct {
	// CoresAtLoad is the CPU the expected load needs over the tier.
	CoresAtLoad float64 `json:"coresAtLoad"`
	// PodItemsPerSecond is what one pod sustains at its CPU limit, per signal alone.
	PodItemsPerSecond map[string]int `json:"podItemsPerSecond"`
	// CPUPercent is the HPA's target: the configured one, lowered so a pod at the target
	// (a) keeps 50 % CPU headroom under its limit for the minute a scale-up takes and (b)
	// holds what tail sampling buffers under the memory_limiter's soft limit.
	CPUPercent int `json:"cpuPercent"`
	// MinReplicas is the HPA's floor: the expected load at CPUPercent, plus the pods a
	// disruption may take (PDBMaxUnavailable), never below the configured minimum.
	MinReplicas int `json:"minReplicas"`
	// QueueBytesPerPod is what each pod's persistent queues must hold to ride out Outage at
	// the expected load spread over MinReplicas pods; QueueHolds how long the configured
	// volume lasts (0 without a persistent queue or load).
	QueueBytesPerPod int64         `json:"queueBytesPerPod"`
	QueueHolds       time.Duration `json:"-"`
	// QueueHoldsText is QueueHolds as text ("" when it does not apply).
	QueueHoldsText string `json:"queueHolds,omitempty"`
}

// Derive runs the model. It fails, naming what to change, when the configured HPA
// maximum cannot carry the expected load or the persistent queue cannot hold the outage.
func Derive(in Inputs) (Model, error) {
	if err := in.validate(); err != nil {
		return Model{}, err
	}
	m := Model{PodItemsPerSecond: map[string]int{}}
	limit := float64(in.Pod.CPULimitMillis) / 1000
	request := float64(in.Pod.CPURequestMillis) / 1000
	var traceShare float64 // spans per CPU-second of load mix, for the memory bound
	for _, s := range Signals {
		c := in.Costs[s]
		m.PodItemsPerSecond[s] = int(limit * 1e6 / c.CPUSecondsPerMillion)
		m.CoresAtLoad += in.Load[s] * c.CPUSecondsPerMillion / 1e6
	}
	if m.CoresAtLoad > 0 {
		traceShare = in.Load[Traces] / m.CoresAtLoad
	} else {
		traceShare = 1e6 / in.Costs[Traces].CPUSecondsPerMillion // no load stated: spans only, the most held
	}

	target := float64(in.HPACPUPercent)
	// (a) a pod at the target can take 1.5x its load before reaching its CPU limit.
	target = math.Min(target, 100*limit/(request*1.5))
	// (b) spans held for the decision wait at the target's rate stay under the soft limit.
	if held := in.Costs[Traces].HeldBytes * in.Pod.DecisionWait.Seconds(); held > 0 && traceShare > 0 {
		roomMiB := in.Pod.SoftLimitMiB - in.Pod.BaselineMiB
		coresAtRoom := roomMiB * (1 << 20) / (held * traceShare)
		target = math.Min(target, 100*coresAtRoom/request)
	}
	m.CPUPercent = int(target/5) * 5
	if m.CPUPercent < 10 {
		return m, &Error{Limit: LimitPod, Msg: fmt.Sprintf("a gateway pod (CPU request %dm, limit %dm, memory_limiter soft limit %.0f MiB) leaves no room for an HPA target under 1.5x headroom and the spans tail sampling holds: raise the CPU limit or the memory limit",
			in.Pod.CPURequestMillis, in.Pod.CPULimitMillis, in.Pod.SoftLimitMiB)}
	}

	perPod := request * float64(m.CPUPercent) / 100
	m.MinReplicas = int(math.Ceil(m.CoresAtLoad/perPod)) + in.PDBMaxUnavailable
	if m.CoresAtLoad == 0 || m.MinReplicas < in.HPAMinReplicas {
		m.MinReplicas = in.HPAMinReplicas
	}
	if m.MinReplicas > in.HPAMaxReplicas {
		return m, &Error{Limit: LimitMaxReplicas, Msg: fmt.Sprintf("the expected load (%s, %.2f cores) needs %d gateway pods at %d%% CPU of their request, more than the HPA maximum %d: raise the maximum, or the pods' CPU request",
			in.Load, m.CoresAtLoad, m.MinReplicas, m.CPUPercent, in.HPAMaxReplicas)}
	}

	var queuedPerSecond float64 // bytes per second the tier's queues grow by in an outage
	for _, s := range Signals {
		queuedPerSecond += in.Load[s] * in.Costs[s].QueueBytes * float64(in.Pod.QueuedCopies[s])
	}
	if queuedPerSecond > 0 {
		m.QueueBytesPerPod = int64(math.Ceil(queuedPerSecond * in.Outage.Seconds() / float64(m.MinReplicas)))
		if in.Pod.QueueBytes > 0 {
			m.QueueHolds = time.Duration(float64(in.Pod.QueueBytes) * float64(m.MinReplicas) / queuedPerSecond * float64(time.Second)).Truncate(time.Second)
			m.QueueHoldsText = m.QueueHolds.String()
			if m.QueueHolds < in.Outage {
				return m, &Error{Limit: LimitQueue, Msg: fmt.Sprintf("the persistent queues hold %s of the expected load (%s) on %d pods, less than the outage to ride out (%s): give each pod a queue volume of at least %s",
					m.QueueHolds, in.Load, m.MinReplicas, in.Outage, VolumeFor(m.QueueBytesPerPod))}
			}
		}
	}
	return m, nil
}

// Limit names what the inputs run into.
type Limit string

// The limits Derive can report.
const (
	LimitPod         Limit = "pod"         // the pod's CPU or memory leaves no HPA target
	LimitMaxReplicas Limit = "maxReplicas" // the HPA maximum cannot carry the load
	LimitQueue       Limit = "queue"       // the persistent queue cannot hold the outage
)

// Error is a load the inputs cannot carry.
type Error struct {
	Limit Limit
	Msg   string
}

func (e *Error) Error() string { return "capacity: " + e.Msg }

// QueueVolumeShare is the part of the queue volume the persistent queues may fill (it
// matches fleet.QueueVolumeShare; repeated here to keep this package free of imports).
const QueueVolumeShare = 0.75

// VolumeFor is the volume size (a Kubernetes quantity, whole GiB) whose queue share holds
// bytes.
func VolumeFor(bytes int64) string {
	return fmt.Sprintf("%dGi", int64(math.Ceil(float64(bytes)/QueueVolumeShare/(1<<30))))
}

func (in Inputs) validate() error {
	for s, v := range in.Load {
		if v < 0 || math.IsNaN(v) {
			return fmt.Errorf("capacity: expected %s load %v: must be 0 or more items per second", s, v)
		}
		if _, ok := in.Costs[s]; !ok {
			return fmt.Errorf("capacity: signal %q: allowed signals are %v", s, Signals)
		}
	}
	for _, s := range Signals {
		if in.Costs[s].CPUSecondsPerMillion <= 0 {
			return fmt.Errorf("capacity: no measured cost for %s", s)
		}
	}
	switch {
	case in.Pod.CPURequestMillis <= 0 || in.Pod.CPULimitMillis < in.Pod.CPURequestMillis:
		return fmt.Errorf("capacity: gateway CPU request %dm and limit %dm: need 0 < request <= limit", in.Pod.CPURequestMillis, in.Pod.CPULimitMillis)
	case in.HPACPUPercent <= 0 || in.HPAMinReplicas < 1 || in.HPAMaxReplicas < in.HPAMinReplicas:
		return fmt.Errorf("capacity: HPA target %d%%, replicas %d..%d: need a positive target and 1 <= min <= max", in.HPACPUPercent, in.HPAMinReplicas, in.HPAMaxReplicas)
	case in.Outage < 0:
		return fmt.Errorf("capacity: outage %s: must not be negative", in.Outage)
	}
	return nil
}

// String formats a load as "traces 20000/s, logs 5000/s" (signals with load only).
func (l Load) String() string {
	out := ""
	for _, s := range Signals {
		if l[s] > 0 {
			if out != "" {
				out += ", "
			}
			out += fmt.Sprintf("%s %.0f/s", s, l[s])
		}
	}
	if out == "" {
		return "none"
	}
	return out
}
