package config

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// Azure is the configuration of the azure stack (AKS, Azure Monitor, workload identity, ACI).
type Azure struct {
	Location string `key:"azureLocation" desc:"Azure region (location) of the stack, as the ARM API spells it (eastus, westeurope, ...)."`

	AKSVersion             string   `key:"aksVersion" desc:"Kubernetes version of the AKS cluster (a minor version in AKS standard support; AKS picks the latest patch)."`
	AKSNodeVMSize          string   `key:"aksNodeVmSize" desc:"VM size of the AKS system node pool."`
	AKSNodeCount           int      `key:"aksNodeCount" desc:"Initial node count of the system node pool (between aksNodeMin and aksNodeMax; the cluster autoscaler owns it afterwards)."`
	AKSNodeMin             int      `key:"aksNodeMin" desc:"Minimum node count of the system node pool (cluster autoscaler)."`
	AKSNodeMax             int      `key:"aksNodeMax" desc:"Maximum node count of the system node pool (cluster autoscaler)."`
	AKSZones               []string `key:"aksZones" desc:"Availability zones of the system node pool (each of 1, 2, 3; an empty list for regions without zones)."`
	AKSSkuTier             string   `key:"aksSkuTier" enum:"Free,Standard,Premium" desc:"AKS pricing tier: Standard and Premium carry the uptime SLA of the API server."`
	AKSPodCIDR             string   `key:"aksPodCidr" desc:"Pod CIDR of Azure CNI overlay (pods get addresses from it, not from a VNet subnet)."`
	AKSAdminGroupObjectIDs []string `key:"aksAdminGroupObjectIds" desc:"Object ids of Microsoft Entra groups that get cluster-admin on AKS (local accounts are disabled, so access is through Entra ID only)."`
	AKSDeployerAdmin       bool     `key:"aksDeployerClusterAdmin" desc:"Grant the identity running Pulumi the 'Azure Kubernetes Service RBAC Cluster Admin' role on the cluster, so the same run can deploy the collector fleet (turn off when that identity is in aksAdminGroupObjectIds)."`
	AKSKubeloginMode       string   `key:"aksKubeloginMode" enum:"azurecli,workloadidentity,spn,msi,devicecode" desc:"kubelogin login mode written into the kubeconfig (the cluster has no local accounts: kubectl and the Pulumi Kubernetes provider get Entra ID tokens through kubelogin, which must be on PATH). The AAD_LOGIN_METHOD environment variable still overrides it."`

	LogAnalyticsRetentionDays int `key:"logAnalyticsRetentionDays" desc:"Retention of the Log Analytics workspace (and of the workspace-based Application Insights), in days."`

	AppInsightsCreate           bool   `key:"appInsightsCreate" desc:"Create a workspace-based Application Insights resource. When false, appInsightsConnectionString names an existing one."`
	AppInsightsConnectionString string `key:"appInsightsConnectionString" secret:"true" desc:"Connection string of an existing Application Insights resource; required when appInsightsCreate is false, ignored otherwise. Ingestion authenticates with the connection string, so local authentication stays enabled on the resource: the pinned azure_monitor exporter (v0.161.0) accepts an authenticator extension (its HTTP client settings take auth), and upstream's azureauth extension (extension/azureauthextension, contrib issue #38908) supplies Entra ID tokens through workload identity, but the module proxy otelfleet builds from serves no version of that extension, so the collector build cannot include it. The string stays a secret end to end: Pulumi secret, a Kubernetes Secret in the gateway namespace read through secretKeyRef (never the ConfigMap), an ACI secure environment variable. Once the collector build can include azureauth, the gateway's user-assigned identity (which already holds Monitoring Metrics Publisher) can authenticate through workload identity and local authentication can be disabled."`

	ACIEnabled    bool    `key:"aciEnabled" desc:"Run a collector gateway in Azure Container Instances for workloads outside AKS."`
	ACICPU        float64 `key:"aciCpu" desc:"CPU cores requested by the ACI collector (0.25 to 4)."`
	ACIMemoryGB   float64 `key:"aciMemoryGb" desc:"Memory requested by the ACI collector, in GB (0.5 to 16); memory_limiter and GOMEMLIMIT are derived from it."`
	ACIPublicIP   bool    `key:"aciPublicIp" desc:"Give the ACI collector a public IP (OTLP without TLS or authentication open to the internet: only for tests). By default it gets a private IP in a delegated VNet subnet."`
	ACISubnetID   string  `key:"aciSubnetId" desc:"Resource id of an existing subnet delegated to Microsoft.ContainerInstance/containerGroups for the ACI collector; empty creates a VNet, the subnet and a NAT gateway for egress."`
	VNetCIDR      string  `key:"azureVnetCidr" desc:"Address space of the VNet created for the ACI collector (when aciSubnetId is empty)."`
	ACISubnetCIDR string  `key:"aciSubnetCidr" desc:"Prefix of the delegated ACI subnet inside azureVnetCidr (at most /29)."`

	AKSIngestPrivateIP string   `key:"aksIngestPrivateIp" desc:"Static private IPv4 address of the internal gateway ingest load balancer on AKS (a free address in the cluster's node subnet: AKS's managed VNet uses 10.224.0.0/16), so DNS records pointing at it survive a re-created Service; empty lets Azure pick one. Ignored unless gatewayIngest and gatewayIngestInternal are on."`
	AKSIngestDNSNames  []string `key:"aksIngestDnsNames" desc:"DNS names senders outside the cluster reach the AKS gateway's ingest by (the aws stack's drRecordName when this stack is its DR secondary, a regional name): added to the gateway's certificate, so that with tlsEnabled the senders' verification accepts it."`

	Alerts             bool   `key:"azureAlerts" desc:"Create the fleet's Azure Monitor alert rules (Container Insights, collector self-metrics scraped into Log Analytics, ACI metrics and logs, Application Insights ingestion) and the Container Insights scrape settings they read."`
	AlertEmail         string `key:"alertEmail" desc:"Email address notified by the alerts: otelfleet creates an action group with this one email receiver. Leave empty to use alertActionGroupId, or neither to fire alerts without notification (they still show in Azure Monitor)."`
	AlertActionGroupID string `key:"alertActionGroupId" desc:"Resource id of an existing action group the alerts notify (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Insights/actionGroups/<name>); exclusive with alertEmail."`
}

