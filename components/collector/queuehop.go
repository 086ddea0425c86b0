package collector

import (
	"fmt"
	"strings"
)

// PortQueueHops is the first loopback port of the queue hops (one per exporter without a
// sending queue, counting up).
const PortQueueHops = 4330

// queueHopTimeout bounds one delivery through a hop: the backend exporter behind it sends
// a whole batch in many calls (X-Ray takes 50 segments per call).
const queueHopTimeout = "60s"

// Unqueued marks exporters that send to a remote backend but have no sending queue or
// retry settings at the pinned release (awsxray, awsemf): the gateway puts a queue hop in
// front of them.
type Unqueued interface{ noSendingQueue() }

func (AWSXRayExporter) noSendingQueue() {}
func (AWSEMFExporter) noSendingQueue()  {}

// queueHop puts a sending queue in front of an exporter that has none at the pinned release
// (awsxray, awsemf): the pipelines send to an otlp_grpc exporter with the gateway's retry
// and (persistent) queue, which delivers over loopback to a receiver of the same collector
// whose own pipeline ends in the exporter. The exporter's failures travel back as the
// receiver's answer, so the queue keeps the data and retries instead of dropping it.
type queueHop struct {
	front    Exporter // what the gateway's pipelines export to
	receiver string   // otlp/<name> on 127.0.0.1:port
	port     int
	backend  Exporter
}

// queueHops replaces each exporter without a sending queue by its hop's front.
func queueHops(exporters []Exporter) ([]Exporter, []queueHop) {
	var out []Exporter
	var hops []queueHop
	for _, e := range exporters {
		if _, unqueued := e.Config.(Unqueued); !unqueued {
			out = append(out, e)
			continue
		}
		name := strings.ReplaceAll(e.ID, "/", "-")
		port := PortQueueHops + len(hops)
		h := queueHop{
			front: Exporter{ID: ID(TypeOTLPGRPC, name+"-queue"), Signals: e.Signals, Config: OTLPExporter{
				// Loopback: compressing would only cost CPU at both ends.
				Endpoint: fmt.Sprintf("127.0.0.1:%d", port), TLS: ClientTLS{Insecure: true}, Compression: "none",
				ExporterHelper: ExporterHelper{Timeout: queueHopTimeout},
			}},
			receiver: ID(TypeOTLP, name), port: port, backend: e,
		}
		hops = append(hops, h)
		out = append(out, h.front)
	}
	return out, hops
}

// add puts the hop's receiver, its backend exporter and one pipeline per signal into c.
func (h queueHop) add(c *Config) {
	c.Receivers[h.receiver] = OTLPReceiver{Protocols: OTLPProtocols{GRPC: &GRPCServer{
		Endpoint: fmt.Sprintf("127.0.0.1:%d", h.port), MaxRecvMsgSizeMiB: gatewayMaxRecvMsgMiB,
	}}}
	c.Exporters[h.backend.ID] = h.backend.Config
	for _, s := range h.backend.Signals {
		c.Service.Pipelines[s+"/"+strings.TrimPrefix(h.receiver, TypeOTLP+"/")] = Pipeline{Receivers: []string{h.receiver}, Exporters: []string{h.backend.ID}}
	}
}
