package azure

import (
	"maps"

	"github.com/otelfleet/otelfleet/components/azure/aci"
	"github.com/otelfleet/otelfleet/components/azure/aks"
	"github.com/otelfleet/otelfleet/components/azure/identity"
	"github.com/otelfleet/otelfleet/components/azure/monitor"
	"github.com/otelfleet/otelfleet/components/azure/vnet"
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/stacks/common"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// deployAKSFleet creates the gateway's workload identity and the collector fleet on AKS,
// and returns the fleet and the Kubernetes provider it was deployed with.
func deployAKSFleet(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan, rg pulumi.StringInput, tags map[string]string, mon *monitor.Monitoring, cluster *aks.Cluster, withProvider pulumi.ResourceOption) (*kube.Fleet, *kubernetes.Provider, error) {
	needsConnectionString := plan.SendsToAzureMonitor(p.ConfigSpec().Exporters)
	ingest, err := ingestAnnotations(cfg)
	if err != nil {
		return nil, nil, err
	}
	gatewayID, err := identity.NewIdentity(ctx, cfg.Name+"-gateway-identity", &identity.Args{
		ResourceGroupName: rg, Location: cfg.Azure.Location, Tags: tags,
		Federation: &identity.Federation{
			Issuer: cluster.OIDCIssuerURL, Namespace: cfg.Kubernetes.Namespace, ServiceAccount: cfg.Names().Gateway(),
		},
		Roles: publisherRoles(cfg, mon),
	}, withProvider)
	if err != nil {
		return nil, nil, err
	}
	fleet, k8s, err := common.DeployFleet(ctx, cfg, p, cluster.Kubeconfig, func(a *kube.FleetArgs) {
		if needsConnectionString {
			a.GatewaySecretEnv = map[string]pulumi.StringInput{collector.AzureMonitorConnectionStringEnv: mon.ConnectionString}
		}
		a.GatewayServiceAccountAnnotations = pulumi.StringMap{identity.ClientIDAnnotation: gatewayID.ClientID}
		a.GatewayPodLabels = map[string]string{identity.UseLabel: "true"}
		if a.GatewayIngest != nil {
			maps.Copy(a.GatewayIngest.Annotations, ingest)
			a.GatewayDNSNames = append(a.GatewayDNSNames, cfg.Azure.AKSIngestDNSNames...)
		}
	}, pulumi.DependsOn(cluster.KubernetesAccess()))
	if err != nil || !cfg.Gateway.Ingest {
		return fleet, k8s, err
	}
	// The fleet's NetworkPolicy admits the ingest's clients (gatewayIngestSourceRanges); the
	// Azure load balancer's health probes come from Azure's own address.
	_, err = aks.NewProbePolicy(ctx, cfg.Name+"-gateway-lb-probes", &aks.ProbePolicyArgs{
		Namespace:   cfg.Kubernetes.Namespace,
		PodSelector: cfg.Names().GatewaySelector(),
		HealthPort:  collector.PortHealthCheck,
	}, pulumi.Provider(k8s), pulumi.DependsOn([]pulumi.Resource{fleet}))
	return fleet, k8s, err
}

// ingestAnnotations are the Azure load balancer annotations of the gateway's ingest Service:
// internal (with its static private IP) when configured, and health probes of every port on
// the collector's health_check endpoint.
func ingestAnnotations(cfg config.Stack) (map[string]string, error) {
	if !cfg.Gateway.Ingest {
		return nil, nil
	}
	return aks.IngestAnnotations(aks.Ingest{
		Internal:   cfg.Gateway.IngestInternal,
		PrivateIP:  cfg.Azure.AKSIngestPrivateIP,
		Ports:      []int{collector.PortOTLPGRPC, collector.PortOTLPHTTP},
		HealthPort: collector.PortHealthCheck,
		HealthPath: "/",
	})
}

// publisherRoles lets an identity publish to the Application Insights resource otelfleet
// created (with Entra ID tokens, the path once local authentication is turned off); an
// existing resource given only by connection string gets no role assignment.
func publisherRoles(cfg config.Stack, mon *monitor.Monitoring) []identity.Role {
	if !cfg.Azure.AppInsightsCreate {
		return nil
	}
	return []identity.Role{{Name: "metrics-publisher", Definition: identity.MonitoringMetricsPublisher, Scope: mon.AppInsightsID}}
}

// deployACICollector creates the ACI gateway, its identity and (by default) its network, and
// adds its outputs to out.
func deployACICollector(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan, f *kube.Fleet, rg pulumi.StringInput, tags map[string]string, mon *monitor.Monitoring, withProvider pulumi.ResourceOption, out Outputs) (*aci.Collector, error) {
	az := cfg.Azure
	config := p.CloudCollectors[plan.CollectorACI]
	needsConnectionString := plan.SendsToAzureMonitor(plan.ACIExporters(cfg))
	aciID, err := identity.NewIdentity(ctx, cfg.Name+"-aci-identity", &identity.Args{
		ResourceGroupName: rg, Location: az.Location, Tags: tags, Roles: publisherRoles(cfg, mon),
	}, withProvider)
	if err != nil {
		return nil, err
	}
	var subnet pulumi.StringInput
	switch {
	case az.ACIPublicIP:
	case az.ACISubnetID != "":
		subnet = pulumi.String(az.ACISubnetID)
	default:
		network, err := vnet.NewDelegatedSubnet(ctx, cfg.Name+"-aci-network", &vnet.Args{
			ResourceGroupName: rg, Location: az.Location, Tags: tags,
			AddressSpace: az.VNetCIDR, SubnetPrefix: az.ACISubnetCIDR,
		}, withProvider)
		if err != nil {
			return nil, err
		}
		subnet = network.SubnetID
		out["aciEgressIp"] = network.EgressIP
	}
	secure, env := map[string]pulumi.StringInput{}, map[string]string{}
	if needsConnectionString {
		secure[collector.AzureMonitorConnectionStringEnv] = mon.ConnectionString
	}
	if plan.OutsideCollectorsPresentCertificates(cfg) {
		// ACI mounts no rotating secret: the certificate is issued at deploy time and passed
		// as a secure variable (the CA too: plain variables take no computed value); a new one
		// restarts the group (README, trust).
		tls, err := common.ClientCertificate(cfg, p, f, p.Names.Prefix+"-aci-collector")
		if err != nil {
			return nil, err
		}
		secure[fleet.TrustEnv], secure[fleet.ClientTLSEnv], env[fleet.RenewByEnv] = tls.CA, tls.Client, tls.RenewBy
	}
	group, err := aci.NewCollector(ctx, cfg.Name+"-aci", &aci.Args{
		ResourceGroupName: rg, Location: az.Location, Tags: tags,
		Image:  cfg.Collector.ImageRef(),
		Config: config, CPU: az.ACICPU, MemoryGB: az.ACIMemoryGB,
		IdentityID: aciID.ID, SubnetID: subnet, SecureEnv: secure, Env: env,
		WorkspaceID: mon.WorkspaceID,
	}, withProvider)
	if err != nil {
		return nil, err
	}
	out["aciGatewayEndpoint"] = group.OTLPGRPCEndpoint
	out["aciGatewayHttpEndpoint"] = group.OTLPHTTPEndpoint
	return group, nil
}
