package collector

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/fleet"
	"github.com/otelfleet/otelfleet/components/fleetca"
	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/aws"
	"github.com/otelfleet/otelfleet/stacks/azure"
	"github.com/otelfleet/otelfleet/stacks/cluster"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"sigs.k8s.io/yaml"
)

// deployment is the committed production stacks rendered as one deployment: the fleet CA's
// owner (azure-prod) first, then the stacks that sign with it, their stack references
// answered with the owner's render, never with synth's stand-in.
type deployment struct {
	owner  fleetca.PEM
	stacks map[string]*renderedStack
}

// renderDeployment renders azure-prod, aws-prod and aws-prod-euw1 with a clock at now (so
// the certificates issued at deploy time are valid while the test runs) and a CA seed of
// its own (so nothing can match synth's stand-in CA by chance).
func renderDeployment(t *testing.T) *deployment {
	t.Helper()
	program := stacks.ProgramWith(fleetca.Fixed(time.Now(), t.Name()),
		map[string]stacks.Builder{"aws": aws.Build, "azure": azure.Build, "kubernetes": cluster.Build})
	d := &deployment{stacks: map[string]*renderedStack{}}
	renderOne := func(stack string, fakes synth.Fakes) *renderedStack {
		sc, err := synth.ReadStackConfig(projectDir, stack)
		if err != nil {
			t.Fatal(err)
		}
		res, err := synth.RenderWith(sc, program, fakes)
		if err != nil {
			t.Fatalf("render %s: %v", stack, err)
		}
		workloads, err := loopback.Workloads(res.Manifests)
		if err != nil {
			t.Fatal(err)
		}
		return &renderedStack{Name: stack, Result: res, Workloads: workloads}
	}
	owner := renderOne("azure-prod", synth.FakesFor("azure"))
	d.stacks["azure-prod"] = owner
	d.owner = storedCA(t, owner)
	if got := owner.Result.Outputs["tlsCaCertificate"]; got != d.owner.Certificate {
		t.Fatalf("azure-prod exports tlsCaCertificate %.60q; want the CA it stores", got)
	}
	if got := owner.Result.Outputs["tlsCaKey"]; got != fleet.SecretPlaceholder {
		t.Fatalf("azure-prod exports tlsCaKey as %.40q; want a secret", got)
	}
	for _, stack := range []string{"aws-prod", "aws-prod-euw1"} {
		fakes := synth.FakesFor("aws")
		fakes.Resources["pulumi:pulumi:StackReference"] = func(_ string, in resource.PropertyMap) resource.PropertyMap {
			if name := in["name"].StringValue(); name != "acme/otelfleet/azure-prod" {
				t.Errorf("%s references stack %s; want azure-prod only", stack, name)
			}
			return synth.StackReferenceOutputs(map[string]string{
				"tlsCaCertificate":  fmt.Sprint(owner.Result.Outputs["tlsCaCertificate"]),
				"gatewayIngestHost": synth.FakeAzureIngestAddress,
			}, map[string]string{"tlsCaKey": d.owner.Key})
		}
		d.stacks[stack] = renderOne(stack, fakes)
	}
	return d
}

// storedCA is the fleet CA a render stores in cert-manager's namespace (the Secret the
// ClusterIssuer signs with), read from the program's raw inputs.
func storedCA(t *testing.T, s *renderedStack) fleetca.PEM {
	t.Helper()
	names := fleet.Names{Prefix: stackPrefix(t, s)}
	for _, r := range s.Result.Find("kubernetes:core/v1:Secret") {
		if get(r.Inputs, "metadata", "name") != names.CASecret() {
			continue
		}
		data := rawStrings(r.RawInputs()["stringData"])
		return fleetca.PEM{Certificate: data["tls.crt"], Key: data["tls.key"]}
	}
	t.Fatalf("%s stores no fleet CA secret %s", s.Name, names.CASecret())
	return fleetca.PEM{}
}

// stackPrefix is the stack's otelfleet:name: its gateway is <name>-gateway.
func stackPrefix(t *testing.T, s *renderedStack) string {
	t.Helper()
	return strings.TrimSuffix(s.Gateway(t).Name, "-gateway")
}

// unwrap removes the secret and known-output wrappers of a raw input value.
func unwrap(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() || v.IsOutput() {
		if v.IsSecret() {
			v = v.SecretValue().Element
		} else {
			v = v.OutputValue().Element
		}
	}
	return v
}

// rawStrings unwraps a raw input map of strings (secrets included).
func rawStrings(v resource.PropertyValue) map[string]string {
	out := map[string]string{}
	for k, e := range unwrap(v).ObjectValue() {
		out[string(k)] = unwrap(e).StringValue()
	}
	return out
}

