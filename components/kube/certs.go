package kube

import (
	"cmp"
	"encoding/base64"
	"fmt"

	"github.com/otelfleet/otelfleet/components/fleet"
	"github.com/otelfleet/otelfleet/components/fleetca"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
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
	// Issuer names an existing ClusterIssuer; empty creates a CA ClusterIssuer named
	// "<prefix>-ca" that signs with the fleet CA (CA).
	Issuer string
	Prefix string
	// CA is the fleet CA when Issuer is empty; nil creates one with fleetca.System().
	CA *FleetCA
	// Timing of every certificate it issues; empty fields take fleet.CertDuration and
	// fleet.CertRenewBefore.
	Timing CertTiming
	// ReloadInterval is how often collectors re-read their certificates ("" for
	// fleet.TLSReloadInterval).
	ReloadInterval string
}

// FleetCA is where the fleet CA comes from: the certificate and key another stack owns and
// exports (Certificate and Key set, e.g. from a StackReference), or a CA this stack creates
// with Source on its first deployment and keeps from then on.
type FleetCA struct {
	Certificate, Key pulumi.StringInput
	Source           fleetca.Source
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
	// CACertificate is the fleet CA's certificate (PEM), the trust anchor of every
	// collector; CAKey its private key (a secret). Both empty with an external Issuer.
	CACertificate pulumi.StringOutput `pulumi:"caCertificate"`
	CAKey         pulumi.StringOutput `pulumi:"caKey"`
	ready         []pulumi.Resource
	timing        CertTiming
	issuer        string // IssuerName as a plain value
}

// NewCertManager installs cert-manager if asked and sets up the issuer.
func NewCertManager(ctx *pulumi.Context, name string, args *CertManagerArgs, opts ...pulumi.ResourceOption) (*CertManager, error) {
	if args == nil || args.Prefix == "" {
		return nil, fmt.Errorf("cert manager %q: Prefix is required", name)
	}
	if args.Install && args.Version == "" {
		return nil, fmt.Errorf("cert manager %q: Version is required when Install is set", name)
	}
	if ca := args.CA; ca != nil && (ca.Certificate == nil) != (ca.Key == nil) {
		return nil, fmt.Errorf("cert manager %q: CA needs both Certificate and Key, or neither (a new CA)", name)
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
			Namespace:       pulumi.String(certManagerNamespace),
			CreateNamespace: pulumi.Bool(true),
			Atomic:          pulumi.Bool(true),
			Values: pulumi.Map{
				"crds":   pulumi.Map{"enabled": pulumi.Bool(true)},
				"global": pulumi.Map{"leaderElection": pulumi.Map{"namespace": pulumi.String(certManagerNamespace)}},
			},
		}, parent)
		if err != nil {
			return nil, err
		}
		cm.ready = append(cm.ready, release)
	}
	issuer := args.Issuer
	cm.CACertificate, cm.CAKey = pulumi.String("").ToStringOutput(), pulumi.String("").ToStringOutput()
	if issuer == "" {
		names := fleet.Names{Prefix: args.Prefix}
		issuer = names.CAIssuer()
		ca := args.CA
		if ca == nil {
			ca = &FleetCA{Source: fleetca.System()}
		}
		if err := cm.fleetCAIssuer(ctx, name, names, ca, parent); err != nil {
			return nil, err
		}
	}
	cm.issuer, cm.IssuerName = issuer, pulumi.String(issuer).ToStringOutput()
	return cm, ctx.RegisterResourceOutputs(cm, pulumi.Map{"issuerName": cm.IssuerName, "caCertificate": cm.CACertificate, "caKey": cm.CAKey})
}

// certManagerNamespace is where cert-manager runs and where a ClusterIssuer's CA secret
// must live (its cluster resource namespace).
const certManagerNamespace = "cert-manager"

// fleetCAIssuer stores the fleet CA in a Secret and makes a CA ClusterIssuer of it: the
// issuer signs the agent and gateway certificates, whose secrets then carry that CA as
// ca.crt, which is what each side verifies the other with. A CA this stack creates is
// generated by the program on every run, but only the first run's is ever stored: the
// Secret ignores later changes to its data, and its outputs (the stored CA) are what the
// stack exports.
func (cm *CertManager) fleetCAIssuer(ctx *pulumi.Context, name string, names fleet.Names, ca *FleetCA, parent pulumi.ResourceOption) error {
	certificate, key := ca.Certificate, ca.Key
	opts := []pulumi.ResourceOption{parent, pulumi.DependsOn(cm.ready)}
	if certificate == nil {
		created, err := fleetca.New(names.Prefix+" fleet CA", ca.Source.Now(), ca.Source.Entropy)
		if err != nil {
			return err
		}
		certificate, key = pulumi.String(created.Certificate), pulumi.ToSecret(pulumi.String(created.Key)).(pulumi.StringOutput)
		opts = append(opts, pulumi.IgnoreChanges([]string{"stringData", "data"}))
	}
	data := pulumi.All(certificate, key).ApplyT(func(v []any) (map[string]string, error) {
		if _, err := fleetca.Parse(fleetca.PEM{Certificate: v[0].(string), Key: v[1].(string)}); err != nil {
			return nil, err
		}
		return map[string]string{"tls.crt": v[0].(string), "tls.key": v[1].(string), "ca.crt": v[0].(string)}, nil
	}).(pulumi.StringMapOutput)
	secret, err := corev1.NewSecret(ctx, name+"-ca-secret", &corev1.SecretArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(names.CASecret()), Namespace: pulumi.String(certManagerNamespace),
			Labels: pulumi.StringMap{"app.kubernetes.io/part-of": pulumi.String("otelfleet")}},
		Type:       pulumi.String("kubernetes.io/tls"),
		StringData: pulumi.ToSecret(data).(pulumi.StringMapOutput),
	}, opts...)
	if err != nil {
		return err
	}
	// The stored CA: the live object's data (base64), which the apiserver made of the
	// first run's stringData (and which the engine keeps while the inputs are ignored).
	stored := func(field string) pulumi.StringOutput {
		return pulumi.All(secret.Data, secret.StringData).ApplyT(func(v []any) (string, error) {
			if b64 := v[0].(map[string]string)[field]; b64 != "" {
				b, err := base64.StdEncoding.DecodeString(b64)
				return string(b), err
			}
			return v[1].(map[string]string)[field], nil
		}).(pulumi.StringOutput)
	}
	// The certificate is public: it is what senders outside the fleet configure.
	cm.CACertificate, cm.CAKey = pulumi.Unsecret(stored("tls.crt")).(pulumi.StringOutput), pulumi.ToSecret(stored("tls.key")).(pulumi.StringOutput)
	caIssuer, err := customResource(ctx, name+"-ca-issuer", "cert-manager.io/v1", "ClusterIssuer", names.CAIssuer(), nil,
		kubernetes.UntypedArgs{"spec": map[string]any{"ca": map[string]any{"secretName": names.CASecret()}}}, parent, pulumi.DependsOn([]pulumi.Resource{secret}))
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
