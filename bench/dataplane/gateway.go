package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/standin"
	"sigs.k8s.io/yaml"
)

// Gateway tier (-tier gateway): the generated gateway and the seed's gateway for the
// stack's cloud, both with their real cloud exporters pointed at in-process stand-ins
// (package standin, counting only). Written to -out:
//
//	gateway.yaml seed.yaml         collector configs (loopback.Rewrite, StandIn)
//	gateway.env  seed.env          their environment (dummy AWS credentials, the
//	                               Application Insights connection string / key)
//	agent.yaml seedagent.yaml      each gateway's own agent (bench/gateway.sh --feed
//	agent.env  seedagent.env       agents): the stack's DaemonSet agent to the generated
//	                               gateway over mTLS, the seed's agent to the seed's
//	                               gateway in plaintext (see seedAgentToSeedGateway)
//	tls/client/                    a fleet client certificate for telemetrygen (mTLS)
//	ports.sh                       GATEWAY_*, SEED_*, AGENT_*, SEEDAGENT_*, COUNTS_PORT, CLOUD
//	ready                          written last, once the stand-ins serve
//
// then it serves until SIGTERM: the stand-ins, and their counts as JSON on
// http://127.0.0.1:$COUNTS_PORT/ — {"arrived": spans at the backend, "log_events": log
// records there, ...}: X-Ray segments (one per span) and CloudWatch Logs events on AWS,
// request + dependency and message envelopes on Azure.

// aiKey is the Application Insights instrumentation key both Azure gateways use.
const aiKey = "00000000-0000-0000-0000-000000000000"

