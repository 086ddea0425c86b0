// Package fleet holds the contracts every layer of an otelfleet collector fleet shares — the
// names of its Kubernetes objects and in-cluster hosts, its labels and annotations — as plain
// values, with no Pulumi and no cloud SDK. The Kubernetes layer names objects with it, the
// cloud stacks bind identities and alerts to the same names, and tests read them instead
// of repeating the rules.
package fleet

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/collector"
)

// Names derives the object names and hosts of one fleet from its prefix and namespaces.
type Names struct {
	Prefix         string `json:"prefix"`         // the stack's otelfleet:name, e.g. "otel"
	Namespace      string `json:"namespace"`      // the gateway's namespace
	AgentNamespace string `json:"agentNamespace"` // the DaemonSet agent's namespace
}

// Gateway names the gateway's stable workload and everything that belongs to it alone:
// its ServiceAccount (the identity clouds federate), Service, PDB, HPA and NetworkPolicy.
func (n Names) Gateway() string { return n.Prefix + "-gateway" }

// GatewayCanary names the canary track's workload.
func (n Names) GatewayCanary() string { return n.Gateway() + "-canary" }

// GatewayHeadless names the headless Service agents resolve to route by trace id.
func (n Names) GatewayHeadless() string { return n.Gateway() + "-headless" }

// GatewayIngest names the gateway's LoadBalancer Service.
func (n Names) GatewayIngest() string { return n.Gateway() + "-ingest" }

// GatewayTLSSecret names the Secret cert-manager writes the gateway's certificate to.
func (n Names) GatewayTLSSecret() string { return n.Gateway() + "-tls" }

// GatewayEnvSecret names the Secret that holds the gateway's secret environment.
func (n Names) GatewayEnvSecret() string { return n.Gateway() + "-env" }

// GatewayHost is the gateway Service's in-cluster DNS name.
func (n Names) GatewayHost() string { return svcHost(n.Gateway(), n.Namespace) }

// GatewayHeadlessHost is the headless Service's in-cluster DNS name.
func (n Names) GatewayHeadlessHost() string { return svcHost(n.GatewayHeadless(), n.Namespace) }

// GatewayEndpoint is where agents send OTLP gRPC: the gateway Service's host and port.
func (n Names) GatewayEndpoint() string {
	return fmt.Sprintf("%s:%d", n.GatewayHost(), collector.PortOTLPGRPC)
}

// GatewayDNSNames are the names the gateway's certificate carries: the Service's short,
// namespaced and cluster names, and every pod behind the headless Service.
func (n Names) GatewayDNSNames() []string {
	return []string{n.GatewayHost(), n.Gateway(), n.Gateway() + "." + n.Namespace + ".svc", "*." + n.GatewayHeadlessHost()}
}

// Agent names the DaemonSet agent's workload, ServiceAccount and node-local Service.
func (n Names) Agent() string { return n.Prefix + "-agent" }

// AgentHost is the agent Service's in-cluster DNS name.
func (n Names) AgentHost() string { return svcHost(n.Agent(), n.AgentNamespace) }

// ClusterCollector names the cluster collector's workload (in the agents' namespace).
func (n Names) ClusterCollector() string { return n.Prefix + "-cluster" }

// AgentTLSSecret names the Secret cert-manager writes the agents' certificate to (the
// cluster collector, in the agents' namespace, presents it too).
func (n Names) AgentTLSSecret() string { return n.Agent() + "-tls" }

// CAIssuer names the ClusterIssuer otelfleet creates when no otelfleet:tlsIssuer is given.
func (n Names) CAIssuer() string { return n.Prefix + "-ca" }

// CASecret names the Secret (in cert-manager's namespace) holding the fleet CA the
// CAIssuer signs with.
func (n Names) CASecret() string { return n.Prefix + "-fleet-ca" }

func svcHost(service, namespace string) string {
	return service + "." + namespace + ".svc.cluster.local"
}
