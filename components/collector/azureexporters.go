package collector

import (
	"encoding/json"
	"fmt"
	"regexp"
)

// TypeAzureMonitor is the Azure Monitor exporter: traces, metrics and logs to Application
// Insights (and, for a workspace-based resource, its Log Analytics workspace). It replaces
// both the seeds' `azuremonitor` and their `azureloganalytics`, which does not exist upstream.
const TypeAzureMonitor = "azure_monitor"

// ExportedByAttribute is the resource attribute a collector outside the cluster (the ACI
// collector: ExportedByACI) stamps on everything it exports, and that a Kubernetes gateway
// on Azure removes from what it receives. Azure Monitor copies resource attributes into
// each item's Properties, so the ingestion-loss alert can tell the spans the gateways
// exported (no such property) from the ACI collector's, which no gateway counter covers.
// Only the ACI path pays for the property (~30 bytes an item).
const (
	ExportedByAttribute = "otelfleet.exported_by"
	ExportedByACI       = "aci"
)

// AzureMonitorConnectionStringEnv is the variable the Azure Monitor exporter reads its
// connection string from; the value only ever lives in a Kubernetes Secret or an ACI secure
// environment variable.
const AzureMonitorConnectionStringEnv = "APPLICATIONINSIGHTS_CONNECTION_STRING"

// AzureMonitorExporter is the `azure_monitor` exporter. It authenticates with the
// connection string of an Application Insights resource (never an `instrumentation_key`,
// which is deprecated), given as an ${env:...} reference so the rendered config holds no
// secret.
//
// The embedded ExporterHelper carries the gateway's queue policy, but the exporter (v0.161)
// only has the `timeout` (HTTP client) and `sending_queue` keys of it: it has no
// `retry_on_failure` — its Application Insights channel retries by itself — and, because it
// silently ignores unknown keys, a `retry_on_failure` in its config would look applied while
// doing nothing. The config therefore never contains one.
type AzureMonitorExporter struct {
	// ConnectionString must be an environment reference such as
	// ${env:APPLICATIONINSIGHTS_CONNECTION_STRING}.
	ConnectionString string
	// MaxBatchSize and MaxBatchInterval bound the exporter's own batches (upstream defaults
	// 1024 and 10s when empty).
	MaxBatchSize     int
	MaxBatchInterval string
	// SpanEvents exports span events as Application Insights traces.
	SpanEvents bool
	ExporterHelper
}

// AzureMonitorMaxBatchSize is the exporter's batch size in the generated configs. It is
// also what the Application Insights SDK's channel holds while ingestion throttles it (429
// with Retry-After): every further item is dropped, after the exporter has reported it
// sent, so no collector counter shows the loss. At the upstream default (1024) a 5 s throttle
// at 1000 log records/s lost 2111 of 4000 records (tests/collector); at 8192 none. An 8192-item
// request is a few MB gzip'd, well inside the ingestion endpoint's request size.
const AzureMonitorMaxBatchSize = 8192

// AzureMonitorFromEnv is the exporter reading its connection string from the environment
// variable env (AzureMonitorConnectionStringEnv when empty).
func AzureMonitorFromEnv(env string) AzureMonitorExporter {
	if env == "" {
		env = AzureMonitorConnectionStringEnv
	}
	return AzureMonitorExporter{ConnectionString: "${env:" + env + "}", MaxBatchSize: AzureMonitorMaxBatchSize}
}

func (AzureMonitorExporter) Type() string { return TypeAzureMonitor }

// Signals reports the pipelines the component can be part of.
func (AzureMonitorExporter) Signals() []string { return []string{Traces, Metrics, Logs} }

// ExtensionRefs lists the extensions the component needs.
func (e AzureMonitorExporter) ExtensionRefs() []string { return queueStorage(e.SendingQueue) }

var envReference = regexp.MustCompile(`^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$`)

// MarshalJSON writes the exporter's keys. It refuses a connection string that is not an
// ${env:...} reference, so a secret can never end up in a ConfigMap or a config file.
func (e AzureMonitorExporter) MarshalJSON() ([]byte, error) {
	if !envReference.MatchString(e.ConnectionString) {
		return nil, fmt.Errorf("%s: connection_string must be an environment reference such as ${env:%s}, not a literal (the rendered config must hold no secret)", TypeAzureMonitor, AzureMonitorConnectionStringEnv)
	}
	return json.Marshal(struct {
		ConnectionString string        `json:"connection_string"`
		MaxBatchSize     int           `json:"maxbatchsize,omitempty"`
		MaxBatchInterval string        `json:"maxbatchinterval,omitempty"`
		SpanEvents       bool          `json:"spaneventsenabled,omitempty"`
		Timeout          string        `json:"timeout,omitempty"`
		SendingQueue     *SendingQueue `json:"sending_queue,omitempty"`
	}{e.ConnectionString, e.MaxBatchSize, e.MaxBatchInterval, e.SpanEvents, e.Timeout, e.SendingQueue})
}
