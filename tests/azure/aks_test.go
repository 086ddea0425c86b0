package azure

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/synth"
	"sigs.k8s.io/yaml"
)

func TestClusterIdentityAndAccess(t *testing.T) {
	c := one(t, prod(t), clusterType)
	equal(t, "identity.type", at(t, c, "identity.type"), "SystemAssigned")
	if _, ok := c.Inputs["servicePrincipalProfile"]; ok {
		t.Errorf("the cluster has a servicePrincipalProfile (a client secret): %v", c.Inputs["servicePrincipalProfile"])
	}
	equal(t, "disableLocalAccounts", at(t, c, "disableLocalAccounts"), true)
	equal(t, "enableRBAC", at(t, c, "enableRBAC"), true)
	equal(t, "aadProfile.managed", at(t, c, "aadProfile.managed"), true)
	equal(t, "aadProfile.enableAzureRBAC", at(t, c, "aadProfile.enableAzureRBAC"), true)
	equal(t, "kubernetesVersion", at(t, c, "kubernetesVersion"), "1.35")
	// The API server answers only the ranges the stack names (clusterApiAllowedCidrs).
	equal(t, "apiServerAccessProfile.authorizedIPRanges", at(t, c, "apiServerAccessProfile.authorizedIPRanges"), []any{"203.0.113.0/24"})
}

func TestClusterNodePool(t *testing.T) {
	check := func(t *testing.T, c synth.Resource, count, min, max int64, zones []any) {
		t.Helper()
		pools, _ := c.Inputs["agentPoolProfiles"].([]any)
		if len(pools) != 1 {
			t.Fatalf("agentPoolProfiles = %v; want one system pool", pools)
		}
		equal(t, "mode", at(t, c, "agentPoolProfiles.0.mode"), "System")
		equal(t, "vmSize", at(t, c, "agentPoolProfiles.0.vmSize"), "Standard_D4s_v3")
		equal(t, "enableAutoScaling", at(t, c, "agentPoolProfiles.0.enableAutoScaling"), true)
		equal(t, "count", at(t, c, "agentPoolProfiles.0.count"), count)
		equal(t, "minCount", at(t, c, "agentPoolProfiles.0.minCount"), min)
		equal(t, "maxCount", at(t, c, "agentPoolProfiles.0.maxCount"), max)
		equal(t, "availabilityZones", at(t, c, "agentPoolProfiles.0.availabilityZones"), zones)
	}
	t.Run("defaults", func(t *testing.T) {
		check(t, one(t, prod(t), clusterType), 3, 3, 9, []any{"1", "2", "3"})
	})
	t.Run("from config", func(t *testing.T) {
		res := variant(t, map[string]string{
			"otelfleet:aksNodeCount": "4", "otelfleet:aksNodeMin": "2", "otelfleet:aksNodeMax": "12", "otelfleet:aksZones": `["1","3"]`,
		})
		check(t, one(t, res, clusterType), 4, 2, 12, []any{"1", "3"})
	})
}

func TestClusterOIDCWorkloadIdentityAndNetwork(t *testing.T) {
	c := one(t, prod(t), clusterType)
	equal(t, "oidcIssuerProfile.enabled", at(t, c, "oidcIssuerProfile.enabled"), true)
	equal(t, "securityProfile.workloadIdentity.enabled", at(t, c, "securityProfile.workloadIdentity.enabled"), true)
	equal(t, "networkPlugin", at(t, c, "networkProfile.networkPlugin"), "azure")
	equal(t, "networkPluginMode", at(t, c, "networkProfile.networkPluginMode"), "overlay")
	equal(t, "podCidr", at(t, c, "networkProfile.podCidr"), "10.244.0.0/16")
	// The gateway's NetworkPolicy objects need an enforcing dataplane.
	equal(t, "networkPolicy", at(t, c, "networkProfile.networkPolicy"), "cilium")
}

func TestMonitoringAddonAndContainerInsights(t *testing.T) {
	res := prod(t)
	rg := rgName(t, res)
	ws := one(t, res, workspaceType)
	wsID := synth.FakeResourceID(workspaceType, rg, ws.Name)
	equal(t, "workspace retentionInDays", at(t, ws, "retentionInDays"), 30)

	c := one(t, res, clusterType)
	equal(t, "omsagent.enabled", at(t, c, "addonProfiles.omsagent.enabled"), true)
	equal(t, "omsagent workspace", at(t, c, "addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID"), wsID)
	equal(t, "omsagent useAADAuth", at(t, c, "addonProfiles.omsagent.config.useAADAuth"), "true")

	// With managed-identity auth the add-on collects nothing without a rule bound to the cluster.
	dcr := one(t, res, dcrType)
	equal(t, "rule destination", at(t, dcr, "destinations.logAnalytics.0.workspaceResourceId"), wsID)
	equal(t, "rule stream", at(t, dcr, "dataFlows.0.streams.0"), "Microsoft-ContainerInsights-Group-Default")
	assoc := one(t, res, dcrAssociationType)
	equal(t, "association resource", at(t, assoc, "resourceUri"), synth.FakeResourceID(clusterType, rg, c.Name))
	equal(t, "association rule", at(t, assoc, "dataCollectionRuleId"), synth.FakeResourceID(dcrType, rg, dcr.Name))

	t.Run("retention from config", func(t *testing.T) {
		equal(t, "retentionInDays", at(t, one(t, variant(t, map[string]string{"otelfleet:logAnalyticsRetentionDays": "90"}), workspaceType), "retentionInDays"), 90)
	})
}

// TestKubeconfig checks the kubeconfig the Kubernetes provider gets: a secret, from the
// cluster's user credentials, authenticating through kubelogin in a non-interactive mode.
func TestKubeconfig(t *testing.T) {
	p := one(t, prod(t), k8sProviderType)
	v, secret := raw(t, p, "kubeconfig")
	if !secret {
		t.Fatal("the provider's kubeconfig is not a secret")
	}
	var kc struct {
		Users []struct {
			User struct {
				Exec struct {
					Command string   `json:"command"`
					Args    []string `json:"args"`
				} `json:"exec"`
			} `json:"user"`
		} `json:"users"`
	}
	if err := yaml.Unmarshal([]byte(v.StringValue()), &kc); err != nil || len(kc.Users) != 1 {
		t.Fatalf("kubeconfig: %v (%d users)", err, len(kc.Users))
	}
	exec := kc.Users[0].User.Exec
	equal(t, "exec command", exec.Command, "kubelogin")
	args := strings.Join(exec.Args, " ")
	if !strings.Contains(args, "--login azurecli") || strings.Contains(args, "devicecode") {
		t.Errorf("kubelogin args %q; want --login azurecli and no devicecode", args)
	}

	t.Run("mode from config", func(t *testing.T) {
		p := one(t, variant(t, map[string]string{"otelfleet:aksKubeloginMode": "workloadidentity"}), k8sProviderType)
		v, _ := raw(t, p, "kubeconfig")
		if !strings.Contains(v.StringValue(), "- workloadidentity") {
			t.Errorf("kubeconfig does not use the workloadidentity login:\n%s", v.StringValue())
		}
	})
}

// TestOneAzureProvider checks that every Azure resource is served by one explicit provider
// (the SDK modules are pinned at different versions).
func TestOneAzureProvider(t *testing.T) {
	res := prod(t)
	p := one(t, res, azureProviderType)
	equal(t, "provider location", at(t, p, "location"), "eastus")
	b, _ := json.Marshal(p.Inputs)
	if strings.Contains(string(b), "clientSecret") {
		t.Errorf("the provider carries a client secret: %s", b)
	}
}