// Kubernetes minor versions in AKS standard support (checked against the AKS release
// calendar in November 2026).
const (
	aksMinMinor = 35
	aksMaxMinor = 37
)

// azureRegions are the public Azure regions, as the ARM API names them.
var azureRegions = []string{
	"australiacentral", "australiacentral2", "australiaeast", "australiasoutheast", "austriaeast",
	"belgiumcentral", "brazilsouth", "brazilsoutheast", "canadacentral", "canadaeast",
	"centralindia", "centralus", "chilecentral", "eastasia", "eastus", "eastus2",
	"francecentral", "francesouth", "germanynorth", "germanywestcentral", "indonesiacentral",
	"israelcentral", "italynorth", "japaneast", "japanwest", "jioindiacentral", "jioindiawest",
	"koreacentral", "koreasouth", "malaysiawest", "mexicocentral", "newzealandnorth",
	"northcentralus", "northeurope", "norwayeast", "norwaywest", "polandcentral", "qatarcentral",
	"southafricanorth", "southafricawest", "southcentralus", "southeastasia", "southindia",
	"spaincentral", "swedencentral", "swedensouth", "switzerlandnorth", "switzerlandwest",
	"uaecentral", "uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope", "westindia",
	"westus", "westus2", "westus3",
}

var (
	vmSizePattern      = regexp.MustCompile(`^Standard_[A-Za-z0-9_]+$`)
	guidPattern        = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	ingestNamePattern  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)
	emailPattern       = regexp.MustCompile(`^[A-Za-z0-9._%+'-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$`)
	actionGroupPattern = regexp.MustCompile(`(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Insights/actionGroups/[^/]+$`)
	subnetPattern      = regexp.MustCompile(`(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/virtualNetworks/[^/]+/subnets/[^/]+$`)
)

