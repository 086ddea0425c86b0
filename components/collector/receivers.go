package collector

// OTLPReceiver receives OTLP over gRPC and/or HTTP.
type OTLPReceiver struct {
	Protocols OTLPProtocols `json:"protocols"`
}

// OTLPProtocols enables the OTLP transports.
type OTLPProtocols struct {
	GRPC *GRPCServer `json:"grpc,omitempty"`
	HTTP *HTTPServer `json:"http,omitempty"`
}

// GRPCServer is a gRPC server endpoint.
type GRPCServer struct {
	Endpoint          string         `json:"endpoint"`
	TLS               *ServerTLS     `json:"tls,omitempty"`
	MaxRecvMsgSizeMiB int            `json:"max_recv_msg_size_mib,omitempty"`
	Keepalive         *GRPCKeepalive `json:"keepalive,omitempty"`
}

// GRPCKeepalive bounds how long a client keeps one gRPC connection.
type GRPCKeepalive struct {
	ServerParameters GRPCServerParameters `json:"server_parameters"`
}

// GRPCServerParameters: after MaxConnectionAge the server asks the client to reconnect
// (finishing in-flight calls within MaxConnectionAgeGrace). Clients then spread over the
// pods a Service has now, and present the certificate they hold now.
type GRPCServerParameters struct {
	MaxConnectionAge      string `json:"max_connection_age,omitempty"`
	MaxConnectionAgeGrace string `json:"max_connection_age_grace,omitempty"`
}

// HTTPServer is an HTTP server endpoint.
type HTTPServer struct {
	Endpoint string     `json:"endpoint"`
	TLS      *ServerTLS `json:"tls,omitempty"`
}

// ServerTLS is a server certificate, and the CA that client certificates must chain to
// when ClientCAFile is set (mutual TLS).
type ServerTLS struct {
	CertFile     string `json:"cert_file"`
	KeyFile      string `json:"key_file"`
	ClientCAFile string `json:"client_ca_file,omitempty"`
	// ReloadInterval re-reads the certificate and key from disk (cert-manager renews them in
	// place); without it a collector serves the certificate it started with until it expires.
	ReloadInterval string `json:"reload_interval,omitempty"`
	// ClientCAFileReload watches ClientCAFile, so a rotated CA bundle is trusted without a
	// restart.
	ClientCAFileReload bool `json:"client_ca_file_reload,omitempty"`
}

func (OTLPReceiver) Type() string { return TypeOTLP }

// Endpoints lists the addresses the receiver listens on.
func (r OTLPReceiver) Endpoints() []string {
	var out []string
	if r.Protocols.GRPC != nil {
		out = append(out, r.Protocols.GRPC.Endpoint)
	}
	if r.Protocols.HTTP != nil {
		out = append(out, r.Protocols.HTTP.Endpoint)
	}
	return out
}

// Signals reports the pipelines the component can be part of.
func (OTLPReceiver) Signals() []string { return []string{Traces, Metrics, Logs} }

// FileLogReceiver tails container log files (Kubernetes container runtime format).
type FileLogReceiver struct {
	Include         []string         `json:"include"`
	Exclude         []string         `json:"exclude,omitempty"`
	StartAt         string           `json:"start_at"`
	IncludeFilePath bool             `json:"include_file_path"`
	IncludeFileName bool             `json:"include_file_name"`
	Operators       []map[string]any `json:"operators,omitempty"`
	Storage         string           `json:"storage,omitempty"`
}

func (FileLogReceiver) Type() string { return TypeFileLog }

// Signals reports the pipelines the component can be part of.
func (FileLogReceiver) Signals() []string { return []string{Logs} }

// ExtensionRefs lists the extensions the component needs.
func (r FileLogReceiver) ExtensionRefs() []string { return nonEmpty(r.Storage) }

// KubernetesContainerLogs is a filelog receiver for /var/log/pods that parses the
// container runtime format and moves pod metadata from the path into resource attributes,
// skipping the collectors' own logs (which would otherwise loop).
func KubernetesContainerLogs(excludeNamespaces ...string) FileLogReceiver {
	r := FileLogReceiver{
		Include:         []string{"/var/log/pods/*/*/*.log"},
		StartAt:         "end",
		IncludeFilePath: true,
		IncludeFileName: false,
		Operators: []map[string]any{
			{"type": "container", "id": "container-parser"},
		},
	}
	for _, ns := range excludeNamespaces {
		r.Exclude = append(r.Exclude, "/var/log/pods/"+ns+"_*/*/*.log")
	}
	return r
}
