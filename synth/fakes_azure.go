package synth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Identifiers the fake Azure answers with.
const (
	FakeSubscriptionID = "00000000-0000-0000-0000-000000000000"
	FakeTenantID       = "11111111-1111-1111-1111-111111111111"
	// FakeDeployerObjectID is the object id of the identity "running Pulumi".
	FakeDeployerObjectID = "22222222-2222-2222-2222-222222222222"
	// FakeInstrumentationKey is the key inside FakeAppInsightsConnectionString: distinctive,
	// so tests can prove the connection string never appears outside a secret.
	FakeInstrumentationKey = "5ec7e7ca-fe00-4c0d-9e57-0ff1ce5ec7e7"
	// FakeAppInsightsConnectionString is what every fake Application Insights resource
	// returns as its connectionString output (a secret).
	FakeAppInsightsConnectionString = "InstrumentationKey=" + FakeInstrumentationKey +
		";IngestionEndpoint=https://eastus-8.in.applicationinsights.azure.com/" +
		";LiveEndpoint=https://eastus.livediagnostics.monitor.azure.com/" +
		";ApplicationId=7a11ce00-0000-4000-8000-000000000001"
	// FakeACIPrivateIP / FakeACIPublicIP are the addresses of container groups in a subnet
	// and with a public IP.
	FakeACIPrivateIP = "10.50.0.4"
	FakeACIPublicIP  = "20.62.130.17"
	// FakeIngestPrivateIP / FakeIngestPublicIP are the frontend addresses the Azure cloud
	// provider gives an internal / public LoadBalancer Service (without a pinned IP).
	FakeIngestPrivateIP = "10.224.0.100"
	FakeIngestPublicIP  = "20.62.130.40"
)

// azureResources maps the azure-native types otelfleet creates to their ARM resource type
// and the input naming the resource (absent: the logical name, as autonaming without the
// random suffix).
var azureResources = map[string]struct{ armType, nameKey string }{
	"azure-native:resources:ResourceGroup":                     {"", "resourceGroupName"},
	"azure-native:operationalinsights:Workspace":               {"Microsoft.OperationalInsights/workspaces", "workspaceName"},
	"azure-native:insights:Component":                          {"Microsoft.Insights/components", "resourceName"},
	"azure-native:insights:DataCollectionRule":                 {"Microsoft.Insights/dataCollectionRules", "dataCollectionRuleName"},
	"azure-native:insights:DataCollectionRuleAssociation":      {"Microsoft.Insights/dataCollectionRuleAssociations", "associationName"},
	"azure-native:containerservice:ManagedCluster":             {"Microsoft.ContainerService/managedClusters", "resourceName"},
	"azure-native:managedidentity:UserAssignedIdentity":        {"Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName"},
	"azure-native:managedidentity:FederatedIdentityCredential": {"federatedIdentityCredentials", "federatedIdentityCredentialResourceName"},
	"azure-native:authorization:RoleAssignment":                {"Microsoft.Authorization/roleAssignments", "roleAssignmentName"},
	"azure-native:network:VirtualNetwork":                      {"Microsoft.Network/virtualNetworks", "virtualNetworkName"},
	"azure-native:network:PublicIPAddress":                     {"Microsoft.Network/publicIPAddresses", "publicIpAddressName"},
	"azure-native:network:NatGateway":                          {"Microsoft.Network/natGateways", "natGatewayName"},
	"azure-native:containerinstance:ContainerGroup":            {"Microsoft.ContainerInstance/containerGroups", "containerGroupName"},
	"azure-native:insights:ActionGroup":                        {"Microsoft.Insights/actionGroups", "actionGroupName"},
	"azure-native:insights:MetricAlert":                        {"Microsoft.Insights/metricAlerts", "ruleName"},
	"azure-native:insights:ScheduledQueryRule":                 {"Microsoft.Insights/scheduledQueryRules", "ruleName"},
	"azure-native:insights:DiagnosticSetting":                  {"Microsoft.Insights/diagnosticSettings", "name"},
}

// fakeGUID is a stable GUID derived from its parts.
func fakeGUID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}

// azureString is a string input, unwrapped ("" when unknown or absent).
func azureString(m resource.PropertyMap, key string) string {
	if v, ok := input(m, key); ok && v.IsString() {
		return v.StringValue()
	}
	return ""
}

// azureObject is an object input (unwrapped), copied so a fake can add computed fields.
func azureObject(m resource.PropertyMap, key string) resource.PropertyMap {
	if v, ok := input(m, key); ok && v.IsObject() {
		return v.ObjectValue().Copy()
	}
	return resource.PropertyMap{}
}

