package fleet

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/otelfleet/otelfleet/components/collector"
)

// Severity ranks an alert.
type Severity string

// Severities, from worst.
const (
	Critical Severity = "critical"
	Warning  Severity = "warning"
	Info     Severity = "info"
)

// Shape says how an alert reads its window.
type Shape int

const (
	// Sustained alerts fire when the condition has held for the whole window (a rate above
	// zero, a ratio or a gauge above the threshold).
	Sustained Shape = iota
	// Within alerts fire when a count taken over the window crosses the threshold (restarts
	// in 30 minutes, any trace evicted in 10 minutes).
	Within
)

// Alert is one alert of the fleet, the same in every backend: what it watches, when it
// fires and how bad it is. The backends render the catalogue: PromQL
// (components/kube, PrometheusRule), KQL (components/azure/alerts, Container Insights) and
// CloudWatch (components/aws/alarms, for the alerts it has a source for).
type Alert struct {
	// ID is the alert's name in kebab case: the Azure rule's name, and camel-cased after
	// "Otelfleet" the Prometheus alert's, unless PromName says otherwise.
	ID       string        `json:"id"`
	PromName string        `json:"promName,omitempty"`
	Summary  string        `json:"summary"` // what it means and what to do
	Severity Severity      `json:"severity"`
	Shape    Shape         `json:"shape"`
	Window   time.Duration `json:"-"`
	// Threshold is crossed upwards, or downwards with Below.
	Threshold float64 `json:"threshold"`
	Below     bool    `json:"below,omitempty"`
	// Metrics are the collector self-metrics it reads (none for alerts on pod state).
	Metrics []string `json:"metrics,omitempty"`
}

// MarshalJSON writes the window as a duration ("10m0s").
func (a Alert) MarshalJSON() ([]byte, error) {
	type plain Alert
	return json.Marshal(struct {
		plain
		Window string `json:"window"`
	}{plain(a), a.Window.String()})
}

// Name is the Prometheus alert's name.
func (a Alert) Name() string {
	if a.PromName != "" {
		return a.PromName
	}
	return "Otelfleet" + camel(a.ID)
}

// AlertOptions are the facts of a fleet its alerts depend on.
type AlertOptions struct {
	// MinReplicas is the fewest gateway replicas that is not an incident (MinReplicas).
	MinReplicas int
	// TailSamplingTraces is the gateway tail sampler's num_traces; 0 without tail sampling.
	TailSamplingTraces int
}

// Alert IDs.
const (
	AlertReceiverRefusing        = "receiver-refusing-data"
	AlertMemoryLimiterRefusing   = "memory-limiter-refusing"
	AlertExporterSendFailures    = "exporter-send-failures"
	AlertExporterDroppingSpans   = "exporter-dropping-spans"
	AlertExporterQueueNearlyFull = "exporter-queue-nearly-full"
	AlertCollectorRestarting     = "collector-restarting"
	AlertGatewayBelowMinimum     = "gateway-below-minimum"
	AlertTailSamplingFilling     = "tail-sampling-buffer-filling"
	AlertTailSamplingEvicting    = "tail-sampling-evicting"
)

// Alerts is the fleet's alert catalogue.
func Alerts(o AlertOptions) []Alert {
	out := []Alert{
		{ID: AlertReceiverRefusing, Severity: Warning, Shape: Sustained, Window: 5 * time.Minute,
			Summary: "A collector refuses spans: it is over its memory limit or its pipeline is blocked; senders are retrying.",
			Metrics: []string{collector.MetricReceiverRefused}},
		{ID: AlertMemoryLimiterRefusing, Severity: Warning, Shape: Sustained, Window: 10 * time.Minute,
			Summary: "The memory_limiter has refused data for 10 minutes: scale out or raise the memory limit.",
			Metrics: []string{collector.MetricMemoryLimiterRefused}},
		{ID: AlertExporterSendFailures, Severity: Critical, Shape: Sustained, Window: 10 * time.Minute, Threshold: 0.05,
			Summary: "More than 5 % of spans fail to export: the backend rejects them or is unreachable.",
			Metrics: []string{collector.MetricExporterSendFailed, collector.MetricExporterSent}},
		{ID: AlertExporterDroppingSpans, PromName: "OtelfleetExporterDroppingData", Severity: Critical, Shape: Sustained, Window: 5 * time.Minute,
			Summary: "An exporter's sending queue is full and spans are being dropped.",
			Metrics: []string{collector.MetricExporterEnqueueFailed}},
		{ID: AlertExporterQueueNearlyFull, Severity: Warning, Shape: Sustained, Window: 10 * time.Minute, Threshold: 0.8,
			Summary: "An exporter's sending queue is above 80 %: the backend is slower than the intake.",
			Metrics: []string{collector.MetricExporterQueueSize, collector.MetricExporterQueueCapacity}},
		{ID: AlertCollectorRestarting, Severity: Warning, Shape: Within, Window: 30 * time.Minute, Threshold: 2,
			Summary: "A collector container restarted more than twice in 30 minutes (OOM kill or crash loop)."},
		{ID: AlertGatewayBelowMinimum, Severity: Critical, Shape: Sustained, Window: 10 * time.Minute, Threshold: float64(o.MinReplicas), Below: true,
			Summary: fmt.Sprintf("Fewer than %d gateway replicas are available.", o.MinReplicas)},
	}
	if o.TailSamplingTraces > 0 {
		// A gateway holds num_traces traces for decision_wait, so it takes at most
		// num_traces / decision_wait new traces per second whatever its CPU; the HPA scales
		// on CPU and memory only, so these are the signals that it must scale on intake.
		out = append(out,
			Alert{ID: AlertTailSamplingFilling, Severity: Warning, Shape: Sustained, Window: 10 * time.Minute, Threshold: float64(o.TailSamplingTraces * 8 / 10),
				Summary: fmt.Sprintf("A gateway's tail sampler holds over 80 %% of its %d traces: raise the HPA's minimum replicas or shorten samplingDecisionWait before it evicts traces undecided.", o.TailSamplingTraces),
				Metrics: []string{collector.MetricTailSamplingTracesOnMemory}},
			Alert{ID: AlertTailSamplingEvicting, PromName: "OtelfleetTailSamplingEvictingUndecided", Severity: Critical, Shape: Within, Window: 10 * time.Minute,
				Summary: "A gateway's tail sampler evicts traces before their decision: they are lost. Scale the gateway out or shorten samplingDecisionWait.",
				Metrics: []string{collector.MetricTailSamplingDroppedTooEarly}},
		)
	}
	return out
}

// MinReplicas is the fewest gateway replicas that is not an incident: the HPA's minimum
// with the HPA, the fixed replica count without it.
func MinReplicas(hpa bool, hpaMin, fixed int) int {
	if hpa {
		return hpaMin
	}
	return fixed
}

func camel(id string) string {
	out := make([]byte, 0, len(id))
	up := true
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c == '-' {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		out = append(out, c)
	}
	return string(out)
}
