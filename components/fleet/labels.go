package fleet

// Labels and annotations of the fleet's objects.
const (
	// LabelPartOf with PartOf marks every object of the fleet (and selects them all).
	LabelPartOf = "app.kubernetes.io/part-of"
	PartOf      = "otelfleet"
	// LabelTelemetry on a namespace, with the value "enabled", admits its pods' OTLP to the
	// gateway (its NetworkPolicy).
	LabelTelemetry = "otelfleet.io/telemetry"
	// LabelMetrics on a namespace, with the value "enabled", lets its pods scrape the
	// collectors' own metrics (port 8888): the namespace Prometheus runs in.
	LabelMetrics = "otelfleet.io/metrics"
	// LabelTrack tells the gateway's stable and canary workloads apart.
	LabelTrack  = "otelfleet.io/track"
	TrackStable = "stable"
	TrackCanary = "canary"
	// AnnotationCollectorConfig marks a ConfigMap whose config.yaml is a collector
	// configuration; its value names the collector tier. synth and the collector tests
	// find every rendered configuration through it.
	AnnotationCollectorConfig = "otelfleet.io/collector-config"
	// AnnotationConfigChecksum on a pod template is the checksum of its collector
	// configuration, so a changed configuration rolls the pods.
	AnnotationConfigChecksum = "checksum/config"
	// CollectorName is the app.kubernetes.io/name of every collector pod and the name of
	// the collector container.
	CollectorName = "otel-collector"
)

// SecretPlaceholder replaces a secret wherever otelfleet shows a value it must not (or, in
// offline rendering, cannot) reveal: synth's output, and validation messages.
const SecretPlaceholder = "[secret]"

// Components: the app.kubernetes.io/component of each tier.
const (
	ComponentGateway = "gateway"
	ComponentAgent   = "agent"
	ComponentSidecar = "sidecar-agent"
)

// Selector is the stable subset of a tier's labels that selects its pods: never the version,
// because selectors are immutable.
func Selector(instance, component string) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":      CollectorName,
		"app.kubernetes.io/instance":  instance,
		"app.kubernetes.io/component": component,
	}
}

// GatewaySelector selects the gateway's pods, of both tracks.
func (n Names) GatewaySelector() map[string]string { return Selector(n.Gateway(), ComponentGateway) }