func get(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, _ := v.(map[string]any)
		v = mm[p]
	}
	return v
}

// ecsTLS is what the euw1 ECS task gets at start: the CA from its task definition's
// environment and the client certificate from the SecureString parameter.
func ecsTLS(t *testing.T, s *renderedStack) (ca, client string) {
	t.Helper()
	for _, r := range s.Result.Find("aws:ecs/taskDefinition:TaskDefinition") {
		var defs []struct {
			Environment []struct{ Name, Value string }     `json:"environment"`
			Secrets     []struct{ Name, ValueFrom string } `json:"secrets"`
		}
		if err := json.Unmarshal([]byte(fmt.Sprint(r.Inputs["containerDefinitions"])), &defs); err != nil {
			t.Fatal(err)
		}
		for _, e := range defs[0].Environment {
			if e.Name == fleet.TrustEnv {
				ca = e.Value
			}
		}
		for _, sec := range defs[0].Secrets {
			if sec.Name == fleet.ClientTLSEnv && !strings.HasSuffix(sec.ValueFrom, "/secret/"+fleet.ClientTLSEnv) {
				t.Errorf("%s comes from %s; want the collector's secret parameter", fleet.ClientTLSEnv, sec.ValueFrom)
			}
		}
	}
	for _, r := range s.Result.Find("aws:ssm/parameter:Parameter") {
		if strings.HasSuffix(fmt.Sprint(r.Inputs["name"]), "/secret/"+fleet.ClientTLSEnv) {
			if r.Inputs["type"] != "SecureString" {
				t.Errorf("the client certificate parameter is a %v; want a SecureString", r.Inputs["type"])
			}
			v := r.RawInputs()["value"]
			if !v.ContainsSecrets() {
				t.Error("the client certificate parameter's value is not a Pulumi secret")
			}
			client = unwrap(v).StringValue()
		}
	}
	if ca == "" || client == "" {
		t.Fatalf("euw1's ECS task has no %s (%d bytes) or %s (%d bytes)", fleet.TrustEnv, len(ca), fleet.ClientTLSEnv, len(client))
	}
	return ca, client
}

