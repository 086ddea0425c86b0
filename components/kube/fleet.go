package kube

import (
	"cmp"
	"fmt"
	"github.com/otelfleet/otelfleet/components/fleet"
	"slices"

	"github.com/otelfleet/otelfleet/components/collector"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// FleetArgs describe a whole collector fleet on one cluster. The cloud stacks fill
// Exporters (and the identity bindings); everything else comes from the stack config.
type FleetArgs struct {
	Prefix         string // object name prefix, e.g. "otel" → otel-gateway, otel-agent
	Environment    string // deployment.environment
	Image          string // "repo:tag"
	Namespace      string // gateway namespace (restricted)
	AgentNamespace string // DaemonSet agent namespace
	LogLevel       string

	AgentModes         []string // collector.AgentDaemonSet and/or collector.AgentSidecar
	AgentResources     Resources
	AgentLogCollection bool
	AgentK8sAttributes bool
	// AgentNodeMetrics, AgentHostFilesystems, KubeletCAFile, AgentPrometheusScrape,
	// ClusterMetrics and ClusterEvents turn on the collection presets (see fleet.ConfigSpec).
	AgentNodeMetrics      bool
	AgentHostFilesystems  bool
	KubeletCAFile         string
	AgentPrometheusScrape bool
	ClusterMetrics        bool
	ClusterEvents         bool
	AgentQueueSize        int // batches in the agent's sending queue (required)

	Gateway GatewaySettings

	Sampling collector.Sampling
	// Canary runs a second gateway track (another image and/or log level) beside the stable
	// one; nil runs none.
	Canary *CanarySettings
	// Monitoring adds scrape targets, alert rules and a dashboard; nil adds none.
	Monitoring *MonitoringSettings
	// TLS turns on agent↔gateway mutual TLS with cert-manager; nil sends plaintext.
	TLS *CertManagerArgs

	// Exporters are the gateway's backends; ExporterExtensions the extensions they need.
	Exporters          []collector.Exporter
	ExporterExtensions map[string]collector.Component
	// GatewayResourceAttributes are upserted by the gateway (e.g. cloud.provider).
	GatewayResourceAttributes []collector.AttributeAction
	// GatewaySelfMetrics, when set, sends the gateways' own metrics to an exporter of
	// their own (the cloud's alarms; the gateway's identity needs write access to it).
	GatewaySelfMetrics *collector.SelfMetricsExport
	// GatewayRedaction, when set, removes and masks personal data in traces and logs.
	GatewayRedaction *collector.Redaction
	// GatewayEnv, GatewayServiceAccountAnnotations and GatewayPodLabels carry cloud
	// identity and secrets into the gateway pods.
	GatewayEnv corev1.EnvVarArray
	// GatewaySecretEnv are secret values (Pulumi secrets) the gateway reads with
	// ${env:NAME}: they are stored in one Kubernetes Secret in the gateway namespace and
	// reach the container through secretKeyRef, never through the ConfigMap.
	GatewaySecretEnv                 map[string]pulumi.StringInput
	GatewayServiceAccountAnnotations pulumi.StringMapInput
	GatewayPodLabels                 map[string]string
	// GatewayDNSNames are extra names in the gateway's certificate (global and regional
	// ingest names that senders outside the cluster verify).
	GatewayDNSNames []string
	// GatewayIngest exposes the gateway through a LoadBalancer Service (annotations from the
	// cloud stack); nil keeps it cluster-internal.
	GatewayIngest *Ingest

	SkipAwait bool
}

// GatewaySettings are the gateway's sizing and policies. Resources and QueueSize are
// required; the rest default as in GatewayArgs.
type GatewaySettings struct {
	Kind              string    // KindDeployment (default) or KindStatefulSet
	Replicas          int       // fixed replicas when HPA is nil (default 3)
	Resources         Resources // requests and limits of each gateway pod
	HPA               *HPA      // nil: fixed Replicas
	PDBMaxUnavailable int       // default 1
	PersistentQueue   bool      // file_storage-backed sending queues (PVC with statefulset, emptyDir with deployment)
	QueueSize         int       // batches per exporter queue
	QueueStorageSize  string    // size of the queue volume, e.g. "10Gi" (with PersistentQueue)
	StorageClass      string    // StorageClass of the queue PVCs; "" = cluster default
	// NewStorageClass, when set, creates the class named StorageClass (required then).
	NewStorageClass    *StorageClassArgs
	VPA                bool // VerticalPodAutoscaler in recommendation mode
	AllowAllNamespaces bool // OTLP from every namespace, not only labelled ones
}

// MonitoringSettings select the fleet's self-monitoring objects.
type MonitoringSettings struct {
	PrometheusOperator bool // ServiceMonitor, PodMonitor, PrometheusRule
	Dashboard          bool // Grafana dashboard ConfigMap
}

// CanarySettings describe the gateway's canary track. Empty fields take the stable
// track's values.
type CanarySettings struct {
	Image    string // "repo:tag"
	Replicas int
	LogLevel string
}

// Fleet is a collector fleet: namespaces, TLS, the gateway, the DaemonSet agent and, with
// the sidecar mode, an example workload carrying a sidecar agent.
type Fleet struct {
	pulumi.ResourceState
	Namespace       pulumi.StringOutput `pulumi:"namespace"`
	AgentNamespace  pulumi.StringOutput `pulumi:"agentNamespace"`
	GatewayEndpoint pulumi.StringOutput `pulumi:"gatewayEndpoint"`
	AgentEndpoint   pulumi.StringOutput `pulumi:"agentEndpoint"`
	// GatewayIngestHost is the ingest load balancer's hostname or IP ("" without ingest).
	GatewayIngestHost pulumi.StringOutput `pulumi:"gatewayIngestHost"`
	// TLSIssuer is the cert-manager ClusterIssuer that signs the fleet's certificates (""
	// without TLS); every certificate's secret carries its CA as ca.crt.
	TLSIssuer pulumi.StringOutput `pulumi:"tlsIssuer"`
	// TLSCACertificate is the fleet CA's certificate, TLSCAKey its key (a secret): what
	// another stack signs with, and what collectors outside Kubernetes get their client
	// certificates from. Both "" without TLS or with an external issuer.
	TLSCACertificate pulumi.StringOutput `pulumi:"tlsCaCertificate"`
	TLSCAKey         pulumi.StringOutput `pulumi:"-"`
	// Gateway and Agent are the tiers (Agent is nil without the daemonset mode).
	Gateway *Gateway `pulumi:"-"`
	Agent   *Agent   `pulumi:"-"`
}

// names are the fleet's object names and hosts.
func (a *FleetArgs) names() fleet.Names {
	return fleet.Names{Prefix: a.Prefix, Namespace: a.Namespace, AgentNamespace: a.AgentNamespace}
}

func (a *FleetArgs) validate() error {
	switch {
	case a == nil:
		return fmt.Errorf("fleet: args are required")
	case a.Prefix == "" || a.Image == "" || a.Namespace == "" || a.AgentNamespace == "" || a.Environment == "":
		return fmt.Errorf("fleet: Prefix, Image, Namespace, AgentNamespace and Environment are required")
	case len(a.AgentModes) == 0:
		return fmt.Errorf("fleet: at least one agent mode (%s, %s) is required", collector.AgentDaemonSet, collector.AgentSidecar)
	case a.AgentLogCollection && a.Namespace == a.AgentNamespace:
		return fmt.Errorf("fleet: log collection needs an agent namespace apart from the gateway's (it must admit privileged pods)")
	case a.Gateway.NewStorageClass != nil && (a.Gateway.StorageClass == "" || a.Gateway.NewStorageClass.Provisioner == ""):
		return fmt.Errorf("fleet: Gateway.NewStorageClass needs Gateway.StorageClass (its name) and a Provisioner")
	}
	if _, err := a.AgentResources.MemoryLimitMiB(); err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	if _, err := a.Gateway.Resources.MemoryLimitMiB(); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	return nil
}

// NewFleet creates the whole collector layer on the cluster of the provider in opts.
func NewFleet(ctx *pulumi.Context, name string, args *FleetArgs, opts ...pulumi.ResourceOption) (*Fleet, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	// Every collector configuration is rendered and validated before any resource exists.
	configs, err := fleet.NewConfigs(args.configSpec())
	if err != nil {
		return nil, err
	}
	f := &Fleet{}
	if err := ctx.RegisterComponentResource("otelfleet:kube:Fleet", name, f, opts...); err != nil {
		return nil, err
	}
	b := &fleetBuild{ctx: ctx, name: name, args: args, parent: pulumi.Parent(f), names: args.names(), configs: configs}
	for _, step := range []func(*Fleet) error{b.namespaces, b.tls, b.gateway, b.agents, b.monitoring} {
		if err := step(f); err != nil {
			return nil, err
		}
	}
	f.GatewayEndpoint = f.Gateway.OTLPEndpoint
	f.GatewayIngestHost = f.Gateway.IngestHost
	return f, ctx.RegisterResourceOutputs(f, pulumi.Map{
		"gatewayIngestHost": f.GatewayIngestHost, "tlsIssuer": f.TLSIssuer, "tlsCaCertificate": f.TLSCACertificate,
		"namespace": f.Namespace, "agentNamespace": f.AgentNamespace, "gatewayEndpoint": f.GatewayEndpoint, "agentEndpoint": f.AgentEndpoint,
	})
}

// fleetBuild creates the fleet's children, one concern per step; each step sets what the
// later ones read.
type fleetBuild struct {
	ctx     *pulumi.Context
	name    string
	args    *FleetArgs
	parent  pulumi.ResourceOption
	names   fleet.Names
	configs fleet.Configs

	issuer                     *CertManager
	certificates               []pulumi.Resource // what workloads mounting them wait for
	gatewaySecret, agentSecret string
}

// fleetNamespaces are the gateway's and the agents' namespaces.
func (b *fleetBuild) fleetNamespaces() []string {
	return uniq(b.args.Namespace, b.args.AgentNamespace)
}

// otlpNamespaces are the namespaces the collectors admit OTLP from besides labelled ones:
// nil (every namespace) with Gateway.AllowAllNamespaces, else the fleet's own. Agents and
// gateway follow the same rule, so the restriction cannot be bypassed through an agent.
func (b *fleetBuild) otlpNamespaces() []string {
	if b.args.Gateway.AllowAllNamespaces {
		return nil
	}
	return b.fleetNamespaces()
}

// issuingNamespaces are the namespaces whose workloads hold fleet certificates: the
// gateway's, the agents' and, with the sidecar mode, the example workload's.
func (b *fleetBuild) issuingNamespaces() []string {
	ns := uniq(b.args.Namespace, b.args.AgentNamespace)
	if b.configs.Sidecar != "" {
		ns = append(ns, sidecarExampleNamespace(b.args))
	}
	return ns
}

// namespaces: the gateway's (restricted) and, apart, the agents' (privileged only when they
// read container logs from a hostPath).
func (b *fleetBuild) namespaces(f *Fleet) error {
	args := b.args
	gatewayNS, err := NewNamespace(b.ctx, b.name+"-namespace", args.Namespace, PodSecurityRestricted, nil, b.parent)
	if err != nil {
		return err
	}
	f.Namespace, f.AgentNamespace = gatewayNS.Metadata.Name().Elem(), gatewayNS.Metadata.Name().Elem()
	if args.AgentNamespace == args.Namespace {
		return nil
	}
	agentLevel := PodSecurityRestricted
	if args.AgentLogCollection || args.AgentHostFilesystems {
		agentLevel = PodSecurityPrivileged // hostPaths /var/log and /; see AgentArgs
	}
	agentNS, err := NewNamespace(b.ctx, b.name+"-agent-namespace", args.AgentNamespace, agentLevel, nil, b.parent)
	if err != nil {
		return err
	}
	f.AgentNamespace = agentNS.Metadata.Name().Elem()
	return nil
}

// tls: one CA issuer, a server+client certificate per tier, each secret carrying ca.crt.
func (b *fleetBuild) tls(f *Fleet) error {
	f.TLSIssuer = pulumi.String("").ToStringOutput()
	f.TLSCACertificate, f.TLSCAKey = f.TLSIssuer, f.TLSIssuer
	if b.args.TLS == nil {
		return nil
	}
	tlsArgs := *b.args.TLS
	tlsArgs.Prefix = b.args.Prefix
	var err error
	if b.issuer, err = NewCertManager(b.ctx, b.name+"-tls", &tlsArgs, b.parent); err != nil {
		return err
	}
	f.TLSIssuer, f.TLSCACertificate, f.TLSCAKey = b.issuer.IssuerName, b.issuer.CACertificate, b.issuer.CAKey
	if err := newIssuancePolicy(b.ctx, b.name+"-issuance", b.names.Prefix+"-issuance", b.issuer.issuer, b.issuingNamespaces(), b.parent); err != nil {
		return err
	}
	b.gatewaySecret, b.agentSecret = b.names.GatewayTLSSecret(), b.names.AgentTLSSecret()
	gc, err := b.issuer.Certificate(b.ctx, b.name+"-gateway-certificate", f.Namespace, b.gatewaySecret,
		append(b.names.GatewayDNSNames(), b.args.GatewayDNSNames...), b.parent)
	if err != nil {
		return err
	}
	ac, err := b.issuer.Certificate(b.ctx, b.name+"-agent-certificate", f.AgentNamespace, b.agentSecret,
		[]string{b.names.AgentHost()}, b.parent)
	if err != nil {
		return err
	}
	b.certificates = append(b.certificates, gc, ac)
	return nil
}

// gateway: the gateway tier with its secret environment and, for a StatefulSet's queue
// volumes, the StorageClass the cloud asked for.
func (b *fleetBuild) gateway(f *Fleet) error {
	args, gs := b.args, b.args.Gateway
	env, err := gatewaySecretEnv(b.ctx, b.name, args, f.Namespace, b.parent)
	if err != nil {
		return err
	}
	gwArgs := &GatewayArgs{
		Namespace: f.Namespace, Name: b.names.Gateway(), Image: args.Image, Config: b.configs.Gateway, Resources: gs.Resources,
		Kind: gs.Kind, Replicas: gs.Replicas, HPA: gs.HPA, PDBMaxUnavailable: gs.PDBMaxUnavailable,
		TLSSecretName: b.gatewaySecret, Env: append(append(corev1.EnvVarArray{}, args.GatewayEnv...), env...), ServiceAccountAnnotations: args.GatewayServiceAccountAnnotations,
		PodLabels: args.GatewayPodLabels, VPA: gs.VPA, SkipAwait: args.SkipAwait, Ingest: args.GatewayIngest,
		AllowedNamespaces: b.otlpNamespaces(), MetricsNamespaces: b.fleetNamespaces(),
	}
	if c := args.Canary; c != nil {
		gwArgs.Canary = &Canary{Image: cmp.Or(c.Image, args.Image), Config: b.configs.Canary, Replicas: c.Replicas}
	}
	if gs.PersistentQueue {
		gwArgs.QueueVolume = &QueueVolume{MountPath: fleet.QueueMountPath, Size: gs.QueueStorageSize, StorageClass: gs.StorageClass}
	}
	deps := slices.Clone(b.certificates)
	if gs.NewStorageClass != nil {
		sc, err := newStorageClass(b.ctx, b.name+"-storageclass", gs.StorageClass, gs.NewStorageClass, b.parent)
		if err != nil {
			return err
		}
		deps = append(deps, sc)
	}
	f.Gateway, err = NewGateway(b.ctx, b.name+"-gateway", gwArgs, b.parent, pulumi.DependsOn(deps))
	return err
}

// agents: the DaemonSet agent (where workloads send: AgentEndpoint) and, with the sidecar
// mode, an example workload carrying a sidecar agent.
func (b *fleetBuild) agents(f *Fleet) error {
	args := b.args
	f.AgentEndpoint = f.Gateway.OTLPEndpoint
	if b.configs.Agent != "" {
		agent, err := NewAgent(b.ctx, b.name+"-agent", &AgentArgs{
			Namespace: f.AgentNamespace, Name: b.names.Agent(), Image: args.Image, Config: b.configs.Agent,
			Resources: args.AgentResources, K8sAttributes: args.AgentK8sAttributes, LogCollection: args.AgentLogCollection,
			NodeMetrics: args.AgentNodeMetrics, HostFilesystems: args.AgentHostFilesystems, PrometheusScrape: args.AgentPrometheusScrape,
			TLSSecretName: b.agentSecret, SkipAwait: args.SkipAwait,
			AllowedNamespaces: b.otlpNamespaces(), MetricsNamespaces: b.fleetNamespaces(),
		}, b.parent, pulumi.DependsOn(b.certificates))
		if err != nil {
			return err
		}
		f.Agent, f.AgentEndpoint = agent, agent.OTLPEndpoint
	}
	if b.configs.Cluster != "" {
		if _, err := NewClusterCollector(b.ctx, b.name+"-cluster", &ClusterCollectorArgs{
			Namespace: f.AgentNamespace, Name: b.names.ClusterCollector(), Image: args.Image, Config: b.configs.Cluster,
			Resources: ClusterCollectorResources, MetricsNamespaces: b.fleetNamespaces(),
			TLSSecretName: b.agentSecret, SkipAwait: args.SkipAwait,
		}, b.parent, pulumi.DependsOn(b.certificates)); err != nil {
			return err
		}
	}
	if b.configs.Sidecar != "" {
		return newSidecarExample(b.ctx, b.name+"-example", args, b.issuer, b.configs.Sidecar, imageTag(args.Image), b.parent)
	}
	return nil
}

// monitoring: scrape targets, the alert rules and the dashboard.
func (b *fleetBuild) monitoring(f *Fleet) error {
	args, gs := b.args, b.args.Gateway
	mon := args.Monitoring
	if mon == nil || (!mon.PrometheusOperator && !mon.Dashboard) {
		return nil
	}
	hpaMin := 0
	if gs.HPA != nil {
		hpaMin = gs.HPA.MinReplicas
	}
	agentName := ""
	if f.Agent != nil {
		agentName = b.names.Agent()
	}
	_, err := NewMonitoring(b.ctx, b.name+"-monitoring", &MonitoringArgs{
		Namespace: f.Namespace, Namespaces: uniq(args.Namespace, args.AgentNamespace), GatewayName: b.names.Gateway(), GatewayKind: gs.Kind,
		AgentName: agentName, MinReplicas: fleet.MinReplicas(gs.HPA != nil, hpaMin, gs.Replicas),
		PrometheusOperator: mon.PrometheusOperator, Dashboard: mon.Dashboard, TailSamplingTraces: tailSamplingTraces(args.Sampling),
	}, b.parent)
	return err
}

// tlsReloadInterval is how often the fleet's collectors re-read their certificates.
func (a *FleetArgs) tlsReloadInterval() string {
	if a.TLS == nil {
		return ""
	}
	return cmp.Or(a.TLS.ReloadInterval, fleet.TLSReloadInterval)
}

// configSpec is what the fleet's collector configurations depend on (validate first: it
// has checked the memory limits).
func (a *FleetArgs) configSpec() fleet.ConfigSpec {
	agentMiB, _ := a.AgentResources.MemoryLimitMiB()
	gatewayMiB, _ := a.Gateway.Resources.MemoryLimitMiB()
	s := fleet.ConfigSpec{
		Names: a.names(), Environment: a.Environment, LogLevel: a.LogLevel, TLS: a.TLS != nil, Sampling: a.Sampling,
		TLSReloadInterval: a.tlsReloadInterval(),
		AgentModes:        a.AgentModes, AgentMemoryLimitMiB: agentMiB, AgentQueueSize: a.AgentQueueSize,
		AgentK8sAttributes: a.AgentK8sAttributes, AgentLogCollection: a.AgentLogCollection,
		AgentNodeMetrics: a.AgentNodeMetrics, AgentHostFilesystems: a.AgentHostFilesystems, KubeletCAFile: a.KubeletCAFile,
		AgentPrometheusScrape: a.AgentPrometheusScrape, ClusterMetrics: a.ClusterMetrics, ClusterEvents: a.ClusterEvents,
		GatewayMemoryLimitMiB: gatewayMiB, GatewayQueueSize: a.Gateway.QueueSize, GatewayPersistentQueue: a.Gateway.PersistentQueue,
		GatewayQueueBytes: fleet.QueueBudget(a.Gateway.PersistentQueue, a.Gateway.QueueStorageSize),
		Exporters:         a.Exporters, ExporterExtensions: a.ExporterExtensions, GatewayResourceAttributes: a.GatewayResourceAttributes,
		GatewaySelfMetrics: a.GatewaySelfMetrics, GatewayRedaction: a.GatewayRedaction,
	}
	if a.Canary != nil {
		s.Canary, s.CanaryLogLevel = true, a.Canary.LogLevel
	}
	return s
}

// gatewaySecretEnv stores the gateway's secret environment in a Secret and returns the env
// entries that reference it.
func gatewaySecretEnv(ctx *pulumi.Context, name string, args *FleetArgs, ns pulumi.StringInput, opts ...pulumi.ResourceOption) (corev1.EnvVarArray, error) {
	if len(args.GatewaySecretEnv) == 0 {
		return nil, nil
	}
	secretName := args.names().GatewayEnvSecret()
	keys := make([]string, 0, len(args.GatewaySecretEnv))
	for k := range args.GatewaySecretEnv {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	data := pulumi.StringMap{}
	var env corev1.EnvVarArray
	for _, k := range keys {
		data[k] = pulumi.ToSecret(args.GatewaySecretEnv[k]).(pulumi.StringOutput)
		env = append(env, corev1.EnvVarArgs{Name: pulumi.String(k), ValueFrom: &corev1.EnvVarSourceArgs{
			SecretKeyRef: &corev1.SecretKeySelectorArgs{Name: pulumi.String(secretName), Key: pulumi.String(k)},
		}})
	}
	_, err := corev1.NewSecret(ctx, name+"-gateway-env", &corev1.SecretArgs{
		Metadata:   &metav1.ObjectMetaArgs{Name: pulumi.String(secretName), Namespace: ns, Labels: labels(args.names().Gateway(), fleet.ComponentGateway, imageTag(args.Image))},
		Type:       pulumi.String("Opaque"),
		StringData: data,
	}, opts...)
	return env, err
}

func uniq(items ...string) []string {
	var out []string
	for _, i := range items {
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	return out
}

// tailSamplingTraces is the gateway tail sampler's capacity, 0 when it does not tail-sample.
func tailSamplingTraces(s collector.Sampling) int {
	if s.Mode != collector.SamplingTail {
		return 0
	}
	return collector.TailSamplingTraces
}
