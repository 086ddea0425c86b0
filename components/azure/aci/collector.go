// Package aci runs an OpenTelemetry collector gateway in Azure Container Instances, for
// workloads outside AKS (VMs, App Service, on-premises over a VPN): the config in a secret
// volume, secrets in secure environment variables, OTLP on 4317/4318, liveness and readiness
// probes on the health_check extension, restart policy Always, a user-assigned managed
// identity, and a private IP in a delegated VNet subnet unless a public IP is asked for.
package aci

import (
	"encoding/base64"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/otelfleet/otelfleet/components/azure/arm"
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Where the container reads its configuration.
const (
	ConfigVolume = "collector-config"
	ConfigDir    = "/etc/otelcol"
	ConfigFile   = "config.yaml"
	// DefaultBinary is the collector binary of the contrib image. ACI has no "args": its
	// command replaces the image entrypoint, so the binary is named explicitly.
	DefaultBinary = "/otelcol-contrib"
)

// Args describe the collector group. Defaults: CPU 1, MemoryGB 2, Binary DefaultBinary.
type Args struct {
	ResourceGroupName pulumi.StringInput
	Location          string
	Tags              map[string]string
	Image             string // "repo:tag"
	Binary            string
	// Config is the rendered collector configuration. It must hold no secret: secrets are
	// SecureEnv entries the config reads with ${env:NAME}.
	Config   string
	CPU      float64
	MemoryGB float64
	// IdentityID is the user-assigned managed identity of the group (resource id).
	IdentityID pulumi.StringInput
	// SubnetID puts the group in a delegated VNet subnet with a private IP; nil gives it a
	// public IP.
	SubnetID  pulumi.StringInput
	Env       map[string]string
	SecureEnv map[string]pulumi.StringInput
	// WorkspaceID (a Log Analytics workspace resource id) receives the group's resource
	// logs — the containers' output (table ContainerInstanceLog) and their lifecycle events
	// (ContainerEvent) — through a diagnostic setting; nil sends them nowhere.
	WorkspaceID pulumi.StringInput
}

// Collector is the ACI collector gateway.
type Collector struct {
	pulumi.ResourceState
	// ID is the container group's resource id (the scope of its alerts).
	ID        pulumi.StringOutput `pulumi:"id"`
	Name      pulumi.StringOutput `pulumi:"name"`
	IPAddress pulumi.StringOutput `pulumi:"ipAddress"`
	// OTLPGRPCEndpoint is host:4317; OTLPHTTPEndpoint is http://host:4318.
	OTLPGRPCEndpoint pulumi.StringOutput `pulumi:"otlpGrpcEndpoint"`
	OTLPHTTPEndpoint pulumi.StringOutput `pulumi:"otlpHttpEndpoint"`
}

// MemoryMiB is the memory of a group in MiB, for the collector's memory_limiter.
func MemoryMiB(gb float64) int { return int(math.Round(gb * 1024)) }

func (a *Args) withDefaults() (Args, error) {
	if a == nil || a.ResourceGroupName == nil || a.Location == "" || a.Image == "" || a.Config == "" || a.IdentityID == nil {
		return Args{}, fmt.Errorf("aci: ResourceGroupName, Location, Image, Config and IdentityID are required")
	}
	out := *a
	if out.Binary == "" {
		out.Binary = DefaultBinary
	}
	if out.CPU == 0 {
		out.CPU = 1
	}
	if out.MemoryGB == 0 {
		out.MemoryGB = 2
	}
	if out.CPU < 0.25 || out.CPU > 4 || out.MemoryGB < 0.5 || out.MemoryGB > 16 {
		return Args{}, fmt.Errorf("aci: CPU %g (0.25-4) or MemoryGB %g (0.5-16) out of range", out.CPU, out.MemoryGB)
	}
	for k := range out.SecureEnv {
		if _, dup := out.Env[k]; dup {
			return Args{}, fmt.Errorf("aci: %s is both a plain and a secure environment variable", k)
		}
	}
	return out, nil
}

// NewCollector creates the container group.
func NewCollector(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Collector, error) {
	a, err := args.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Collector{}
	if err := ctx.RegisterComponentResource("otelfleet:aci:Collector", name, c, opts...); err != nil {
		return nil, err
	}

	env := map[string]string{"GOMEMLIMIT": fmt.Sprintf("%dMiB", MemoryMiB(a.MemoryGB)*80/100)}
	maps.Copy(env, a.Env)
	var vars []environmentVariable
	for _, k := range slices.Sorted(maps.Keys(env)) {
		v := env[k]
		vars = append(vars, environmentVariable{Name: k, Value: &v})
	}
	for _, k := range slices.Sorted(maps.Keys(a.SecureEnv)) {
		vars = append(vars, environmentVariable{Name: k, SecureValue: pulumi.ToSecret(a.SecureEnv[k]).(pulumi.StringOutput)})
	}

	ports := []port{{Port: collector.PortOTLPGRPC, Protocol: "TCP"}, {Port: collector.PortOTLPHTTP, Protocol: "TCP"}}
	health := func(initialDelay, period int) *probe {
		return &probe{
			HTTPGet:             httpGet{Path: "/", Port: collector.PortHealthCheck, Scheme: "http"},
			InitialDelaySeconds: initialDelay, PeriodSeconds: period, TimeoutSeconds: 2, FailureThreshold: 3,
		}
	}
	group := &containerGroupArgs{
		ResourceGroupName: a.ResourceGroupName,
		Location:          a.Location,
		Tags:              a.Tags,
		OsType:            "Linux",
		Sku:               "Standard",
		RestartPolicy:     "Always",
		Identity:          groupIdentity{Type: "UserAssigned", UserAssignedIdentities: pulumi.StringArray{a.IdentityID}},
		Containers: []container{{
			Name:    "otel-collector",
			Image:   a.Image,
			Command: []string{a.Binary, "--config=" + ConfigDir + "/" + ConfigFile},
			// The health port is declared on the container for the probes, not exposed on the group.
			Ports:                append(slices.Clone(ports), port{Port: collector.PortHealthCheck, Protocol: "TCP"}),
			EnvironmentVariables: vars,
			Resources:            resourceRequirements{Requests: resourceRequests{CPU: a.CPU, MemoryInGB: a.MemoryGB}},
			VolumeMounts:         []volumeMount{{Name: ConfigVolume, MountPath: ConfigDir, ReadOnly: true}},
			LivenessProbe:        health(15, 10),
			ReadinessProbe:       health(5, 5),
		}},
		IPAddress: ipAddress{Type: "Public", Ports: ports},
		Volumes: []volume{{
			Name: ConfigVolume,
			// Secret volumes are the ACI way to ship files; the content is base64.
			Secret: pulumi.ToSecret(pulumi.StringMap{
				ConfigFile: pulumi.String(base64.StdEncoding.EncodeToString([]byte(a.Config))),
			}).(pulumi.StringMapOutput),
		}},
	}
	if a.SubnetID != nil {
		group.IPAddress.Type = "Private"
		group.SubnetIDs = []subnetID{{ID: a.SubnetID}}
	}
	var cg containerGroup
	if err := arm.Register(ctx, ContainerGroupType, name, group, &cg, pulumi.Parent(c)); err != nil {
		return nil, err
	}
	if a.WorkspaceID != nil {
		if _, err := newDiagnostics(ctx, name+"-diagnostics", cg.ID().ToStringOutput(), a.WorkspaceID, pulumi.Parent(c)); err != nil {
			return nil, err
		}
	}
	c.ID = cg.ID().ToStringOutput()
	c.Name = cg.Name
	c.IPAddress = cg.IPAddress.ApplyT(func(ip map[string]any) (string, error) {
		if s, ok := ip["ip"].(string); ok && s != "" {
			return s, nil
		}
		return "", fmt.Errorf("aci: the container group reports no IP address")
	}).(pulumi.StringOutput)
	c.OTLPGRPCEndpoint = pulumi.Sprintf("%s:%d", c.IPAddress, collector.PortOTLPGRPC)
	c.OTLPHTTPEndpoint = pulumi.Sprintf("http://%s:%d", c.IPAddress, collector.PortOTLPHTTP)
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"id": c.ID, "name": c.Name, "ipAddress": c.IPAddress, "otlpGrpcEndpoint": c.OTLPGRPCEndpoint, "otlpHttpEndpoint": c.OTLPHTTPEndpoint,
	})
}