// TestOneFleetCAAcrossStacks renders the production stacks as one deployment and proves
// that every hop between stacks (euw1's gateway and ECS collector → the global name, which
// is aws-prod's ingest or, on failover, azure-prod's) trusts one CA and presents a client
// certificate from it; then it runs those hops with real collectors, using the rendered
// receiver and exporter TLS sections unchanged, with certificates from the owner's CA
// (the ECS collector's exactly as rendered), and shows that a sender with a certificate
// from another CA is refused.
func TestOneFleetCAAcrossStacks(t *testing.T) {
	d := renderDeployment(t)
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(d.owner.Certificate)) {
		t.Fatal("the owner's CA is not a PEM certificate")
	}
	for name, s := range d.stacks {
		if got := storedCA(t, s); got != d.owner {
			t.Errorf("%s signs with another CA than azure-prod's", name)
		}
		for _, c := range s.Result.Find("kubernetes:cert-manager.io/v1:Certificate") {
			if issuer := get(c.Inputs, "spec", "issuerRef", "name"); issuer != stackPrefix(t, s)+"-ca" {
				t.Errorf("%s: Certificate %s is signed by %v; want the fleet CA's issuer", name, c.Name, issuer)
			}
		}
	}

	// The rendered TLS sections of each hop.
	euw1, global, dr := d.stacks["aws-prod-euw1"], d.stacks["aws-prod"], d.stacks["azure-prod"]
	upstream := get(parseConfig(t, euw1.Result.Collector[euw1.Gateway(t).File]), "exporters", "otlp_grpc/upstream", "tls")
	if up, _ := upstream.(map[string]any); up["cert_file"] == nil || up["ca_file"] == nil || up["insecure"] == true {
		t.Errorf("euw1's gateway forwards upstream with TLS %v; want its certificate and the fleet CA", upstream)
	}
	ecsConfig := euw1.Result.Collector["ecs-collector.yaml"]
	ecsUpstream := get(parseConfig(t, ecsConfig), "exporters", "otlp_grpc/upstream", "tls")
	if up, _ := ecsUpstream.(map[string]any); up["cert_pem"] != "${env:"+fleet.ClientTLSEnv+"}" || up["ca_pem"] != "${env:"+fleet.TrustEnv+"}" {
		t.Errorf("euw1's ECS collector forwards upstream with TLS %v; want its client certificate from the environment", ecsUpstream)
	}
	for _, s := range []*renderedStack{global, dr} {
		recv := get(parseConfig(t, s.Result.Collector[s.Gateway(t).File]), "receivers", "otlp", "protocols", "grpc", "tls")
		if r, _ := recv.(map[string]any); r["client_ca_file"] == nil {
			t.Errorf("%s's gateway receiver TLS %v requires no client certificate", s.Name, recv)
		}
	}
	ecsCA, ecsClient := ecsTLS(t, euw1)
	if ecsCA != d.owner.Certificate {
		t.Error("euw1's ECS task trusts another CA than the owner's")
	}
	pair, err := tls.X509KeyPair([]byte(ecsClient), []byte(ecsClient))
	if err != nil {
		t.Fatalf("the ECS client certificate and key do not load: %v", err)
	}
	leaf, _ := x509.ParseCertificate(pair.Certificate[0])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("the ECS client certificate does not verify against the fleet CA for client auth: %v", err)
	}
	t.Logf("ECS client certificate %s valid %s .. %s", leaf.Subject.CommonName, leaf.NotBefore.Format(time.RFC3339), leaf.NotAfter.Format(time.RFC3339))

	// The hops, for real.
	bin := otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	ca, err := loopback.CAFromPEM(d.owner.Certificate, d.owner.Key)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []*renderedStack{global, dr} {
		t.Run("to "+target.Name, func(t *testing.T) {
			sinkFile := filepath.Join(t.TempDir(), "sink.json")
			gw := prepare(t, target, target.Gateway(t), loopback.Options{Sink: loopback.Sink{File: sinkFile}}, ca).start(t, bin)
			regional := prepare(t, euw1, euw1.Gateway(t), loopback.Options{Upstream: gw.Endpoint()}, ca).start(t, bin)
			ecsRun := prepareECS(t, euw1, ecsConfig, gw.Endpoint(), []string{fleet.TrustEnv + "=" + ecsCA, fleet.ClientTLSEnv + "=" + ecsClient}).start(t, bin)

			const n = 200
			caFile := filepath.Join(regional.TLSDir, "ca.crt")
			mtls := []string{"--ca-cert", caFile, "--mtls", "--client-cert", filepath.Join(regional.TLSDir, "tls.crt"), "--client-key", filepath.Join(regional.TLSDir, "tls.key")}
			if out, err := send(t, "traces", regional.Endpoint(), n, "via-euw1-gateway", append(mtls, keepMe...)...); err != nil {
				t.Fatalf("send to euw1's gateway: %v\n%s", err, out)
			}
			if out, err := send(t, "traces", ecsRun.Endpoint(), n, "via-euw1-ecs", append([]string{insecure}, keepMe...)...); err != nil {
				t.Fatalf("send to euw1's ECS collector: %v\n%s", err, out)
			}
			for _, service := range []string{"via-euw1-gateway", "via-euw1-ecs"} {
				got := waitSink(t, sinkFile, service, 60*time.Second, func(r *loopback.Received) bool { return r.UniqueSpans >= n })
				if got.UniqueSpans != n {
					t.Errorf("%s → %s: %d of %d spans arrived", service, target.Name, got.UniqueSpans, n)
				}
			}

			// A sender whose certificate another CA signed is refused at the handshake.
			rogue := newCA(t)
			dir := filepath.Join(t.TempDir(), "rogue")
			if err := rogue.WriteTLSDir(dir, []string{"rogue.example.com"}, nil); err != nil {
				t.Fatal(err)
			}
			out, err := send(t, "traces", gw.Endpoint(), 2, "rogue", append([]string{"--ca-cert", filepath.Join(gw.TLSDir, "ca.crt"), "--mtls",
				"--client-cert", filepath.Join(dir, "tls.crt"), "--client-key", filepath.Join(dir, "tls.key"), "--timeout", "3s"}, keepMe...)...)
			if got := waitSink(t, sinkFile, "rogue", 0, func(*loopback.Received) bool { return true }); got.Spans != 0 {
				t.Errorf("%s accepted %d spans from a certificate of another CA", target.Name, got.Spans)
			}
			t.Logf("another CA's client: telemetrygen exit %v; last line: %s", err, lastLine(out))
		})
	}
}

// prepareECS is prepare for the ECS collector's config, which no Kubernetes workload
// mounts: a gateway whose upstream exporter is pointed at upstream, with env (the task's
// TLS variables) as its environment.
func prepareECS(t *testing.T, s *renderedStack, config, upstream string, env []string) *collectorRun {
	t.Helper()
	return prepareOutside(t, "ecs-collector", config, loopback.Options{Upstream: upstream}, env)
}

func parseConfig(t *testing.T, text string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(text), &m); err != nil {
		t.Fatal(err)
	}
	return m
}