// validate checks the azure keys; it is called by Stack.Validate when cloud is azure.
func (a *Azure) validate(v *validator) {
	if !slices.Contains(azureRegions, a.Location) {
		v.bad("azureLocation", a.Location, "give an Azure region name as the ARM API spells it: %s", strings.Join(azureRegions, ", "))
	}
	kubernetesVersion(v, "aksVersion", a.AKSVersion, aksMinMinor, aksMaxMinor)
	if !vmSizePattern.MatchString(a.AKSNodeVMSize) {
		v.bad("aksNodeVmSize", a.AKSNodeVMSize, "give an Azure VM size such as Standard_D4s_v3")
	}
	a.validateNodePool(v)
	if a.AKSPodCIDR != "" {
		if p, err := netip.ParsePrefix(a.AKSPodCIDR); err != nil || !p.Addr().Is4() || p.Bits() > 24 {
			v.bad("aksPodCidr", a.AKSPodCIDR, "give an IPv4 CIDR of /24 or larger, such as 10.244.0.0/16")
		}
	}
	for _, id := range a.AKSAdminGroupObjectIDs {
		if !guidPattern.MatchString(id) {
			v.bad("aksAdminGroupObjectIds", a.AKSAdminGroupObjectIDs, "give Entra group object ids (GUIDs)")
			break
		}
	}
	if a.LogAnalyticsRetentionDays < 30 || a.LogAnalyticsRetentionDays > 730 {
		v.bad("logAnalyticsRetentionDays", a.LogAnalyticsRetentionDays, "give 30 to 730 days")
	}
	a.validateAppInsights(v)
	if a.ACIEnabled {
		a.validateACI(v)
	}
	a.validateIngest(v)
	a.validateAlerts(v)
}

func (a *Azure) validateIngest(v *validator) {
	for _, n := range a.AKSIngestDNSNames {
		if len(n) > 253 || !ingestNamePattern.MatchString(n) {
			v.bad("aksIngestDnsNames", a.AKSIngestDNSNames, "give lowercase DNS names such as otlp.observability.example.com (no trailing dot, no wildcard)")
			break
		}
	}
	if a.AKSIngestPrivateIP == "" {
		return
	}
	if ip, err := netip.ParseAddr(a.AKSIngestPrivateIP); err != nil || !ip.Is4() || !ip.IsPrivate() {
		v.bad("aksIngestPrivateIp", a.AKSIngestPrivateIP, "give a private IPv4 address in the AKS node subnet, such as 10.224.255.200 (or leave it empty)")
	}
}

func (a *Azure) validateAlerts(v *validator) {
	switch {
	case a.AlertEmail != "" && a.AlertActionGroupID != "":
		v.bad("alertActionGroupId", a.AlertActionGroupID, "give either alertEmail (otelfleet creates an action group) or alertActionGroupId (an existing one), not both")
	case a.AlertEmail != "" && !emailPattern.MatchString(a.AlertEmail):
		v.bad("alertEmail", a.AlertEmail, "give one email address such as oncall@example.com")
	case a.AlertActionGroupID != "" && !actionGroupPattern.MatchString(a.AlertActionGroupID):
		v.bad("alertActionGroupId", a.AlertActionGroupID, "give an action group resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Insights/actionGroups/<name>")
	}
}

