package collector

import "reflect"

// ExporterHelper holds the timeout, retry and queue settings every queued exporter shares.
// Exporter structs embed it, and the gateway preset applies one queue policy to all of them.
type ExporterHelper struct {
	Timeout        string         `json:"timeout,omitempty"`
	RetryOnFailure *RetrySettings `json:"retry_on_failure,omitempty"`
	SendingQueue   *SendingQueue  `json:"sending_queue,omitempty"`
}

func (h *ExporterHelper) exporterHelper() *ExporterHelper { return h }

// Queued is implemented by every exporter that embeds ExporterHelper.
type Queued interface {
	Component
	exporterHelper() *ExporterHelper
}

// withHelper returns a copy of an exporter with fn applied to its ExporterHelper; exporters
// without one are returned unchanged. The caller's value is never modified.
func withHelper(c Component, fn func(*ExporterHelper)) Component {
	v := reflect.ValueOf(c)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return c
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return c
	}
	cp := reflect.New(v.Type())
	cp.Elem().Set(v)
	q, ok := cp.Interface().(Queued)
	if !ok {
		return c
	}
	fn(q.exporterHelper())
	return cp.Elem().Interface().(Component)
}

// RetrySettings is the exporter's retry with exponential back-off.
type RetrySettings struct {
	Enabled         bool   `json:"enabled"`
	InitialInterval string `json:"initial_interval,omitempty"`
	MaxInterval     string `json:"max_interval,omitempty"`
	MaxElapsedTime  string `json:"max_elapsed_time,omitempty"`
}

// SendingQueue buffers batches while the destination is slow or down. With Storage set
// (a file_storage extension id) it survives a collector restart.
type SendingQueue struct {
	Enabled      bool `json:"enabled"`
	NumConsumers int  `json:"num_consumers,omitempty"`
	// Sizer is what QueueSize counts: requests (batches, the default), items or bytes.
	Sizer     string `json:"sizer,omitempty"`
	QueueSize int64  `json:"queue_size,omitempty"`
	Storage   string `json:"storage,omitempty"`
}

// SizerBytes counts a queue in bytes: the persistent queue's limit is then its disk use.
const SizerBytes = "bytes"

// DefaultRetry retries for up to five minutes, backing off from 1 s to 30 s.
func DefaultRetry() *RetrySettings {
	return &RetrySettings{Enabled: true, InitialInterval: "1s", MaxInterval: "30s", MaxElapsedTime: "300s"}
}

// ClientTLS is the TLS a client uses. Insecure turns TLS off (plaintext).
type ClientTLS struct {
	Insecure   bool   `json:"insecure,omitempty"`
	CAFile     string `json:"ca_file,omitempty"`
	CertFile   string `json:"cert_file,omitempty"`
	KeyFile    string `json:"key_file,omitempty"`
	ServerName string `json:"server_name_override,omitempty"`
	// CAPem, CertPem and KeyPem are the same material inline (a collector with no file to
	// read, e.g. from an environment variable: ${env:NAME}). They are never reloaded.
	CAPem   string `json:"ca_pem,omitempty"`
	CertPem string `json:"cert_pem,omitempty"`
	KeyPem  string `json:"key_pem,omitempty"`
	// ReloadInterval re-reads the client certificate and key from disk (see ServerTLS).
	ReloadInterval string `json:"reload_interval,omitempty"`
}

// OTLPExporter sends OTLP over gRPC.
type OTLPExporter struct {
	Endpoint    string    `json:"endpoint,omitempty"` // empty inside a loadbalancing exporter
	TLS         ClientTLS `json:"tls"`
	Compression string    `json:"compression,omitempty"`
	ExporterHelper
}

func (OTLPExporter) Type() string { return TypeOTLPGRPC }

// ExtensionRefs lists the extensions the component needs.
func (e OTLPExporter) ExtensionRefs() []string { return queueStorage(e.SendingQueue) }

// OTLPHTTPExporter sends OTLP over HTTP.
type OTLPHTTPExporter struct {
	Endpoint    string    `json:"endpoint"`
	TLS         ClientTLS `json:"tls"`
	Compression string    `json:"compression,omitempty"`
	ExporterHelper
}

func (OTLPHTTPExporter) Type() string { return TypeOTLPHTTP }

// ExtensionRefs lists the extensions the component needs.
func (e OTLPHTTPExporter) ExtensionRefs() []string { return queueStorage(e.SendingQueue) }

// LoadBalancingExporter routes spans of one trace to the same backend collector, which tail
// sampling across several gateway pods needs.
//
// Its own (top-level) sending queue and retry hold data while no backend is reachable and
// re-route a failed batch to the current backends; the per-backend OTLP exporters keep no
// queue, because a backend that disappears from DNS takes its queue with it.
type LoadBalancingExporter struct {
	RoutingKey string                `json:"routing_key"`
	Protocol   LoadBalancingProtocol `json:"protocol"`
	Resolver   LoadBalancingResolver `json:"resolver"`
	ExporterHelper
}

// LoadBalancingProtocol is the OTLP exporter used towards each backend.
type LoadBalancingProtocol struct {
	OTLP OTLPExporter `json:"otlp"`
}

// LoadBalancingResolver finds the backends.
type LoadBalancingResolver struct {
	DNS *DNSResolver `json:"dns,omitempty"`
}

// DNSResolver resolves the backends from a (headless Service) DNS name.
type DNSResolver struct {
	Hostname string `json:"hostname"`
	Port     string `json:"port"`
	Interval string `json:"interval,omitempty"`
}

func (LoadBalancingExporter) Type() string { return TypeLoadBalancing }

// ExtensionRefs lists the extensions the component needs.
func (e LoadBalancingExporter) ExtensionRefs() []string {
	return append(queueStorage(e.SendingQueue), e.Protocol.OTLP.ExtensionRefs()...)
}

// Signals reports the pipelines the component can be part of.
func (LoadBalancingExporter) Signals() []string { return []string{Traces, Metrics, Logs} }

// DebugExporter prints telemetry to the collector's log.
type DebugExporter struct {
	Verbosity string `json:"verbosity"`
}

func (DebugExporter) Type() string { return TypeDebug }

// FileExporter writes telemetry as OTLP JSON lines to a file (used as a test sink).
type FileExporter struct {
	Path string `json:"path"`
}

func (FileExporter) Type() string { return TypeFile }

func queueStorage(q *SendingQueue) []string {
	if q == nil {
		return nil
	}
	return nonEmpty(q.Storage)
}

func nonEmpty(ids ...string) []string {
	var out []string
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}
