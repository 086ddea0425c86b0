package collector

import (
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
)

// Certificate rotation, compressed from days into seconds: certificates that live
// rotationCertLife, renewed in place after rotationRenewAt, collectors that re-read them
// every rotationReload and a gateway that renews connections every rotationConnAge — the
// same ordering the stack's validation enforces for tlsCertDuration, tlsCertRenewBefore,
// tlsReloadInterval and the gateway preset's max_connection_age.
const (
	rotationCertLife = 40 * time.Second
	rotationRenewAt  = 15 * time.Second
	rotationReload   = "2s"
	rotationConnAge  = "5s"
	rotationRun      = 70 * time.Second // well past the first certificates' expiry
	rotationRate     = 200              // spans/s
)

// TestCertificateRotationLosesNothing runs aws-prod's agent and gateway (mutual TLS, trace-id
// routing) as rendered, with certificates that expire mid-run. The certificates are renewed
// on disk the way the kubelet projects a renewed cert-manager secret; spans flow through
// the agent the whole time, and the gateway renews every connection, so agent and gateway
// handshake again long after the first certificates expired. Every span must arrive. The
// only changes to the rendered configs are the shortened reload interval and connection
// age (and the loopback rewrite).
func TestCertificateRotationLosesNothing(t *testing.T) {
	bin := otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	s := render(t, "aws-prod")
	ca := newCA(t)
	sinkFile := filepath.Join(t.TempDir(), "sink.json")
	gw := prepare(t, s, s.Gateway(t), loopback.Options{Sink: loopback.Sink{File: sinkFile}}, ca)
	agent := prepare(t, s, daemonSetAgent(t, s), loopback.Options{GatewayEndpoint: gw.Endpoint()}, ca)
	if gw.TLSDir == "" || agent.TLSDir == "" {
		t.Fatal("aws-prod's agent and gateway should use mutual TLS")
	}
	shorten := func(cfg map[string]any) {
		if n := setEverywhere(cfg, "reload_interval", rotationReload); n == 0 {
			t.Fatal("the rendered config has no reload_interval: certificates would never be re-read")
		}
		setEverywhere(cfg, "max_connection_age", rotationConnAge)
		setEverywhere(cfg, "max_connection_age_grace", "1s")
	}
	gw.patch(t, shorten)
	agent.patch(t, shorten)

	expiry := time.Now().Add(rotationCertLife)
	for _, c := range []*collectorRun{gw, agent} {
		project(t, ca, c, expiry)
	}
	gw.start(t, bin)
	agent.start(t, bin)

	service := "rotation"
	total := int(rotationRun.Seconds()) * rotationRate
	sent := make(chan error, 1)
	go func() {
		out, err := send(t, "traces", agent.Endpoint(), total, service,
			append([]string{insecure, "--rate", fmt.Sprint(rotationRate)}, keepMe...)...)
		if err != nil {
			err = fmt.Errorf("%v\n%s", err, out)
		}
		sent <- err
	}()

	time.Sleep(rotationRenewAt)
	for _, c := range []*collectorRun{gw, agent} {
		project(t, ca, c, time.Now().Add(24*time.Hour)) // cert-manager's renewal
	}
	t.Logf("certificates renewed at %s; the first ones expire at %s", time.Now().Format(time.TimeOnly), expiry.Format(time.TimeOnly))

	time.Sleep(time.Until(expiry))
	atExpiry := count(t, sinkFile, service)
	if err := <-sent; err != nil {
		t.Fatalf("telemetrygen: %v", err)
	}
	got := waitSink(t, sinkFile, service, 30*time.Second, func(r *loopback.Received) bool { return r.UniqueSpans >= total }).UniqueSpans
	t.Logf("%d of %d spans arrived, %d of them after the first certificates expired", got, total, got-atExpiry)
	if got < total {
		t.Errorf("lost %d of %d spans across the certificate rotation", total-got, total)
	}
	if got-atExpiry < total/4 {
		t.Errorf("only %d spans arrived after the first certificates expired: the rotation was not exercised", got-atExpiry)
	}
}

// project writes a collector's certificate (for its workload's names, and loopback for a
// gateway) into its TLS dir, as the kubelet projects the cert-manager secret.
func project(t *testing.T, ca *loopback.CA, c *collectorRun, notAfter time.Time) {
	t.Helper()
	var ips []net.IP
	if c.Workload.Role == loopback.Gateway {
		ips = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	if err := ca.ProjectTLSDir(c.TLSDir, c.Workload.TLSNames, ips, notAfter); err != nil {
		t.Fatal(err)
	}
}

// setEverywhere sets key to value in every map of cfg that has it, and counts them.
func setEverywhere(cfg any, key string, value any) int {
	n := 0
	switch v := cfg.(type) {
	case map[string]any:
		for k, x := range v {
			if k == key {
				v[k] = value
				n++
				continue
			}
			n += setEverywhere(x, key, value)
		}
	case []any:
		for _, x := range v {
			n += setEverywhere(x, key, value)
		}
	}
	return n
}