func (a *Azure) validateNodePool(v *validator) {
	if a.AKSNodeMin < 1 || a.AKSNodeMin > 1000 {
		v.bad("aksNodeMin", a.AKSNodeMin, "give 1 to 1000 (a system node pool keeps at least one node)")
	}
	if a.AKSNodeMax < 1 || a.AKSNodeMax > 1000 {
		v.bad("aksNodeMax", a.AKSNodeMax, "give 1 to 1000")
	}
	if a.AKSNodeMin > a.AKSNodeMax {
		v.bad("aksNodeMin", a.AKSNodeMin, "must not exceed aksNodeMax (%d)", a.AKSNodeMax)
	} else if a.AKSNodeCount < a.AKSNodeMin || a.AKSNodeCount > a.AKSNodeMax {
		v.bad("aksNodeCount", a.AKSNodeCount, "give a count from aksNodeMin (%d) to aksNodeMax (%d)", a.AKSNodeMin, a.AKSNodeMax)
	}
	seen := map[string]bool{}
	for _, z := range a.AKSZones {
		if !slices.Contains([]string{"1", "2", "3"}, z) || seen[z] {
			v.bad("aksZones", a.AKSZones, "give distinct zones among 1, 2, 3 (or an empty list)")
			break
		}
		seen[z] = true
	}
}

func (a *Azure) validateAppInsights(v *validator) {
	if a.AppInsightsCreate {
		return
	}
	// The value is a secret: problems never repeat it.
	cs := a.AppInsightsConnectionString
	switch {
	case strings.TrimSpace(cs) == "":
		v.bad("appInsightsConnectionString", "", "set it with `pulumi config set --secret %s:appInsightsConnectionString VALUE` when appInsightsCreate is false", Namespace)
	case cs != SecretPlaceholder && (!strings.Contains(cs, "InstrumentationKey=") || !strings.Contains(cs, "IngestionEndpoint=")):
		v.bad("appInsightsConnectionString", SecretPlaceholder, "give an Application Insights connection string (InstrumentationKey=...;IngestionEndpoint=...)")
	}
}

func (a *Azure) validateACI(v *validator) {
	if a.ACICPU < 0.25 || a.ACICPU > 4 {
		v.bad("aciCpu", a.ACICPU, "give 0.25 to 4 cores")
	}
	if a.ACIMemoryGB < 0.5 || a.ACIMemoryGB > 16 {
		v.bad("aciMemoryGb", a.ACIMemoryGB, "give 0.5 to 16 GB")
	}
	if a.ACIPublicIP {
		if a.ACISubnetID != "" {
			v.bad("aciPublicIp", a.ACIPublicIP, "a container group in a VNet subnet (aciSubnetId) cannot have a public IP; unset one of them")
		}
		return
	}
	if a.ACISubnetID != "" {
		if !subnetPattern.MatchString(a.ACISubnetID) {
			v.bad("aciSubnetId", a.ACISubnetID, "give a subnet resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>")
		}
		return
	}
	vnet, err := netip.ParsePrefix(a.VNetCIDR)
	if err != nil || !vnet.Addr().Is4() || vnet.Masked() != vnet || vnet.Bits() > 28 {
		v.bad("azureVnetCidr", a.VNetCIDR, "give an IPv4 network CIDR of /28 or larger, such as 10.50.0.0/16")
		return
	}
	sub, err := netip.ParsePrefix(a.ACISubnetCIDR)
	switch {
	case err != nil || !sub.Addr().Is4() || sub.Masked() != sub:
		v.bad("aciSubnetCidr", a.ACISubnetCIDR, "give an IPv4 network CIDR such as 10.50.0.0/24")
	case sub.Bits() > 29:
		v.bad("aciSubnetCidr", a.ACISubnetCIDR, "give a /29 or larger prefix (ACI needs at least 8 addresses)")
	case sub.Bits() < vnet.Bits() || !vnet.Contains(sub.Addr()):
		v.bad("aciSubnetCidr", a.ACISubnetCIDR, "give a prefix inside azureVnetCidr (%s)", a.VNetCIDR)
	}
}
