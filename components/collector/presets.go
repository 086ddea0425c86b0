package collector

import (
	"fmt"
	"net"
	"strconv"
)

// Shared ids of the components the presets define.
const (
	idOTLP          = TypeOTLP
	idMemoryLimiter = TypeMemoryLimiter
	idBatch         = TypeBatch
	idResource      = TypeResource
	idK8s           = TypeK8sAttributes
	idFileStorage   = TypeFileStorage + "/queue"
	idHealth        = TypeHealthCheck
	idPProf         = TypePProf
	idZPages        = TypeZPages
)

// gRPC message limits of the OTLP receivers. A gRPC server refuses a message above its
// limit (4 MiB unless set) with ResourceExhausted, which the sending exporter treats as
// permanent: the whole batch is dropped. The gateway's limit must therefore exceed the
// largest batch an agent or a regional gateway sends: agentBatchMaxSpans or
// gatewayBatchMaxSpans spans stay under gatewayMaxRecvMsgMiB while spans average under
// spanBudgetBytes (a 1 KiB attribute makes a ~1.3 KiB span). Applications export 512
// spans at a time (the OTel SDKs' default); the agent accepts 16 MiB so that such a batch
// of spans of up to 32 KiB still gets in. Memory is used only by messages that actually
// arrive, and memory_limiter still refuses when the heap is full.
const (
	gatewayMaxRecvMsgMiB = 64
	agentMaxRecvMsgMiB   = 16
	spanBudgetBytes      = 8 << 10
)

// otlpReceiver listens for OTLP gRPC and HTTP on host (0.0.0.0 in pods: the collector's own
// default is localhost, which nothing outside the container could reach), accepting gRPC
// messages up to maxRecvMiB.
func otlpReceiver(host string, tls *ServerTLS, maxRecvMiB int) OTLPReceiver {
	return OTLPReceiver{Protocols: OTLPProtocols{
		GRPC: &GRPCServer{Endpoint: hostPort(host, PortOTLPGRPC), TLS: tls, MaxRecvMsgSizeMiB: maxRecvMiB},
		HTTP: &HTTPServer{Endpoint: hostPort(host, PortOTLPHTTP), TLS: tls},
	}}
}

// Connection ages of a gateway's gRPC clients: every connection is renewed after
// gatewayMaxConnectionAge, so agents spread over gateway pods the HPA added and handshake
// again with the certificates they hold now.
const (
	gatewayMaxConnectionAge      = "5m"
	gatewayMaxConnectionAgeGrace = "30s"
)

// gatewayReceiver is the gateway's OTLP receiver: the largest messages, and connections
// renewed after gatewayMaxConnectionAge.
func gatewayReceiver(tls *ServerTLS) OTLPReceiver {
	r := otlpReceiver("0.0.0.0", tls, gatewayMaxRecvMsgMiB)
	r.Protocols.GRPC.Keepalive = &GRPCKeepalive{ServerParameters: GRPCServerParameters{
		MaxConnectionAge: gatewayMaxConnectionAge, MaxConnectionAgeGrace: gatewayMaxConnectionAgeGrace,
	}}
	return r
}

// operability returns health_check on all interfaces (kubelet probes it), and pprof and
// zpages on loopback only (reach them with kubectl port-forward).
func operability(withDebug bool) (map[string]Component, []string) {
	ext := map[string]Component{idHealth: HealthCheckExtension{Endpoint: hostPort("0.0.0.0", PortHealthCheck)}}
	ids := []string{idHealth}
	if withDebug {
		ext[idPProf] = PProfExtension{Endpoint: hostPort("127.0.0.1", PortPProf)}
		ext[idZPages] = ZPagesExtension{Endpoint: hostPort("127.0.0.1", PortZPages)}
		ids = append(ids, idPProf, idZPages)
	}
	return ext, ids
}

// addQueueStorage adds a file_storage extension for persistent sending queues.
func addQueueStorage(c *Config, dir string) string {
	if dir == "" {
		return ""
	}
	c.Extensions[idFileStorage] = FileStorageExtension{Directory: dir, Timeout: "10s", CreateDirectory: true}
	c.Service.Extensions = append(c.Service.Extensions, idFileStorage)
	return idFileStorage
}

func hostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }

func requirePositive(field string, n int) error {
	if n <= 0 {
		return fmt.Errorf("%s must be positive, got %d", field, n)
	}
	return nil
}
