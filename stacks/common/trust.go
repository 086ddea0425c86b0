package common

import (
	"fmt"
	"time"

	"github.com/otelfleet/otelfleet/components/fleetca"
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Stack outputs of the fleet CA: the certificate every collector trusts (public) and, from
// the stack that owns the CA only, its key (a Pulumi secret) for the stacks that sign with
// it (otelfleet:tlsCaStack).
const (
	CACertificateOutput = "tlsCaCertificate"
	CAKeyOutput         = "tlsCaKey"
)

// fleetCA is where the stack's fleet CA comes from: the owning stack's outputs with
// otelfleet:tlsCaStack, else a CA this stack creates once (with the plan's trust source).
func fleetCA(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan) (*kube.FleetCA, error) {
	if cfg.TLS.CAStack == "" {
		return &kube.FleetCA{Source: p.Trust}, nil
	}
	ref, err := pulumi.NewStackReference(ctx, cfg.Name+"-fleet-ca", &pulumi.StackReferenceArgs{Name: pulumi.String(cfg.TLS.CAStack)})
	if err != nil {
		return nil, err
	}
	output := func(name string) pulumi.StringOutput {
		return ref.GetOutput(pulumi.String(name)).ApplyT(func(v any) (string, error) {
			s, ok := v.(string)
			if !ok || s == "" {
				return "", fmt.Errorf("otelfleet:tlsCaStack: stack %s exports no %s: it must be an otelfleet stack with tlsEnabled and no tlsCaStack of its own, deployed first", cfg.TLS.CAStack, name)
			}
			return s, nil
		}).(pulumi.StringOutput)
	}
	return &kube.FleetCA{Certificate: output(CACertificateOutput), Key: pulumi.ToSecret(output(CAKeyOutput)).(pulumi.StringOutput)}, nil
}

// ExportTrust exports the fleet CA: its certificate from every stack that signs with it,
// its key (secret) only from the stack that owns it.
func ExportTrust(ctx *pulumi.Context, cfg config.Stack, f *kube.Fleet) {
	if !cfg.TLS.Enabled || cfg.TLS.Issuer != "" {
		return
	}
	ctx.Export(CACertificateOutput, f.TLSCACertificate)
	if cfg.TLS.CAStack == "" {
		ctx.Export(CAKeyOutput, pulumi.ToSecret(f.TLSCAKey))
	}
}

// OutsideTLS is what a collector outside Kubernetes (ECS, ACI) reads its mutual TLS from:
// fleet.TrustEnv, fleet.ClientTLSEnv (a secret) and fleet.RenewByEnv.
type OutsideTLS struct {
	CA, Client pulumi.StringOutput
	// RenewBy (RFC 3339) is when the deployment that issues the next certificate must have
	// run; as an environment variable, its change restarts the collector on the new one.
	RenewBy string
}

// ClientCertificate issues the client certificate of a collector outside Kubernetes (name:
// its common name) from the fleet CA, for the current renewal window of the stack's
// certificate timing: every deployment in one window issues the same certificate, the
// first one after it issues the next. Client holds the certificate and then the key (the
// collector reads both from it).
func ClientCertificate(cfg config.Stack, p *plan.Plan, f *kube.Fleet, name string) (OutsideTLS, error) {
	duration, _ := time.ParseDuration(cfg.TLS.CertDuration) // validated
	renew, _ := time.ParseDuration(cfg.TLS.CertRenewBefore)
	window, err := fleetca.WindowAt(p.Trust.Now(), duration, renew)
	if err != nil {
		return OutsideTLS{}, err
	}
	client := pulumi.All(f.TLSCACertificate, f.TLSCAKey).ApplyT(func(v []any) (string, error) {
		ca, err := fleetca.Parse(fleetca.PEM{Certificate: v[0].(string), Key: v[1].(string)})
		if err != nil {
			return "", err
		}
		leaf, err := ca.Issue(fleetca.Leaf{Name: name, DNSNames: []string{name}, Window: window})
		return leaf.Certificate + leaf.Key, err
	}).(pulumi.StringOutput)
	return OutsideTLS{CA: f.TLSCACertificate, Client: pulumi.ToSecret(client).(pulumi.StringOutput),
		RenewBy: window.RenewBy(renew).Format(time.RFC3339)}, nil
}