// FakeOIDCIssuerURL is the OIDC issuer URL of the fake AKS cluster named cluster.
func FakeOIDCIssuerURL(location, cluster string) string {
	return fmt.Sprintf("https://%s.oic.prod-aks.azure.com/%s/%s/", location, FakeTenantID, fakeGUID("oidc", cluster))
}

// FakeClientID and FakePrincipalID are the client (application) id and the principal
// (object) id of the fake user-assigned identity named identity.
func FakeClientID(identity string) string { return fakeGUID("client", identity) }

// FakePrincipalID: see FakeClientID.
func FakePrincipalID(identity string) string { return fakeGUID("principal", identity) }

// FakeResourceID is the ARM id the fakes give a resource of an azure-native type with the
// given name in resource group rg (the types of azureResources, except extension resources).
func FakeResourceID(typ, rg, name string) string {
	return azureID(typ, name, resource.PropertyMap{"resourceGroupName": resource.NewProperty(rg)})
}

// azureID is the ARM resource id of a fake resource.
func azureID(typ, name string, inputs resource.PropertyMap) string {
	rg := "/subscriptions/" + FakeSubscriptionID + "/resourceGroups/" + azureString(inputs, "resourceGroupName")
	switch typ {
	case "azure-native:resources:ResourceGroup":
		return "/subscriptions/" + FakeSubscriptionID + "/resourceGroups/" + name
	case "azure-native:authorization:RoleAssignment":
		return azureString(inputs, "scope") + "/providers/Microsoft.Authorization/roleAssignments/" + name
	case "azure-native:insights:DataCollectionRuleAssociation":
		return azureString(inputs, "resourceUri") + "/providers/Microsoft.Insights/dataCollectionRuleAssociations/" + name
	case "azure-native:insights:DiagnosticSetting":
		return azureString(inputs, "resourceUri") + "/providers/Microsoft.Insights/diagnosticSettings/" + name
	case "azure-native:managedidentity:FederatedIdentityCredential":
		return rg + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + azureString(inputs, "resourceName") + "/federatedIdentityCredentials/" + name
	}
	return rg + "/providers/" + azureResources[typ].armType + "/" + name
}

// azureFakes are what Azure computes: resource ids and names, the outputs of the Azure
// resources the stacks create, and the answers of the Azure functions they call.
func azureFakes() Fakes {
	f := newFakes()
	for typ, meta := range azureResources {
		typ, meta := typ, meta
		f.Resources.set(typ, func(logical string, inputs resource.PropertyMap) resource.PropertyMap {
			name := azureString(inputs, meta.nameKey)
			if name == "" {
				name = logical
				if typ == "azure-native:authorization:RoleAssignment" {
					name = fakeGUID("role-assignment", logical)
				}
			}
			out := resource.PropertyMap{
				"id":   resource.NewProperty(azureID(typ, name, inputs)),
				"name": resource.NewProperty(name),
			}
			for k, v := range computedAzureOutputs(typ, name, inputs) {
				out[k] = v
			}
			return out
		})
	}

	// The Azure cloud provider gives a LoadBalancer Service carrying Azure load balancer
	// annotations an IP, not a hostname.
	f.Resources.set(serviceType, func(name string, inputs resource.PropertyMap) resource.PropertyMap {
		if ip, ok := azureLoadBalancerIP(inputs); ok {
			return loadBalancerStatus(resource.PropertyMap{"ip": resource.NewProperty(ip)})
		}
		return loadBalancerHostname(name, inputs)
	})

	f.Calls.set("azure-native:authorization:getClientConfig", func(resource.PropertyMap) resource.PropertyMap {
		return resource.PropertyMap{
			"clientId":       resource.NewProperty("33333333-3333-3333-3333-333333333333"),
			"objectId":       resource.NewProperty(FakeDeployerObjectID),
			"subscriptionId": resource.NewProperty(FakeSubscriptionID),
			"tenantId":       resource.NewProperty(FakeTenantID),
		}
	})
	// With format "exec" AKS returns a kubelogin kubeconfig, which the aks component rewrites.
	f.Calls.set("azure-native:containerservice:listManagedClusterUserCredentials", func(args resource.PropertyMap) resource.PropertyMap {
		cluster := azureString(args, "resourceName")
		if cluster == "" {
			cluster = "aks"
		}
		kc := fakeKubeconfig(cluster)
		if azureString(args, "format") == "exec" {
			kc = fakeExecKubeconfig(cluster, azureString(args, "resourceGroupName"))
		}
		return resource.PropertyMap{"kubeconfigs": resource.NewProperty([]resource.PropertyValue{
			resource.NewProperty(resource.PropertyMap{
				"name":  resource.NewProperty("clusterUser"),
				"value": resource.NewProperty(base64.StdEncoding.EncodeToString([]byte(kc))),
			}),
		})}
	})
	return f
}

