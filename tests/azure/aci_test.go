package azure

import (
	"strconv"
	"testing"

	"github.com/otelfleet/otelfleet/synth"
	"sigs.k8s.io/yaml"
)

func TestACIGroup(t *testing.T) {
	res := prod(t)
	g := one(t, res, containerGroupType)
	equal(t, "restartPolicy", at(t, g, "restartPolicy"), "Always")
	equal(t, "osType", at(t, g, "osType"), "Linux")

	// Probes on the health_check extension.
	for _, p := range []string{"livenessProbe", "readinessProbe"} {
		equal(t, p+" port", at(t, g, "containers.0."+p+".httpGet.port"), 13133)
		equal(t, p+" path", at(t, g, "containers.0."+p+".httpGet.path"), "/")
	}
	// OTLP on both transports on the group address; the container also declares the health port.
	otlp := []any{map[string]any{"port": 4317, "protocol": "TCP"}, map[string]any{"port": 4318, "protocol": "TCP"}}
	equal(t, "ipAddress.ports", at(t, g, "ipAddress.ports"), otlp)
	equal(t, "container ports", at(t, g, "containers.0.ports"), append(otlp, map[string]any{"port": 13133, "protocol": "TCP"}))
	equal(t, "cpu", at(t, g, "containers.0.resources.requests.cpu"), 2)
	equal(t, "memoryInGB", at(t, g, "containers.0.resources.requests.memoryInGB"), 4)

	// A user-assigned identity.
	rg := rgName(t, res)
	equal(t, "identity.type", at(t, g, "identity.type"), "UserAssigned")
	equal(t, "identity", at(t, g, "identity.userAssignedIdentities"), []any{synth.FakeResourceID(identityType, rg, aciIdentity)})

	// Secure values: the connection string is a secure environment variable, secret-wrapped,
	// and has no plain value.
	env, _ := at(t, g, "containers.0.environmentVariables").([]any)
	found := false
	for i, e := range env {
		m := e.(map[string]any)
		if m["name"] != "APPLICATIONINSIGHTS_CONNECTION_STRING" {
			continue
		}
		found = true
		if _, plain := m["value"]; plain {
			t.Errorf("the connection string has a plain value: %v", m)
		}
		if _, secret := raw(t, g, "containers.0.environmentVariables."+strconv.Itoa(i)+".secureValue"); !secret {
			t.Error("secureValue is not a Pulumi secret")
		}
	}
	if !found {
		t.Error("no APPLICATIONINSIGHTS_CONNECTION_STRING secure environment variable")
	}
	// The config volume is a secret volume, and the container reads its config from it.
	equal(t, "volume name", at(t, g, "volumes.0.name"), "collector-config")
	if _, secret := raw(t, g, "volumes.0.secret"); !secret {
		t.Error("the config volume is not a Pulumi secret")
	}
	equal(t, "mount", at(t, g, "containers.0.volumeMounts.0.mountPath"), "/etc/otelcol")
	equal(t, "command", at(t, g, "containers.0.command"), []any{"/otelcol-contrib", "--config=/etc/otelcol/config.yaml"})
}

func TestACIConfig(t *testing.T) {
	text, ok := prod(t).Collector["otel-aci.yaml"]
	if !ok {
		t.Fatal("no collector config extracted from the container group")
	}
	var cfg struct {
		Exporters  map[string]map[string]any `json:"exporters"`
		Processors map[string]map[string]any `json:"processors"`
		Extensions map[string]map[string]any `json:"extensions"`
		Service    struct {
			Pipelines map[string]struct {
				Exporters []string `json:"exporters"`
			} `json:"pipelines"`
		} `json:"service"`
	}
	if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
		t.Fatal(err)
	}
	equal(t, "connection_string", cfg.Exporters["azure_monitor"]["connection_string"], "${env:APPLICATIONINSIGHTS_CONNECTION_STRING}")
	for _, signal := range []string{"traces", "metrics", "logs"} {
		equal(t, signal+" exporters", cfg.Service.Pipelines[signal].Exporters, []string{"azure_monitor"})
	}
	equal(t, "health_check", cfg.Extensions["health_check"]["endpoint"], "0.0.0.0:13133")
	// memory_limiter follows the group's memory (4 GB → 4096 MiB → 80 %).
	equal(t, "limit_mib", cfg.Processors["memory_limiter"]["limit_mib"], 3276)
}

