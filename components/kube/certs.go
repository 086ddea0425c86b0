package kube

import (
	"cmp"
	"fmt"
	"github.com/otelfleet/otelfleet/components/fleet"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Where the TLS material of a cert-manager Certificate is mounted in collector containers
// (the paths the collector configurations read: package fleet).
const (
	tlsDir    = fleet.TLSDir
	tlsVolume = "tls"
)

// TLS file paths inside collector containers (cert-manager writes ca.crt, tls.crt, tls.key).
const (
	TLSCAFile   = fleet.TLSCAFile
	TLSCertFile = fleet.TLSCertFile
	TLSKeyFile  = fleet.TLSKeyFile
)

// CertManagerArgs installs cert-manager and/or creates otelfleet's CA issuer.
type CertManagerArgs struct {
	// Install deploys cert-manager (with its CRDs) as a Helm release of Version.
	Install bool
	Version string
	// Issuer names an existing ClusterIssuer; empty creates a self-signed CA and a CA
	// ClusterIssuer named "<prefix>-ca".
	Issuer string
	Prefix string
	// Timing of every certificate it issues; empty fields take fleet.CertDuration and
	// fleet.CertRenewBefore.
	Timing CertTiming
	// ReloadInterval is how often collectors re-read their certificates ("" for
	// fleet.TLSReloadInterval).
	ReloadInterval string
}

// CertTiming is a certificate's lifetime and how long before expiry cert-manager renews it
// (Go durations, as cert-manager takes them).
type CertTiming struct {
	Duration, RenewBefore string
}

func (t CertTiming) withDefaults() CertTiming {
	return CertTiming{Duration: cmp.Or(t.Duration, fleet.CertDuration), RenewBefore: cmp.Or(t.RenewBefore, fleet.CertRenewBefore)}
}

// CertManager is cert-manager plus the ClusterIssuer that signs agent and gateway
// certificates.
type CertManager struct {
	pulumi.ResourceState
	// IssuerName is the ClusterIssuer every otelfleet Certificate references.
	IssuerName pulumi.StringOutput `pulumi:"issuerName"`
	ready      []pulumi.Resource
	timing     CertTiming
	issuer     string // IssuerName as a plain value
}

// NewCertManager installs cert-manager if asked and sets up the issuer.
func NewCertManager(ctx *pulumi.Context, name string, args *CertManagerArgs, opts ...pulumi.ResourceOption) (*CertManager, error) {
	if args == nil || args.Prefix == "" {
		return nil, fmt.Errorf("cert manager %q: Prefix is required", name)
	}
	if args.Install && args.Version == "" {
		return nil, fmt.Errorf("cert manager %q: Version is required when Install is set", name)
	}
	cm := &CertManager{timing: args.Timing.withDefaults()}
	if err := ctx.RegisterComponentResource("otelfleet:kube:CertManager", name, cm, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(cm)
	if args.Install {
		release, err := helmv3.NewRelease(ctx, name+"-release", &helmv3.ReleaseArgs{
			Name:            pulumi.String("cert-manager"),
			Chart:           pulumi.String("cert-manager"),
			Version:         pulumi.String(args.Version),
			RepositoryOpts:  &helmv3.RepositoryOptsArgs{Repo: pulumi.String("https://charts.jetstack.io")},
			Namespace:       pulumi.String("cert-manager"),
			CreateNamespace: pulumi.Bool(true),
			Atomic:          pulumi.Bool(true),
			Values: pulumi.Map{
				"crds":   pulumi.Map{"enabled": pulumi.Bool(true)},
				"global": pulumi.Map{"leaderElection": pulumi.Map{"namespace": pulumi.String("cert-manager")}},
			},
		}, parent)
		if err != nil {
			return nil, err
		}
		cm.ready = append(cm.ready, release)
	}
	issuer := args.Issuer
	if issuer == "" {
		issuer = fleet.Names{Prefix: args.Prefix}.CAIssuer()
		if err := cm.selfSignedCA(ctx, name, issuer, parent); err != nil {
			return nil, err
		}
	}
	cm.issuer, cm.IssuerName = issuer, pulumi.String(issuer).ToStringOutput()
	return cm, ctx.RegisterResourceOutputs(cm, pulumi.Map{"issuerName": cm.IssuerName})
}

// selfSignedCA bootstraps a private CA: a self-signed issuer signs a CA certificate, and a
// CA ClusterIssuer made from it signs the agent and gateway certificates (whose secrets
// then carry that CA as ca.crt, which is what each side verifies the other with).
func (cm *CertManager) selfSignedCA(ctx *pulumi.Context, name, issuer string, parent pulumi.ResourceOption) error {
	deps := pulumi.DependsOn(cm.ready)
	bootstrap, err := customResource(ctx, name+"-selfsigned", "cert-manager.io/v1", "ClusterIssuer", issuer+"-selfsigned", nil,
		kubernetes.UntypedArgs{"spec": map[string]any{"selfSigned": map[string]any{}}}, parent, deps)
	if err != nil {
		return err
	}
	caCert, err := customResource(ctx, name+"-ca-certificate", "cert-manager.io/v1", "Certificate", issuer, pulumi.String("cert-manager"),
		kubernetes.UntypedArgs{"spec": map[string]any{
			"isCA":       true,
			"commonName": issuer,
			"secretName": issuer,
			"duration":   "87600h",
			"privateKey": map[string]any{"algorithm": "ECDSA", "size": 256},
			"issuerRef":  map[string]any{"name": issuer + "-selfsigned", "kind": "ClusterIssuer", "group": "cert-manager.io"},
		}}, parent, pulumi.DependsOn([]pulumi.Resource{bootstrap}))
	if err != nil {
		return err
	}
	caIssuer, err := customResource(ctx, name+"-ca-issuer", "cert-manager.io/v1", "ClusterIssuer", issuer, nil,
		kubernetes.UntypedArgs{"spec": map[string]any{"ca": map[string]any{"secretName": issuer}}}, parent, pulumi.DependsOn([]pulumi.Resource{caCert}))
	if err != nil {
		return err
	}
	cm.ready = append(cm.ready, caIssuer)
	return nil
}

// Ready is what a Certificate must wait for.
func (cm *CertManager) Ready() []pulumi.Resource { return cm.ready }

// Certificate requests a certificate from the issuer, with its timing, once the issuer is
// ready (see NewCertificate).
func (cm *CertManager) Certificate(ctx *pulumi.Context, name string, namespace pulumi.StringInput, secretName string, dnsNames []string, opts ...pulumi.ResourceOption) (*apiextensions.CustomResource, error) {
	return newCertificate(ctx, name, namespace, secretName, cm.IssuerName, dnsNames, cm.timing, append(opts, pulumi.DependsOn(cm.Ready()))...)
}

// NewCertificate requests a certificate for a collector tier, valid for client and server
// authentication, in the secret named secretName of namespace, with the default timing.
func NewCertificate(ctx *pulumi.Context, name string, namespace pulumi.StringInput, secretName string, issuer pulumi.StringInput, dnsNames []string, opts ...pulumi.ResourceOption) (*apiextensions.CustomResource, error) {
	return newCertificate(ctx, name, namespace, secretName, issuer, dnsNames, CertTiming{}.withDefaults(), opts...)
}

func newCertificate(ctx *pulumi.Context, name string, namespace pulumi.StringInput, secretName string, issuer pulumi.StringInput, dnsNames []string, timing CertTiming, opts ...pulumi.ResourceOption) (*apiextensions.CustomResource, error) {
	names := make([]any, len(dnsNames))
	for i, n := range dnsNames {
		names[i] = n
	}
	spec := pulumi.Map{
		"secretName":  pulumi.String(secretName),
		"commonName":  pulumi.String(dnsNames[0]),
		"dnsNames":    pulumi.ToArray(names),
		"duration":    pulumi.String(timing.Duration),
		"renewBefore": pulumi.String(timing.RenewBefore),
		"usages":      pulumi.ToStringArray([]string{"server auth", "client auth", "digital signature", "key encipherment"}),
		"privateKey":  pulumi.Map{"algorithm": pulumi.String("ECDSA"), "size": pulumi.Int(256), "rotationPolicy": pulumi.String("Always")},
		"issuerRef":   pulumi.Map{"name": issuer, "kind": pulumi.String("ClusterIssuer"), "group": pulumi.String("cert-manager.io")},
	}
	return customResource(ctx, name, "cert-manager.io/v1", "Certificate", secretName, namespace, kubernetes.UntypedArgs{"spec": spec}, opts...)
}

// customResource creates an object of a CRD-defined kind with an explicit name.
func customResource(ctx *pulumi.Context, name, apiVersion, kind, objectName string, namespace pulumi.StringInput, fields kubernetes.UntypedArgs, opts ...pulumi.ResourceOption) (*apiextensions.CustomResource, error) {
	meta := &metav1.ObjectMetaArgs{Name: pulumi.String(objectName), Labels: pulumi.StringMap{"app.kubernetes.io/part-of": pulumi.String("otelfleet")}}
	if namespace != nil {
		meta.Namespace = namespace
	}
	return apiextensions.NewCustomResource(ctx, name, &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(apiVersion),
		Kind:        pulumi.String(kind),
		Metadata:    meta,
		OtherFields: fields,
	}, opts...)
}