const serviceType = "kubernetes:core/v1:Service"

// azureLoadBalancerIP is the address the Azure cloud provider would give a LoadBalancer
// Service annotated for it (service.beta.kubernetes.io/azure-load-balancer-* or per-port
// health probes): its pinned IP, else a private or public one.
func azureLoadBalancerIP(inputs resource.PropertyMap) (string, bool) {
	if azureString(azureObject(inputs, "spec"), "type") != "LoadBalancer" {
		return "", false
	}
	annotations := azureObject(azureObject(inputs, "metadata"), "annotations")
	azure := false
	for k := range annotations {
		key := string(k)
		azure = azure || strings.HasPrefix(key, "service.beta.kubernetes.io/azure-load-balancer-") ||
			strings.HasPrefix(key, "service.beta.kubernetes.io/port_") && strings.Contains(key, "_health-probe_")
	}
	switch {
	case !azure:
		return "", false
	case azureString(annotations, "service.beta.kubernetes.io/azure-load-balancer-ipv4") != "":
		return azureString(annotations, "service.beta.kubernetes.io/azure-load-balancer-ipv4"), true
	case azureString(annotations, "service.beta.kubernetes.io/azure-load-balancer-internal") == "true":
		return FakeIngestPrivateIP, true
	}
	return FakeIngestPublicIP, true
}

// computedAzureOutputs are the outputs Azure computes for a type, beyond id and name.
func computedAzureOutputs(typ, name string, inputs resource.PropertyMap) resource.PropertyMap {
	switch typ {
	case "azure-native:containerservice:ManagedCluster":
		oidc := azureObject(inputs, "oidcIssuerProfile")
		oidc["issuerURL"] = resource.NewProperty(FakeOIDCIssuerURL(azureString(inputs, "location"), name))
		identity := azureObject(inputs, "identity")
		identity["principalId"] = resource.NewProperty(fakeGUID("cluster-identity", name))
		identity["tenantId"] = resource.NewProperty(FakeTenantID)
		return resource.PropertyMap{
			"oidcIssuerProfile": resource.NewProperty(oidc),
			"identity":          resource.NewProperty(identity),
			"fqdn":              resource.NewProperty(fmt.Sprintf("%s-%s.hcp.%s.azmk8s.io", azureString(inputs, "dnsPrefix"), fakeGUID("fqdn", name)[:8], azureString(inputs, "location"))),
			"provisioningState": resource.NewProperty("Succeeded"),
		}
	case "azure-native:managedidentity:UserAssignedIdentity":
		return resource.PropertyMap{
			"principalId": resource.NewProperty(FakePrincipalID(name)),
			"clientId":    resource.NewProperty(FakeClientID(name)),
			"tenantId":    resource.NewProperty(FakeTenantID),
		}
	case "azure-native:insights:Component":
		return resource.PropertyMap{
			"connectionString":   resource.MakeSecret(resource.NewProperty(FakeAppInsightsConnectionString)),
			"instrumentationKey": resource.MakeSecret(resource.NewProperty(FakeInstrumentationKey)),
			"appId":              resource.NewProperty(fakeGUID("app", name)),
		}
	case "azure-native:operationalinsights:Workspace":
		return resource.PropertyMap{"customerId": resource.NewProperty(fakeGUID("workspace", name))}
	case "azure-native:network:PublicIPAddress":
		return resource.PropertyMap{"ipAddress": resource.NewProperty("20.62.130.200")}
	case "azure-native:containerinstance:ContainerGroup":
		ip := azureObject(inputs, "ipAddress")
		if azureString(ip, "type") == "Private" {
			ip["ip"] = resource.NewProperty(FakeACIPrivateIP)
		} else {
			ip["ip"] = resource.NewProperty(FakeACIPublicIP)
		}
		return resource.PropertyMap{"ipAddress": resource.NewProperty(ip), "provisioningState": resource.NewProperty("Succeeded")}
	}
	return nil
}

// fakeExecKubeconfig is the kubeconfig AKS returns for an Entra ID cluster with format
// "exec": authentication through the kubelogin exec plugin, in device-code mode.
func fakeExecKubeconfig(cluster, rg string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: "https://%[1]s.cluster.invalid:443"
contexts:
- name: %[1]s
  context:
    cluster: %[1]s
    user: clusterUser_%[2]s_%[1]s
current-context: %[1]s
users:
- name: clusterUser_%[2]s_%[1]s
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - %[3]s
      - --login
      - devicecode
      provideClusterInfo: false
`, cluster, rg, FakeTenantID)
}
