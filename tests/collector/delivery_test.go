package collector

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
)

// itemsPerSignal is N: spans, metric points and log records sent through each agent.
const itemsPerSignal = 2000

// keepMe marks test spans as must-keep for the gateways' samplers (the samplers are not
// rewritten): status ERROR for tail_sampling's errors policy, sampling.priority=1 for
// probabilistic_sampler. Without them "all N arrive" could not be an exact count.
var keepMe = []string{"--status-code", "Error", "--telemetry-attributes", "sampling.priority=1"}

func newCA(t testing.TB) *loopback.CA {
	t.Helper()
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// TestAgentToGatewayDeliversEverything runs, for every stack and every agent config it
// renders (DaemonSet and sidecar), the agent and the stack's gateway as generated (through
// loopback.Rewrite) and sends N spans, N metric points and N log records with
// telemetrygen. It asserts that exactly N of each reach the gateway's file sink, none
// twice; that every item carries the agent's deployment.environment (replacing the value
// the application sent) and every other resource attribute the agent's and gateway's
// resource processors set; that neither collector logs a deprecation warning; and, when
// the gateway requires client certificates, that a client without one is refused while
// one with the agent's certificate gets through.
func TestAgentToGatewayDeliversEverything(t *testing.T) {
	bin := otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	for _, stack := range allStacks(t) {
		s := render(t, stack)
		if len(s.Agents()) == 0 {
			t.Errorf("stack %s renders no agent config", stack)
			continue
		}
		gw := s.Gateway(t)
		for _, agent := range s.Agents() {
			t.Run(stack+"/"+agent.File, func(t *testing.T) {
				began := time.Now()
				ca := newCA(t)
				sinkFile := filepath.Join(t.TempDir(), "sink.json")
				gwRun := prepare(t, s, gw, loopback.Options{Sink: loopback.Sink{File: sinkFile}}, ca).start(t, bin)
				agRun := prepare(t, s, agent, loopback.Options{GatewayEndpoint: gwRun.Endpoint()}, ca).start(t, bin)
				started := time.Since(began)

				service := "e2e-" + strings.TrimSuffix(agent.File, ".yaml")
				appAttrs := []string{"--otlp-attributes", `deployment.environment="` + appEnvironment + `"`}
				for _, signal := range []string{"traces", "metrics", "logs"} {
					extra := append([]string{insecure}, appAttrs...)
					if signal == "traces" {
						extra = append(extra, keepMe...)
					}
					if out, err := send(t, signal, agRun.Endpoint(), itemsPerSignal, service, extra...); err != nil {
						t.Fatalf("telemetrygen %s: %v\n%s", signal, err, out)
					}
				}
				sent := time.Since(began)
				complete := func(r *loopback.Received) bool {
					return r.Spans >= itemsPerSignal && r.MetricPoints >= itemsPerSignal && r.LogRecords >= itemsPerSignal
				}
				r := waitSink(t, sinkFile, service, 90*time.Second, complete)
				arrived := time.Since(began)
				time.Sleep(1500 * time.Millisecond) // anything extra (a duplicate) would land now
				r = waitSink(t, sinkFile, service, 0, complete)

				if r.Spans != itemsPerSignal || r.UniqueSpans != itemsPerSignal || r.MetricPoints != itemsPerSignal || r.LogRecords != itemsPerSignal {
					t.Errorf("sink got %d spans (%d unique), %d metric points, %d log records; want exactly %d of each",
						r.Spans, r.UniqueSpans, r.MetricPoints, r.LogRecords, itemsPerSignal)
				}

				agentEnv := configuredValue(t, agRun.Config, "traces", "deployment.environment", agent.Env)
				if agentEnv == "" || agentEnv == appEnvironment {
					t.Fatalf("the agent config sets no deployment.environment of its own (got %q)", agentEnv)
				}
				for _, signal := range []string{"traces", "metrics", "logs"} {
					want := map[string]string{"service.name": service, "deployment.environment": appEnvironment}
					applyResourceProcessors(t, agRun.Config, signal, agent.Env, want)
					applyResourceProcessors(t, gwRun.Config, signal, gw.Env, want)
					if want["deployment.environment"] != agentEnv {
						t.Errorf("%s: the model says deployment.environment=%q, the agent sets %q", signal, want["deployment.environment"], agentEnv)
					}
					for k, v := range want {
						if got := r.CountWith(k, v); got != r.Items() {
							t.Errorf("%d of %d items carry resource attribute %s=%q (values seen: %v)", got, r.Items(), k, v, r.Attrs[k])
						}
					}
				}
				assertNoDeprecations(t, gwRun, agRun)
				if strings.Contains(gwRun.Config, "client_ca_file") {
					checkMutualTLS(t, gwRun, agRun, sinkFile, service)
				}
				t.Logf("%s → %s: collectors healthy after %s, %d×3 items sent after %s, all arrived after %s",
					agent.File, gw.File, started.Round(time.Millisecond), itemsPerSignal, sent.Round(time.Millisecond), arrived.Round(time.Millisecond))
			})
		}
	}
}

// checkMutualTLS sends straight to the gateway: without a client certificate the
// handshake must fail and nothing arrive; with the agent's certificate it must arrive.
func checkMutualTLS(t *testing.T, gw, agent *collectorRun, sinkFile, service string) {
	t.Helper()
	ca := filepath.Join(gw.TLSDir, "ca.crt")
	noCert := service + "-nocert"
	out, err := send(t, "traces", gw.Endpoint(), 2, noCert, append([]string{"--ca-cert", ca, "--timeout", "3s"}, keepMe...)...)
	withCert := service + "-mtls"
	out2, err2 := send(t, "traces", gw.Endpoint(), 4, withCert, append([]string{"--ca-cert", ca, "--mtls",
		"--client-cert", filepath.Join(agent.TLSDir, "tls.crt"), "--client-key", filepath.Join(agent.TLSDir, "tls.key")}, keepMe...)...)
	if err2 != nil {
		t.Fatalf("a client with the agent's certificate was refused: %v\n%s", err2, out2)
	}
	got := waitSink(t, sinkFile, withCert, 60*time.Second, func(r *loopback.Received) bool { return r.Spans >= 4 })
	if got.Spans != 4 {
		t.Errorf("with the agent's client certificate %d of 4 spans arrived", got.Spans)
	}
	if refused := waitSink(t, sinkFile, noCert, 0, func(*loopback.Received) bool { return true }); refused.Spans != 0 {
		t.Errorf("the gateway accepted %d spans from a client without a certificate", refused.Spans)
	}
	t.Logf("without a client certificate: telemetrygen exit %v; last line: %s", err, lastLine(out))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