func TestACINetwork(t *testing.T) {
	t.Run("private by default", func(t *testing.T) {
		res := prod(t)
		g := one(t, res, containerGroupType)
		equal(t, "ipAddress.type", at(t, g, "ipAddress.type"), "Private")
		vnet := one(t, res, vnetType)
		rg := rgName(t, res)
		equal(t, "subnet", at(t, g, "subnetIds.0.id"), synth.FakeResourceID(vnetType, rg, vnet.Name)+"/subnets/aci")
		equal(t, "subnet name", at(t, vnet, "subnets.0.name"), "aci")
		equal(t, "subnet prefix", at(t, vnet, "subnets.0.addressPrefix"), "10.50.0.0/24")
		equal(t, "delegation", at(t, vnet, "subnets.0.delegations.0.serviceName"), "Microsoft.ContainerInstance/containerGroups")
		// Egress through a NAT gateway with its own static IP.
		nat := one(t, res, natType)
		equal(t, "subnet NAT gateway", at(t, vnet, "subnets.0.natGateway.id"), synth.FakeResourceID(natType, rg, nat.Name))
		equal(t, "NAT public IP", at(t, nat, "publicIpAddresses.0.id"), synth.FakeResourceID(publicIPType, rg, one(t, res, publicIPType).Name))
	})
	t.Run("existing subnet", func(t *testing.T) {
		subnet := "/subscriptions/" + synth.FakeSubscriptionID + "/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub/subnets/aci"
		res := variant(t, map[string]string{"otelfleet:aciSubnetId": subnet})
		g := one(t, res, containerGroupType)
		equal(t, "subnet", at(t, g, "subnetIds.0.id"), subnet)
		if n := len(res.Find(vnetType)) + len(res.Find(natType)); n != 0 {
			t.Errorf("%d network resources created for an existing subnet", n)
		}
	})
	t.Run("public when configured", func(t *testing.T) {
		res := variant(t, map[string]string{"otelfleet:aciPublicIp": "true"})
		g := one(t, res, containerGroupType)
		equal(t, "ipAddress.type", at(t, g, "ipAddress.type"), "Public")
		if _, ok := g.Inputs["subnetIds"]; ok {
			t.Errorf("a public group has subnetIds: %v", g.Inputs["subnetIds"])
		}
		if n := len(res.Find(vnetType)); n != 0 {
			t.Errorf("%d VNets for a public group", n)
		}
	})
	t.Run("sizes from config", func(t *testing.T) {
		res := variant(t, map[string]string{"otelfleet:aciCpu": "1.5", "otelfleet:aciMemoryGb": "3"})
		g := one(t, res, containerGroupType)
		equal(t, "cpu", at(t, g, "containers.0.resources.requests.cpu"), 1.5)
		equal(t, "memoryInGB", at(t, g, "containers.0.resources.requests.memoryInGB"), 3)
		equal(t, "GOMEMLIMIT", envValue(t, g, "GOMEMLIMIT"), "2457MiB")
	})
	t.Run("off", func(t *testing.T) {
		res := variant(t, map[string]string{"otelfleet:aciEnabled": "false"})
		if n := len(res.Find(containerGroupType)) + len(res.Find(vnetType)); n != 0 {
			t.Errorf("%d ACI resources with aciEnabled false", n)
		}
	})
}

// envValue is the plain value of a container environment variable.
func envValue(t *testing.T, g synth.Resource, name string) any {
	t.Helper()
	env, _ := at(t, g, "containers.0.environmentVariables").([]any)
	for _, e := range env {
		if m := e.(map[string]any); m["name"] == name {
			return m["value"]
		}
	}
	t.Errorf("no environment variable %s", name)
	return nil
}