func gatewayTier(synthDir, seedDir, seedAgentFile, out string, p patches) error {
	gw, agent, err := gatewayAndAgent(synthDir)
	if err != nil {
		return err
	}
	gwText, err := os.ReadFile(filepath.Join(synthDir, "collector", gw.File))
	if err != nil {
		return err
	}
	cloud := "azure"
	if strings.Contains(string(gwText), "awsxray") {
		cloud = "aws"
	}
	seedText, err := os.ReadFile(filepath.Join(seedDir, "seed-gateway-"+cloud+".yaml"))
	if err != nil {
		return err
	}
	generated, err := applyPatch(string(gwText), p.gateway)
	if err != nil {
		return err
	}

	standInPort, err := loopback.FreePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", standInPort)
	var url string
	var counts func() map[string]any
	env := otelcoltest.DummyAWSEnv()
	switch cloud {
	case "aws":
		aws, err := standin.StartAWSAt(addr)
		if err != nil {
			return err
		}
		aws.CountOnly()
		url = aws.URL
		env = append(env, "OTEL_ARCHIVE_BUCKET=archive-bucket")
		counts = func() map[string]any {
			c := aws.Counts()
			return map[string]any{"arrived": c.UniqueSegments, "received": c.Segments, "log_events": c.LogEvents, "objects": c.Objects, "object_bytes": c.ObjectBytes, "refused": aws.Refused()}
		}
	case "azure":
		ai, err := standin.StartAppInsightsAt(addr)
		if err != nil {
			return err
		}
		ai.CountOnly()
		url = ai.URL
		env = append(env, "APPLICATIONINSIGHTS_CONNECTION_STRING=InstrumentationKey="+aiKey+";IngestionEndpoint="+url,
			"APPLICATIONINSIGHTS_INSTRUMENTATION_KEY="+aiKey, "APPLICATIONINSIGHTS_TRACK_ENDPOINT="+url+"v2/track")
		counts = func() map[string]any {
			c := ai.Counts()
			return map[string]any{"arrived": c["RequestData"] + c["RemoteDependencyData"], "log_events": c["MessageData"], "envelopes": c}
		}
	}

	ca, err := loopback.NewCA()
	if err != nil {
		return err
	}
	gwTLS := filepath.Join(out, "tls", "gateway")
	if err := ca.WriteTLSDir(gwTLS, gw.TLSNames, []net.IP{net.IPv4(127, 0, 0, 1)}); err != nil {
		return err
	}
	if err := ca.WriteTLSDir(filepath.Join(out, "tls", "client"), []string{"bench-client"}, nil); err != nil {
		return err
	}
	agentTLS := filepath.Join(out, "tls", "agent")
	if err := ca.WriteTLSDir(agentTLS, agent.TLSNames, nil); err != nil {
		return err
	}
	agentText, err := os.ReadFile(filepath.Join(synthDir, "collector", agent.File))
	if err != nil {
		return err
	}
	seedAgent, err := seedAgentToSeedGateway(seedAgentFile)
	if err != nil {
		return err
	}
	sh := []string{"CLOUD=" + cloud, fmt.Sprintf("QUEUED_EXPORTERS='%s'", collector.QueuedExporters)}
	ports := map[string]loopback.Ports{}
	for _, name := range []string{"gateway", "seed", "agent", "seedagent"} {
		p, err := loopback.FreePorts()
		if err != nil {
			return err
		}
		ports[name] = p
		prefix := strings.ToUpper(name)
		sh = append(sh, fmt.Sprintf("%s_OTLP=%d %s_METRICS=%d %s_HEALTH=%d %s_PPROF=%d", prefix, p.OTLPGRPC, prefix, p.Metrics, prefix, p.Health, prefix, p.Pprof))
	}
	otlpOf := func(name string) string { return fmt.Sprintf("127.0.0.1:%d", ports[name].OTLPGRPC) }
	for _, f := range []struct {
		name, text string
		o          loopback.Options
		env        []string
	}{
		{"gateway", generated, loopback.Options{Role: loopback.Gateway, StandIn: url, TLSDir: gwTLS, StorageDir: filepath.Join(out, "queue-gateway")},
			append(append([]string(nil), gw.Env...), env...)},
		{"seed", string(seedText), loopback.Options{Role: loopback.Gateway, StandIn: url, StorageDir: filepath.Join(out, "queue-seed")}, env},
		{"agent", string(agentText), loopback.Options{Role: loopback.Agent, GatewayEndpoint: otlpOf("gateway"), TLSDir: agentTLS}, agent.Env},
		{"seedagent", seedAgent, loopback.Options{Role: loopback.Agent, GatewayEndpoint: otlpOf("seed")}, nil},
	} {
		f.o.Ports = ports[f.name]
		if err := writeCollector(out, f.name, f.text, f.o, f.env); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sh = append(sh, fmt.Sprintf("COUNTS_PORT=%d", ln.Addr().(*net.TCPAddr).Port))
	if err := os.WriteFile(filepath.Join(out, "ports.sh"), []byte(strings.Join(sh, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	go func() {
		_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(counts())
		}))
	}()
	if err := os.WriteFile(filepath.Join(out, "ready"), nil, 0o644); err != nil {
		return err
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	<-stop
	return nil
}

// seedAgentToSeedGateway is the seed's agent (bench/seed-agent.yaml) as the seed's gateway
// sees it: in plaintext. The seed's agent asks for TLS with a client certificate, but the
// seed's gateway (receivers from the seed's one complete config, the agent's) has none, so
// one of the two must give: the agent's TLS goes (tls.insecure, no certificate files),
// which spares the seed's gateway the TLS the generated gateway pays. Nothing else changes.
func seedAgentToSeedGateway(file string) (string, error) {
	text, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var c map[string]any
	if err := yaml.Unmarshal(text, &c); err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	exporters, _ := c["exporters"].(map[string]any)
	exp, _ := exporters["otlp_grpc"].(map[string]any)
	if exp == nil {
		return "", fmt.Errorf("%s: no otlp_grpc exporter to the gateway", file)
	}
	exp["tls"] = map[string]any{"insecure": true}
	out, err := yaml.Marshal(c)
	return string(out), err
}
