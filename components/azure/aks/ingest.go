package aks

import (
	"fmt"
	"net/netip"
	"strconv"
)

// Annotations of a LoadBalancer Service read by the Azure cloud provider
// (kubernetes-sigs/cloud-provider-azure, pkg/consts): an internal load balancer, its static
// frontend IP, and per-port health probes "service.beta.kubernetes.io/port_<port>_health-probe_<param>".
const (
	AnnotationInternal = "service.beta.kubernetes.io/azure-load-balancer-internal"
	AnnotationIPv4     = "service.beta.kubernetes.io/azure-load-balancer-ipv4"
	probeAnnotation    = "service.beta.kubernetes.io/port_%d_health-probe_%s"
)

// ProbeAnnotation is the per-port health probe annotation of param (protocol, port,
// request-path, interval, num-of-probe) for a Service port.
func ProbeAnnotation(port int, param string) string { return fmt.Sprintf(probeAnnotation, port, param) }

// Ingest describes the Azure load balancer in front of the gateway's ingest Service.
type Ingest struct {
	// Internal puts the frontend on a private IP of the cluster's VNet.
	Internal bool
	// PrivateIP pins the internal frontend's address (in the node subnet); "" lets Azure pick.
	PrivateIP string
	// Ports are the Service ports clients send to (OTLP gRPC and HTTP).
	Ports []int
	// HealthPort and HealthPath are the collector's health_check endpoint, which every
	// port's probe asks over HTTP, so a node whose gateway pod is unhealthy leaves the
	// backend pool; HealthPort is itself a Service port (DNS failover health checks use it).
	HealthPort int
	HealthPath string
}

// IngestAnnotations are the Service annotations of in. Without them the cloud provider would
// probe the OTLP/HTTP port with an HTTP GET on "/" (its appProtocol is http), which the
// collector answers with 404; with externalTrafficPolicy Local it would fall back to the
// node's kube-proxy health port, which knows only whether a ready pod is on the node.
func IngestAnnotations(in Ingest) (map[string]string, error) {
	if in.HealthPort <= 0 || len(in.Ports) == 0 {
		return nil, fmt.Errorf("aks: Ingest needs Ports and HealthPort")
	}
	if in.HealthPath == "" {
		in.HealthPath = "/"
	}
	out := map[string]string{}
	if in.Internal {
		out[AnnotationInternal] = "true"
		if in.PrivateIP != "" {
			ip, err := netip.ParseAddr(in.PrivateIP)
			if err != nil || !ip.Is4() || !ip.IsPrivate() {
				return nil, fmt.Errorf("aks: Ingest.PrivateIP %q is not a private IPv4 address", in.PrivateIP)
			}
			out[AnnotationIPv4] = in.PrivateIP
		}
	}
	for _, port := range append([]int{in.HealthPort}, in.Ports...) {
		out[ProbeAnnotation(port, "protocol")] = "http"
		// A probe port that names a Service port is probed on that port's NodePort.
		out[ProbeAnnotation(port, "port")] = strconv.Itoa(in.HealthPort)
		out[ProbeAnnotation(port, "request-path")] = in.HealthPath
	}
	return out, nil
}
